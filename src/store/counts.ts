/**
 * Topic counts kept, not recounted. Rowids follow days (rowkey.ts), so the papers of a day,
 * and of 32 days in a row (a block), are one range of rowids; the undated papers (negative
 * rowids) are one more. The full-text index counts a query within a range reading only that
 * part of each term's postings.
 *
 * Every day with papers has a stamp, which every write that changes the day's papers or their
 * indexed text bumps in the same transaction (the store as it writes, ingest.ts; a trigger for
 * deletes, schema v9); a block's stamp is the sum of its days' (it grows whenever one of them
 * does). The cache keeps, per query, how many papers each block matched (for totals) and each
 * of the latest days (for `stats`' recent papers), with the stamp at that time. A count is the
 * sum of the kept ones whose stamp is unchanged, and only the other blocks or days are counted
 * again (after a daily sync: the newest).
 *
 * A query is kept under the expression the query module compiled, before its prefix terms are
 * expanded into the stored words (words.ts). The expansion changes whenever a new word begins
 * with a prefix, but not the answer within a day whose papers did not change: the stored words
 * always hold every word of every indexed paper (they are written with the index, never
 * removed), and the expansion is exact for any such list. Keyed by the expansion, every prefix
 * topic would be counted again in full after most syncs.
 *
 * Queries with mark terms (is:starred, tag:x…) depend on the marks, not on the papers: they are
 * counted in full each time, never kept.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { PaperFilter, QueryParams } from './queries.js';
import { checkSql, ftsSetSql } from './queries.js';

/** Rowids a day (rowkey.ts: 2^15), as a shift. */
const DAY_SHIFT = 15;
/** Days a block, as a shift: 32. Totals are kept by block. */
const BLOCK_DAYS_SHIFT = 5;
/** The day (and block) of the undated papers, every negative rowid. */
const UNDATED = -1;

/** What a kept count covers: one day (level 0) or one block (level 5: 2^5 days). */
type Level = 0 | typeof BLOCK_DAYS_SHIFT;

/** The unit of a rowid at a level, in SQL (`rowid`: its expression). */
const unitSql = (rowid: string, level: Level) => `(CASE WHEN ${rowid} < 0 THEN ${UNDATED} ELSE ${rowid} >> ${DAY_SHIFT + level} END)`;

/** The day of a rowid, as count_stamps keys it (the schema's trigger says the same). */
export function dayOf(rowid: number): number {
  return rowid < 0 ? UNDATED : Math.floor(rowid / 2 ** DAY_SHIFT);
}

/** The first and last rowid of a unit. */
function unitRange(unit: number, level: Level): [number, number] {
  const shift = 2 ** (DAY_SHIFT + level);
  return unit === UNDATED ? [-(2 ** 62), -1] : [unit * shift, (unit + 1) * shift - 1];
}

/** Bump the stamps of these days (their papers changed), in the writing transaction. */
export const BUMP_STAMPS = `INSERT INTO count_stamps (day, stamp) SELECT value, 1 FROM json_each(?) WHERE true
  ON CONFLICT (day) DO UPDATE SET stamp = stamp + 1`;

/** A compiled text query as it is counted (what the query module compiled). */
export type CountedQuery = Pick<PaperFilter, 'match' | 'notMatch' | 'cond'>;

/** A query's text queries planned by the store (prefixes expanded, checks where needed). */
type Planned = Pick<PaperFilter, 'match' | 'notMatch' | 'matchCheck' | 'notMatchCheck'>;

export interface CountHooks {
  /** The query planned (words.ts). */
  plan: (q: CountedQuery) => Planned;
  /** Count a query the cache does not keep (one with mark terms): every paper, or those from `since`. */
  countAll: (q: CountedQuery, since?: string) => number;
}

export interface TopicCounts {
  /** Each query's papers. */
  all: number[];
  /** Each query's papers of `since` or later, when asked. */
  since: number[] | null;
}

/** A count worth keeping: query key, level, unit, the stamp it was counted at, the papers. */
type Fresh = [string, Level, number, number, number];

const keyOf = (q: CountedQuery) => JSON.stringify([q.match ?? null, q.notMatch ?? null]);

/**
 * How many papers each query matches, exactly, and with `since` (its day's first rowid: a day
 * of its own, rowkey.ts exactFirstRowidOf) how many of them are of that day or later: the kept
 * counts of the blocks and days that did not change, the others counted now and kept when the
 * cache can be written (keep). `queries` are every query whose counts are kept: the counts of
 * others go, and the days before `since`.
 */
