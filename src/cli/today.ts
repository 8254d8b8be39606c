/** `papers today`: the declaration; the work is in commands/today.ts. */
import { Command } from '@commander-js/extra-typings';
import { dbPathOf, requireCache } from '../paths.js';
import { begin, type Lazy } from './lazy.js';
import { examples, withCommonOptions, withNetworkOptions, withPaperOptions, type OptionsOf } from './options.js';

export type TodayOptions = OptionsOf<typeof todayCommand>;

/** What `today` calls: commands/today.ts. */
export interface TodayWork {
  run(opts: TodayOptions): Promise<void>;
}

export function todayCommand(work: Lazy<TodayWork>) {
  const cmd = new Command('today')
    .description('the latest daily list Hugging Face has published, labelled with its date')
    .option('--mark-seen', 'mark the papers printed as seen (config: defaults.markSeen)')
    .option('--no-mark-seen', 'do not mark them, whatever the config says')
    .addHelpText('after', examples('papers today', 'papers today --unseen --mark-seen', 'papers today --json | jq ".[].title"', 'papers today --sort upvotes -n 10', 'papers today --offline'));
  return withCommonOptions(withNetworkOptions(withPaperOptions(cmd))).action(async (opts) => {
    begin(opts);
    // Offline, today only reads: it never creates a cache.
    if (opts.offline) requireCache(dbPathOf(opts));
    await (await work()).run(opts);
  });
}
