/**
 * Topic counts kept, not recounted. Rowids follow days (rowkey.ts), so the papers of a day, and
 * of 32 days in a row (a block), are one range of rowids; the undated papers (negative rowids)
 * are one more "day".
 *
 * Every day with papers has a stamp, which every write that changes the day's papers or their
 * indexed text bumps in the same transaction (the store as it writes, ingest.ts; a trigger for
 * deletes, schema v9); a block's stamp is the sum of its days' (it grows whenever one of them
 * does). The cache keeps, per query, how many papers each day matched, and each block (their
 * sum, so that a total reads one row per block), with the stamp at that time. A count is the sum
 * of the kept ones whose stamp is unchanged; only the days that changed are counted again
 * (after a daily sync: the newest), and kept.
 *
 * The days counted again are counted on a small index of their papers alone when they are few
 * (one query's answer on a paper depends on that paper's text alone): the full-text index reads
 * a range of rowids from each term's postings, but a prefix inside a phrase ("language model*")
 * reads every posting of every word it begins, whatever the range.
 *
 * A query is kept under the expression the query module compiled, before its prefix terms are
 * expanded into the stored words (words.ts). The expansion changes whenever a new word begins
 * with a prefix, but not the answer on a day whose papers did not change: the stored words
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
import type { Statements } from './statements.js';
import { FTS_COLUMN_NAMES } from './words.js';

/** Rowids a day (rowkey.ts: 2^15), as a shift. */
const DAY_SHIFT = 15;
/** Days a block, as a shift: 32. */
const BLOCK_SHIFT = 5;
/** The day (and block) of the undated papers, every negative rowid. */
const UNDATED = -1;
/** What a kept count covers: one day, or one block. */
const DAY = 0;
const BLOCK = BLOCK_SHIFT;
/** Days to count again with at most this many papers are counted on an index of their own. */
export const SMALL_RECOUNT = 20_000;

/** The day of a rowid, as count_stamps keys it (the schema's trigger says the same). */
function dayOf(rowid: number): number {
  return rowid < 0 ? UNDATED : Math.floor(rowid / 2 ** DAY_SHIFT);
}

const blockOfDay = (day: number) => (day === UNDATED ? UNDATED : Math.floor(day / 2 ** BLOCK_SHIFT));

/** The first and last rowid of a day. */
function dayRange(day: number): [number, number] {
  return day === UNDATED ? [-(2 ** 62), -1] : [day * 2 ** DAY_SHIFT, (day + 1) * 2 ** DAY_SHIFT - 1];
}

/** The day of a rowid in SQL (`rowid`: its expression). */
const daySql = (rowid: string) => `(CASE WHEN ${rowid} < 0 THEN ${UNDATED} ELSE ${rowid} >> ${DAY_SHIFT} END)`;

/** Bump the stamps of these days (their papers changed), in the writing transaction. */
const BUMP_STAMPS = `INSERT INTO count_stamps (day, stamp) SELECT value, 1 FROM json_each(?) WHERE true
  ON CONFLICT (day) DO UPDATE SET stamp = stamp + 1`;

/**
 * What a write batch adds to the kept counts (ingest.ts): papers by month and by source, and
 * the days whose stamps move; written once at the end of its transaction.
 */
export class CountDeltas {
  private readonly months = new Map<string, number>();
  private readonly sources = new Map<string, number>();
  private readonly days = new Set<number>();

  /** Count a paper of `day` in (`by` 1) or out (-1), as the migration counts it. */
  add(day: string | null, sources: readonly string[], by: number): void {
    const month = day === null ? '' : day.slice(0, 7);
    this.months.set(month, (this.months.get(month) ?? 0) + by);
    for (const s of sources) this.sources.set(s, (this.sources.get(s) ?? 0) + by);
  }

  /** The day of this rowid changed: its papers or their indexed text. */
  touch(rowid: number): void {
    this.days.add(dayOf(rowid));
  }

  flush(st: Statements): void {
    const write = (table: 'month_counts' | 'source_counts', key: 'month' | 'source', delta: Map<string, number>) => {
      const changed = [...delta].filter(([, n]) => n !== 0);
      if (changed.length === 0) return;
      st.get<[string]>(`INSERT INTO ${table} (${key}, papers) SELECT value ->> 0, value ->> 1 FROM json_each(?) WHERE true
        ON CONFLICT (${key}) DO UPDATE SET papers = papers + excluded.papers`).run(JSON.stringify(changed));
      delta.clear();
    };
    write('month_counts', 'month', this.months);
    write('source_counts', 'source', this.sources);
    if (this.days.size > 0) st.get<[string]>(BUMP_STAMPS).run(JSON.stringify([...this.days]));
    this.days.clear();
  }
}

