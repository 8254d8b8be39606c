/**
 * Storing papers: one Batch per write transaction. It holds what the batch's papers match in
 * the cache (read ahead in two statements), the rows whose text is not in the full-text index
 * yet, and the rows seen again unchanged; nothing of it outlives the transaction.
 *
 * Kept whole past 400 lines: it is one class whose parts (look-ahead, new rowids, merge or
 * skip, pending rows and index entries, kept counts) share the transaction's state.
 */
import { inputDigest } from './input-digest.js';
import type { OriginKind, Paper, ParsedPaper } from '../record.js';
import { normalizeTitle } from '../text.js';
import {
  FTS_COLUMNS, INGEST_SELECT, INSERT_PAPER, UPDATE_PAPER, paperParams, rowFromArray, rowToPaper,
  type FtsText, type IngestRow, type PaperParams,
} from './columns.js';
import { decodeProvenance, differs, encodeProvenance, inputMask, mergeStamped, originOf, sameRanks, seenFieldTimes, stamp, type Provenance, type SeenTimes, type Stamped } from './merge.js';
import { DAY_SPAN, dayBase, dayBaseOfRowid } from './rowkey.js';
import { CountDeltas } from './counts.js';
import { findSkips, timesTakenAgain, type Skip } from './skip.js';
import { StoreError } from '../errors.js';
import { paperReferences } from './schema.js';
import type { Statements } from './statements.js';
import { wordsOf } from './words.js';

type PaperRow = IngestRow;

/**
 * A stored row as a record with its provenance; a value seen again unchanged has its later
 * time (`pending`: this batch's, not written yet).
 */
