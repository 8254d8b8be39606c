/** `papers watch` and `papers digest`: declarations; the work is in commands/watch.ts and commands/digest.ts. */
import { Command, Option } from '@commander-js/extra-typings';
import { dbPathOf, requireCache } from '../paths.js';
import { begin, type Lazy } from './lazy.js';
import { collect, DIGEST_FORMATS, DIGEST_SORTS, examples, withCommonOptions, type OptionsOf } from './options.js';

const watchDeclaration = () => withCommonOptions(new Command('watch')
  .description('named queries that papers sync matches new and updated papers against (papers digest delivers them)')
  .option('--json', 'print as JSON'));

const addDeclaration = (watch: ReturnType<typeof watchDeclaration>) => watch.command('add').argument('<name>').argument('<query...>', 'the query language of --query (words, author:, cat:, -exclusions)')
  .description('add a watch: papers sync records the papers it adds or updates that match it')
  .option('--min-upvotes <n>', 'only papers with at least n upvotes')
  .allowUnknownOption();

/** The watch's options; its subcommands read them with theirs (optsWithGlobals), as both may come after the subcommand. */
export type WatchOptions = OptionsOf<typeof watchDeclaration>;
export type WatchAddOptions = ReturnType<ReturnType<typeof addDeclaration>['optsWithGlobals']>;

/** What `watch` calls: commands/watch.ts. */
export interface WatchWork {
  add(opts: WatchAddOptions, name: string, query: string[]): Promise<void>;
  list(opts: WatchOptions): Promise<void>;
  show(opts: WatchOptions, name: string): Promise<void>;
  remove(opts: WatchOptions, name: string): Promise<void>;
}

export function watchCommand(work: Lazy<WatchWork>) {
  const watch = watchDeclaration()
    .addHelpText('after', examples(
      "papers watch add agents 'agent* OR \"tool use\" -survey' --min-upvotes 5",
      'papers watch list',
      'papers watch show agents',
      'papers watch remove agents',
    ))
    .action(async (opts) => {
      begin(opts);
      requireCache(dbPathOf(opts));
      await (await work()).list(opts);
    });
  // The watch's --db and --json are read with the subcommand's (optsWithGlobals): both may come after it.
  addDeclaration(watch)
    .action(async (name, query, _opts, cmd) => {
      await (await work()).add(cmd.optsWithGlobals(), name, query);
    });
  watch.command('list').description('every watch, with its matches and those not delivered yet')
    .action(async (_opts, cmd) => {
      const opts = cmd.optsWithGlobals();
      requireCache(dbPathOf(opts));
      await (await work()).list(opts);
    });
  watch.command('show').argument('<name>').description("a watch's query and its matches not delivered yet")
    .action(async (name, _opts, cmd) => {
      const opts = cmd.optsWithGlobals();
      requireCache(dbPathOf(opts));
      await (await work()).show(opts, name);
    });
  watch.command('remove').argument('<name>').description('remove a watch and its matches')
    .action(async (name, _opts, cmd) => {
      const opts = cmd.optsWithGlobals();
      requireCache(dbPathOf(opts));
      await (await work()).remove(opts, name);
    });
  return watch;
}

export type DigestOptions = OptionsOf<typeof digestCommand>;

/** What `digest` calls: commands/digest.ts. */
export interface DigestWork {
  run(opts: DigestOptions): Promise<void>;
}

export function digestCommand(work: Lazy<DigestWork>) {
  const cmd = withCommonOptions(new Command('digest')
    .description("each watch's matches not delivered before, grouped by watch; they count as delivered once the output is written")
    .addOption(new Option('--format <f>', 'md, html (one self-contained page), atom or json').choices(DIGEST_FORMATS).default('md' as const))
    .option('--watch <name>', 'only this watch (repeatable)', collect)
    .option('--since-last', 'the matches not delivered before (the default)')
    .option('--since <date>', 'every match dated on or after this day (YYYY-MM-DD, 7d), delivered before or not')
    .option('--exec <cmd>', 'pipe the digest into this shell command; delivered only when it exits 0')
    .option('--output <file>', 'write the digest to this file (replaced whole, atomically)')
    .addOption(new Option('--sort <key>', 'order within each watch').choices(DIGEST_SORTS).default('date' as const))
    .option('-n, --limit <n>', 'at most n papers per watch (the rest stay for the next digest)'))
    .addHelpText('after', examples(
      'papers sync && papers digest --format html --output ~/digest.html',
      `papers sync && papers digest --format html --exec 'mail -a "Content-Type: text/html" -s "papers digest" me@example.org'`,
      'papers digest --watch agents --since 7d --format json',
    ));
  return cmd.action(async (opts) => {
    begin(opts);
    requireCache(dbPathOf(opts));
    await (await work()).run(opts);
  });
}
