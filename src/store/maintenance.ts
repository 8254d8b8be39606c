/**
 * Cache maintenance, the SQL of `papers db`: compacting the file, checking it, and removing
 * old papers. Functions of an open better-sqlite3 handle, which the Store's methods of the same
 * names run.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { PAPER_DAY } from './queries.js';

type Db = BetterSqlite3.Database;

/** Write the WAL back into the file and rebuild it without free pages. */
export function vacuum(db: Db): void {
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('VACUUM');
  db.pragma('wal_checkpoint(TRUNCATE)');
}

export interface CheckResult {
  /** SQLite's integrity check: pages, records and indexes agree ("ok" alone when they do). */
  integrity: string[];
  /** Rows pointing at papers that are gone. */
  foreignKeys: number;
  /** The full-text index agrees with the papers table. */
  fullText: string | null;
}

export function check(db: Db): CheckResult {
  const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  const foreignKeys = (db.pragma('foreign_key_check') as unknown[]).length;
  let fullText: string | null = null;
  try {
    db.prepare("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)").run();
  } catch (err) {
    fullText = (err as Error).message;
  }
  return { integrity, foreignKeys, fullText };
}

export interface PruneResult {
  papers: number;
  lists: number;
}

/**
 * The papers `prune` removes, as one SQL predicate over the papers table (alias p): dated
 * before the cut-off (their daily list's day, else their arXiv date) and on no list of the
 * cut-off day or later (that list still shows them), nor papers you starred, tagged or noted.
 * Papers with no date never match. The marks themselves are never pruned.
 */
export const PRUNABLE = `${PAPER_DAY} < @before
  AND NOT EXISTS (SELECT 1 FROM list_entries e WHERE e.paper = p.rowid AND e.list_date >= @before)
  AND NOT EXISTS (SELECT 1 FROM marks m WHERE m.paper_key = coalesce(p.id, 't:' || p.title_key)
    AND (m.starred = 1 OR m.note IS NOT NULL OR m.tags <> '[]'))`;

/**
 * Remove what is older than `before` (YYYY-MM-DD): the daily lists of earlier days, and the
 * papers PRUNABLE names.
 */
export function prune(db: Db, before: string, opts: { dryRun?: boolean } = {}): PruneResult {
  const old = `SELECT p.rowid FROM papers p WHERE ${PRUNABLE}`;
  const run = db.transaction((): PruneResult => {
    const papers = (db.prepare(`SELECT count(*) AS n FROM (${old})`).get({ before }) as { n: number }).n;
    const lists = (db.prepare('SELECT count(*) AS n FROM lists WHERE list_date < @before').get({ before }) as { n: number }).n;
    if (!opts.dryRun) {
      db.prepare(`DELETE FROM papers WHERE rowid IN (${old})`).run({ before });
      db.prepare('DELETE FROM list_entries WHERE list_date < @before').run({ before });
      db.prepare('DELETE FROM lists WHERE list_date < @before').run({ before });
    }
    return { papers, lists };
  });
  return run();
}
