/**
 * Storing papers: one Batch per write transaction. It holds what the batch's papers match in
 * the cache (read ahead in two statements), the rows whose text is not in the full-text index
 * yet, and the rows seen again unchanged; nothing of it outlives the transaction.
 */
import type { Paper, ParsedPaper } from '../record.js';
import { normalizeTitle } from '../text.js';
import {
  FTS_COLUMNS, INGEST_SELECT, INSERT_PAPER, UPDATE_PAPER, paperParams, rowFromArray, rowProvenance, rowToPaper,
  type FtsText, type IngestRow, type PaperParams,
} from './columns.js';
import { differs, mergeStamped, sameRanks, stamp, type Provenance, type Stamped } from './merge.js';
import type { Statements } from './statements.js';
import { wordsOf } from './words.js';

type PaperRow = IngestRow;

/**
 * A stored row as a record with its provenance; a value seen again unchanged has its later
 * time (`pending`: this batch's, not written yet).
 */
function stampedRow(r: IngestRow, pending?: string): Stamped {
  const prov = rowProvenance(r);
  const times = pending ?? r.field_times;
  if (times) {
    for (const [f, t] of Object.entries(JSON.parse(times) as Provenance['at'])) {
      const k = f as keyof Provenance['at'];
      if (t && (prov.at[k] ?? '') < t) prov.at[k] = t;
    }
  }
  return { paper: rowToPaper(r), prov };
}

export interface UpsertResult {
  inserted: number;
  updated: number;
  unchanged: number;
  /** The stored rowid of each input paper, in input order. */
  rowids: number[];
  /** The rowids of papers that were new to the cache. */
  newRowids: number[];
}

type Outcome = 'inserted' | 'updated' | 'unchanged';
interface TitleHit { rowid: number; id: string | null; title_key: string }

export class Batch {
  private readonly byId: Map<string, PaperRow>;
  /** By title key, oldest first: the rows without an id, and for a paper without one every row. */
  private readonly byTitle = new Map<string, TitleHit[]>();
  /** Ids and title keys whose rows this batch wrote: their read-ahead answers are stale. */
  private readonly written = new Set<string>();
  /** Rows written in this batch whose text is not in the full-text index yet. */
  private unindexed: [number, FtsText][] = [];
  /**
   * Rows found unchanged: their time (and, when a count was seen again, when each count was)
   * goes into paper_seen in one statement at the end.
   */
  private readonly seen: [number, string | null][] = [];
  /** The field times of the rows this batch saw unchanged, by rowid, as they will be written. */
  private readonly pendingTimes = new Map<number, string>();
  private readonly titleKeys: string[];

  constructor(private readonly st: Statements, private readonly papers: ParsedPaper[], private readonly now: string) {
    this.titleKeys = papers.map((p) => normalizeTitle(p.title));
    // Read what the batch's papers match in two statements instead of two a paper: the
    // per-statement cost of the driver was most of a re-ingest.
    const ids = papers.flatMap((p) => (p.id ? [p.id] : []));
    const rows = st.get<[string], unknown[]>(`${INGEST_SELECT} WHERE id IN (SELECT value FROM json_each(?))`).raw().all(JSON.stringify(ids)).map(rowFromArray);
    this.byId = new Map(rows.map((r) => [r.id!, r]));
    // A paper with an id looks for rows known only by its title (a small index); one without
    // looks at every row of its title.
    const hits = st.get<{ all: string; idless: string }, TitleHit>(`SELECT rowid, id, title_key FROM papers INDEXED BY papers_title_only WHERE id IS NULL AND title_key IN (SELECT value FROM json_each(@all))
      UNION SELECT rowid, id, title_key FROM papers WHERE title_key IN (SELECT value FROM json_each(@idless)) ORDER BY rowid`)
      .all({ all: JSON.stringify(this.titleKeys), idless: JSON.stringify(this.titleKeys.filter((_, i) => !papers[i]!.id)) });
    for (const h of hits) {
      const list = this.byTitle.get(h.title_key);
      if (list) list.push(h);
      else this.byTitle.set(h.title_key, [h]);
    }
  }

