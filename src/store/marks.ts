/**
 * Personal marks (seen, starred, hidden, tags, a note), watches and what digests delivered:
 * their SQL. Marks are keyed by the paper's key (PAPER_KEY), never by rowid, so that nothing
 * the fetched data does (a re-fetch, a merge, a prune) can touch them.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { FtsTerm, MarkTerm, QueryCond } from '../query.js';
import { normalizeTitle } from '../text.js';
import type { QueryParams, Statements } from './statements.js';

/** A paper's key (`p` is the papers table): its versionless arXiv id, else 't:' and its title key. */
export const PAPER_KEY = "coalesce(p.id, 't:' || p.title_key)";

/** The key of a paper given by id, or by title when it has none. */
export function paperKey(id: string | null, title: string): string {
  return id ?? 't:' + normalizeTitle(title);
}

/** A paper's marks as one JSON array column of a read (`p` is the papers table); null when it has none. */
export const MARKS_FIELD = `(SELECT json_array(mk.seen, mk.starred, mk.hidden, json(mk.tags), mk.note) FROM marks mk WHERE mk.paper_key = ${PAPER_KEY}) AS marks`;

export interface Marks {
  seen: boolean;
  starred: boolean;
  hidden: boolean;
  tags: string[];
  note: string | null;
}

/** The marks of a read row (its MARKS_FIELD column). */
export function marksOf(json: string | null | undefined): Marks {
  if (!json) return { seen: false, starred: false, hidden: false, tags: [], note: null };
  const [seen, starred, hidden, tags, note] = JSON.parse(json) as [number, number, number, string[], string | null];
  return { seen: seen === 1, starred: starred === 1, hidden: hidden === 1, tags, note };
}

/** The filters of --unseen, --starred, --hidden and --tag. */
export interface MarkFilter {
  unseen?: boolean;
  starred?: boolean;
  /** 'only': hidden papers only (--hidden); 'exclude': left out (the default of list and today). */
  hidden?: 'only' | 'exclude';
  /** Papers with any of these tags. */
  tags?: string[];
}

/**
 * Whether a paper has a mark passing `cond`. Marks are keyed by the paper's id, or by its title
 * key when it has none (PAPER_KEY). `rowid` null: tested per row, a lookup in the marks table by
 * the row's key, which costs nothing for the few rows a newest-first list or a day reads, whatever
 * the number of marks. `rowid` given: as a set of the marked papers' rowids, read once per query,
 * which ranking by relevance needs to rank from the full-text index alone (per row, every
 * match's row was read first: thousands of rows for "diffusion video" at 1M); its cost grows with
 * the marks (20,000 `seen` marks: ~115 ms), so nothing else uses it.
 */
const hasMark = (cond: string, rowid: string | null) => rowid === null
  ? `EXISTS (SELECT 1 FROM marks mk WHERE mk.paper_key = ${PAPER_KEY} AND ${cond})`
  : `${rowid} IN (SELECT mp.rowid FROM marks mk CROSS JOIN papers mp ON mp.id = mk.paper_key WHERE ${cond}
  UNION ALL SELECT mp.rowid FROM marks mk CROSS JOIN papers mp INDEXED BY papers_title_only ON mp.id IS NULL AND mp.title_key = substr(mk.paper_key, 3) WHERE mk.paper_key GLOB 't:*' AND ${cond})`;

function markSql(m: MarkTerm, params: QueryParams, name: string): string {
  switch (m.mark) {
    case 'starred':
      return hasMark('mk.starred = 1', null);
    case 'seen':
      return hasMark('mk.seen = 1', null);
    case 'hidden':
      return hasMark('mk.hidden = 1', null);
    case 'note':
      return hasMark("mk.note IS NOT NULL AND mk.note <> ''", null);
    case 'tag':
      params[name] = m.tag ?? '';
      return hasMark(`EXISTS (SELECT 1 FROM json_each(mk.tags) t WHERE t.value = @${name})`, null);
  }
}