/** A compiled text query as it is counted (what the query module compiled). */
export type CountedQuery = Pick<PaperFilter, 'match' | 'notMatch' | 'cond'>;

/** A query's text queries planned by the store (prefixes expanded, checks where needed). */
type Planned = Pick<PaperFilter, 'match' | 'notMatch' | 'matchCheck' | 'notMatchCheck'>;

export interface CountHooks {
  /** The query planned (words.ts). */
  plan: (q: CountedQuery) => Planned;
  /** Count a query the cache does not keep (one with mark terms): every paper, or those from `since`. */
  countAll: (q: CountedQuery, since?: string) => number;
  /** At most this many papers to count again are counted on an index of their own (SMALL_RECOUNT). */
  smallRecount?: number;
}

export interface TopicCounts {
  /** Each query's papers. */
  all: number[];
  /** Each query's papers of `since` or later, when asked. */
  since: number[] | null;
}

/** A count worth keeping: query key, level, unit (day or block), the stamp it was counted at, the papers. */
type Fresh = [string, number, number, number, number];

const keyOf = (q: CountedQuery) => JSON.stringify([q.match ?? null, q.notMatch ?? null]);

/** What one kept query needs: its kept counts, and the days to count again. */
interface Need {
  q: CountedQuery;
  key: string;
  /** Valid kept counts: the blocks', the days'. */
  total: number;
  recent: number;
  /** Blocks whose kept count is stale: their days are summed. */
  staleBlocks: number[];
  /** The valid kept counts of their days. */
  keptDays: Map<number, number>;
  /** Days to count again, in day order. */
  days: number[];
}

/**
 * How many papers each query matches, exactly, and with `since` (its day's first rowid: a day
 * of its own, rowkey.ts exactFirstRowidOf) how many of them are of that day or later. `queries`
 * are every query whose counts are kept: the counts of others go.
 */