  /** Store every paper of the batch; call inside a transaction. */
  run(): UpsertResult {
    const result: UpsertResult = { inserted: 0, updated: 0, unchanged: 0, rowids: [], newRowids: [] };
    for (const [i, p] of this.papers.entries()) {
      const { rowid, outcome } = this.upsertOne(p, this.titleKeys[i]!);
      result[outcome]++;
      result.rowids.push(rowid);
      if (outcome === 'inserted') result.newRowids.push(rowid);
    }
    if (this.seen.length > 0) {
      // A row seen unchanged may have been folded into another later in the batch (a title-only
      // row meeting its id): it is gone, as one-at-a-time storing would have left it.
      this.st.get<[string, string]>(`INSERT INTO paper_seen (paper, seen_at, field_times) SELECT value ->> 0, ?, value ->> 1 FROM json_each(?)
        WHERE value ->> 0 IN (SELECT rowid FROM papers) ON CONFLICT (paper) DO UPDATE SET seen_at = excluded.seen_at, field_times = coalesce(excluded.field_times, field_times)`)
        .run(this.now, JSON.stringify(this.seen));
    }
    this.flushIndex();
    return result;
  }

  private rowByRowid(rowid: number): PaperRow | undefined {
    return this.st.get<[number], PaperRow>(`${INGEST_SELECT} WHERE rowid = ?`).get(rowid);
  }

  private findExisting(p: ParsedPaper, titleKey: string): { byId?: PaperRow; byTitle?: PaperRow } {
    if (!this.written.has(titleKey) && !(p.id && this.written.has(p.id))) {
      const byId = p.id ? this.byId.get(p.id) : undefined;
      const hits = this.byTitle.get(titleKey) ?? [];
      // The same choice as the statements below: a paper with an id takes the oldest row known
      // only by this title; one without takes a row with an id first, else the oldest.
      const hit = p.id ? hits.find((h) => h.id === null) : (hits.find((h) => h.id !== null) ?? hits[0]);
      // Rare (a paper known by its title only), so its row is read when it is met.
      return { byId, byTitle: hit ? this.rowByRowid(hit.rowid) : undefined };
    }
    const byId = p.id ? this.st.get<[string], PaperRow>(`${INGEST_SELECT} WHERE id = ?`).get(p.id) : undefined;
    const byTitle = p.id
      ? this.st.get<[string], PaperRow>(`${INGEST_SELECT} WHERE title_key = ? AND id IS NULL ORDER BY rowid LIMIT 1`).get(titleKey)
      : this.st.get<[string], PaperRow>(`${INGEST_SELECT} WHERE title_key = ? ORDER BY id IS NULL, rowid LIMIT 1`).get(titleKey);
    return { byId, byTitle };
  }

  private wrote(...keys: (string | null)[]): void {
    for (const k of keys) if (k) this.written.add(k);
  }

  private insertRow({ paper, prov }: Stamped): number {
    const params = paperParams(paper, prov);
    const rowid = Number(this.st.get<PaperParams>(INSERT_PAPER).run(params).lastInsertRowid);
    this.unindexed.push([rowid, params]);
    this.recordCounts(rowid, paper);
    return rowid;
  }

  /**
   * Write the pending rows into the full-text index (no trigger does it: see migration v2),
   * before anything reads or deletes from it. Deferred to the end of the batch because a
   * statement that opens a savepoint makes FTS5 flush the terms it holds, and flushing after
   * every paper is what made ingest slow.
   */
  private flushIndex(): void {
    if (this.unindexed.length === 0) return;
    const insert = this.st.get<[number, ...FtsText[keyof FtsText][]]>(`INSERT INTO papers_fts (rowid, ${FTS_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?)`);
    const words = new Set<string>();
    for (const [rowid, row] of this.unindexed) {
      insert.run(rowid, row.title, row.summary, row.authors, row.keywords, row.categories);
      for (const c of FTS_COLUMNS) for (const w of wordsOf(row[c])) words.add(w);
    }
    // The unstemmed words, for prefix queries (words.ts): one statement for the batch.
    this.st.get<[string]>('INSERT OR IGNORE INTO words (word) SELECT value FROM json_each(?)').run(JSON.stringify([...words]));
    this.unindexed = [];
  }

