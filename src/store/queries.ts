/**
 * Reading the cache: the one query builder (filters, sorts, full-text matches) and the
 * aggregate counts the commands show. Every user value is a bound parameter.
 */
import type { SourceName } from '../record.js';
import { foldText } from '../text.js';
import type { FtsTerm, QueryCond } from '../query.js';
import { ROW_FIELDS as PAPER_ROW_FIELDS } from './columns.js';
import type { QueryParams } from './statements.js';

export type { QueryParams };
import { MARKS_FIELD, condSql, markFilterSql, watchSql, type MarkFilter } from './marks.js';
import { FTS_COLUMN_NAMES, planMatch, type Check, type MatchPlan } from './words.js';

/** What a read of papers selects: the row and the paper's personal marks. */
const ROW_FIELDS = `${PAPER_ROW_FIELDS}, ${MARKS_FIELD}`;
import { DAY_SPAN, firstRowidOf } from './rowkey.js';

/**
 * A paper's day (`p` is the papers table): the day it was on a daily list, else its arXiv
 * date. Every filter, sort and count by day uses this one expression.
 */
export const PAPER_DAY = 'coalesce(p.daily_date, p.published_at)';

export type SortKey = 'upvotes' | 'date' | 'title' | 'relevance' | 'rank' | 'rising';

/** A query's condition tree, each full-text part with how the store runs it once planned. */
export type PlannedCond = QueryCond<FtsTerm & { plan?: MatchPlan }>;

/** A query over the cache. Every value is bound as a parameter; none is spliced into SQL. */
export interface PaperFilter {
  /** Only papers on this daily list (and `rank` sorting by their place on it). */
  listDate?: string;
  listSource?: SourceName;
  /** An FTS5 MATCH expression, built by the query module. */
  match?: string;
  /** An FTS5 expression papers must not match (a query that only excludes). */
  notMatch?: string;
  /**
   * What the papers `match` finds must also pass (a prefix the index cannot answer exactly,
   * words.ts); set by the store when it plans the query. Without `match`, every paper is checked.
   */
  matchCheck?: Check;
  /** The same for `notMatch`: the papers excluded are those it finds that pass this. */
  notMatchCheck?: Check;
  /** A query with mark terms (is:starred, tag:x…), as the query module compiled it. */
  cond?: PlannedCond;
  /** --unseen, --starred, --hidden, --tag, and leaving hidden papers out. */
  marks?: MarkFilter;
  /** Only a watch's matches (`pending`: those no digest delivered yet). */
  watch?: { name: string; pending: boolean };
  author?: string;
  since?: string;
  until?: string;
  /** Papers whose latest version is of this day or later (a new version of an older paper). */
  updatedSince?: string;
  minUpvotes?: number;
  source?: SourceName;
  /** Only these papers (by stored rowid): a listing just stored, read back through the filter. */
  rowids?: readonly number[];
  sort?: SortKey;
  limit?: number;
}

export interface BuiltQuery {
  sql: string;
  params: QueryParams;
}

/** What `papers stats` shows of the cache's contents. */
export interface ContentStats {
  bySource: { source: string; papers: number }[];
  byMonth: { month: string; papers: number }[];
  undated: number;
  /** The newest paper's day, or null. */
  newest: string | null;
}

/**
 * Read from the counts the store keeps (schema v8) instead of counting the papers. The newest
 * day is among the papers of the highest rowid's day (rowkey.ts).
 */
export const STATS_SQL = {
  bySource: 'SELECT source, papers FROM source_counts WHERE papers > 0 ORDER BY papers DESC, source',
  byMonth: "SELECT month, papers FROM month_counts WHERE month <> '' AND papers > 0 ORDER BY month DESC",
  undated: "SELECT coalesce((SELECT papers FROM month_counts WHERE month = ''), 0)",
  newest: `SELECT max(${PAPER_DAY}) FROM papers p WHERE p.rowid >= (SELECT max(rowid) - max(rowid) % ${DAY_SPAN} FROM papers)`,
} as const;

/** `--sort rising`: upvotes gained over the last 7 days. */
const RISING_WINDOW_MS = 7 * 86_400_000;
/**
 * Upvotes now minus upvotes at the start of the window: the last snapshot taken by then, or
 * for a paper first seen inside the window its first snapshot.
 */