function stampedRow(r: IngestRow, pending?: string): Stamped {
  const prov = decodeProvenance(r.provenance);
  const times = pending ?? r.field_times;
  if (times) {
    for (const [f, t] of Object.entries(seenFieldTimes(JSON.parse(times) as SeenTimes))) {
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
  /** Rows rewritten in this batch, with how many rows had been seen unchanged by then. */
  private readonly rewrittenAt = new Map<number, number>();
  private readonly titleKeys: string[];
  /** The tables and columns that refer to papers (read at the first move). */
  private references: [string, string][] | null = null;
  /** The next free rowid of each day this batch stored a paper on (read once a day). */
  private readonly nextOfDay = new Map<number, number>();
  /** The next rowid for a paper without a day (they count down from -1), once read. */
  private nextUndated: number | null = null;
  /**
   * New rows not written yet, and their first count snapshots: written together in rowid order
   * (flushRows), which appends runs of a day to the table instead of splitting its pages at
   * every paper that arrives out of day order. Anything that reads or changes stored rows
   * writes them first.
   */
  private pendingRows: (PaperParams & { rowid: number; made: number })[] = [];
  private pendingHistory: [number, string, number | null, number | null][] = [];
  /** The `made` of the next new row, once read. */
  private nextMade: number | null = null;
  /** Each paper's input digest (papers with an id). */
  private readonly digests: (string | null)[];
  /** By input index: the papers whose input the stored row holds already (inputMask). */
  private readonly skips: Map<number, Skip>;
  /** What run() returns, as it is built. */
  private readonly result: UpsertResult = { inserted: 0, updated: 0, unchanged: 0, rowids: [], newRowids: [] };
  /** Rows this batch met (any outcome): a skip decided before the batch ran no longer holds. */
  private readonly metRows = new Set<number>();
  /**
   * What the batch adds to the kept counts (counts.ts), written once at its end instead of by a
   * trigger per row. Deletes keep their trigger.
   */
  private readonly counts = new CountDeltas();

  /** `digests`: the papers' input digests where already made (input-digest.ts), else made here. */
  constructor(private readonly st: Statements, private readonly papers: ParsedPaper[], private readonly now: string, digests?: readonly (string | undefined)[]) {
    this.titleKeys = papers.map((p) => normalizeTitle(p.title));
    // Read what the batch's papers match in two statements instead of two a paper: the
    // per-statement cost of the driver was most of a re-ingest.
    // A paper with an id looks for rows known only by its title (a small index); one without
    // looks at every row of its title.
    // Oldest first: in the order rows were made (rowids follow days, not arrival).
    const hits = st.get<{ all: string; idless: string }, TitleHit>(`SELECT rowid, id, title_key, made FROM papers INDEXED BY papers_title_only WHERE id IS NULL AND title_key IN (SELECT value FROM json_each(@all))
      UNION SELECT rowid, id, title_key, made FROM papers WHERE title_key IN (SELECT value FROM json_each(@idless)) ORDER BY made`)
      .all({ all: JSON.stringify(this.titleKeys), idless: JSON.stringify(this.titleKeys.filter((_, i) => !papers[i]!.id)) });
    for (const h of hits) {
      const list = this.byTitle.get(h.title_key);
      if (list) list.push(h);
      else this.byTitle.set(h.title_key, [h]);
    }
    this.digests = papers.map((p, i) => (p.id ? (digests?.[i] ?? inputDigest(p)) : null));
    this.skips = findSkips(st, papers, this.digests, now, (i) => (this.byTitle.get(this.titleKeys[i]!) ?? []).some((h) => h.id === null));
    const ids = papers.flatMap((p, i) => (p.id && !this.skips.has(i) ? [p.id] : []));
    const rows = st.get<[string], unknown[]>(`${INGEST_SELECT} WHERE id IN (SELECT value FROM json_each(?))`).raw().all(JSON.stringify(ids)).map(rowFromArray);
    this.byId = new Map(rows.map((r) => [r.id!, r]));
  }

  /** Take a paper whose input the row holds already (skip.ts): only its times move. */
  private takeAgain(s: Skip): number {
    const moved = timesTakenAgain(s, this.now);
    this.seen.push([s.rowid, moved]);
    if (moved) this.pendingTimes.set(s.rowid, moved);
    return s.rowid;
  }

  /** Store every paper of the batch; call inside a transaction. */
  run(): UpsertResult {
    const result = this.result;
    for (const [i, p] of this.papers.entries()) {
      const { rowid, outcome } = this.upsertOne(p, this.titleKeys[i]!, i);
      this.metRows.add(rowid);
      result[outcome]++;
      result.rowids.push(rowid);
      if (outcome === 'inserted') result.newRowids.push(rowid);
    }
    this.flushRows();
    if (this.seen.length > 0) {
      // Times noted before a row was rewritten in this batch belong to the values it replaced.
      this.seen.forEach((s, i) => {
        if ((this.rewrittenAt.get(s[0]) ?? -1) > i) s[1] = null;
      });
      // In rowid order (stable: a row seen twice keeps its later time), which splits fewer of
      // the table's pages. A row seen unchanged may have been folded into another later in the
      // batch (a title-only row meeting its id): it is gone, as one-at-a-time storing would
      // have left it.
      const seen = this.seen.filter((s) => !Number.isNaN(s[0])).sort((a, b) => a[0] - b[0]);
      this.st.get<[string, string]>(`INSERT INTO paper_seen (paper, seen_at, field_times) SELECT value ->> 0, ?, value ->> 1 FROM json_each(?)
        WHERE value ->> 0 IN (SELECT rowid FROM papers) ON CONFLICT (paper) DO UPDATE SET seen_at = max(seen_at, excluded.seen_at), field_times = coalesce(excluded.field_times, field_times)`)
        .run(this.now, JSON.stringify(seen));
    }
    this.flushIndex();
    this.flushCounts();
    return result;
  }

  private flushCounts(): void {
    this.counts.flush(this.st);
    if (this.nextMade !== null) this.st.get<[number]>("UPDATE counters SET value = ? WHERE name = 'made'").run(this.nextMade - 1);
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
    this.flushRows();
    const byId = p.id ? this.st.get<[string], PaperRow>(`${INGEST_SELECT} WHERE id = ?`).get(p.id) : undefined;
    const byTitle = p.id
      ? this.st.get<[string], PaperRow>(`${INGEST_SELECT} WHERE title_key = ? AND id IS NULL ORDER BY made LIMIT 1`).get(titleKey)
      : this.st.get<[string], PaperRow>(`${INGEST_SELECT} WHERE title_key = ? ORDER BY id IS NULL, made LIMIT 1`).get(titleKey);
    return { byId, byTitle };
  }

  private wrote(...keys: (string | null)[]): void {
    for (const k of keys) if (k) this.written.add(k);
  }

  /**
   * A row met earlier in the batch now has another rowid (moved to its new day): what the batch
   * noted of it follows, so that a rowid later given to another row is never taken for it.
   */
  private remap(from: number, to: number): void {
    for (const list of [this.result.rowids, this.result.newRowids]) list.forEach((r, k) => r === from && (list[k] = to));
    for (const s of this.seen) if (s[0] === from) s[0] = to;
    if (this.metRows.delete(from)) this.metRows.add(to);
  }

  /**
   * A free rowid on a paper's day (rowkey.ts): after that day's last row; below every row for a
   * paper without a day. Each day's last row is read once a batch, then counted on.
   */
  private newRowid(day: string | null): number {
    const base = dayBase(day);
    if (base === null) {
      this.nextUndated ??= Math.min(this.st.get<[], number | null>('SELECT min(rowid) FROM papers').pluck().get() ?? 0, 0) - 1;
      return this.nextUndated--;
    }
    const lo = base * DAY_SPAN;
    let next = this.nextOfDay.get(base);
    if (next === undefined) {
      const last = this.st.get<[number, number], number | null>('SELECT max(rowid) FROM papers WHERE rowid >= ? AND rowid < ?').pluck().get(lo, lo + DAY_SPAN) ?? null;
      next = last === null ? lo : last + 1;
    }
    if (next >= lo + DAY_SPAN) {
      throw new StoreError(`the cache holds ${DAY_SPAN} papers of the day ${day} already`, { hint: 'papers cannot store more papers of one day' });
    }
    this.nextOfDay.set(base, next + 1);
    return next;
  }

  /**
   * A row left `rowid` (folded or moved): its day's next free rowid is read again, as a batch of
   * one paper would, so that a batch stored at once numbers its rows as one paper at a time does.
   */
  private freed(rowid: number): void {
    const base = dayBaseOfRowid(rowid);
    if (base === null) this.nextUndated = null;
    else this.nextOfDay.delete(base);
  }

  private insertRow({ paper, prov }: Stamped): number {
    const params = paperParams(paper, prov);
    // After the last row made (the counter is read once a batch and written at its end): the
    // same whether papers are stored together or one at a time.
    this.nextMade ??= this.st.get<[], number>("SELECT value FROM counters WHERE name = 'made'").pluck().get()! + 1;
    const made = this.nextMade++;
    const day = paper.dailyDate ?? paper.publishedAt;
    const rowid = this.newRowid(day);
    this.pendingRows.push({ ...params, rowid, made });
    this.counts.add(day, paper.sources, 1);
    this.counts.touch(rowid);
    this.unindexed.push([rowid, params]);
    if (paper.upvotes !== null || paper.comments !== null) this.pendingHistory.push([rowid, paper.lastSeenAt, paper.upvotes, paper.comments]);
    return rowid;
  }

  private flushRows(): void {
    if (this.pendingRows.length === 0) return;
    const insert = this.st.get<PaperParams & { rowid: number; made: number }>(INSERT_PAPER);
    for (const row of this.pendingRows.sort((a, b) => a.rowid - b.rowid)) insert.run(row);
    this.pendingRows = [];
    for (const [rowid, at, upvotes, comments] of this.pendingHistory) this.recordCounts(rowid, { lastSeenAt: at, upvotes, comments });
    this.pendingHistory = [];
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
    // In rowid order: FTS5 writes its pending terms out whenever a rowid is not above the last
    // one it was given, and rowids follow days, not the order papers arrive in (a small index
    // segment each time, and ingest a fifth slower).
    this.unindexed.sort((a, b) => a[0] - b[0]);
    for (const [rowid, row] of this.unindexed) {
      insert.run(rowid, row.title, row.summary, row.authors, row.keywords, row.categories);
      for (const c of FTS_COLUMNS) for (const w of wordsOf(row[c])) words.add(w);
    }
    // The unstemmed words, for prefix queries (words.ts): one statement for the batch.
    this.st.get<[string]>('INSERT OR IGNORE INTO words (word) SELECT value FROM json_each(?)').run(JSON.stringify([...words]));
    this.unindexed = [];
  }

  /** Keep a snapshot of the counts when a paper has them (on insert, and when they change). */
  private recordCounts(rowid: number, p: Pick<Paper, 'lastSeenAt' | 'upvotes' | 'comments'>): void {
    if (p.upvotes === null && p.comments === null) return;
    this.st.get<[number, string, number | null, number | null]>('INSERT OR REPLACE INTO count_history (paper, seen_at, upvotes, comments) VALUES (?, ?, ?, ?)')
      .run(rowid, p.lastSeenAt, p.upvotes, p.comments);
  }

  /**
   * Rewrite a stored row (`old`, as read) with `p`; the index is redone only when its text
   * changed. A paper whose day changed moves to a rowid of its new day (rowkey.ts), with its
   * index entry and every row that refers to it. Returns its rowid.
   */
  private updateRow(old: PaperRow, { paper: p, prov }: Stamped): number {
    const params = paperParams(p, prov);
    this.st.get<PaperParams & { rowid: number }>(UPDATE_PAPER).run({ ...params, rowid: old.rowid });
    // The row's provenance now holds every field's time (the stored times were read into it
    // before merging); a time kept for an unchanged field belonged to the value it replaced.
    this.st.get<[number]>('UPDATE paper_seen SET field_times = NULL WHERE paper = ? AND field_times IS NOT NULL').run(old.rowid);
    this.pendingTimes.delete(old.rowid);
    this.rewrittenAt.set(old.rowid, this.seen.length);
    const day = p.dailyDate ?? p.publishedAt;
    const oldDay = old.daily_date ?? old.published_at;
    if (day?.slice(0, 7) !== oldDay?.slice(0, 7) || params.sources !== old.sources) {
      this.counts.add(oldDay, JSON.parse(old.sources!) as string[], -1);
      this.counts.add(day, p.sources, 1);
    }
    const move = dayBase(day) !== dayBaseOfRowid(old.rowid);
    let rowid = old.rowid;
    if (move || FTS_COLUMNS.some((c) => params[c] !== old[c])) {
      // An external-content FTS5 row is deleted by giving it the values it was indexed with.
      this.flushIndex();
      this.st.get<[number, ...FtsText[keyof FtsText][]]>(`INSERT INTO papers_fts (papers_fts, rowid, ${FTS_COLUMNS.join(', ')}) VALUES ('delete', ?, ?, ?, ?, ?, ?)`)
        .run(old.rowid, old.title, old.summary, old.authors, old.keywords, old.categories);
      this.counts.touch(old.rowid);
      if (move) {
        this.flushRows();
        rowid = this.newRowid(day);
        // The rows referring to it follow within the transaction; the check waits for its end.
        this.st.get('PRAGMA defer_foreign_keys = ON').run();
        this.st.get<[number, number]>('UPDATE papers SET rowid = ? WHERE rowid = ?').run(rowid, old.rowid);
        this.references ??= paperReferences(this.st.db);
        for (const [table, column] of this.references) {
          this.st.get<[number, number]>(`UPDATE "${table}" SET "${column}" = ? WHERE "${column}" = ?`).run(rowid, old.rowid);
        }
        this.remap(old.rowid, rowid);
        this.counts.touch(rowid);
        this.rewrittenAt.set(rowid, this.seen.length);
        this.freed(old.rowid);
        const times = this.pendingTimes.get(old.rowid);
        if (times !== undefined) this.pendingTimes.set(rowid, times);
      }
      this.unindexed.push([rowid, params]);
    }
    return rowid;
  }

  private upsertOne(p: ParsedPaper, titleKey: string, i: number): { rowid: number; outcome: Outcome } {
    const now = this.now;
    const skip = this.skips.get(i);
    if (skip) {
      if (!this.metRows.has(skip.rowid) && !this.written.has(p.id!) && !this.written.has(titleKey)) return { rowid: this.takeAgain(skip), outcome: 'unchanged' };
      // An earlier paper of the batch met its row: merged, from the row as it is now.
      this.flushRows();
      const row = this.st.get<[string], PaperRow>(`${INGEST_SELECT} WHERE id = ?`).get(p.id!);
      if (row) this.byId.set(p.id!, row);
    }
    const { byId, byTitle } = this.findExisting(p, titleKey);
    let target = byId ?? byTitle;
    if (!target) {
      this.wrote(p.id, titleKey);
      // Stored as merging it would leave it (an author count from its authors, versions in
      // order): a listing seen twice is the same set of listings as seen once.
      const fresh = stamp(p, now);
      return { rowid: this.insertRow(this.withInput(mergeStamped(fresh, fresh), fresh, p, i, undefined)), outcome: 'inserted' };
    }
    const stored = stampedRow(target, this.pendingTimes.get(target.rowid));
    let old = stored;
    if (byId && byTitle && byTitle.rowid !== byId.rowid) {
      // A paper first known only by its title now arrives with its id: fold the two into one.
      this.flushRows();
      this.flushIndex(); // the delete below takes its row out of the index
      this.wrote(byTitle.title_key);
      old = mergeStamped(old, stampedRow(byTitle, this.pendingTimes.get(byTitle.rowid)));
      this.st.get<[number, number]>('INSERT OR IGNORE INTO list_entries (source, list_date, paper, rank) SELECT source, list_date, ?, rank FROM list_entries WHERE paper = ?').run(byId.rowid, byTitle.rowid);
      this.st.get<[number, number]>('UPDATE OR IGNORE count_history SET paper = ? WHERE paper = ?').run(byId.rowid, byTitle.rowid);
      this.st.get<[number]>('DELETE FROM papers WHERE rowid = ?').run(byTitle.rowid);
      this.freed(byTitle.rowid);
      // The times noted for that row go with it (they were read into this merge), and it counts
      // as met: a rowid later given to another row is not taken for it.
      this.seen.forEach((s) => s[0] === byTitle.rowid && (s[0] = Number.NaN));
      this.metRows.delete(byTitle.rowid);
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
      this.keepInput(target, merged, incoming, p, i);
      return { rowid: target.rowid, outcome: 'unchanged' };
    }
    this.wrote(target.id, target.title_key, merged.paper.id, normalizeTitle(merged.paper.title));
    // A rewritten row holds the inputs that made it as they are now: this one, when it can
    // be taken again without a merge (the others may no longer be).
    const rowid = this.updateRow(target, this.withInput(merged, incoming, p, i, undefined));
    if (merged.paper.upvotes !== target.upvotes || merged.paper.comments !== target.comments) this.recordCounts(rowid, { ...merged.paper, lastSeenAt: now });
    return { rowid, outcome: 'updated' };
  }

  /** `merged` holding, beside `inputs`, the input of `p` when it can be taken again without a merge. */
  private withInput(merged: Stamped, incoming: Stamped, p: ParsedPaper, i: number, inputs: Provenance['inputs']): Stamped {
    const next = { ...inputs };
    const origin: OriginKind = originOf(p);
    const digest = this.digests[i];
    const fields = digest ? inputMask(merged, incoming) : null;
    if (digest && fields !== null) next[origin] = [digest, fields];
    else delete next[origin];
    const prov = { ...merged.prov };
    if (Object.keys(next).length > 0) prov.inputs = next;
    else delete prov.inputs;
    return { paper: merged.paper, prov };
  }

  /**
   * A row found unchanged keeps its values and provenance; only the input it holds for the
   * kind of source of `p` follows the input just merged (one provenance write when it changed).
   */
  private keepInput(target: PaperRow, merged: Stamped, incoming: Stamped, p: ParsedPaper, i: number): void {
    if (!p.id) return;
    const raw = decodeProvenance(target.provenance);
    const next = this.withInput(merged, incoming, p, i, raw.inputs).prov.inputs;
    if (JSON.stringify(next ?? null) === JSON.stringify(raw.inputs ?? null)) return;
    if (next) raw.inputs = next;
    else delete raw.inputs;
    const provenance = encodeProvenance(raw);
    this.st.get<[string, number]>('UPDATE papers SET provenance = ? WHERE rowid = ?').run(provenance, target.rowid);
    target.provenance = provenance;
  }
}
