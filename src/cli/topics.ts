/** `papers topics`: the declaration; the work is in commands/topics.ts. */
import { Command } from '@commander-js/extra-typings';
import { begin, type Lazy } from './lazy.js';
import { withCommonOptions, type OptionsOf } from './options.js';

const topicsDeclaration = () => withCommonOptions(new Command('topics')
  .description('list, show, add and remove named topics (queries)')
  .option('--json', 'print as JSON'));

export type TopicsOptions = OptionsOf<typeof topicsDeclaration>;

/** What `topics` calls: commands/topics.ts. */
export interface TopicsWork {
  list(opts: TopicsOptions): Promise<void>;
  show(name: string, opts: TopicsOptions): Promise<void>;
  add(name: string, query: string[]): Promise<void>;
  remove(name: string): Promise<void>;
}

export function topicsCommand(work: Lazy<TopicsWork>) {
  const topics = topicsDeclaration()
    .addHelpText('after', `
A topic is a named query (see papers list --help). A topic of yours replaces a built-in one of
the same name; removing yours brings the built-in back; a built-in cannot be removed.

Examples:
  papers topics                                  # every topic, with its number of cached papers
  papers topics show agents
  papers topics add ssm '"state space" OR mamba OR title:ssm*'
  papers list --topic ssm --since 7d
  papers topics remove ssm`)
    .action(async (opts) => {
      begin(opts);
      await (await work()).list(opts);
    });
  topics.command('show').argument('<name>').description('the query of a topic').option('--json', 'print as JSON')
    .addHelpText('after', '\nExamples:\n  papers topics show agents\n  papers topics show agents --json | jq -r .query')
    .action(async (name, _opts, command) => {
      // --json may come before or after the name: commander gives it to either command.
      await (await work()).show(name, command.optsWithGlobals());
    });
  topics.command('add').argument('<name>').argument('<query...>')
    .description('add or replace a topic in the config file (a query may start with -: papers topics add x -survey)')
    .allowUnknownOption()
    .addHelpText('after', `\nExamples:\n  papers topics add ssm '"state space" OR mamba'\n  papers topics add agents-nosurvey agent -survey`)
    .action(async (name, query) => {
      await (await work()).add(name, query);
    });
  topics.command('remove').argument('<name>').description('remove a topic from the config file')
    .addHelpText('after', '\nExamples:\n  papers topics remove ssm')
    .action(async (name) => {
      await (await work()).remove(name);
    });
  return topics;
}
