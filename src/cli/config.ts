/** `papers config`: the declaration; the work is in commands/config.ts. */
import { Command } from '@commander-js/extra-typings';
import { begin, type Lazy } from './lazy.js';

const KEYS = 'keys: topics.<name>, sources.arxiv.categories, sources.arxiv.harvest (.set, .from), defaults.limit, defaults.sort';

/** What `config` calls: commands/config.ts. */
export interface ConfigWork {
  path(): Promise<void>;
  get(key: string | undefined): Promise<void>;
  set(key: string, value: string[]): Promise<void>;
  unset(key: string): Promise<void>;
  edit(): Promise<void>;
}

export function configCommand(work: Lazy<ConfigWork>) {
  const config = new Command('config')
    .description('read and write the config file (topics, arXiv categories, defaults), validated and atomically')
    .addHelpText('after', `
${KEYS}

Examples:
  papers config path
  papers config get defaults.sort
  papers config set sources.arxiv.categories cs.LG cs.CL
  papers config set sources.arxiv.harvest cs 2024-01-01
  papers config set defaults.limit 20
  papers config set topics.ssm '"state space" OR mamba'
  papers config unset defaults.sort
  EDITOR=nano papers config edit`);
  config.command('path').description('print where the config file is (PAPERS_CONFIG, else the XDG default)')
    .addHelpText('after', '\nExamples:\n  papers config path\n  cat "$(papers config path)"')
    .action(async () => (await work()).path());
  config.command('get').argument('[key]', 'a key; without one, the whole file').description('print a value (exit 1 when it is not set)')
    .option('-v, --verbose', 'diagnostics on stderr')
    .addHelpText('after', `\n${KEYS}\n\nExamples:\n  papers config get\n  papers config get sources.arxiv.categories`)
    .action(async (key, opts) => {
      begin(opts);
      await (await work()).get(key);
    });
  config.command('set').argument('<key>').argument('<value...>', 'the value; several words for a query or a list of categories')
    .description('set a value, checked before it is written')
    .allowUnknownOption()
    .addHelpText('after', `\n${KEYS}\n\nExamples:\n  papers config set defaults.sort upvotes\n  papers config set sources.arxiv.categories cs.LG,cs.CL\n  papers config set topics.agents agent OR agentic -survey`)
    .action(async (key, value) => (await work()).set(key, value));
  config.command('unset').argument('<key>').description('remove a value')
    .addHelpText('after', `\n${KEYS}\n\nExamples:\n  papers config unset defaults.limit\n  papers config unset topics.ssm`)
    .action(async (key) => (await work()).unset(key));
  config.command('edit').description('open the config file in $VISUAL or $EDITOR; saved only when valid')
    .addHelpText('after', '\nExamples:\n  papers config edit\n  EDITOR="code --wait" papers config edit')
    .action(async () => (await work()).edit());
  return config;
}
