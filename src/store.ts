/**
 * The one store module: the SQLite cache. Schema versions by PRAGMA user_version, WAL, a busy
 * timeout, prepared statements made once, every write in a transaction. Papers are keyed by
 * versionless arXiv id (or, without one, by normalised title) and merged field by field.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
// Imported where it is used (commands load this module only when they open the cache), and
// statically so that the CLI bundle (scripts/bundle.js) holds its JavaScript: a start-up
// reads one file instead of a dozen.
import BetterSqlite3 from 'better-sqlite3';
import type { Paper, ParsedPaper, SourceName } from './record.js';
import { StoreError } from './errors.js';
import { foldText, normalizeTitle } from './text.js';

/** Each entry migrates the schema from version i to i + 1. */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE papers (
    rowid INTEGER PRIMARY KEY,
    id TEXT UNIQUE,
    title_key TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT,
    authors TEXT NOT NULL DEFAULT '[]',
    author_count INTEGER,
    published_at TEXT,
    daily_date TEXT,
    upvotes INTEGER,
    comments INTEGER,
    url TEXT,
    arxiv_url TEXT,
    pdf_url TEXT,
    github_repo TEXT,
    project_page TEXT,
    github_stars INTEGER,
    keywords TEXT NOT NULL DEFAULT '[]',
    ai_summary TEXT,
    organization TEXT,
    categories TEXT NOT NULL DEFAULT '[]',
    sources TEXT NOT NULL DEFAULT '[]',
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    journal_ref TEXT,
    arxiv_comment TEXT,
    doi TEXT
  );
  CREATE INDEX papers_title_key ON papers(title_key);
  CREATE INDEX papers_daily_date ON papers(daily_date);
  CREATE INDEX papers_published_at ON papers(published_at);
  CREATE INDEX papers_upvotes ON papers(upvotes);

  -- Which daily list each paper was on, and its rank there.
  CREATE TABLE list_entries (
    source TEXT NOT NULL,
    list_date TEXT NOT NULL,
    paper INTEGER NOT NULL REFERENCES papers(rowid) ON DELETE CASCADE,
    rank INTEGER NOT NULL,
    PRIMARY KEY (source, list_date, paper)
  ) WITHOUT ROWID;
  CREATE INDEX list_entries_paper ON list_entries(paper);

  -- Lists fetched whole: when, how many papers, and the validator for conditional requests.
  CREATE TABLE lists (
    source TEXT NOT NULL,
    list_date TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    paper_count INTEGER NOT NULL,
    etag TEXT,
    PRIMARY KEY (source, list_date)
  ) WITHOUT ROWID;

  -- Each time a paper's upvotes or comments change: the new counts and when they were seen.
  CREATE TABLE count_history (
    paper INTEGER NOT NULL REFERENCES papers(rowid) ON DELETE CASCADE,
    seen_at TEXT NOT NULL,
    upvotes INTEGER,
    comments INTEGER,
    PRIMARY KEY (paper, seen_at)
  ) WITHOUT ROWID;

  -- One row per sync run of a source: what it asked for, what it got, how it ended.
  CREATE TABLE sync_log (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    range_from TEXT,
    range_to TEXT,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    requests INTEGER NOT NULL DEFAULT 0,
    papers_new INTEGER NOT NULL DEFAULT 0,
    papers_updated INTEGER NOT NULL DEFAULT 0,
    outcome TEXT NOT NULL DEFAULT 'running',
    error TEXT
  );
  CREATE INDEX sync_log_source ON sync_log(source, started_at);

  -- Full-text index over the papers table (external content, kept in sync by triggers).
  -- JSON lists (authors, keywords, categories) tokenize to their words.
  CREATE VIRTUAL TABLE papers_fts USING fts5(
    title, summary, authors, keywords, categories,
    content='papers', content_rowid='rowid',
    tokenize='porter unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER papers_ai AFTER INSERT ON papers BEGIN
    INSERT INTO papers_fts(rowid, title, summary, authors, keywords, categories)
    VALUES (new.rowid, new.title, new.summary, new.authors, new.keywords, new.categories);
  END;
  CREATE TRIGGER papers_ad AFTER DELETE ON papers BEGIN
    INSERT INTO papers_fts(papers_fts, rowid, title, summary, authors, keywords, categories)
    VALUES ('delete', old.rowid, old.title, old.summary, old.authors, old.keywords, old.categories);
  END;
  CREATE TRIGGER papers_au AFTER UPDATE OF title, summary, authors, keywords, categories ON papers BEGIN
    INSERT INTO papers_fts(papers_fts, rowid, title, summary, authors, keywords, categories)
    VALUES ('delete', old.rowid, old.title, old.summary, old.authors, old.keywords, old.categories);
    INSERT INTO papers_fts(rowid, title, summary, authors, keywords, categories)
    VALUES (new.rowid, new.title, new.summary, new.authors, new.keywords, new.categories);
  END;
  `,
  // v2 (issue 9): the store writes the full-text index itself (insertRow, updateRow). Through a
  // trigger, every row's write opened a statement savepoint, and FTS5 flushes its pending terms
  // at each one: a tiny index segment per paper, and ingest three to five times slower. A
  // delete keeps its trigger (deletes are rare, and any DELETE stays consistent). Merging
  // index segments 8 at a time instead of 4 makes writing a quarter faster (npm run bench).
  `
  DROP TRIGGER papers_ai;
  DROP TRIGGER papers_au;
  INSERT INTO papers_fts(papers_fts, rank) VALUES ('automerge', 8);
  `,
  // v3 (issue 9): when a paper is seen again unchanged, the time goes into this narrow table
  // instead of its row. Rewriting a whole row (~3 KB, with its abstract) only to move
  // last_seen_at cost most of a re-ingest: every page of the table was written again. A
  // paper's last-seen time is the later of the two (ROW_FIELDS); a change to the row writes
  // papers.last_seen_at, which is then the later one.
  `
  CREATE TABLE paper_seen (
    paper INTEGER PRIMARY KEY REFERENCES papers(rowid) ON DELETE CASCADE,
    seen_at TEXT NOT NULL
  );
  -- The few papers known only by their title: what a paper arriving with its id looks for.
  CREATE INDEX papers_title_only ON papers(title_key) WHERE id IS NULL;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** A batch's lookups, read ahead (Store.prefetch). */
interface Prefetched {
  byId: Map<string, PaperRow>;
  /** By title key, oldest first: the rows without an id, and for a paper without one every row. */
  byTitle: Map<string, { rowid: number; id: string | null }[]>;
  /** Ids and title keys whose rows this batch wrote. */
  written: Set<string>;
}

interface PaperRow {
  rowid: number;
  id: string | null;
  title_key: string;
  title: string;
  summary: string | null;
  authors: string;
  author_count: number | null;
  published_at: string | null;
  daily_date: string | null;
  upvotes: number | null;
  comments: number | null;
  url: string | null;
  arxiv_url: string | null;
  pdf_url: string | null;
  github_repo: string | null;
  project_page: string | null;
  github_stars: number | null;
  keywords: string;
  ai_summary: string | null;
  organization: string | null;
  categories: string;
  sources: string;
  first_seen_at: string;
  last_seen_at: string;
  journal_ref: string | null;
  arxiv_comment: string | null;
  doi: string | null;
}

const SOURCE_ORDER: SourceName[] = ['hf', 'arxiv', 'import'];

function rowToPaper(r: PaperRow): Paper {
  return {
    id: r.id,
    title: r.title,
    summary: r.summary,
    authors: JSON.parse(r.authors) as string[],
    authorCount: r.author_count,
    publishedAt: r.published_at,
    dailyDate: r.daily_date,
    upvotes: r.upvotes,
    comments: r.comments,
    url: r.url,
    arxivUrl: r.arxiv_url,
    pdfUrl: r.pdf_url,
    githubRepo: r.github_repo,
    projectPage: r.project_page,
    githubStars: r.github_stars,
    keywords: JSON.parse(r.keywords) as string[],
    aiSummary: r.ai_summary,
    organization: r.organization,
    categories: JSON.parse(r.categories) as string[],
    sources: JSON.parse(r.sources) as SourceName[],
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
    journalRef: r.journal_ref,
    arxivComment: r.arxiv_comment,
    doi: r.doi,
  };
}

const PAPER_COLUMNS = [
  'id', 'title_key', 'title', 'summary', 'authors', 'author_count', 'published_at', 'daily_date', 'upvotes',
  'comments', 'url', 'arxiv_url', 'pdf_url', 'github_repo', 'project_page', 'github_stars', 'keywords',
  'ai_summary', 'organization', 'categories', 'sources', 'first_seen_at', 'last_seen_at',
  'journal_ref', 'arxiv_comment', 'doi',
] as const;

/**
 * A paper's columns as every read takes them (`p` is the papers table): its last-seen time is
 * the later of the row's and the one paper_seen holds (schema v3).
 */
const ROW_FIELDS = ['p.rowid AS rowid', ...PAPER_COLUMNS.map((c) => (c === 'last_seen_at'
  ? "max(p.last_seen_at, coalesce((SELECT seen_at FROM paper_seen WHERE paper = p.rowid), '')) AS last_seen_at"
  : `p.${c}`))].join(', ');
const ROW_SELECT = `SELECT ${ROW_FIELDS} FROM papers p`;

/**
 * A row read in raw mode (an array, columns in ROW_FIELDS' order) as a PaperRow: building
 * the object here is twice as fast as the driver's own objects, which a batch reads thousands of.
 */
function rowFromArray(a: unknown[]): PaperRow {
  return {
    rowid: a[0] as PaperRow['rowid'],
    id: a[1] as PaperRow['id'],
    title_key: a[2] as PaperRow['title_key'],
    title: a[3] as PaperRow['title'],
    summary: a[4] as PaperRow['summary'],
    authors: a[5] as PaperRow['authors'],
    author_count: a[6] as PaperRow['author_count'],
    published_at: a[7] as PaperRow['published_at'],
    daily_date: a[8] as PaperRow['daily_date'],
    upvotes: a[9] as PaperRow['upvotes'],
    comments: a[10] as PaperRow['comments'],
    url: a[11] as PaperRow['url'],
    arxiv_url: a[12] as PaperRow['arxiv_url'],
    pdf_url: a[13] as PaperRow['pdf_url'],
    github_repo: a[14] as PaperRow['github_repo'],
    project_page: a[15] as PaperRow['project_page'],
    github_stars: a[16] as PaperRow['github_stars'],
    keywords: a[17] as PaperRow['keywords'],
    ai_summary: a[18] as PaperRow['ai_summary'],
    organization: a[19] as PaperRow['organization'],
    categories: a[20] as PaperRow['categories'],
    sources: a[21] as PaperRow['sources'],
    first_seen_at: a[22] as PaperRow['first_seen_at'],
    last_seen_at: a[23] as PaperRow['last_seen_at'],
    journal_ref: a[24] as PaperRow['journal_ref'],
    arxiv_comment: a[25] as PaperRow['arxiv_comment'],
    doi: a[26] as PaperRow['doi'],
  };
}

// Made once: building them for every row was a tenth of a fresh ingest.
const INSERT_PAPER = `INSERT INTO papers (${PAPER_COLUMNS.join(', ')}) VALUES (${PAPER_COLUMNS.map((c) => '@' + c).join(', ')})`;
const UPDATE_PAPER = `UPDATE papers SET ${PAPER_COLUMNS.map((c) => `${c} = @${c}`).join(', ')} WHERE rowid = @rowid`;

function paperParams(p: Paper): Record<(typeof PAPER_COLUMNS)[number], unknown> {
  return {
    id: p.id,
    title_key: normalizeTitle(p.title),
    title: p.title,
    summary: p.summary,
    authors: JSON.stringify(p.authors),
    author_count: p.authorCount,
    published_at: p.publishedAt,
    daily_date: p.dailyDate,
    upvotes: p.upvotes,
    comments: p.comments,
    url: p.url,
    arxiv_url: p.arxivUrl,
    pdf_url: p.pdfUrl,
    github_repo: p.githubRepo,
    project_page: p.projectPage,
    github_stars: p.githubStars,
    keywords: JSON.stringify(p.keywords),
    ai_summary: p.aiSummary,
    organization: p.organization,
    categories: JSON.stringify(p.categories),
    sources: JSON.stringify(p.sources),
    first_seen_at: p.firstSeenAt,
    last_seen_at: p.lastSeenAt,
    journal_ref: p.journalRef ?? null,
    arxiv_comment: p.arxivComment ?? null,
    doi: p.doi ?? null,
  };
}



/**
 * Merge what a listing says about a paper into what the cache knows. A field the listing did
 * not give (null, or an empty list) never erases a known one; counts take the latest value;
 * sources accumulate; an author list never shrinks to a shorter one.
 */
export function mergePaper(old: Paper, incoming: ParsedPaper, now: string): Paper {
  const pick = <T>(a: T | null, b: T | null): T | null => (a ?? b);
  const list = (a: string[], b: string[]): string[] => (a.length > 0 ? a : b);
  const authors = incoming.authors.length >= old.authors.length ? incoming.authors : old.authors;
  const sources = SOURCE_ORDER.filter((s) => old.sources.includes(s) || incoming.sources.includes(s));
  return {
    id: old.id ?? incoming.id,
    title: incoming.title || old.title,
    summary: pick(incoming.summary, old.summary),
    authors,
    authorCount: authors.length > 0 ? Math.max(authors.length, incoming.authorCount ?? 0) : pick(incoming.authorCount, old.authorCount),
    publishedAt: pick(incoming.publishedAt, old.publishedAt),
    dailyDate: pick(incoming.dailyDate, old.dailyDate),
    upvotes: pick(incoming.upvotes, old.upvotes),
    comments: pick(incoming.comments, old.comments),
    url: pick(incoming.url, old.url),
    arxivUrl: pick(incoming.arxivUrl, old.arxivUrl),
    pdfUrl: pick(incoming.pdfUrl, old.pdfUrl),
    githubRepo: pick(incoming.githubRepo, old.githubRepo),
    projectPage: pick(incoming.projectPage, old.projectPage),
    githubStars: pick(incoming.githubStars, old.githubStars),
    keywords: list(incoming.keywords, old.keywords),
    aiSummary: pick(incoming.aiSummary, old.aiSummary),
    organization: pick(incoming.organization, old.organization),
    categories: list(incoming.categories, old.categories),
    sources,
    firstSeenAt: old.firstSeenAt,
    lastSeenAt: now,
    journalRef: pick(incoming.journalRef ?? null, old.journalRef ?? null),
    arxivComment: pick(incoming.arxivComment ?? null, old.arxivComment ?? null),
    doi: pick(incoming.doi ?? null, old.doi ?? null),
  };
}

/** True when two records differ in anything but lastSeenAt (null and a missing field are alike). */
function differs(a: Paper, b: Paper): boolean {
  // Both come from rowToPaper or mergePaper, which give every field.
  for (const k in a) {
    if (k === 'lastSeenAt') continue;
    const x = a[k as keyof Paper] ?? null;
    const y = b[k as keyof Paper] ?? null;
    if (x === y) continue;
    if (Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((v, i) => v === y[i])) continue;
    return true;
  }
  return false;
}

/** The columns of the full-text index, in its order. */
const FTS_COLUMNS = ['title', 'summary', 'authors', 'keywords', 'categories'] as const;

export interface UpsertResult {
  inserted: number;
  updated: number;
  unchanged: number;
  /** The stored rowid of each input paper, in input order. */
  rowids: number[];
  /** The rowids of papers that were new to the cache. */
  newRowids: number[];
}

export type SortKey = 'upvotes' | 'date' | 'title' | 'relevance' | 'rank' | 'rising';

/** A query over the cache. Every value is bound as a parameter; none is spliced into SQL. */
export interface PaperFilter {
  /** Only papers on this daily list (and `rank` sorting by their place on it). */
  listDate?: string;
  listSource?: SourceName;
  /** An FTS5 MATCH expression, built by the query module. */
  match?: string;
  /** An FTS5 expression papers must not match (a query that only excludes). */
  notMatch?: string;
  author?: string;
  since?: string;
  until?: string;
  minUpvotes?: number;
  source?: SourceName;
  sort?: SortKey;
  limit?: number;
}

export interface ListInfo {
  source: string;
  listDate: string;
  fetchedAt: string;
  paperCount: number;
  etag: string | null;
}

export interface SyncLogEntry {
  id: number;
  source: string;
  rangeFrom: string | null;
  rangeTo: string | null;
  startedAt: string;
  endedAt: string | null;
  requests: number;
  papersNew: number;
  papersUpdated: number;
  outcome: string;
  error: string | null;
}

interface SyncLogRow {
  id: number; source: string; range_from: string | null; range_to: string | null; started_at: string; ended_at: string | null;
  requests: number; papers_new: number; papers_updated: number; outcome: string; error: string | null;
}

function syncLogEntry(r: SyncLogRow): SyncLogEntry {
  return {
    id: r.id, source: r.source, rangeFrom: r.range_from, rangeTo: r.range_to, startedAt: r.started_at, endedAt: r.ended_at,
    requests: r.requests, papersNew: r.papers_new, papersUpdated: r.papers_updated, outcome: r.outcome, error: r.error,
  };
}

export interface StoreOptions {
  readonly?: boolean;
  /** How long to wait for another writer before failing, in ms. */
  busyTimeoutMs?: number;
}

export class Store {
  readonly path: string;
  private readonly db: BetterSqlite3.Database;
  private readonly stmts = new Map<string, BetterSqlite3.Statement>();
  /** Rows written in this transaction whose text is not in the full-text index yet. */
  private unindexed: [number, Record<(typeof FTS_COLUMNS)[number], unknown>][] = [];
  /** Rows a batch found unchanged: their time goes into paper_seen in one statement at its end. */
  private seen: number[] = [];
  /** What a batch's papers match in the cache, read in two statements before the batch (see prefetch). */
  private batch: Prefetched | null = null;

  private constructor(path: string, db: BetterSqlite3.Database) {
    this.path = path;
    this.db = db;
  }

  /** Open (and create or migrate) the cache at `path`. */
  static open(path: string, opts: StoreOptions = {}): Store {
    const Database = BetterSqlite3;
    let db: BetterSqlite3.Database;
    try {
      if (path !== ':memory:' && !opts.readonly) mkdirSync(dirname(path), { recursive: true });
      db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
      db.pragma(`busy_timeout = ${Math.trunc(opts.busyTimeoutMs ?? 15_000)}`);
      db.function('fold', { deterministic: true }, (s: unknown) => (typeof s === 'string' ? foldText(s) : null));
    } catch (err) {
      throw new StoreError(`cannot open the cache ${path}: ${(err as Error).message}`, {
        cause: err,
        hint: 'check the path and its permissions, or pass --db <path>',
      });
    }
    const store = new Store(path, db);
    try {
      store.migrate(opts.readonly ?? false);
    } catch (err) {
      db.close();
      if (err instanceof StoreError) throw err;
      throw new StoreError(`cannot use the cache ${path}: ${(err as Error).message}`, {
        cause: err,
        hint: 'is it a papers cache? move it away or pass --db <path>',
      });
    }
    return store;
  }

  private migrate(readonly: boolean): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new StoreError(`the cache ${this.path} was written by a newer papers (schema ${version}, this one knows ${SCHEMA_VERSION})`, {
        hint: 'upgrade papers, or pass --db <path> to use another cache',
      });
    }
    if (readonly) return;
    // A new cache gets 8 KiB pages (rows with an abstract are ~3 KB): a fifth faster to write
    // and smaller. It only takes effect before the first write, so it is a no-op afterwards.
    if (version === 0) this.db.pragma('page_size = 8192');
    if (this.db.pragma('journal_mode', { simple: true }) !== 'wal') this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // Checkpoint the WAL every 128 MiB instead of every 8: each checkpoint syncs the file, and
    // bulk writes (fetch --from, import) ran a fifth slower. The WAL goes when the cache closes.
    this.db.pragma('wal_autocheckpoint = 16384');
    this.db.pragma('foreign_keys = ON');
    if (version === SCHEMA_VERSION) return;
    // BEGIN IMMEDIATE: two processes migrating at once take turns instead of failing.
    this.db.transaction(() => {
      const current = this.db.pragma('user_version', { simple: true }) as number;
      for (let v = current; v < SCHEMA_VERSION; v++) this.db.exec(MIGRATIONS[v]!);
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
  }

  close(): void {
    this.db.close();
  }

  private stmt(sql: string): BetterSqlite3.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /** Run `fn` in one write transaction (BEGIN IMMEDIATE, so concurrent writers queue). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private findExisting(p: ParsedPaper, titleKey: string): { byId?: PaperRow; byTitle?: PaperRow } {
    const pre = this.batch;
    if (pre && !pre.written.has(titleKey) && !(p.id && pre.written.has(p.id))) {
      const byId = p.id ? pre.byId.get(p.id) : undefined;
      const hits = pre.byTitle.get(titleKey) ?? [];
      // The same choice as the statements below: a paper with an id takes the oldest row known
      // only by this title; one without takes a row with an id first, else the oldest.
      const hit = p.id ? hits.find((h) => h.id === null) : (hits.find((h) => h.id !== null) ?? hits[0]);
      // Rare (a paper known by its title only), so its row is read when it is met.
      const byTitle = hit ? (this.stmt(`${ROW_SELECT} WHERE rowid = ?`).get(hit.rowid) as PaperRow) : undefined;
      return { byId, byTitle };
    }
    const byId = p.id ? (this.stmt(`${ROW_SELECT} WHERE id = ?`).get(p.id) as PaperRow | undefined) : undefined;
    const byTitle = p.id
      ? (this.stmt(`${ROW_SELECT} WHERE title_key = ? AND id IS NULL ORDER BY rowid LIMIT 1`).get(titleKey) as PaperRow | undefined)
      : (this.stmt(`${ROW_SELECT} WHERE title_key = ? ORDER BY id IS NULL, rowid LIMIT 1`).get(titleKey) as PaperRow | undefined);
    return { byId, byTitle };
  }

  /**
   * Read what a batch's papers match (rows by id, and rows by title: see Prefetched) in two
   * statements instead of two a paper: the per-statement cost of the driver was most of a re-ingest. A
   * key whose rows the batch then writes is looked up again (`written`).
   */
  private prefetch(papers: ParsedPaper[], titleKeys: string[]): Prefetched {
    const ids = papers.flatMap((p) => (p.id ? [p.id] : []));
    const rows = (this.stmt(`${ROW_SELECT} WHERE id IN (SELECT value FROM json_each(?))`).raw().all(JSON.stringify(ids)) as unknown[][]).map(rowFromArray);
    const byTitle = new Map<string, { rowid: number; id: string | null }[]>();
    // A paper with an id looks for rows known only by its title (a small index); one without
    // looks at every row of its title.
    const hits = this.stmt(`SELECT rowid, id, title_key FROM papers INDEXED BY papers_title_only WHERE id IS NULL AND title_key IN (SELECT value FROM json_each(@all))
      UNION SELECT rowid, id, title_key FROM papers WHERE title_key IN (SELECT value FROM json_each(@idless)) ORDER BY rowid`)
      .all({ all: JSON.stringify(titleKeys), idless: JSON.stringify(titleKeys.filter((_, i) => !papers[i]!.id)) }) as { rowid: number; id: string | null; title_key: string }[];
    for (const h of hits) {
      const list = byTitle.get(h.title_key);
      if (list) list.push(h);
      else byTitle.set(h.title_key, [h]);
    }
    return {
      byId: new Map(rows.map((r) => [r.id!, r])),
      byTitle,
      written: new Set(),
    };
  }

  /** Note that the rows of these ids and title keys changed: the prefetched answers for them are stale. */
  private wrote(...keys: (string | null)[]): void {
    if (!this.batch) return;
    for (const k of keys) if (k) this.batch.written.add(k);
  }

  private insertRow(p: Paper): number {
    const params = paperParams(p);
    const rowid = Number(this.stmt(INSERT_PAPER).run(params).lastInsertRowid);
    this.indexText(rowid, params);
    this.recordCounts(rowid, p);
    return rowid;
  }

  /**
   * Add a row's text to the full-text index (no trigger does it: see migration v2), at the end
   * of the batch: a statement that opens a savepoint (an INSERT OR REPLACE, a foreign-key check)
   * makes FTS5 flush the terms it holds, and flushing after every paper is what made ingest slow.
   */
  private indexText(rowid: number, row: Record<(typeof FTS_COLUMNS)[number], unknown>): void {
    this.unindexed.push([rowid, row]);
  }

  /** Write the pending rows into the full-text index (before anything reads or deletes from it). */
  private flushIndex(): void {
    const insert = this.stmt(`INSERT INTO papers_fts (rowid, ${FTS_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?)`);
    for (const [rowid, row] of this.unindexed) insert.run(rowid, row.title, row.summary, row.authors, row.keywords, row.categories);
    this.unindexed = [];
  }

  /** Keep a snapshot of the counts when a paper has them (on insert, and when they change). */
  private recordCounts(rowid: number, p: Paper): void {
    if (p.upvotes === null && p.comments === null) return;
    this.stmt('INSERT OR REPLACE INTO count_history (paper, seen_at, upvotes, comments) VALUES (?, ?, ?, ?)').run(rowid, p.lastSeenAt, p.upvotes, p.comments);
  }

  /** Rewrite a stored row (`old`, as read) with `p`; the index is redone only when its text changed. */
  private updateRow(old: PaperRow, p: Paper): void {
    const params = paperParams(p);
    this.stmt(UPDATE_PAPER).run({ ...params, rowid: old.rowid });
    if (FTS_COLUMNS.some((c) => params[c] !== old[c])) {
      // An external-content FTS5 row is deleted by giving it the values it was indexed with.
      this.flushIndex();
      this.stmt(`INSERT INTO papers_fts (papers_fts, rowid, ${FTS_COLUMNS.join(', ')}) VALUES ('delete', ?, ?, ?, ?, ?, ?)`)
        .run(old.rowid, old.title, old.summary, old.authors, old.keywords, old.categories);
      this.indexText(old.rowid, params);
    }
  }

  /** Store one parsed paper; call inside a transaction. */
  private upsertOne(p: ParsedPaper, titleKey: string, now: string): { rowid: number; outcome: 'inserted' | 'updated' | 'unchanged' } {
    const { byId, byTitle } = this.findExisting(p, titleKey);
    let target = byId ?? byTitle;
    if (!target) {
      this.wrote(p.id, titleKey);
      return { rowid: this.insertRow({ ...p, firstSeenAt: now, lastSeenAt: now }), outcome: 'inserted' };
    }
    const stored = rowToPaper(target);
    let old = stored;
    if (byId && byTitle && byTitle.rowid !== byId.rowid) {
      // A paper first known only by its title now arrives with its id: fold the two into one.
      this.flushIndex(); // the delete below takes its row out of the index
      this.wrote(byTitle.title_key);
      old = mergePaper(old, rowToPaper(byTitle), now);
      old.firstSeenAt = byTitle.first_seen_at < byId.first_seen_at ? byTitle.first_seen_at : byId.first_seen_at;
      this.stmt('INSERT OR IGNORE INTO list_entries (source, list_date, paper, rank) SELECT source, list_date, ?, rank FROM list_entries WHERE paper = ?').run(byId.rowid, byTitle.rowid);
      this.stmt('UPDATE OR IGNORE count_history SET paper = ? WHERE paper = ?').run(byId.rowid, byTitle.rowid);
      this.stmt('DELETE FROM papers WHERE rowid = ?').run(byTitle.rowid);
      target = byId;
    }
    // A listing without an id was matched by its title: the title of the record with the id
    // (from HF or arXiv) stays; the id-less one only differs from it in case or punctuation.
    const merged = mergePaper(old, p.id === null && old.id !== null ? { ...p, title: old.title } : p, now);
    if (!differs(merged, stored)) {
      this.seen.push(target.rowid);
      return { rowid: target.rowid, outcome: 'unchanged' };
    }
    this.wrote(target.id, target.title_key, merged.id, normalizeTitle(merged.title));
    this.updateRow(target, merged);
    if (merged.upvotes !== target.upvotes || merged.comments !== target.comments) this.recordCounts(target.rowid, merged);
    return { rowid: target.rowid, outcome: 'updated' };
  }

  /** Store papers, merging each into what the cache already knows; one transaction. */
  upsertPapers(papers: ParsedPaper[], opts: { now?: string } = {}): UpsertResult {
    return this.transaction(() => this.upsertInTransaction(papers, opts.now ?? new Date().toISOString()));
  }

  private upsertInTransaction(papers: ParsedPaper[], now: string): UpsertResult {
    const result: UpsertResult = { inserted: 0, updated: 0, unchanged: 0, rowids: [], newRowids: [] };
    this.unindexed = [];
    this.seen = [];
    const titleKeys = papers.map((p) => normalizeTitle(p.title));
    this.batch = this.prefetch(papers, titleKeys);
    try {
      for (const [i, p] of papers.entries()) {
        const { rowid, outcome } = this.upsertOne(p, titleKeys[i]!, now);
        result[outcome]++;
        result.rowids.push(rowid);
        if (outcome === 'inserted') result.newRowids.push(rowid);
      }
      // The papers found unchanged were seen now: one statement for all of them, into the
      // narrow table (schema v3).
      if (this.seen.length > 0) {
        this.stmt('INSERT INTO paper_seen (paper, seen_at) SELECT value, ? FROM json_each(?) WHERE true ON CONFLICT (paper) DO UPDATE SET seen_at = excluded.seen_at')
          .run(now, JSON.stringify(this.seen));
      }
      this.flushIndex();
    } finally {
      // After a failure the transaction rolls back: nothing is pending.
      this.unindexed = [];
      this.seen = [];
      this.batch = null;
    }
    return result;
  }

  /**
   * Store a whole daily list: the papers, their ranks on the list, and the fact that the list
   * was fetched. One transaction: either all of it lands or none.
   */
  saveList(source: SourceName, listDate: string, papers: ParsedPaper[], opts: { now?: string; etag?: string | null } = {}): UpsertResult {
    const now = opts.now ?? new Date().toISOString();
    return this.transaction(() => {
      const result = this.upsertInTransaction(papers, now);
      // The list as stored: each paper once, at its first place. Rewritten only when it changed
      // (a list fetched again is mostly the same list).
      const entries: [number, number][] = [];
      const placed = new Set<number>();
      result.rowids.forEach((rowid, i) => {
        if (!placed.has(rowid)) entries.push([rowid, i + 1]);
        placed.add(rowid);
      });
      const json = JSON.stringify(entries);
      const stored = this.stmt("SELECT json_group_array(json_array(paper, rank)) FROM (SELECT paper, rank FROM list_entries WHERE source = ? AND list_date = ? ORDER BY rank)")
        .pluck().get(source, listDate) as string;
      if (stored !== json) {
        this.stmt('DELETE FROM list_entries WHERE source = ? AND list_date = ?').run(source, listDate);
        this.stmt('INSERT INTO list_entries (source, list_date, paper, rank) SELECT ?, ?, value ->> 0, value ->> 1 FROM json_each(?)').run(source, listDate, json);
      }
      this.stmt(`INSERT INTO lists (source, list_date, fetched_at, paper_count, etag) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (source, list_date) DO UPDATE SET fetched_at = excluded.fetched_at, paper_count = excluded.paper_count, etag = excluded.etag`)
        .run(source, listDate, now, papers.length, opts.etag ?? null);
      return result;
    });
  }

  /**
   * The latest list by its date, or the one of `listDate`. Days without a list (weekends) are
   * stored as empty lists by range fetches; the latest list is the latest one with papers.
   */
  listInfo(source: SourceName, listDate?: string): ListInfo | null {
    const row = (listDate
      ? this.stmt('SELECT * FROM lists WHERE source = ? AND list_date = ?').get(source, listDate)
      : this.stmt('SELECT * FROM lists WHERE source = ? ORDER BY paper_count > 0 DESC, list_date DESC LIMIT 1').get(source)) as
      | { source: string; list_date: string; fetched_at: string; paper_count: number; etag: string | null }
      | undefined;
    return row ? { source: row.source, listDate: row.list_date, fetchedAt: row.fetched_at, paperCount: row.paper_count, etag: row.etag } : null;
  }

  getPaper(id: string): Paper | null {
    const row = this.stmt(`${ROW_SELECT} WHERE id = ?`).get(id) as PaperRow | undefined;
    return row ? rowToPaper(row) : null;
  }

  /** Papers whose normalised title equals that of `title` (records without an id are found so). */
  findByTitle(title: string): Paper[] {
    return (this.stmt(`${ROW_SELECT} WHERE title_key = ? ORDER BY id IS NULL, rowid`).all(normalizeTitle(title)) as PaperRow[]).map(rowToPaper);
  }

  /** The daily lists a paper was on, with its rank there. */
  listsOf(id: string): { source: string; listDate: string; rank: number }[] {
    return this.stmt(`SELECT e.source, e.list_date AS listDate, e.rank FROM list_entries e JOIN papers p ON p.rowid = e.paper
      WHERE p.id = ? ORDER BY e.list_date`).all(id) as { source: string; listDate: string; rank: number }[];
  }

  /** The snapshots of a paper's upvotes and comments, oldest first. */
  countHistory(id: string): { seenAt: string; upvotes: number | null; comments: number | null }[] {
    return this.stmt(`SELECT h.seen_at AS seenAt, h.upvotes, h.comments FROM count_history h JOIN papers p ON p.rowid = h.paper
      WHERE p.id = ? ORDER BY h.seen_at`).all(id) as { seenAt: string; upvotes: number | null; comments: number | null }[];
  }

  // ---- fetching and syncing (issue 4) ----

  /** A conditional request found the list unchanged: it was checked (fetched) now. */
  touchList(source: SourceName, listDate: string, opts: { now?: string } = {}): void {
    this.stmt('UPDATE lists SET fetched_at = ? WHERE source = ? AND list_date = ?').run(opts.now ?? new Date().toISOString(), source, listDate);
  }

  /** The average number of papers on the last `n` stored lists of a source, or null. */
  papersPerList(source: SourceName, n = 30): number | null {
    const row = this.stmt('SELECT avg(paper_count) AS a FROM (SELECT paper_count FROM lists WHERE source = ? ORDER BY list_date DESC LIMIT ?)').get(source, n) as { a: number | null };
    return row.a;
  }

  /** Open a sync log entry (outcome 'running'); returns its id. */
  startSync(source: string, range: { from: string | null; to: string | null }, startedAt = new Date().toISOString()): number {
    return Number(this.stmt('INSERT INTO sync_log (source, range_from, range_to, started_at) VALUES (?, ?, ?, ?)').run(source, range.from, range.to, startedAt).lastInsertRowid);
  }

  /** Close a sync log entry with its outcome ('ok', 'failed', 'interrupted') and counts. */
  finishSync(id: number, r: { outcome: string; requests: number; papersNew: number; papersUpdated: number; error?: string | null; endedAt?: string }): void {
    this.stmt('UPDATE sync_log SET ended_at = ?, requests = ?, papers_new = ?, papers_updated = ?, outcome = ?, error = ? WHERE id = ?')
      .run(r.endedAt ?? new Date().toISOString(), r.requests, r.papersNew, r.papersUpdated, r.outcome, r.error ?? null, id);
  }

  /** The latest sync of a source (with `outcome`, e.g. 'ok', when given), or null. */
  lastSync(source: string, outcome?: string): SyncLogEntry | null {
    const row = (outcome === undefined
      ? this.stmt('SELECT * FROM sync_log WHERE source = ? ORDER BY started_at DESC, id DESC LIMIT 1').get(source)
      : this.stmt('SELECT * FROM sync_log WHERE source = ? AND outcome = ? ORDER BY started_at DESC, id DESC LIMIT 1').get(source, outcome)) as SyncLogRow | undefined;
    return row ? syncLogEntry(row) : null;
  }

  /** The sync log, newest first. */
  syncLog(limit = 50): SyncLogEntry[] {
    return (this.stmt('SELECT * FROM sync_log ORDER BY started_at DESC, id DESC LIMIT ?').all(limit) as SyncLogRow[]).map(syncLogEntry);
  }

  /** Entries still 'running' although no sync runs (the lock is ours): their process died. */
  endAbandonedSyncs(): number {
    return this.stmt("UPDATE sync_log SET outcome = 'interrupted', error = coalesce(error, 'the run stopped before it finished') WHERE outcome = 'running'").run().changes;
  }

  /** How many papers a compiled text query matches. */
  countMatching(q: { match?: string; notMatch?: string }): number {
    const { sql, params } = buildQuery(q);
    return (this.db.prepare(`SELECT count(*) AS n FROM (${sql})`).get(params) as { n: number }).n;
  }

  count(): number {
    return (this.stmt('SELECT count(*) AS n FROM papers').get() as { n: number }).n;
  }

  /**
   * How many papers dated `since` or later each compiled text query matches. The full-text
   * index is read only from the first such paper's rowid on: papers mostly arrive in date
   * order, so recent ones have the high rowids (a backfill of old papers only makes it slower).
   */
  countMatchingSince(queries: { match?: string; notMatch?: string }[], since: string): number[] {
    const day = 'coalesce(p.daily_date, p.published_at)';
    const lo = (this.db.prepare(`SELECT min(rowid) AS r FROM papers p WHERE ${day} >= ?`).get(since) as { r: number | null }).r;
    return queries.map((q) => {
      if (lo === null) return 0;
      if (!q.match) return this.countMatching({ ...q, since } as PaperFilter);
      const notMatch = q.notMatch ? ' AND p.rowid NOT IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH @notMatch)' : '';
      return (this.db.prepare(`SELECT count(*) AS n FROM papers_fts f JOIN papers p ON p.rowid = f.rowid WHERE papers_fts MATCH @match AND f.rowid >= @lo AND ${day} >= @since${notMatch}`)
        .get({ match: q.match, lo, since, ...(q.notMatch ? { notMatch: q.notMatch } : {}) }) as { n: number }).n;
    });
  }

  /** How many papers matching `filter` each day has (a paper's day: its daily list, else its arXiv date). */
  countByDay(filter: PaperFilter = {}): { day: string; papers: number }[] {
    const { sql, params } = buildQuery(filter);
    return this.db.prepare(`SELECT day, count(*) AS papers FROM (SELECT coalesce(daily_date, published_at) AS day FROM (${sql})) WHERE day IS NOT NULL GROUP BY day ORDER BY day`).all(params) as { day: string; papers: number }[];
  }

  /** The latest lastSeenAt of the papers matching `filter` (an Atom feed's updated time), or null. */
  latestSeen(filter: PaperFilter = {}): string | null {
    const { sql, params } = buildQuery(filter);
    return (this.db.prepare(`SELECT max(last_seen_at) AS t FROM (${sql})`).get(params) as { t: string | null }).t;
  }

  /**
   * Every paper's id, title, first author and date, in the order their rows were made (BibTeX
   * keys): a new row always comes after every row there is, and rowid order needs no sort.
   */
  *keyStubs(): Generator<{ id: string | null; title: string; firstAuthor: string | null; date: string | null }> {
    yield* this.db.prepare("SELECT id, title, json_extract(authors, '$[0]') AS firstAuthor, coalesce(published_at, daily_date) AS date FROM papers ORDER BY rowid").iterate() as IterableIterator<{ id: string | null; title: string; firstAuthor: string | null; date: string | null }>;
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
    const { sql, params } = buildQuery(filter);
    for (const row of this.db.prepare(sql).iterate(params) as IterableIterator<PaperRow>) yield rowToPaper(row);
  }

  /** Papers by rowid, in the given order. */
  byRowids(rowids: number[]): Paper[] {
    const get = this.stmt(`${ROW_SELECT} WHERE rowid = ?`);
    return rowids.map((r) => get.get(r) as PaperRow | undefined).filter((r): r is PaperRow => !!r).map(rowToPaper);
  }

  /** The database handle, for modules that own their own tables (sync log, history). */
  get handle(): BetterSqlite3.Database {
    return this.db;
  }
}

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
export function buildQuery(f: PaperFilter): { sql: string; params: Record<string, unknown> } {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  let from = 'papers p';
  if (f.listDate) {
    from += ' JOIN list_entries e ON e.paper = p.rowid AND e.list_date = @listDate AND e.source = @listSource';
    params.listDate = f.listDate;
    params.listSource = f.listSource ?? 'hf';
  }
  if (f.match) {
    from += ' JOIN papers_fts ON papers_fts.rowid = p.rowid';
    where.push('papers_fts MATCH @match');
    params.match = f.match;
  }
  if (f.notMatch) {
    where.push('p.rowid NOT IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH @notMatch)');
    params.notMatch = f.notMatch;
  }
  if (f.author) {
    // Case- and accent-insensitive containment over the JSON list of names.
    where.push("EXISTS (SELECT 1 FROM json_each(p.authors) a WHERE fold(a.value) LIKE @author ESCAPE '\\')");
    params.author = '%' + foldText(f.author).replace(/[\\%_]/g, (c) => '\\' + c) + '%';
  }
  // A paper's date is the day it was on a daily list, else its arXiv date.
  const dateExpr = 'coalesce(p.daily_date, p.published_at)';
  if (f.since) {
    where.push(`${dateExpr} >= @since`);
    params.since = f.since;
  }
  if (f.until) {
    where.push(`${dateExpr} <= @until`);
    params.until = f.until;
  }
  if (f.minUpvotes !== undefined) {
    where.push('p.upvotes >= @minUpvotes');
    params.minUpvotes = f.minUpvotes;
  }
  if (f.source) {
    where.push('EXISTS (SELECT 1 FROM json_each(p.sources) s WHERE s.value = @source)');
    params.source = f.source;
  }
  const sort = f.sort ?? (f.match ? 'relevance' : f.listDate ? 'rank' : 'date');
  const order: Record<SortKey, string> = {
    upvotes: 'p.upvotes IS NULL, p.upvotes DESC, p.rowid',
    date: `${dateExpr} IS NULL, ${dateExpr} DESC, p.upvotes IS NULL, p.upvotes DESC, p.rowid`,
    title: 'p.title COLLATE NOCASE, p.rowid',
    // Title matches weigh most, then keywords and authors, then the abstract.
    relevance: f.match ? `${RELEVANCE}, p.rowid` : 'p.rowid',
    rank: f.listDate ? 'e.rank' : 'p.rowid',
    rising: `${RISING_GAIN} IS NULL, ${RISING_GAIN} DESC, p.upvotes IS NULL, p.upvotes DESC, p.rowid`,
  };
  if (sort === 'rising') params.risingSince = new Date(Date.now() - RISING_WINDOW_MS).toISOString();
  if (f.match && sort === 'relevance' && f.limit !== undefined && where.length === 1 && !f.listDate) {
    // Only a text query: the best `limit` matches come straight from the index, then only their
    // rows are read (joining first read the row of every match, ~4x slower on common words).
    params.limit = f.limit;
    return {
      sql: `SELECT ${ROW_FIELDS} FROM (SELECT rowid, ${RELEVANCE} AS score FROM papers_fts WHERE papers_fts MATCH @match ORDER BY score, rowid LIMIT @limit) m
        JOIN papers p ON p.rowid = m.rowid ORDER BY m.score, m.rowid`,
      params,
    };
  }
  let sql = `SELECT ${ROW_FIELDS} FROM ${from}${where.length ? ' WHERE ' + where.join(' AND ') : ''} ORDER BY ${order[sort]}`;
  if (f.limit !== undefined) {
    sql += ' LIMIT @limit';
    params.limit = f.limit;
  }
  return { sql, params };
}