/** The SQL conditions of a MarkFilter (ANDed); `rowid`: as rowid sets on it (see hasMark). */
export function markFilterSql(f: MarkFilter, params: QueryParams, rowid: string | null): string[] {
  const where: string[] = [];
  if (f.unseen) where.push(`NOT ${hasMark('mk.seen = 1', rowid)}`);
  if (f.starred) where.push(hasMark('mk.starred = 1', rowid));
  if (f.hidden === 'only') where.push(hasMark('mk.hidden = 1', rowid));
  if (f.hidden === 'exclude') where.push(`NOT ${hasMark('mk.hidden = 1', rowid)}`);
  if (f.tags?.length) {
    params.markTags = JSON.stringify(f.tags);
    where.push(hasMark('EXISTS (SELECT 1 FROM json_each(mk.tags) t WHERE t.value IN (SELECT value FROM json_each(@markTags)))', rowid));
  }
  return where;
}

/**
 * A query's condition tree as SQL: full-text parts as rowid sets of the index, mark terms as
 * lookups of the marks table, combined as written (NOT is exact: both sides are never NULL).
 */
export function condSql<T extends FtsTerm>(cond: QueryCond<T>, params: QueryParams, fts?: (c: T, name: string) => string): string {
  let n = 0;
  const walk = (c: QueryCond<T>): string => {
    switch (c.kind) {
      case 'fts': {
        const name = `cond${n++}`;
        if (fts) return fts(c, name);
        params[name] = c.match;
        return `p.rowid IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH @${name})`;
      }
      case 'mark':
        return markSql(c, params, `cond${n++}`);
      case 'not':
        return `NOT (${walk(c.item)})`;
      default:
        return `(${c.items.map(walk).join(c.kind === 'and' ? ' AND ' : ' OR ')})`;
    }
  };
  return walk(cond);
}

/** The papers a watch matched (`pending`: only those not delivered yet), as a condition on `p`. */
export function watchSql(watch: { name: string; pending: boolean }, params: QueryParams): string {
  params.watchName = watch.name;
  const pending = watch.pending ? ' AND w.delivered_at IS NULL' : '';
  // Two indexed lookups (by id, and by title key for the few papers without one), not a scan.
  return `p.rowid IN (SELECT rowid FROM papers WHERE id IN (SELECT w.paper_key FROM watch_matches w WHERE w.watch = @watchName${pending})
    UNION ALL SELECT rowid FROM papers WHERE id IS NULL AND title_key IN (SELECT substr(w.paper_key, 3) FROM watch_matches w WHERE w.watch = @watchName AND w.paper_key LIKE 't:%'${pending}))`;
}

/** What a mark command changes; fields left out stay as they are. */
export interface MarkChange {
  seen?: boolean;
  starred?: boolean;
  hidden?: boolean;
  addTags?: string[];
  removeTags?: string[];
  /** A note; null or '' removes it. */
  note?: string | null;
}

/** One paper's marks as `marks export` writes them. */
export interface ExportedMarks extends Marks {
  id: string | null;
  title: string | null;
  updatedAt: string;
}

export interface Watch {
  name: string;
  query: string;
  minUpvotes: number | null;
  createdAt: string;
  /** Matches recorded, and those not delivered yet. */
  matches: number;
  pending: number;
}

/** The marks and watches tables. */
export class MarkStore {
  constructor(private readonly db: BetterSqlite3.Database, private readonly st: Statements) {}

