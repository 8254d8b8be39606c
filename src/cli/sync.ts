/** `papers sync`: the declaration; the work is in commands/sync.ts. */
import { Command, Option } from '@commander-js/extra-typings';
import { begin, type Lazy } from './lazy.js';
import { examples, FORMATS, withCommonOptions, withRequestOptions, type OptionsOf } from './options.js';

export type SyncOptions = OptionsOf<typeof syncCommand>;

/** What `sync` calls: commands/sync.ts. */
export interface SyncWork {
  run(opts: SyncOptions): Promise<void>;
}

export function syncCommand(work: Lazy<SyncWork>) {
  const cmd = new Command('sync')
    .description('fetch everything published since the last successful sync (first run: the last 7 days); for cron')
    .option('--new', 'print the papers this run added to the cache (in any format)')
    .option('--json', 'print a summary object (with --new: the new papers as a JSON array)')
    .option('--jsonl', 'with --new: one JSON record per line')
    .addOption(new Option('--format <f>', 'with --new: output format').choices(FORMATS))
    .option('--wait <s>', 'when another sync is running, wait up to s seconds for it, then do nothing', '60')
    .addHelpText('after', '\nSources: Hugging Face, and arXiv when "sources.arxiv.categories" is set in the config.\nExit 0: synced (also when nothing was new, or another sync was running); 1: a source failed.\n' + examples(
      'papers sync',
      'papers sync --json | jq .new',
      'papers sync --new --format md | mail -E -s "New papers" me@example.org',
    ));
  return withCommonOptions(withRequestOptions(cmd)).action(async (opts) => {
    begin(opts);
    await (await work()).run(opts);
  });
}