const RISING_GAIN = `(p.upvotes - coalesce(
  (SELECT h.upvotes FROM count_history h WHERE h.paper = p.rowid AND h.seen_at <= @risingSince ORDER BY h.seen_at DESC LIMIT 1),
  (SELECT h.upvotes FROM count_history h WHERE h.paper = p.rowid ORDER BY h.seen_at LIMIT 1),
  p.upvotes))`;

/** Title matches weigh most, then keywords and authors, then the abstract (lower is better). */
const RELEVANCE = 'bm25(papers_fts, 10.0, 1.0, 3.0, 4.0, 2.0)';

/** Build the SQL for a filter; every user value is a bound parameter. Exported for tests. */
export function buildQuery(f: PaperFilter, opts: { count?: boolean } = {}): BuiltQuery {
  // Newest first, with or without a text query; a listing read back keeps its own order.
  const sort = f.sort ?? (f.rowids ? 'relevance' : f.listDate ? 'rank' : 'date');
  // Ranked by relevance with a limit: the best matches are found in the index first (below).
  const rankedFromIndex = !!f.match && sort === 'relevance' && f.limit !== undefined && !f.listDate && !f.rowids;
  // Conditions that need the paper's row, and those the full-text index's rowid alone decides.
  const where: string[] = [];
  const onIndex: string[] = [];
  const params: QueryParams = {};
  let from = 'papers p';
  if (f.listDate) {
    from += ' JOIN list_entries e ON e.paper = p.rowid AND e.list_date = @listDate AND e.source = @listSource';
    params.listDate = f.listDate;
    params.listSource = f.listSource ?? 'hf';
  }
  if (f.match) {
    from += ' JOIN papers_fts ON papers_fts.rowid = p.rowid';
    onIndex.push('papers_fts MATCH @match');
    params.match = f.match;
  }
  if (f.matchCheck) where.push(checkSql(f.matchCheck, 'p', params, 'mc'));
  if (f.notMatch || f.notMatchCheck) where.push(`NOT ${ftsSetSql(f.notMatch ?? null, f.notMatchCheck ?? null, params, 'notMatch')}`);
  if (f.author) {
    // Case- and accent-insensitive containment over the JSON list of names.
    where.push("EXISTS (SELECT 1 FROM json_each(p.authors) a WHERE fold(a.value) LIKE @author ESCAPE '\\')");
    params.author = '%' + foldText(f.author).replace(/[\\%_]/g, (c) => '\\' + c) + '%';
  }
  const dateExpr = PAPER_DAY;
  // Rowids follow days (rowkey.ts): a period is also a range of rowids, which the table and the
  // full-text index read directly instead of testing every paper's day.
  const key = f.match ? 'papers_fts.rowid' : 'p.rowid';
  if (f.since) {
    where.push(`${dateExpr} >= @since`);
    params.since = f.since;
    const lo = firstRowidOf(f.since);
    if (lo !== null) where.push(`${key} >= ${lo}`);
  }
  if (f.updatedSince) {
    where.push('p.updated_at >= @updatedSince');
    params.updatedSince = f.updatedSince;
  }
  if (f.until) {
    where.push(`${dateExpr} <= @until`);
    params.until = f.until;
    const hi = firstRowidOf(f.until);
    if (hi !== null) where.push(`${key} < ${hi + DAY_SPAN}`);
  }
  if (f.minUpvotes !== undefined) {
    where.push('p.upvotes >= @minUpvotes');
    params.minUpvotes = f.minUpvotes;
  }
  if (f.rowids) {
    // Their order is the listing's: `relevance` keeps it.
    from += ' JOIN json_each(@rowids) r ON r.value = p.rowid';
    params.rowids = JSON.stringify(f.rowids);
  }
  if (f.cond) where.push(condSql(f.cond, params, (c, name) => ftsSetSql(c.plan ? c.plan.match : c.match, c.plan?.check ?? null, params, name)));
  // Newest first, a list or a day reads few rows, and tests the marks on each (marks.ts); ranked
  // by relevance, every match is ranked, so the marks filter the index as sets of rowids.
  if (f.marks) {
    if (rankedFromIndex) onIndex.push(...markFilterSql(f.marks, params, 'papers_fts.rowid'));
    else where.push(...markFilterSql(f.marks, params, null));
  }
  if (f.watch) where.push(watchSql(f.watch, params));
  if (f.source) {
    where.push('EXISTS (SELECT 1 FROM json_each(p.sources) s WHERE s.value = @source)');
    params.source = f.source;
  }
  const order: Record<SortKey, string> = {
    upvotes: 'p.upvotes IS NULL, p.upvotes DESC, p.rowid',
    date: `${dateExpr} IS NULL, ${dateExpr} DESC, p.upvotes IS NULL, p.upvotes DESC, p.rowid`,
    title: 'p.title COLLATE NOCASE, p.rowid',
    // Title matches weigh most, then keywords and authors, then the abstract.
    relevance: f.match ? `${RELEVANCE}, p.rowid` : f.rowids ? 'r.key' : 'p.rowid',
    rank: f.listDate ? 'e.rank' : 'p.rowid',
    rising: `${RISING_GAIN} IS NULL, ${RISING_GAIN} DESC, p.upvotes IS NULL, p.upvotes DESC, p.rowid`,
  };
  if (sort === 'rising') params.risingSince = new Date(Date.now() - RISING_WINDOW_MS).toISOString();
  const all = [...onIndex, ...where];
  if (opts.count) {
    // Only the number: no row is read that the filters do not need, nothing is sorted.
    const onlyText = f.match && onIndex.length === 1 && where.length === (f.notMatch ? 1 : 0) && !f.notMatchCheck && !f.listDate && !f.rowids;
    if (onlyText) {
      const not = f.notMatch ? ' AND rowid NOT IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH @notMatch)' : '';
      return { sql: `SELECT count(*) FROM papers_fts WHERE papers_fts MATCH @match${not}`, params };
    }
    return { sql: `SELECT count(*) FROM ${f.match ? from.replace('papers p JOIN papers_fts', 'papers_fts CROSS JOIN papers p') : from}${all.length ? ' WHERE ' + all.join(' AND ') : ''}`, params };
  }
  if (sort === 'date' && f.limit !== undefined && !f.listDate && !f.rowids) {
    // Newest first with a limit: the papers of the days that hold the newest `limit` matches are
    // all that can be shown. Their rowids are one range (rowkey.ts), found by reading the index
    // or the table backwards until `limit` papers pass the filters; only that range is then
    // read and put in the exact order (upvotes within a day). Undated papers (negative rowids)
    // are all read when they are needed.
    const drive = f.match ? 'papers_fts CROSS JOIN papers p ON p.rowid = papers_fts.rowid' : 'papers p';
    const cond = all.length ? ' WHERE ' + all.join(' AND ') : '';
    const first = `SELECT ${key} AS k FROM ${f.match && where.length === 0 ? 'papers_fts' : drive}${cond} ORDER BY ${key} DESC LIMIT @limit`;
    const cutoff = `(SELECT CASE WHEN lo < 0 THEN ${-(2 ** 62)} ELSE lo - lo % ${DAY_SPAN} END FROM (SELECT min(k) AS lo FROM (${first})))`;
    params.limit = f.limit;
    return {
      sql: `SELECT ${ROW_FIELDS} FROM ${drive} WHERE ${[...all, `${key} >= ${cutoff}`].join(' AND ')} ORDER BY ${order.date} LIMIT @limit`,
      params,
    };
  }
  if (rankedFromIndex) {
    // The best `limit` matches are ranked first, then only their rows are read whole (joining
    // first read the row of every match, ~4x slower on common words). A text query ranks from
    // the index alone, marks included (list and today leave hidden papers out); filters read
    // the columns they test, and a period is a range of rowids the index reads alone (rowkey.ts).
    params.limit = f.limit!;
    const ranked = where.length === 0
      ? `SELECT rowid, ${RELEVANCE} AS score FROM papers_fts WHERE ${onIndex.join(' AND ')} ORDER BY score, rowid LIMIT @limit`
      : `SELECT papers_fts.rowid AS rowid, ${RELEVANCE} AS score FROM papers_fts CROSS JOIN papers p ON p.rowid = papers_fts.rowid
        WHERE ${all.join(' AND ')} ORDER BY score, rowid LIMIT @limit`;
    return {
      sql: `SELECT ${ROW_FIELDS} FROM (${ranked}) m JOIN papers p ON p.rowid = m.rowid ORDER BY m.score, m.rowid`,
      params,
    };
  }
  // The gain --sort rising orders by is also shown: the row carries it as `gain`.
  const fields = sort === 'rising' ? `${ROW_FIELDS}, ${RISING_GAIN} AS gain` : ROW_FIELDS;
  let sql = `SELECT ${fields} FROM ${from}${all.length ? ' WHERE ' + all.join(' AND ') : ''} ORDER BY ${order[sort]}`;
  if (f.limit !== undefined) {
    sql += ' LIMIT @limit';
    params.limit = f.limit;
  }
  return { sql, params };
}

