/**
 * The cache's schema: named migrations in order. Entry i takes a cache from schema version i
 * to i + 1 (PRAGMA user_version); a migration is never edited once released, only added to.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { StoreError } from '../errors.js';
import { DAY_SPAN, dayBase } from './rowkey.js';

export interface Migration {
  name: string;
  sql: string;
  /** What SQL alone cannot do, run after `sql` in the same transaction. */
  run?: (db: BetterSqlite3.Database) => void;
}

/**
 * Every table with a column that refers to a paper's rowid (its foreign keys name papers), as
 * [table, column]: what moves with a paper whose rowid changes.
 */
export function paperReferences(db: BetterSqlite3.Database): [string, string][] {
  return db.prepare<[], [string, string]>(`SELECT m.name, f."from" FROM sqlite_schema m, pragma_foreign_key_list(m.name) f
    WHERE m.type = 'table' AND f."table" = 'papers' ORDER BY m.name`).raw().all();
}

/**
 * Give every paper the rowid of its day (rowkey.ts), in the order the rows were made within a
 * day, and keep that order in `made`. Every table that refers to papers follows, whichever
 * migrations made it; the full-text index, keyed by rowid, is built again.
 */
function renumberByDay(db: BetterSqlite3.Database): void {
  db.function('papers_day_base', { deterministic: true }, (d: unknown) => dayBase(typeof d === 'string' ? d : null));
  db.exec(`
  CREATE TEMP TABLE renumber (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);
  INSERT INTO temp.renumber (old, new)
    SELECT rowid, CASE WHEN b IS NULL THEN -n ELSE b * ${DAY_SPAN} + n - 1 END
    FROM (SELECT rowid, b, row_number() OVER (PARTITION BY b ORDER BY rowid) AS n
          FROM (SELECT rowid, papers_day_base(coalesce(daily_date, published_at)) AS b FROM papers));
  `);
  const fullest = db.prepare<[], number | null>(`SELECT max(n) FROM (SELECT count(*) AS n FROM papers
    WHERE coalesce(daily_date, published_at) IS NOT NULL GROUP BY papers_day_base(coalesce(daily_date, published_at)))`).pluck().get() ?? 0;
  if (fullest > DAY_SPAN) {
    throw new StoreError(`the cache holds ${DAY_SPAN} or more papers of one day`, { hint: 'papers cannot store more papers of one day' });
  }
  // The rows that refer to a paper move in the same transaction; checked at its end.
  db.pragma('defer_foreign_keys = ON');
  // A row cannot take a rowid another row still has: when a new rowid is an old one (papers of
  // days before 1900 count from 0), every row steps aside first.
  const clash = db.prepare('SELECT 1 FROM temp.renumber WHERE new <> old AND new IN (SELECT old FROM temp.renumber) LIMIT 1').get() !== undefined;
  if (clash) {
    db.exec(`UPDATE papers SET rowid = -rowid - ${2 ** 40}; UPDATE temp.renumber SET old = -old - ${2 ** 40}`);
    for (const [table, column] of paperReferences(db)) db.exec(`UPDATE "${table}" SET "${column}" = -"${column}" - ${2 ** 40}`);
  }
  db.exec(`UPDATE papers SET made = ${clash ? `-rowid - ${2 ** 40}` : 'rowid'}, rowid = (SELECT new FROM temp.renumber WHERE old = papers.rowid)`);
  for (const [table, column] of paperReferences(db)) {
    db.exec(`UPDATE "${table}" SET "${column}" = (SELECT new FROM temp.renumber WHERE old = "${table}"."${column}")`);
  }
  db.exec(`INSERT INTO papers_fts(papers_fts) VALUES ('rebuild'); DROP TABLE temp.renumber;`);
}

