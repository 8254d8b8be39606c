/**
 * Papers taken again without a merge. A row's provenance keeps, per kind of source, a digest
 * of its last input (input-digest.ts) and which fields it gave (inputMask, merge.ts); a paper
 * arriving with that same input again can change nothing but times, so the batch (ingest.ts)
 * only moves those.
 */
import type { ParsedPaper } from '../record.js';
import { moveInputTimes, originOf, type Provenance, type SeenTimes } from './merge.js';
import type { Statements } from './statements.js';

/** A paper the batch may take without a merge: its input is one the row already holds. */
export interface Skip { rowid: number; fields: number; times: string | null }

/**
 * The papers whose input the stored row holds already, as the last input of its kind of
 * source (the same digest), which taking again only moves times (inputMask): read for the
 * whole batch in one statement, without the rows' text, by input index. A paper met twice in
 * the batch, or whose title also names a row without an id (`foldsTitleOnly`: it would fold it
 * in), is merged.
 */
export function findSkips(st: Statements, papers: readonly ParsedPaper[], digests: readonly (string | null)[], now: string, foldsTitleOnly: (i: number) => boolean): Map<number, Skip> {
  const skips = new Map<number, Skip>();
  const once = new Map<string, number>();
  papers.forEach((p, i) => {
    if (p.id) once.set(p.id, once.has(p.id) ? -1 : i);
  });
  const candidates = [...once].filter(([, i]) => i >= 0 && !foldsTitleOnly(i));
  if (candidates.length === 0) return skips;
  const found = st.get<[string], [number, string, string, string | null, string | null]>(`SELECT rowid, id, first_seen_at, provenance -> '$.inputs',
    (SELECT field_times FROM paper_seen WHERE paper = p.rowid) FROM papers p WHERE id IN (SELECT value FROM json_each(?))`)
    .raw().all(JSON.stringify(candidates.map(([id]) => id)));
  for (const [rowid, id, firstSeen, inputs, times] of found) {
    if (inputs === null) continue;
    const i = once.get(id)!;
    const entry = (JSON.parse(inputs) as NonNullable<Provenance['inputs']>)[originOf(papers[i]!)];
    // Before the paper was first seen, an input would move its firstSeenAt: merged.
    if (entry && entry[0] === digests[i] && now >= firstSeen) skips.set(i, { rowid, fields: entry[1], times });
  }
  return skips;
}

/**
 * The seen times of a paper taken again, as a merge would move them (the fields its input
 * gives, at `now`), as paper_seen keeps them; null when none moves.
 */
export function timesTakenAgain(s: Skip, now: string): string | null {
  const times = (s.times ? JSON.parse(s.times) : {}) as SeenTimes;
  return moveInputTimes(times, s.fields, now) ? JSON.stringify(times) : null;
}
