/** `papers db`: the declaration; the work is in commands/db.ts. */
import { Command } from '@commander-js/extra-typings';
import { begin, type Lazy } from './lazy.js';
import { withCommonOptions, type OptionsOf } from './options.js';

const vacuumCommand = (db: Command) => withCommonOptions(db.command('vacuum').description('compact the cache file (sizes before and after)').option('--json', 'print the sizes as JSON'));
const checkCommand = (db: Command) => withCommonOptions(db.command('check').description('check the cache: integrity, indexes, full-text index (exit 1 when damaged)').option('--json', 'print the findings as JSON'));
const pruneCommand = (db: Command) => withCommonOptions(db.command('prune').description('remove papers and daily lists older than a date (starred papers stay), then compact')
  .requiredOption('--before <date>', 'the first day to keep (YYYY-MM-DD, or relative: 90d, 26w, 6m, 1y)')
  .option('--dry-run', 'count what would go, remove nothing')
  .option('--json', 'print the counts and sizes as JSON'));

export type VacuumOptions = OptionsOf<typeof vacuumCommand>;
export type CheckOptions = OptionsOf<typeof checkCommand>;
export type PruneOptions = OptionsOf<typeof pruneCommand>;

/** What `db` calls: commands/db.ts. */
export interface DbWork {
  vacuum(opts: VacuumOptions): Promise<void>;
  check(opts: CheckOptions): Promise<void>;
  prune(opts: PruneOptions): Promise<void>;
}

export function dbCommand(work: Lazy<DbWork>) {
  const db = new Command('db')
    .description('cache maintenance: compact, check, remove old papers')
    .addHelpText('after', '\nExamples:\n  papers db check\n  papers db vacuum\n  papers db prune --before 2024-01-01 --dry-run\n  papers db prune --before 1y');
  vacuumCommand(db)
    .addHelpText('after', '\nExamples:\n  papers db vacuum\n  papers db vacuum --db ~/papers-archive.db')
    .action(async (opts) => {
      begin(opts);
      await (await work()).vacuum(opts);
    });
  checkCommand(db)
    .addHelpText('after', '\nExamples:\n  papers db check\n  papers db check --json | jq .ok')
    .action(async (opts) => {
      begin(opts);
      await (await work()).check(opts);
    });
  pruneCommand(db)
    .addHelpText('after', '\nExamples:\n  papers db prune --before 2024-01-01 --dry-run\n  papers db prune --before 1y')
    .action(async (opts) => {
      begin(opts);
      await (await work()).prune(opts);
    });
  return db;
}
