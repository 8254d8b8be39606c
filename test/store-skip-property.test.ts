/**
 * A paper seen again unchanged is taken without a merge (the row holds a digest of its last
 * input per kind of source): whatever was stored before, taking an already-seen listing again
 * must leave exactly what a full merge leaves — records, lists, counts — and so must every
 * listing stored after it (the times a merge decides by moved alike).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/store/index.js';
import { emptyPaper, type OriginKind, type ParsedPaper } from '../src/record.js';
import { decodeProvenance, seenFieldTimes, type SeenTimes } from '../src/store/merge.js';

interface Observation { papers: ParsedPaper[]; at: string; list: boolean }

const IDS = ['2401.00001', '2401.00002', '2401.00003', '2401.00004'];
const ORIGINS: OriginKind[] = ['arxiv-api', 'arxiv-listing', 'arxiv-snapshot', 'hf-api', 'hf-page', 'hf-search', 'hf-copied'];

const arbPaper = fc.record({
  id: fc.option(fc.constantFrom(...IDS), { nil: null, freq: 6 }), origin: fc.constantFrom(...ORIGINS),
  title: fc.constantFrom('Alpha', 'Beta Paper', 'Gamma'),
  summary: fc.option(fc.constantFrom('One abstract.', 'Another abstract.'), { nil: null }),
  upvotes: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
  day: fc.option(fc.integer({ min: 1, max: 4 }).map((d) => `2024-08-0${d}`), { nil: null }),
  authors: fc.integer({ min: 0, max: 3 }), keywords: fc.boolean(),
}).map((g): ParsedPaper => {
  const p: ParsedPaper = { ...emptyPaper(g.title, g.origin.startsWith('arxiv') ? 'arxiv' : 'hf'), id: g.id, origin: g.origin };
  p.summary = g.summary;
  p.authors = ['Ada Lovelace', 'Alan Turing', 'Grace Hopper'].slice(0, g.authors);
  if (g.origin.startsWith('hf')) {
    p.upvotes = g.upvotes;
    p.keywords = g.keywords ? ['agents'] : [];
    if (g.origin !== 'hf-search') p.dailyDate = g.day;
  } else {
    p.publishedAt = g.day;
    p.versions = g.day ? [{ version: 1, date: g.day }] : [];
  }
  if (g.origin === 'arxiv-listing') {
    p.announcedAt = g.day;
    p.arxivAnnounce = g.upvotes !== null && g.upvotes % 2 ? 'replace' : 'new';
    p.listedOn = g.day;
  }
  return p;
});
// Times within a few seconds: ties, and listings that arrive out of time order.
const arbAt = fc.integer({ min: 0, max: 6 }).map((s) => new Date(Date.UTC(2024, 7, 5) + s * 1000).toISOString());
const arbObservation = fc.record({ papers: fc.array(arbPaper, { minLength: 1, maxLength: 5 }), at: arbAt, list: fc.boolean() });

function store(o: Observation, s: Store, i: number): void {
  if (o.list) s.saveList('hf', `2024-08-1${i % 3}`, o.papers, { now: o.at });
  else s.upsertPapers(o.papers, { now: o.at });
}

/** Everything a user can read of a cache, and what the next merge decides by. */
function contents(s: Store) {
  const db = s.handle;
  return {
    papers: [...s.query({ sort: 'title' })].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    lists: db.prepare('SELECT e.source, e.list_date, p.id, p.title, e.rank FROM list_entries e JOIN papers p ON p.rowid = e.paper ORDER BY 1, 2, 5').all(),
    history: db.prepare('SELECT p.id, p.title, h.seen_at, h.upvotes FROM count_history h JOIN papers p ON p.rowid = h.paper ORDER BY 1, 2, 3').all(),
    stats: s.contentStats(),
    // When each field's value was last seen (provenance and the times kept apart), as merges read it.
    times: db.prepare(`SELECT p.id, p.title, p.provenance, s.field_times
      FROM papers p LEFT JOIN paper_seen s ON s.paper = p.rowid ORDER BY 1, 2`).all().map((r) => {
      const row = r as { id: string; title: string; provenance: string; field_times: string | null };
      const prov = decodeProvenance(row.provenance);
      const at: Record<string, string> = { ...prov.at };
      for (const [f, t] of Object.entries(seenFieldTimes(JSON.parse(row.field_times ?? '{}') as SeenTimes))) if ((at[f] ?? '') < t) at[f] = t;
      return { id: row.id, title: row.title, rank: Object.fromEntries(Object.entries(prov.rank).sort()), at: Object.fromEntries(Object.entries(at).sort()) };
    }),
  };
}

