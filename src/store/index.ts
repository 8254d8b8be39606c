/**
 * The one store module: the SQLite cache. Schema versions by PRAGMA user_version (schema.ts),
 * WAL, a busy timeout, prepared statements made once, every write in a transaction. Papers are
 * keyed by versionless arXiv id (or, without one, by normalised title) and merged field by
 * field (merge.ts) as each write transaction's Batch stores them (ingest.ts).
 *
 * Kept whole past 400 lines: it is the Store class, one short method per thing the program asks
 * of the cache, its schema, merging, ingest and queries in the files beside it.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
// Imported where it is used (commands load this module only when they open the cache), and
// statically so that the CLI bundle (scripts/bundle.js) holds its JavaScript: a start-up
// reads one file instead of a dozen.
import BetterSqlite3 from 'better-sqlite3';
import { monthOfArxivId, type Paper, type ParsedPaper, type SourceName } from '../record.js';
import { StoreError } from '../errors.js';
import { foldText, normalizeTitle } from '../text.js';
import { ROW_FIELDS, rowToPaper, type PaperRow } from './columns.js';
import { MARKS_FIELD, MarkStore } from './marks.js';
import { Batch, type UpsertResult } from './ingest.js';
import { missingFromList, writeList } from './lists.js';
import { countQueries, type CountedQuery, type TopicCounts } from './counts.js';
import * as maintenance from './maintenance.js';
import { PAPER_DAY, STATS_SQL, buildQuery, planFilter, type PlannableFilter, type ContentStats, type PaperFilter, type QueryParams } from './queries.js';
import { SCHEMA_VERSION, migrate } from './schema.js';
import { exactFirstRowidOf, firstRowidOf } from './rowkey.js';
import { Statements } from './statements.js';
import { SyncLog } from './sync-log.js';
import { hasWordBeginning } from './words.js';

export { SCHEMA_VERSION, MIGRATIONS } from './schema.js';
export { mergePaper } from './merge.js';
export { buildQuery, PAPER_DAY, type PaperFilter, type SortKey, type ContentStats } from './queries.js';
export type { UpsertResult } from './ingest.js';
export type { SyncLogEntry } from './sync-log.js';
export { paperKey, type Marks, type MarkChange, type MarkFilter, type ExportedMarks, type Watch } from './marks.js';

/** A read of papers with their personal marks. */
const ROW_SELECT = `SELECT ${ROW_FIELDS}, ${MARKS_FIELD} FROM papers p`;

export interface ListInfo {
  source: string;
  listDate: string;
  fetchedAt: string;
  paperCount: number;
  etag: string | null;
}

export interface StoreOptions {
  readonly?: boolean;
  /** How long to wait for another writer before failing, in ms. */
  busyTimeoutMs?: number;
}

/** What a daily list stored only when it holds every paper of the cached one tells (saveListIfSuperset). */
export interface SupersetResult extends UpsertResult {
  /** True when the cached list has papers the new one lacks: the papers were stored, the list kept. */
  listKept: boolean;
}

let addonPath: string | undefined | null = null;

/**
 * better-sqlite3's native addon, handed to it through its documented `nativeBinding` option:
 * left to itself it finds the addon with the `bindings` package, which walks up from the
 * calling file trying a dozen paths (a bundle defeats that, and it costs milliseconds at each
 * start). Resolved from node_modules the same way by dist/ and by the bundle. Without a
 * Release build (a debug build of the addon) better-sqlite3 looks for it itself.
 */
function sqliteAddon(): string | undefined {
  if (addonPath === null) {
    const root = dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
    const release = join(root, 'build', 'Release', 'better_sqlite3.node');
    addonPath = existsSync(release) ? release : undefined;
  }
  return addonPath;
}

/** Make a file the owner's alone where the platform has such modes (not on Windows). */
function ownerOnly(path: string): void {
  if (process.platform === 'win32') return;
  try {
    chmodSync(path, 0o600);
  } catch {
    // A file system without modes (some network and FAT mounts): the cache works all the same.
  }
}

export class Store {
  readonly path: string;
  private readonly db: BetterSqlite3.Database;
  private readonly st: Statements;
  /** Personal marks, watches and digest deliveries. */
  readonly marks: MarkStore;
  /** What each sync run asked for, got, and how it ended. */
  readonly syncs: SyncLog;

  private constructor(path: string, db: BetterSqlite3.Database) {
    this.path = path;
    this.db = db;
    this.st = new Statements(db);
    this.marks = new MarkStore(db, this.st);
    this.syncs = new SyncLog(this.st);
  }