  /**
   * The papers that `refs` name: an arXiv id in any form, else a title of a paper without
   * one. Returns each one's key and title, and the refs that name no cached paper.
   */
  resolve(refs: readonly string[], parseId: (s: string) => string | null): { found: { ref: string; key: string; id: string | null; title: string }[]; unknown: string[] } {
    const found: { ref: string; key: string; id: string | null; title: string }[] = [];
    const unknown: string[] = [];
    for (const ref of refs) {
      const id = parseId(ref);
      const row = id
        ? this.st.get<[string], { id: string | null; title: string }>('SELECT id, title FROM papers WHERE id = ?').get(id)
        : this.st.get<[string], { id: string | null; title: string }>('SELECT id, title FROM papers WHERE title_key = ? AND id IS NULL ORDER BY rowid LIMIT 1').get(normalizeTitle(ref));
      if (row) found.push({ ref, key: paperKey(row.id, row.title), id: row.id, title: row.title });
      else unknown.push(ref);
    }
    return { found, unknown };
  }

  /** The marks of one paper by key. */
  get(key: string): Marks {
    return marksOf(this.st.get<[string], string>('SELECT json_array(seen, starred, hidden, json(tags), note) FROM marks WHERE paper_key = ?').pluck().get(key));
  }

  /** Apply a change to papers (key and title); one transaction. */
  change(papers: readonly { key: string; title: string | null }[], c: MarkChange, now = new Date().toISOString()): void {
    const write = this.st.get<{ key: string; title: string | null; seen: number; starred: number; hidden: number; tags: string; note: string | null; now: string }>(
      `INSERT INTO marks (paper_key, title, seen, starred, hidden, tags, note, updated_at) VALUES (@key, @title, @seen, @starred, @hidden, @tags, @note, @now)
       ON CONFLICT (paper_key) DO UPDATE SET title = coalesce(excluded.title, title), seen = excluded.seen, starred = excluded.starred, hidden = excluded.hidden,
         tags = excluded.tags, note = excluded.note, updated_at = excluded.updated_at`);
    this.db.transaction(() => {
      for (const p of papers) {
        const m = this.get(p.key);
        let tags = m.tags.filter((t) => !(c.removeTags ?? []).includes(t));
        for (const t of c.addTags ?? []) if (!tags.includes(t)) tags.push(t);
        tags = tags.sort();
        const note = c.note === undefined ? m.note : c.note === null || c.note.trim() === '' ? null : c.note;
        write.run({
          key: p.key, title: p.title, seen: +(c.seen ?? m.seen), starred: +(c.starred ?? m.starred), hidden: +(c.hidden ?? m.hidden),
          tags: JSON.stringify(tags), note, now,
        });
      }
      // A paper with no mark left has no row: the table holds only what the user set.
      this.st.get("DELETE FROM marks WHERE seen = 0 AND starred = 0 AND hidden = 0 AND tags = '[]' AND note IS NULL").run();
    }).immediate();
  }

  /** Every paper's marks, by key order. */
  exportAll(): ExportedMarks[] {
    return this.st.get<[], { key: string; title: string | null; seen: number; starred: number; hidden: number; tags: string; note: string | null; updatedAt: string }>(
      'SELECT paper_key AS key, title, seen, starred, hidden, tags, note, updated_at AS updatedAt FROM marks ORDER BY paper_key').all()
      .map((r) => ({
        id: r.key.startsWith('t:') ? null : r.key, title: r.title, seen: r.seen === 1, starred: r.starred === 1, hidden: r.hidden === 1,
        tags: JSON.parse(r.tags) as string[], note: r.note, updatedAt: r.updatedAt,
      }));
  }

