/** `papers stats` and `papers trends`: the declarations; the work is in commands/stats.ts and trends.ts. */
import { Command, Option } from '@commander-js/extra-typings';
import { dbPathOf, requireCache } from '../paths.js';
import { begin, type Lazy } from './lazy.js';
import { examples, TREND_PERIODS, withCommonOptions, type OptionsOf } from './options.js';

export type StatsOptions = OptionsOf<typeof statsCommand>;
export type TrendsOptions = OptionsOf<typeof trendsCommand>;

/** What `stats` and `trends` call: commands/stats.ts and commands/trends.ts. */
export interface StatsWork {
  run(opts: StatsOptions): Promise<void>;
}
export interface TrendsWork {
  run(opts: TrendsOptions, series: string[]): Promise<void>;
}

export function statsCommand(work: Lazy<StatsWork>) {
  const cmd = new Command('stats')
    .description('what is in the cache: papers by source and month, topics, last syncs, file size')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples('papers stats', 'papers stats --json | jq .bySource'));
  return withCommonOptions(cmd).action(async (opts) => {
    begin(opts);
    requireCache(dbPathOf(opts));
    await (await work()).run(opts);
  });
}

export function trendsCommand(work: Lazy<TrendsWork>) {
  const cmd = new Command('trends')
    .argument('<topic-or-query...>', 'topic names or queries, one series each')
    .description('papers per day, week or month for topics or queries, as a bar chart')
    .addOption(new Option('--by <period>', 'one bar per').choices(TREND_PERIODS).default('week' as const))
    .option('--since <date>', 'from (default: 12 weeks, 30 days or 12 months back)')
    .option('--until <date>', 'to (default: today)')
    .option('--json', 'print the series as JSON')
    .addHelpText('after', '\nAn argument that names a topic (papers topics) is that topic; anything else is a query.\nA paper counts on the day of its daily list, else on its arXiv date.\n' + examples(
      'papers trends agents reasoning',
      `papers trends '"state space" OR mamba' --by month --since 1y`,
      'papers trends diffusion --by day --since 2w --json',
    ));
  return withCommonOptions(cmd).action(async (series, opts) => {
    begin(opts);
    await (await work()).run(opts, series);
  });
}