/** The columns of a prefix check's mask (bits in the order of FTS_COLUMN_NAMES), on the row `alias`. */
const checkColumns = (alias: string, mask: number) => FTS_COLUMN_NAMES.filter((_, i) => mask & (1 << i)).map((c) => `${alias}.${c}`).join(', ');

/**
 * A planned text query's check as an SQL condition on the papers row `alias`: an exact part
 * is a set of rowids from the index, a prefix is tested on the row's text (papers_prefix).
 * `within`: a condition on the index's rowid that every row checked passes (a range of rowids
 * being counted), so that each set is read from that part of the index only.
 */
export function checkSql(check: Check, alias: string, params: QueryParams, name: string, within?: string): string {
  let n = 0;
  const matches = (match: string) => {
    const p = `${name}${n++}`;
    params[p] = match;
    // The index's answer read once per query, then looked up per row (a per-row MATCH costs
    // far more: the expression is parsed again for each).
    return `${alias}.rowid IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH @${p}${within ? ` AND ${within}` : ''})`;
  };
  const walk = (c: Check): string => {
    switch (c.k) {
      case 'true':
        return '1';
      case 'fts':
        return matches(c.match);
      case 'prefix': {
        const p = `${name}${n++}`;
        params[p] = c.prefix;
        const test = `papers_prefix(@${p}, ${checkColumns(alias, c.columns)})`;
        const parts: string[] = [];
        if (c.exact) parts.push(matches(c.exact));
        if (c.shared === 'all') parts.push(test);
        else if (c.shared) parts.push(`(${matches(c.shared)} AND ${test})`);
        return parts.length === 0 ? '0' : `(${parts.join(' OR ')})`;
      }
      case 'not':
        return `NOT ${walk(c.item)}`;
      default:
        return `(${c.items.map(walk).join(c.k === 'and' ? ' AND ' : ' OR ')})`;
    }
  };
  return walk(check);
}