  /** Set the marks of each entry as given (replacing what the paper had); one transaction. Returns how many. */
  importAll(entries: readonly ExportedMarks[], now = new Date().toISOString()): number {
    const write = this.st.get<{ key: string; title: string | null; seen: number; starred: number; hidden: number; tags: string; note: string | null; now: string }>(
      `INSERT INTO marks (paper_key, title, seen, starred, hidden, tags, note, updated_at) VALUES (@key, @title, @seen, @starred, @hidden, @tags, @note, @now)
       ON CONFLICT (paper_key) DO UPDATE SET title = coalesce(excluded.title, title), seen = excluded.seen, starred = excluded.starred, hidden = excluded.hidden,
         tags = excluded.tags, note = excluded.note, updated_at = excluded.updated_at`);
    this.db.transaction(() => {
      for (const e of entries) {
        write.run({
          key: paperKey(e.id, e.title ?? ''), title: e.title, seen: +e.seen, starred: +e.starred, hidden: +e.hidden,
          tags: JSON.stringify([...new Set(e.tags)].sort()), note: e.note === null || e.note.trim() === '' ? null : e.note, now: e.updatedAt || now,
        });
      }
      this.st.get("DELETE FROM marks WHERE seen = 0 AND starred = 0 AND hidden = 0 AND tags = '[]' AND note IS NULL").run();
    }).immediate();
    return entries.length;
  }

  /** Mark papers seen by key (what `today --mark-seen` printed). */
  markSeen(papers: readonly { key: string; title: string }[], now = new Date().toISOString()): void {
    const write = this.st.get<[string, string, string]>(`INSERT INTO marks (paper_key, title, seen, updated_at) VALUES (?, ?, 1, ?)
      ON CONFLICT (paper_key) DO UPDATE SET seen = 1, updated_at = excluded.updated_at WHERE seen = 0`);
    this.db.transaction(() => {
      for (const p of papers) write.run(p.key, p.title, now);
    }).immediate();
  }

  /** How many papers are starred. */
  starredCount(): number {
    return this.st.get<[], number>('SELECT count(*) FROM marks WHERE starred = 1').pluck().get()!;
  }

  addWatch(name: string, query: string, minUpvotes: number | null, now = new Date().toISOString()): boolean {
    return this.st.get<[string, string, number | null, string]>('INSERT OR IGNORE INTO watches (name, query, min_upvotes, created_at) VALUES (?, ?, ?, ?)').run(name, query, minUpvotes, now).changes === 1;
  }

  removeWatch(name: string): boolean {
    return this.db.transaction(() => {
      this.st.get<[string]>('DELETE FROM watch_matches WHERE watch = ?').run(name);
      return this.st.get<[string]>('DELETE FROM watches WHERE name = ?').run(name).changes === 1;
    }).immediate();
  }

  watches(): Watch[] {
    return this.st.get<[], Watch>(`SELECT name, query, min_upvotes AS minUpvotes, created_at AS createdAt,
      (SELECT count(*) FROM watch_matches w WHERE w.watch = name) AS matches,
      (SELECT count(*) FROM watch_matches w WHERE w.watch = name AND w.delivered_at IS NULL) AS pending
      FROM watches ORDER BY name`).all();
  }

  watch(name: string): Watch | null {
    return this.watches().find((w) => w.name === name) ?? null;
  }

  /** Record a watch's matches among the papers a query selects (`sql`: rows with id and title_key). Returns how many were new. */
  recordMatches(name: string, sql: string, params: QueryParams, now = new Date().toISOString()): number {
    return this.db.prepare(`INSERT OR IGNORE INTO watch_matches (watch, paper_key, matched_at)
      SELECT @watchName, coalesce(m.id, 't:' || m.title_key), @matchedAt FROM (${sql}) m`).run({ ...params, watchName: name, matchedAt: now }).changes;
  }

  /** A digest was written: its papers are delivered for that watch. */
  markDelivered(name: string, keys: readonly string[], now = new Date().toISOString()): void {
    this.st.get<[string, string, string]>('UPDATE watch_matches SET delivered_at = ? WHERE watch = ? AND paper_key IN (SELECT value FROM json_each(?))')
      .run(now, name, JSON.stringify(keys));
  }

  /** Rowids of papers whose row was written at or after `since` (added or changed by an ingest). */
  changedSince(since: string): number[] {
    return this.st.get<[string], number>('SELECT rowid FROM papers WHERE last_seen_at >= ? ORDER BY rowid').pluck().all(since);
  }
}