export function countQueries(db: BetterSqlite3.Database, queries: readonly CountedQuery[], hooks: CountHooks, since?: { day: string; firstRowid: number }): TopicCounts {
  const fresh: Fresh[] = [];
  // One view of the cache for the stamps and the counts: a sync committing meanwhile changes
  // neither (its new stamps make what is counted here stale, never wrong).
  const own = !db.inTransaction;
  if (own) db.exec('BEGIN');
  let out: TopicCounts;
  try {
    const stamps = new Map(db.prepare<[], [number, number]>('SELECT day, stamp FROM count_stamps ORDER BY day').raw().all());
    const blocks = new Map<number, { stamp: number; days: number[] }>();
    for (const [day, stamp] of stamps) {
      const b = blocks.get(blockOfDay(day));
      if (b) {
        b.stamp += stamp;
        b.days.push(day);
      } else blocks.set(blockOfDay(day), { stamp, days: [day] });
    }
    const firstDay = since ? dayOf(since.firstRowid) : null;
    // A total reads one row a block; the days only where they are needed.
    const keptUnits = db.prepare<[string, number, number, number], [number, number, number]>(`SELECT t.unit, t.stamp, t.papers FROM topic_counts t
      WHERE t.query = (SELECT id FROM count_queries WHERE query = ?) AND t.level = ? AND t.unit BETWEEN ? AND ?`).raw();
    const needs = queries.map((q): Need | null => {
      if (q.cond) return null;
      const key = keyOf(q);
      const keptDays = (first: number, last: number) => {
        const valid = new Map<number, number>();
        for (const [day, stamp, papers] of keptUnits.all(key, DAY, first, last)) if (stamps.get(day) === stamp) valid.set(day, papers);
        return valid;
      };
      const need: Need = { q, key, total: 0, recent: 0, staleBlocks: [], keptDays: new Map(), days: [] };
      const toCount = new Set<number>();
      const keptBlocks = new Map(keptUnits.all(key, BLOCK, UNDATED, Number.MAX_SAFE_INTEGER).map(([unit, stamp, papers]) => [unit, [stamp, papers] as const]));
      for (const [block, { stamp, days }] of blocks) {
        const k = keptBlocks.get(block);
        if (k !== undefined && k[0] === stamp) {
          need.total += k[1];
          continue;
        }
        need.staleBlocks.push(block);
        const valid = keptDays(days[0]!, days[days.length - 1]!);
        for (const day of days) {
          const n = valid.get(day);
          if (n === undefined) toCount.add(day);
          else need.keptDays.set(day, n);
        }
      }
      if (firstDay !== null) {
        const valid = keptDays(firstDay, Number.MAX_SAFE_INTEGER);
        for (const day of stamps.keys()) {
          if (day < firstDay) continue;
          const n = valid.get(day);
          if (n === undefined) toCount.add(day);
          else need.recent += n;
        }
      }
      need.days = [...toCount].sort((a, b) => a - b);
      return need;
    });
    const counted = countDays(db, needs.filter((n): n is Need => n !== null && n.days.length > 0), [...stamps.keys()], hooks.plan, hooks.smallRecount ?? SMALL_RECOUNT);
    const all: number[] = [];
    const recent: number[] = [];
    queries.forEach((q, i) => {
      const need = needs[i];
      if (!need) {
        all.push(hooks.countAll(q));
        if (since) recent.push(hooks.countAll(q, since.day));
        return;
      }
      const got = counted.get(need) ?? new Map<number, number>();
      for (const [day, n] of got) fresh.push([need.key, DAY, day, stamps.get(day)!, n]);
      let total = need.total;
      // A stale block's count again: its days, kept or counted now.
      for (const block of need.staleBlocks) {
        const { stamp, days } = blocks.get(block)!;
        const n = days.reduce((sum, day) => sum + (got.get(day) ?? need.keptDays.get(day)!), 0);
        fresh.push([need.key, BLOCK, block, stamp, n]);
        total += n;
      }
      all.push(total);
      if (since) {
        let r = need.recent;
        for (const [day, n] of got) if (day >= firstDay!) r += n;
        recent.push(r);
      }
    });
    out = { all, since: since ? recent : null };
  } finally {
    if (own && db.inTransaction) db.exec('COMMIT');
  }
  // Inside a caller's transaction the counts are not kept: its outcome is not ours to decide.
  if (own && fresh.length > 0) keep(db, fresh, queries);
  return out;
}

/**
 * Count each need's days again, by day: on an index of their papers alone when the days all
 * needs ask for hold few papers, else on the cache's index, a run of neighbouring days (in
 * `order`, the days with papers) at a time.
 */
function countDays(db: BetterSqlite3.Database, needs: Need[], order: number[], plan: (q: CountedQuery) => Planned, smallRecount: number): Map<Need, Map<number, number>> {
  const out = new Map<Need, Map<number, number>>();
  if (needs.length === 0) return out;
  const place = new Map(order.map((d, i) => [d, i]));
  const runsOf = (days: number[]) => {
    const runs: [number, number][] = [];
    for (const d of days) {
      const last = runs[runs.length - 1];
      if (last && place.get(d) === place.get(last[1])! + 1) last[1] = d;
      else runs.push([d, d]);
    }
    return runs.map(([a, b]): [number, number] => [dayRange(a)[0], dayRange(b)[1]]);
  };
  const union = runsOf([...new Set(needs.flatMap((n) => n.days))].sort((a, b) => a - b));
  // Counted up to one past the bound only: a first count of everything need not read every row.
  const within = db.prepare<[number, number, number], number>('SELECT count(*) FROM (SELECT 1 FROM papers WHERE rowid BETWEEN ? AND ? LIMIT ?)').pluck();
  let papers = 0;
  for (const [lo, hi] of union) if (papers <= smallRecount) papers += within.get(lo, hi, smallRecount + 1 - papers)!;
  const small = papers <= smallRecount;
  try {
    if (small) copyRows(db, union);
    for (const need of needs) {
      const got = new Map<number, number>();
      const planned = plan(need.q);
      for (const [lo, hi] of runsOf(need.days)) {
        for (const [day, n] of countRange(db, planned, lo, hi, small)) got.set(day, n);
      }
      // A day with no match has no row in the answer: 0.
      for (const day of need.days) if (!got.has(day)) got.set(day, 0);
      out.set(need, got);
    }
  } finally {
    if (small) db.exec('DROP TABLE IF EXISTS temp.recount_fts; DROP TABLE IF EXISTS temp.recount_rows');
  }
  return out;
}