export const MIGRATIONS: readonly Migration[] = [
  {
    name: 'v1_initial',
    sql: `
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
  },
  {
    // the store writes the full-text index itself (insertRow, updateRow). Through a
    // trigger, every row's write opened a statement savepoint, and FTS5 flushes its pending terms
    // at each one: a tiny index segment per paper, and ingest three to five times slower. A
    // delete keeps its trigger (deletes are rare, and any DELETE stays consistent). Merging
    // index segments 8 at a time instead of 4 makes writing a quarter faster (npm run bench).
    name: 'v2_fts_written_by_store',
    sql: `
  DROP TRIGGER papers_ai;
  DROP TRIGGER papers_au;
  INSERT INTO papers_fts(papers_fts, rank) VALUES ('automerge', 8);
  `,
  },
  {
    // when a paper is seen again unchanged, the time goes into this narrow table
    // instead of its row. Rewriting a whole row (~3 KB, with its abstract) only to move
    // last_seen_at cost most of a re-ingest: every page of the table was written again. A
    // paper's last-seen time is the later of the two (ROW_FIELDS); a change to the row writes
    // papers.last_seen_at, which is then the later one.
    name: 'v3_paper_seen',
    sql: `
  CREATE TABLE paper_seen (
    paper INTEGER PRIMARY KEY REFERENCES papers(rowid) ON DELETE CASCADE,
    seen_at TEXT NOT NULL
  );
  -- The few papers known only by their title: what a paper arriving with its id looks for.
  CREATE INDEX papers_title_only ON papers(title_key) WHERE id IS NULL;
  `,
  },
  {
    // Fixed meanings for every date, and a record that does not depend on the order listings
    // arrived in: the arXiv announcement (day and section), the latest version's date and the
    // versions; per row, what decides between two values of a field (merge.ts); per paper seen
    // again unchanged, when each field was last seen (the later observation wins).
    name: 'v4_record_fidelity',
    sql: `
  ALTER TABLE papers ADD COLUMN announced_at TEXT;
  ALTER TABLE papers ADD COLUMN updated_at TEXT;
  ALTER TABLE papers ADD COLUMN arxiv_announce TEXT;
  ALTER TABLE papers ADD COLUMN versions TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE papers ADD COLUMN provenance TEXT NOT NULL DEFAULT '{}';
  ALTER TABLE paper_seen ADD COLUMN field_times TEXT;
  `,
  },
  {
    // Prefix queries that match what was typed: the index stems its words, so the store keeps
    // every indexed word unstemmed (folded as the index's tokenizer folds it) and turns a prefix
    // into the words that begin with it (words.ts). Built here from every paper's text, read
    // once through an unstemmed index that is dropped again.
    name: 'v5_prefix_words',
    sql: `
  CREATE TABLE words (word TEXT PRIMARY KEY) WITHOUT ROWID;
  CREATE VIRTUAL TABLE words_build USING fts5(text, content='', tokenize='unicode61 remove_diacritics 2');
  INSERT INTO words_build (rowid, text) SELECT rowid, concat_ws(' ', title, summary, authors, keywords, categories) FROM papers;
  CREATE VIRTUAL TABLE temp.words_build_vocab USING fts5vocab(main, words_build, 'row');
  INSERT INTO words (word) SELECT term FROM temp.words_build_vocab;
  DROP TABLE temp.words_build_vocab;
  DROP TABLE words_build;
  `,
  },
  {
    // Personal marks, watches and what digests delivered. Kept apart from the paper rows and
    // keyed by the paper's versionless arXiv id (or 't:' and its title key when it has none),
    // not by rowid: a re-fetch, a merge or `db prune` rewriting papers never touches them.
    name: 'v6_marks_and_watches',
    sql: `
  CREATE TABLE marks (
    paper_key TEXT PRIMARY KEY,
    title TEXT,
    seen INTEGER NOT NULL DEFAULT 0,
    starred INTEGER NOT NULL DEFAULT 0,
    hidden INTEGER NOT NULL DEFAULT 0,
    tags TEXT NOT NULL DEFAULT '[]',
    note TEXT,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX marks_starred ON marks(starred) WHERE starred = 1;
  CREATE TABLE watches (
    name TEXT PRIMARY KEY,
    query TEXT NOT NULL,
    min_upvotes INTEGER,
    created_at TEXT NOT NULL
  );
  -- A watch's matches: found by sync, delivered by a digest (delivered_at set once written).
  CREATE TABLE watch_matches (
    watch TEXT NOT NULL REFERENCES watches(name) ON DELETE CASCADE,
    paper_key TEXT NOT NULL,
    matched_at TEXT NOT NULL,
    delivered_at TEXT,
    PRIMARY KEY (watch, paper_key)
  ) WITHOUT ROWID;
  CREATE INDEX watch_matches_pending ON watch_matches(watch) WHERE delivered_at IS NULL;
  `,
  },
  {
    // OAI-PMH harvests that survive an interruption: per harvest (endpoint and set), the token
    // of the next page and the last page's responseDate, written in the transaction that stores
    // the page's records (harvest-state.ts).
    name: 'v7_harvest_state',
    sql: `
  CREATE TABLE IF NOT EXISTS harvest_state (
    harvest TEXT PRIMARY KEY,
    token TEXT,
    from_day TEXT,
    started_response_date TEXT,
    last_response_date TEXT,
    complete_response_date TEXT,
    pages INTEGER NOT NULL DEFAULT 0,
    records INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  },
  {
    // A paper's rowid follows its day (rowkey.ts): newest first is rowid order, which the table
    // and the full-text index read backwards and stop at a limit. The order rows were made in,
    // which BibTeX keys follow, is kept in `made`, its next number in `counters` (an index on it
    // would cost more to keep up than sorting the rare reads by it). The indexes on daily_date
    // and published_at go: every read by day goes by rowid now, and no query used them (a
    // paper's day is an expression of both).
    //
    // And counts kept, not recounted: papers by month of their day ('' for undated ones) and by
    // source, for `papers stats`. The store adds what a batch changes once at its end (ingest.ts);
    // a delete, rare and possibly by any statement, takes its row out by a trigger.
    name: 'v8_day_order_and_counts',
    sql: `
  ALTER TABLE papers ADD COLUMN made INTEGER;
  DROP INDEX papers_daily_date;
  DROP INDEX papers_published_at;
  CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO counters VALUES ('made', (SELECT coalesce(max(rowid), 0) FROM papers));
  CREATE TABLE month_counts (month TEXT PRIMARY KEY, papers INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE source_counts (source TEXT PRIMARY KEY, papers INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO month_counts SELECT coalesce(substr(coalesce(daily_date, published_at), 1, 7), ''), count(*) FROM papers GROUP BY 1;
  INSERT INTO source_counts SELECT s.value, count(*) FROM papers p, json_each(p.sources) s GROUP BY 1;
  CREATE TRIGGER papers_counts_ad AFTER DELETE ON papers BEGIN
    INSERT INTO month_counts VALUES (coalesce(substr(coalesce(old.daily_date, old.published_at), 1, 7), ''), -1)
      ON CONFLICT (month) DO UPDATE SET papers = papers - 1;
    INSERT INTO source_counts SELECT value, -1 FROM json_each(old.sources) WHERE true
      ON CONFLICT (source) DO UPDATE SET papers = papers - 1;
  END;
  `,
    run: renumberByDay,
  },
  {
    // Topic counts kept, not recounted (counts.ts): per day of rowids (rowkey.ts; -1 for every
    // undated paper) a stamp that every change to its papers bumps (the store as it writes; a
    // trigger for deletes), and per query (its compiled expression, numbered) the papers it
    // matched each day and in each block of 32 days (level 0 or 5: days as a power of two),
    // with the stamp they were counted at.
    name: 'v9_topic_counts',
    sql: `
  CREATE TABLE count_stamps (day INTEGER PRIMARY KEY, stamp INTEGER NOT NULL);
  INSERT INTO count_stamps (day, stamp) SELECT DISTINCT CASE WHEN rowid < 0 THEN -1 ELSE rowid >> 15 END, 1 FROM papers;
  CREATE TABLE count_queries (id INTEGER PRIMARY KEY, query TEXT NOT NULL UNIQUE);
  CREATE TABLE topic_counts (
    query INTEGER NOT NULL,
    level INTEGER NOT NULL,
    unit INTEGER NOT NULL,
    stamp INTEGER NOT NULL,
    papers INTEGER NOT NULL,
    PRIMARY KEY (query, level, unit)
  ) WITHOUT ROWID;
  CREATE TRIGGER papers_stamps_ad AFTER DELETE ON papers BEGIN
    INSERT INTO count_stamps (day, stamp) VALUES (CASE WHEN old.rowid < 0 THEN -1 ELSE old.rowid >> 15 END, 1)
      ON CONFLICT (day) DO UPDATE SET stamp = stamp + 1;
  END;
  `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Set the connection up and bring the schema to SCHEMA_VERSION. A read-only cache is only
 * checked: it must not be newer than this program.
 */
export function migrate(db: BetterSqlite3.Database, path: string, readonly: boolean): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new StoreError(`the cache ${path} was written by a newer papers (schema ${version}, this one knows ${SCHEMA_VERSION})`, {
      hint: 'upgrade papers, or pass --db <path> to use another cache',
    });
  }
  if (readonly) return;
  // A new cache gets 8 KiB pages (rows with an abstract are ~3 KB): a fifth faster to write
  // and smaller. It only takes effect before the first write, so it is a no-op afterwards.
  if (version === 0) db.pragma('page_size = 8192');
  if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Checkpoint the WAL every 128 MiB instead of every 8: each checkpoint syncs the file, and
  // bulk writes (fetch --from, import) ran a fifth slower. The WAL goes when the cache closes.
  db.pragma('wal_autocheckpoint = 16384');
  db.pragma('foreign_keys = ON');
  if (version === SCHEMA_VERSION) return;
  // BEGIN IMMEDIATE: two processes migrating at once take turns instead of failing.
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    for (let v = current; v < SCHEMA_VERSION; v++) {
      db.exec(MIGRATIONS[v]!.sql);
      MIGRATIONS[v]!.run?.(db);
    }
    // A migration may rewrite papers without bumping stamps (renumbering, rebuilding the
    // index): the kept topic counts (counts.ts) are counted again.
    if (db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'topic_counts'").get() !== undefined) db.exec('DELETE FROM topic_counts; DELETE FROM count_queries');
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