  /** Keep a snapshot of the counts when a paper has them (on insert, and when they change). */
  private recordCounts(rowid: number, p: Paper): void {
    if (p.upvotes === null && p.comments === null) return;
    this.st.get<[number, string, number | null, number | null]>('INSERT OR REPLACE INTO count_history (paper, seen_at, upvotes, comments) VALUES (?, ?, ?, ?)')
      .run(rowid, p.lastSeenAt, p.upvotes, p.comments);
  }

  /** Rewrite a stored row (`old`, as read) with `p`; the index is redone only when its text changed. */
  private updateRow(old: PaperRow, { paper: p, prov }: Stamped): void {
    const params = paperParams(p, prov);
    this.st.get<PaperParams & { rowid: number }>(UPDATE_PAPER).run({ ...params, rowid: old.rowid });
    if (FTS_COLUMNS.some((c) => params[c] !== old[c])) {
      // An external-content FTS5 row is deleted by giving it the values it was indexed with.
      this.flushIndex();
      this.st.get<[number, ...FtsText[keyof FtsText][]]>(`INSERT INTO papers_fts (papers_fts, rowid, ${FTS_COLUMNS.join(', ')}) VALUES ('delete', ?, ?, ?, ?, ?, ?)`)
        .run(old.rowid, old.title, old.summary, old.authors, old.keywords, old.categories);
      this.unindexed.push([old.rowid, params]);
    }
  }

  private upsertOne(p: ParsedPaper, titleKey: string): { rowid: number; outcome: Outcome } {
    const now = this.now;
    const { byId, byTitle } = this.findExisting(p, titleKey);
    let target = byId ?? byTitle;
    if (!target) {
      this.wrote(p.id, titleKey);
      return { rowid: this.insertRow(stamp(p, now)), outcome: 'inserted' };
    }
    const stored = stampedRow(target, this.pendingTimes.get(target.rowid));
    let old = stored;
    if (byId && byTitle && byTitle.rowid !== byId.rowid) {
      // A paper first known only by its title now arrives with its id: fold the two into one.
      this.flushIndex(); // the delete below takes its row out of the index
      this.wrote(byTitle.title_key);
      old = mergeStamped(old, stampedRow(byTitle, this.pendingTimes.get(byTitle.rowid)));
      this.st.get<[number, number]>('INSERT OR IGNORE INTO list_entries (source, list_date, paper, rank) SELECT source, list_date, ?, rank FROM list_entries WHERE paper = ?').run(byId.rowid, byTitle.rowid);
      this.st.get<[number, number]>('UPDATE OR IGNORE count_history SET paper = ? WHERE paper = ?').run(byId.rowid, byTitle.rowid);
      this.st.get<[number]>('DELETE FROM papers WHERE rowid = ?').run(byTitle.rowid);
      target = byId;
    }
    // A listing without an id was matched by its title: the title of the record with the id
    // (from HF or arXiv) stays; the id-less one only differs from it in case or punctuation.
    const incoming = stamp(p.id === null && old.paper.id !== null ? { ...p, title: old.paper.title } : p, now);
    const merged = mergeStamped(old, incoming);
    merged.paper.lastSeenAt = now > old.paper.lastSeenAt ? now : old.paper.lastSeenAt;
    if (!differs(merged.paper, stored.paper) && sameRanks(merged.prov, stored.prov)) {
      // Unchanged: only the times move, in the narrow table (schema v3), the values' with them.
      const timesMoved = JSON.stringify(merged.prov.at) !== JSON.stringify(stored.prov.at);
      const times = timesMoved ? JSON.stringify(merged.prov.at) : null;
      this.seen.push([target.rowid, times]);
      if (times) this.pendingTimes.set(target.rowid, times);
      return { rowid: target.rowid, outcome: 'unchanged' };
    }
    this.wrote(target.id, target.title_key, merged.paper.id, normalizeTitle(merged.paper.title));
    this.updateRow(target, merged);
    if (merged.paper.upvotes !== target.upvotes || merged.paper.comments !== target.comments) this.recordCounts(target.rowid, { ...merged.paper, lastSeenAt: now });
    return { rowid: target.rowid, outcome: 'updated' };
  }
}