describe('a listing seen again unchanged', () => {
  it('is taken again as a full merge would take it, and what comes after merges alike', () => {
    fc.assert(
      fc.property(fc.array(arbObservation, { minLength: 1, maxLength: 5 }), fc.nat(), arbAt, fc.array(arbObservation, { maxLength: 2 }), (before, pick, at, after) => {
        const dir = mkdtempSync(join(tmpdir(), 'papers-skip-'));
        const [skipping, merging] = [Store.open(join(dir, 'a.db')), Store.open(join(dir, 'b.db'))];
        try {
          before.forEach((o, i) => {
            store(o, skipping, i);
            store(o, merging, i);
          });
          // The same listing again, at some time; one cache has forgotten the inputs its rows
          // hold, so it merges every paper.
          const again = { ...before[pick % before.length]!, at };
          merging.handle.exec("UPDATE papers SET provenance = json_remove(provenance, '$.inputs')");
          store(again, skipping, pick % before.length);
          store(again, merging, pick % before.length);
          expect(contents(skipping)).toEqual(contents(merging));
          after.forEach((o, i) => {
            store(o, skipping, i + 7);
            store(o, merging, i + 7);
          });
          expect(contents(skipping)).toEqual(contents(merging));
        } finally {
          skipping.close();
          merging.close();
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 100 },
    );
  }, 600_000);

  it('a re-ingest of the same papers takes each without a merge and leaves every record as it was but its last-seen time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'papers-skip-'));
    const s = Store.open(join(dir, 'papers.db'));
    try {
      const papers = IDS.map((id, i) => ({ ...emptyPaper(`Paper ${i}`, 'hf'), id, origin: 'hf-api' as const, upvotes: i, dailyDate: '2024-08-01', summary: `Abstract ${i}.` }));
      s.saveList('hf', '2024-08-01', papers, { now: '2024-08-01T10:00:00.000Z' });
      const first = contents(s);
      const result = s.saveList('hf', '2024-08-01', papers, { now: '2024-08-02T10:00:00.000Z' });
      expect(result).toMatchObject({ inserted: 0, updated: 0, unchanged: 4 });
      // Each row holds its listing's digest: taken without a merge.
      expect(s.handle.prepare("SELECT count(*) FROM papers WHERE provenance -> '$.inputs.\"hf-api\"' IS NOT NULL").pluck().get()).toBe(4);
      const second = contents(s);
      expect(second.papers.map((p) => p.lastSeenAt)).toEqual(IDS.map(() => '2024-08-02T10:00:00.000Z'));
      expect(second.papers.map(({ lastSeenAt: _, ...p }) => p)).toEqual(first.papers.map(({ lastSeenAt: _, ...p }) => p));
      expect(second.lists).toEqual(first.lists);
      // The fields the listing gave were seen again: their times moved, as a merge moves them.
      expect(second.times.map((t) => [t.at.upvotes, t.at.summary])).toEqual(IDS.map(() => ['2024-08-02T10:00:00.000Z', '2024-08-02T10:00:00.000Z']));
      // A changed count is merged again (and recorded).
      const changed = s.saveList('hf', '2024-08-01', papers.map((p) => ({ ...p, upvotes: p.upvotes + 1 })), { now: '2024-08-03T10:00:00.000Z' });
      expect(changed).toMatchObject({ updated: 4, unchanged: 0 });
      expect(s.countHistory(IDS[0]!).map((h) => h.upvotes)).toEqual([0, 1]);
    } finally {
      s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