export function countQueries(db: BetterSqlite3.Database, queries: readonly CountedQuery[], hooks: CountHooks, since?: { day: string; firstRowid: number }): TopicCounts {
  const fresh: Fresh[] = [];
  const plans = new Map<CountedQuery, Planned>();
  const plan = (q: CountedQuery) => {
    let p = plans.get(q);
    if (!p) plans.set(q, (p = hooks.plan(q)));
    return p;
  };
  // One view of the cache for the stamps and the counts: a sync committing meanwhile changes
  // neither (its new stamps make what is counted here stale, never wrong).
  const own = !db.inTransaction;
  if (own) db.exec('BEGIN');
  let out: TopicCounts;
  try {
    const blocks = db.prepare<[], [number, number]>(`SELECT CASE WHEN day < 0 THEN ${UNDATED} ELSE day >> ${BLOCK_DAYS_SHIFT} END AS b, sum(stamp) FROM count_stamps GROUP BY b ORDER BY b`).raw().all();
    const kept = db.prepare<[string, number], [number, number, number]>('SELECT unit, stamp, papers FROM topic_counts WHERE query = ? AND level = ?').raw();
    const sum = (q: CountedQuery, level: Level, stamps: [number, number][]): number => {
      const key = keyOf(q);
      const known = new Map<number, [number, number]>();
      for (const [unit, stamp, papers] of kept.all(key, level)) known.set(unit, [stamp, papers]);
      let total = 0;
      // The units to count again, in runs of neighbours (one statement a run).
      const runs: [number, number][][] = [];
      let lastStale = false;
      for (const [unit, stamp] of stamps) {
        const k = known.get(unit);
        if (k !== undefined && k[0] === stamp) {
          total += k[1];
          lastStale = false;
          continue;
        }
        if (lastStale) runs[runs.length - 1]!.push([unit, stamp]);
        else runs.push([[unit, stamp]]);
        lastStale = true;
      }
      for (const run of runs) {
        const counted = countUnits(db, plan(q), level, run[0]![0], run[run.length - 1]![0]);
        for (const [unit, stamp] of run) {
          const n = counted.get(unit) ?? 0;
          total += n;
          fresh.push([key, level, unit, stamp, n]);
        }
      }
      return total;
    };
    const all = queries.map((q) => (q.cond ? hooks.countAll(q) : sum(q, BLOCK_DAYS_SHIFT, blocks)));
    let recent: number[] | null = null;
    if (since) {
      const days = db.prepare<[number], [number, number]>('SELECT day, stamp FROM count_stamps WHERE day >= ? ORDER BY day').raw().all(dayOf(since.firstRowid));
      recent = queries.map((q) => (q.cond ? hooks.countAll(q, since.day) : sum(q, 0, days)));
    }
    out = { all, since: recent };
  } finally {
    if (own && db.inTransaction) db.exec('COMMIT');
  }
  // Inside a caller's transaction the counts are not kept: its outcome is not ours to decide.
  if (own && fresh.length > 0) keep(db, fresh, queries, since ? dayOf(since.firstRowid) : null);
  return out;
}

/** How many papers of the units `first` to `last` of a level a planned query matches, by unit. */
function countUnits(db: BetterSqlite3.Database, q: Planned, level: Level, first: number, last: number): Map<number, number> {
  const params: QueryParams = { lo: unitRange(first, level)[0], hi: unitRange(last, level)[1] };
  let sql: string;
  if (q.match && !q.matchCheck && !q.notMatchCheck) {
    // The index alone, within the range.
    params.match = q.match;
    let not = '';
    if (q.notMatch) {
      params.notMatch = q.notMatch;
      not = ' AND rowid NOT IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH @notMatch AND rowid BETWEEN @lo AND @hi)';
    }
    sql = `SELECT ${unitSql('rowid', level)} AS u, count(*) FROM papers_fts WHERE papers_fts MATCH @match AND rowid BETWEEN @lo AND @hi${not} GROUP BY u`;
  } else {
    // Prefix checks on the rows, or a query that only excludes: the papers of the range.
    const where: string[] = [];
    let from = 'papers p';
    if (q.match) {
      from = 'papers_fts CROSS JOIN papers p ON p.rowid = papers_fts.rowid';
      where.push('papers_fts MATCH @match', 'papers_fts.rowid BETWEEN @lo AND @hi');
      params.match = q.match;
    } else where.push('p.rowid BETWEEN @lo AND @hi');
    // The index's sets a check reads, from the range only.
    const within = 'rowid BETWEEN @lo AND @hi';
    if (q.matchCheck) where.push(checkSql(q.matchCheck, 'p', params, 'mc', within));
    if (q.notMatch || q.notMatchCheck) where.push(`NOT ${ftsSetSql(q.notMatch ?? null, q.notMatchCheck ?? null, params, 'notMatch', within)}`);
    sql = `SELECT ${unitSql('p.rowid', level)} AS u, count(*) FROM ${from} WHERE ${where.join(' AND ')} GROUP BY u`;
  }
  return new Map(db.prepare<QueryParams, [number, number]>(sql).raw().all(params));
}

/**
 * Keep what was counted, when the cache can be written at once: never waiting for a writer (a
 * sync keeps its lock), and a read-only file or any other refusal only means the counts are
 * counted again next time. The counts of queries not asked for (a topic edited or removed) go,
 * and with `firstDay` the days before it.
 */
function keep(db: BetterSqlite3.Database, fresh: Fresh[], queries: readonly CountedQuery[], firstDay: number | null): void {
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  try {
    db.pragma('busy_timeout = 0');
    db.exec('BEGIN IMMEDIATE');
    const keys = queries.filter((q) => !q.cond).map(keyOf);
    db.prepare<[string]>('DELETE FROM topic_counts WHERE query NOT IN (SELECT value FROM json_each(?))').run(JSON.stringify(keys));
    if (firstDay !== null) db.prepare<[number]>('DELETE FROM topic_counts WHERE level = 0 AND unit < ?').run(firstDay);
    db.prepare<[string]>(`INSERT INTO topic_counts (query, level, unit, stamp, papers) SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(?) WHERE true
      ON CONFLICT (query, level, unit) DO UPDATE SET stamp = excluded.stamp, papers = excluded.papers`).run(JSON.stringify(fresh));
    db.exec('COMMIT');
  } catch {
    // Busy, read-only, a full disk: nothing was lost, and the counts shown are exact all the same.
    if (db.inTransaction) db.exec('ROLLBACK');
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
}