/**
 * The papers a planned text query finds, as a condition on `p`: the index's candidates
 * (`match`; null: every paper) that pass `check` (null: all of them).
 */
export function ftsSetSql(match: string | null, check: Check | null, params: QueryParams, name: string, within?: string): string {
  if (match !== null) params[name] = match;
  const and = within ? ` AND papers_fts.${within}` : '';
  if (check === null) return `p.rowid IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH @${name}${and})`;
  if (match === null) return `(${checkSql(check, 'p', params, `${name}_`, within)})`;
  return `p.rowid IN (SELECT q.rowid FROM papers_fts JOIN papers q ON q.rowid = papers_fts.rowid WHERE papers_fts MATCH @${name}${and} AND ${checkSql(check, 'q', params, `${name}_`, within)})`;
}

/** What a filter's text queries are: a match, an exclusion, a tree with mark terms. */
export type PlannableFilter = Pick<PaperFilter, 'match' | 'notMatch' | 'cond'>;

/**
 * `f` with its text queries planned (words.ts): each prefix expanded into the stored words that
 * begin with it (`lookup`), and a check on the rows wherever the index alone is not exact.
 */
export function planFilter<F extends PlannableFilter>(f: F, lookup: (prefix: string, limit: number) => string[]): F & Pick<PaperFilter, 'matchCheck' | 'notMatchCheck'> {
  if (!f.match && !f.notMatch && !f.cond) return f;
  const out: F & Pick<PaperFilter, 'matchCheck' | 'notMatchCheck'> = { ...f };
  for (const [key, checkKey] of [['match', 'matchCheck'], ['notMatch', 'notMatchCheck']] as const) {
    const text = f[key];
    if (!text) continue;
    const plan = planMatch(text, lookup);
    if (plan.match === null) delete out[key];
    else out[key] = plan.match;
    if (plan.check) out[checkKey] = plan.check;
  }
  if (f.cond) {
    const walk = (c: PlannedCond): PlannedCond => (c.kind === 'fts' ? { ...c, plan: planMatch(c.match, lookup) } : c.kind === 'mark' ? c : c.kind === 'not' ? { kind: 'not', item: walk(c.item) } : { kind: c.kind, items: c.items.map(walk) });
    out.cond = walk(f.cond);
  }
  return out;
}
