/**
 * The daily lists: which papers a source listed on a day, in its order, and when the list was
 * fetched. Written in the transaction that stores the list's papers (Store.saveList).
 */
import type { Statements } from './statements.js';

/**
 * Write the list of `source` on `listDate`: its papers (`rowids`, in the list's order), each
 * once at its first place, and when it was fetched. The entries are rewritten only when they
 * changed (a list fetched again is mostly the same list).
 */
export function writeList(st: Statements, source: string, listDate: string, rowids: readonly number[], paperCount: number, now: string, etag: string | null): void {
  const entries: [number, number][] = [];
  const placed = new Set<number>();
  rowids.forEach((rowid, i) => {
    if (!placed.has(rowid)) entries.push([rowid, i + 1]);
    placed.add(rowid);
  });
  const json = JSON.stringify(entries);
  const stored = st.get<[string, string], string>('SELECT json_group_array(json_array(paper, rank)) FROM (SELECT paper, rank FROM list_entries WHERE source = ? AND list_date = ? ORDER BY rank)')
    .pluck().get(source, listDate);
  if (stored !== json) {
    st.get<[string, string]>('DELETE FROM list_entries WHERE source = ? AND list_date = ?').run(source, listDate);
    // A paper known by its title that its id met later in the batch is that row now (folded).
    st.get<[string, string, string]>('INSERT INTO list_entries (source, list_date, paper, rank) SELECT ?, ?, value ->> 0, value ->> 1 FROM json_each(?) WHERE value ->> 0 IN (SELECT rowid FROM papers)').run(source, listDate, json);
  }
  st.get<[string, string, string, number, string | null]>(`INSERT INTO lists (source, list_date, fetched_at, paper_count, etag) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (source, list_date) DO UPDATE SET fetched_at = excluded.fetched_at, paper_count = excluded.paper_count, etag = excluded.etag`)
    .run(source, listDate, now, paperCount, etag);
}

/** How many papers of the stored list of `source` on `listDate` are not among `ids`. */
export function missingFromList(st: Statements, source: string, listDate: string, ids: readonly string[]): number {
  return st.get<[string, string, string], number>(`SELECT count(*) FROM list_entries e JOIN papers p ON p.rowid = e.paper
    WHERE e.source = ? AND e.list_date = ? AND (p.id IS NULL OR p.id NOT IN (SELECT value FROM json_each(?)))`).pluck().get(source, listDate, JSON.stringify(ids))!;
}