  /** Open (and create or migrate) the cache at `path`. */
  static open(path: string, opts: StoreOptions = {}): Store {
    let db: BetterSqlite3.Database;
    try {
      // A new cache is its owner's alone (what they read is personal): the folders made for it
      // 0700, the file 0600. SQLite gives the -wal and -shm files the mode of the database
      // file, so they follow. An existing cache keeps the mode its owner gave it.
      const fresh = path !== ':memory:' && !opts.readonly && !existsSync(path);
      if (fresh) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      db = new BetterSqlite3(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false, nativeBinding: sqliteAddon() });
      if (fresh) ownerOnly(path);
      db.pragma(`busy_timeout = ${Math.trunc(opts.busyTimeoutMs ?? 15_000)}`);
      db.function('fold', { deterministic: true }, (s: unknown) => (typeof s === 'string' ? foldText(s) : null));
      // A prefix checked on a row's text (words.ts): the prefix, then the columns it searches.
      db.function('papers_prefix', { deterministic: true, varargs: true }, (prefix: unknown, ...texts: unknown[]) => (hasWordBeginning(String(prefix), texts) ? 1 : 0));
    } catch (err) {
      throw new StoreError(`cannot open the cache ${path}: ${(err as Error).message}`, {
        cause: err,
        hint: 'check the path and its permissions, or pass --db <path>',
      });
    }
    try {
      migrate(db, path, opts.readonly ?? false);
    } catch (err) {
      db.close();
      if (err instanceof StoreError) throw err;
      throw new StoreError(`cannot use the cache ${path}: ${(err as Error).message}`, {
        cause: err,
        hint: 'is it a papers cache? move it away or pass --db <path>',
      });
    }
    return new Store(path, db);
  }

  close(): void {
    this.db.close();
  }

  /** Run `fn` in one write transaction (BEGIN IMMEDIATE, so concurrent writers queue). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /**
   * Store papers, merging each into what the cache already knows; one transaction. `digests`:
   * the papers' input digests (input-digest.ts) when the caller made them already.
   */
  upsertPapers(papers: ParsedPaper[], opts: { now?: string; digests?: readonly (string | undefined)[] } = {}): UpsertResult {
    const now = opts.now ?? new Date().toISOString();
    return this.transaction(() => new Batch(this.st, papers, now, opts.digests).run());
  }

  /**
   * Store a whole daily list: the papers, their ranks on the list, and the fact that the list
   * was fetched. One transaction: either all of it lands or none.
   */
  saveList(source: SourceName, listDate: string, papers: ParsedPaper[], opts: { now?: string; etag?: string | null } = {}): UpsertResult {
    const now = opts.now ?? new Date().toISOString();
    return this.transaction(() => this.saveListInTransaction(source, listDate, papers, now, opts.etag ?? null));
  }

  /**
   * Store a daily list read from a file, which may be an older capture than the cached one:
   * the cache never loses data, so the list replaces the cached one only when it holds all its
   * papers; otherwise only the papers are stored.
   */
  saveListIfSuperset(source: SourceName, listDate: string, papers: ParsedPaper[], opts: { now?: string } = {}): SupersetResult {
    const now = opts.now ?? new Date().toISOString();
    return this.transaction(() => {
      const missing = missingFromList(this.st, source, listDate, papers.flatMap((p) => (p.id ? [p.id] : [])));
      if (missing === 0) return { ...this.saveListInTransaction(source, listDate, papers, now, null), listKept: false };
      return { ...new Batch(this.st, papers, now).run(), listKept: true };
    });
  }

  private saveListInTransaction(source: SourceName, listDate: string, papers: ParsedPaper[], now: string, etag: string | null): UpsertResult {
    const result = new Batch(this.st, papers, now).run();
    writeList(this.st, source, listDate, result.rowids, papers.length, now, etag);
    return result;
  }

  /**
   * The latest list by its date, or the one of `listDate`. Days without a list (weekends) are
   * stored as empty lists by range fetches; the latest list is the latest one with papers.
   */
  listInfo(source: SourceName, listDate?: string): ListInfo | null {
    const fields = 'source, list_date AS listDate, fetched_at AS fetchedAt, paper_count AS paperCount, etag';
    const row = listDate
      ? this.st.get<[string, string], ListInfo>(`SELECT ${fields} FROM lists WHERE source = ? AND list_date = ?`).get(source, listDate)
      : this.st.get<[string], ListInfo>(`SELECT ${fields} FROM lists WHERE source = ? ORDER BY paper_count > 0 DESC, list_date DESC LIMIT 1`).get(source);
    return row ?? null;
  }

  getPaper(id: string): Paper | null {
    const row = this.st.get<[string], PaperRow>(`${ROW_SELECT} WHERE id = ?`).get(id);
    return row ? rowToPaper(row) : null;
  }

  /** Papers whose normalised title equals that of `title` (records without an id are found so). */
  findByTitle(title: string): Paper[] {
    return this.st.get<[string], PaperRow>(`${ROW_SELECT} WHERE title_key = ? ORDER BY id IS NULL, rowid`).all(normalizeTitle(title)).map(rowToPaper);
  }

  /** The daily lists a paper was on, with its rank there. */
  listsOf(id: string): { source: string; listDate: string; rank: number }[] {
    return this.st.get<[string], { source: string; listDate: string; rank: number }>(`SELECT e.source, e.list_date AS listDate, e.rank FROM list_entries e JOIN papers p ON p.rowid = e.paper
      WHERE p.id = ? ORDER BY e.list_date`).all(id);
  }

  /** The snapshots of a paper's upvotes and comments, oldest first. */
  countHistory(id: string): { seenAt: string; upvotes: number | null; comments: number | null }[] {
    return this.st.get<[string], { seenAt: string; upvotes: number | null; comments: number | null }>(`SELECT h.seen_at AS seenAt, h.upvotes, h.comments FROM count_history h JOIN papers p ON p.rowid = h.paper
      WHERE p.id = ? ORDER BY h.seen_at`).all(id);
  }

  /** A conditional request found the list unchanged: it was checked (fetched) now. */
  touchList(source: SourceName, listDate: string, opts: { now?: string } = {}): void {
    this.st.get<[string, string, string]>('UPDATE lists SET fetched_at = ? WHERE source = ? AND list_date = ?').run(opts.now ?? new Date().toISOString(), source, listDate);
  }

  /** The average number of papers on the last `n` stored lists of a source, or null. */
  papersPerList(source: SourceName, n = 30): number | null {
    return this.st.get<[string, number], number | null>('SELECT avg(paper_count) FROM (SELECT paper_count FROM lists WHERE source = ? ORDER BY list_date DESC LIMIT ?)').pluck().get(source, n) ?? null;
  }

  /** The stored words that begin with `prefix`, in order, at most `limit`. */
  private wordsBeginning(prefix: string, limit: number): string[] {
    return this.st.get<[string, string, number], string>('SELECT word FROM words WHERE word >= ? AND word < ? ORDER BY word LIMIT ?')
      .pluck().all(prefix, prefix + '\u{10FFFF}', limit);
  }

  /** A filter whose text queries are planned (words.ts): prefixes expanded, checks where needed. */
  private expand<F extends PlannableFilter>(f: F): F & Pick<PaperFilter, 'matchCheck' | 'notMatchCheck'> {
    return planFilter(f, (prefix, limit) => this.wordsBeginning(prefix, limit));
  }

  /** The SQL of a filter, its prefix terms expanded. */
  private build(f: PaperFilter) {
    return buildQuery(this.expand(f));
  }

  /** How many papers a compiled text query matches. */
  countMatching(q: PaperFilter): number {
    if (q.limit !== undefined) {
      const { sql, params } = this.build(q);
      return this.db.prepare<QueryParams, number>(`SELECT count(*) FROM (${sql})`).pluck().get(params)!;
    }
    const { sql, params } = buildQuery(this.expand(q), { count: true });
    return this.db.prepare<QueryParams, number>(sql).pluck().get(params)!;
  }

  count(): number {
    return this.st.get<[], number>('SELECT count(*) FROM papers').pluck().get()!;
  }

  /** Every paper, as count() counts them, read from the counts kept by month (schema v8). */
  countKept(): number {
    return this.st.get<[], number>('SELECT coalesce(sum(papers), 0) FROM month_counts').pluck().get()!;
  }

  /**
   * How many papers each topic's compiled query matches, and with `since` how many of them are
   * dated `since` or later, exactly, from the counts the cache keeps (counts.ts): only what
   * changed since they were kept is counted again, and kept when the cache can be written
   * without waiting. `queries`: every topic (others' counts go). `smallRecount`: at most this
   * many papers to count again are counted on an index of their own (counts.ts).
   */
  topicCounts(queries: readonly CountedQuery[], since?: string, opts: { smallRecount?: number } = {}): TopicCounts {
    const hooks = { plan: (q: CountedQuery) => this.expand(q), countAll: (q: CountedQuery, day?: string) => this.countMatching(day ? { ...q, since: day } : q), ...opts };
    const firstRowid = since === undefined ? null : exactFirstRowidOf(since);
    if (since === undefined || firstRowid !== null) return countQueries(this.db, queries, hooks, since === undefined ? undefined : { day: since, firstRowid: firstRowid! });
    // A day whose rowids it shares with others (before 1900, after 2079): counted, not kept.
    return { all: countQueries(this.db, queries, hooks).all, since: this.countMatchingSince([...queries], since) };
  }

  /**
   * How many papers dated `since` or later each compiled text query matches. Rowids follow days
   * (rowkey.ts): those papers are the rowids from the day's first on, which the full-text index
   * counts alone without reading a row.
   */
  countMatchingSince(compiled: { match?: string; notMatch?: string }[], since: string): number[] {
    const exact = exactFirstRowidOf(since);
    const lo = exact ?? this.st.get<[string], number | null>(`SELECT min(rowid) FROM papers p WHERE rowid >= ${firstRowidOf(since) ?? -(2 ** 62)} AND ${PAPER_DAY} >= ?`).pluck().get(since) ?? null;
    return compiled.map((original) => {
      if (lo === null) return 0;
      const q = this.expand(original);
      if (!q.match || q.matchCheck || q.notMatchCheck) return this.countMatching({ ...original, since });
      const notMatch = q.notMatch ? ' AND f.rowid NOT IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH @notMatch)' : '';
      const params = { match: q.match, lo, ...(q.notMatch ? { notMatch: q.notMatch } : {}) };
      if (exact !== null) {
        return this.db.prepare<QueryParams, number>(`SELECT count(*) FROM papers_fts f WHERE papers_fts MATCH @match AND f.rowid >= @lo${notMatch}`).pluck().get(params)!;
      }
      return this.db.prepare<QueryParams, number>(`SELECT count(*) FROM papers_fts f JOIN papers p ON p.rowid = f.rowid WHERE papers_fts MATCH @match AND f.rowid >= @lo AND ${PAPER_DAY} >= @since${notMatch}`)
        .pluck().get({ ...params, since })!;
    });
  }

  /** How many papers matching `filter` each day has (a paper's day: PAPER_DAY). */
  countByDay(filter: PaperFilter = {}): { day: string; papers: number }[] {
    const { sql, params } = this.build(filter);
    return this.db.prepare<QueryParams, { day: string; papers: number }>(`SELECT day, count(*) AS papers FROM (SELECT ${PAPER_DAY} AS day FROM (${sql}) p) WHERE day IS NOT NULL GROUP BY day ORDER BY day`).all(params);
  }

  /** What `papers stats` shows of the cache's contents: papers by source and month, undated ones. */
  contentStats(): ContentStats {
    return {
      bySource: this.st.get<[], { source: string; papers: number }>(STATS_SQL.bySource).all(),
      byMonth: this.st.get<[], { month: string; papers: number }>(STATS_SQL.byMonth).all(),
      undated: this.st.get<[], number>(STATS_SQL.undated).pluck().get()!,
      newest: this.st.get<[], string | null>(STATS_SQL.newest).pluck().get() ?? null,
    };
  }

  /** The latest lastSeenAt of the papers matching `filter` (an Atom feed's updated time), or null. */
  latestSeen(filter: PaperFilter = {}): string | null {
    const { sql, params } = this.build(filter);
    return this.db.prepare<QueryParams, string | null>(`SELECT max(last_seen_at) FROM (${sql})`).pluck().get(params) ?? null;
  }

  /**
   * Every paper's id, title, first author and date, in the order their rows were made (BibTeX
   * keys): a new row always comes after every row there is (`made`; sorted, as no index keeps it).
   */
  *keyStubs(): Generator<{ id: string | null; title: string; firstAuthor: string | null; date: string | null }> {
    // The date is citationDate's (record.ts): the same choice the BibTeX entry makes.
    const rows = this.db.prepare<[], { id: string | null; title: string; firstAuthor: string | null; date: string | null }>(
      "SELECT id, title, json_extract(authors, '$[0]') AS firstAuthor, coalesce(published_at, announced_at, daily_date) AS date FROM papers ORDER BY made").iterate();
    for (const r of rows) yield r.date === null ? { ...r, date: monthOfArxivId(r.id) } : r;
  }

  /**
   * Run `fn` on one consistent view of the cache (a read transaction): what it reads in several
   * queries, however long it takes, is unaffected by a sync writing meanwhile.
   */
  async readSnapshot<T>(fn: () => Promise<T>): Promise<T> {
    this.db.exec('BEGIN');
    try {
      return await fn();
    } finally {
      if (this.db.inTransaction) this.db.exec('COMMIT');
    }
  }

  /** The papers matching `filter`, streamed (flat memory for any size). */
  *query(filter: PaperFilter = {}): Generator<Paper> {
    const { sql, params } = this.build(filter);
    for (const row of this.db.prepare<QueryParams, PaperRow>(sql).iterate(params)) yield rowToPaper(row);
  }

  /**
   * Record every watch's matches among the papers written at or after `since` (what a sync
   * added or updated), in one transaction. `filters`: each watch's compiled query and options.
   * Returns the new matches per watch.
   */
  matchWatches(since: string, filters: { name: string; filter: PaperFilter }[], now = new Date().toISOString()): Record<string, number> {
    return this.transaction(() => {
      const out: Record<string, number> = {};
      const rowids = this.marks.changedSince(since);
      for (const { name, filter } of filters) {
        if (rowids.length === 0) {
          out[name] = 0;
          continue;
        }
        const { sql, params } = buildQuery(this.expand({ ...filter, rowids, sort: 'date', limit: undefined }));
        out[name] = this.marks.recordMatches(name, sql, params, now);
      }
      return out;
    });
  }

  /**
   * Document counts per term from the full-text index (fts5vocab): what ranking by similarity
   * weighs terms by, without reading every paper. The terms are the index's (Porter stems).
   */
  termStats(): { docCount: number; df: (term: string) => number } {
    this.db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.papers_vocab USING fts5vocab(main, 'papers_fts', 'row')");
    const get = this.db.prepare<[string], number>('SELECT doc FROM temp.papers_vocab WHERE term = ?').pluck();
    const cache = new Map<string, number>();
    return {
      docCount: this.count(),
      df: (term) => {
        let n = cache.get(term);
        if (n === undefined) cache.set(term, (n = get.get(term) ?? 0));
        return n;
      },
    };
  }

  /** Every paper with an id as the text similarity reads it, streamed. */
  *similarDocs(): Generator<{ id: string; title: string; summary: string | null; keywords: string[] }> {
    for (const r of this.db.prepare<[], { id: string; title: string; summary: string | null; keywords: string }>('SELECT id, title, summary, keywords FROM papers WHERE id IS NOT NULL ORDER BY rowid').iterate()) {
      yield { id: r.id, title: r.title, summary: r.summary, keywords: JSON.parse(r.keywords) as string[] };
    }
  }

  /**
   * The papers matching `filter` sorted by --sort rising, each with the upvotes it gained in
   * the rising window (null when it has no count), the number it was ordered by.
   */
  *queryRising(filter: PaperFilter = {}): Generator<{ paper: Paper; gain: number | null }> {
    const { sql, params } = this.build({ ...filter, sort: 'rising' });
    for (const row of this.db.prepare<QueryParams, PaperRow & { gain: number | null }>(sql).iterate(params)) yield { paper: rowToPaper(row), gain: row.gain };
  }

  /** Papers by rowid, in the given order. */
  byRowids(rowids: number[]): Paper[] {
    const get = this.st.get<[number], PaperRow>(`${ROW_SELECT} WHERE rowid = ?`);
    return rowids.map((r) => get.get(r)).filter((r): r is PaperRow => !!r).map(rowToPaper);
  }

  /** `papers db vacuum`: the WAL written back, the file rebuilt without free pages. */
  vacuum(): void {
    maintenance.vacuum(this.db);
  }

  /** `papers db check`: integrity, foreign keys and the full-text index. */
  check(): maintenance.CheckResult {
    return maintenance.check(this.db);
  }

  /** `papers db prune`: the papers and daily lists older than `before` (YYYY-MM-DD) removed, or counted. */
  prune(before: string, opts: { dryRun?: boolean } = {}): maintenance.PruneResult {
    return maintenance.prune(this.db, before, opts);
  }

  /**
   * The connection itself, for tests and tools (the benchmark) to inspect the file (PRAGMAs,
   * integrity checks). No command uses it: every query the program makes is a method above.
   */
  get handle(): BetterSqlite3.Database {
    return this.db;
  }
}