/**
 * The papers of the ranges, with an index of their own made as the cache's is (its tokenizer
 * and detail, read from its definition): temp.recount_rows and temp.recount_fts.
 */
function copyRows(db: BetterSqlite3.Database, ranges: [number, number][]): void {
  const definition = db.prepare<[], string>("SELECT sql FROM sqlite_schema WHERE name = 'papers_fts'").pluck().get()!;
  const options = [...definition.matchAll(/\b(tokenize|detail)\s*=\s*('(?:[^']|'')*'|"[^"]*"|\w+)/gi)].map((m) => `${m[1]}=${m[2]}`);
  const columns = FTS_COLUMN_NAMES.join(', ');
  db.exec(`CREATE TEMP TABLE recount_rows (rowid INTEGER PRIMARY KEY, ${columns});
    CREATE VIRTUAL TABLE temp.recount_fts USING fts5(${[columns, ...options].join(', ')});`);
  const copy = db.prepare<[number, number]>(`INSERT INTO temp.recount_rows (rowid, ${columns}) SELECT rowid, ${columns} FROM main.papers WHERE rowid BETWEEN ? AND ?`);
  for (const [lo, hi] of ranges) copy.run(lo, hi);
  db.exec(`INSERT INTO temp.recount_fts (rowid, ${columns}) SELECT rowid, ${columns} FROM temp.recount_rows`);
}

/** How many papers of the rowids `lo` to `hi` a planned query matches, by day. */
function countRange(db: BetterSqlite3.Database, q: Planned, lo: number, hi: number, onCopy: boolean): [number, number][] {
  const params: QueryParams = { lo, hi };
  let sql: string;
  if (q.match && !q.matchCheck && !q.notMatchCheck) {
    // The index alone, within the range.
    params.match = q.match;
    let not = '';
    if (q.notMatch) {
      params.notMatch = q.notMatch;
      not = ' AND rowid NOT IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH @notMatch AND rowid BETWEEN @lo AND @hi)';
    }
    sql = `SELECT ${daySql('rowid')} AS d, count(*) FROM papers_fts WHERE papers_fts MATCH @match AND rowid BETWEEN @lo AND @hi${not} GROUP BY d`;
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
    sql = `SELECT ${daySql('p.rowid')} AS d, count(*) FROM ${from} WHERE ${where.join(' AND ')} GROUP BY d`;
  }
  // On the copy: the same statement over its tables (SQL written here and by the query builder).
  if (onCopy) sql = sql.replace(/\bpapers_fts\b/g, 'recount_fts').replace(/\bpapers ([pq])\b/g, 'recount_rows $1');
  return db.prepare<QueryParams, [number, number]>(sql).raw().all(params);
}

/**
 * Keep what was counted, when the cache can be written at once: never waiting for a writer (a
 * sync keeps its lock), and a read-only file or any other refusal only means the counts are
 * counted again next time. The counts of queries not asked for (a topic edited or removed) go.
 */
function keep(db: BetterSqlite3.Database, fresh: Fresh[], queries: readonly CountedQuery[]): void {
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  try {
    db.pragma('busy_timeout = 0');
    db.exec('BEGIN IMMEDIATE');
    const keys = JSON.stringify(queries.filter((q) => !q.cond).map(keyOf));
    db.prepare<[string]>('DELETE FROM topic_counts WHERE query IN (SELECT id FROM count_queries WHERE query NOT IN (SELECT value FROM json_each(?)))').run(keys);
    db.prepare<[string]>('DELETE FROM count_queries WHERE query NOT IN (SELECT value FROM json_each(?))').run(keys);
    db.prepare<[string]>('INSERT OR IGNORE INTO count_queries (query) SELECT value FROM json_each(?)').run(keys);
    db.prepare<[string]>(`INSERT INTO topic_counts (query, level, unit, stamp, papers)
      SELECT (SELECT id FROM count_queries WHERE query = value ->> 0), value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(?) WHERE true
      ON CONFLICT (query, level, unit) DO UPDATE SET stamp = excluded.stamp, papers = excluded.papers`).run(JSON.stringify(fresh));
    db.exec('COMMIT');
  } catch {
    // Busy, read-only, a full disk: nothing was lost, and the counts shown are exact all the same.
    if (db.inTransaction) db.exec('ROLLBACK');
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
}
