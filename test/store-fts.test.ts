/**
 * The full-text index is written by the store itself (schema v2, for ingest speed: see
 * bench/): searches must still find exactly what the cache holds after inserts, updates,
 * re-ingests and merges, and on a cache migrated from v1 (whose index triggers wrote).
 */
import { describe, it, expect, afterEach } from 'vitest';
import fc from 'fast-check';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Store } from '../src/store/index.js';
import type { ParsedPaper } from '../src/record.js';
import { parsedPaper } from './helpers/papers.js';
import { parseDailyPapersApi } from '../src/sources/hf/parse.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempStore(from?: string): Store {
  const dir = mkdtempSync(join(tmpdir(), 'papers-fts-'));
  dirs.push(dir);
  const path = join(dir, 'papers.db');
  if (from) copyFileSync(from, path);
  return Store.open(path);
}

const paper = (id: string | null, title: string, summary: string): ParsedPaper => parsedPaper({ id, title, summary, authors: ['Ada Lovelace'] });

const ids = (store: Store, match: string) => [...store.query({ match })].map((p) => p.id ?? p.title);

/** FTS5's own check that the index holds exactly the text of the papers table. */
function indexMatchesTable(store: Store): void {
  store.handle.prepare("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)").run();
}

describe('the full-text index follows the cache', () => {
  it('finds a paper by the words of its latest abstract, not its old one', () => {
    const store = tempStore();
    store.upsertPapers([paper('2401.00001', 'Sparse Mixtures', 'We study quokka routing.')]);
    store.upsertPapers([paper('2401.00001', 'Sparse Mixtures', 'We study wombat routing.')]);
    expect(ids(store, 'wombat')).toEqual(['2401.00001']);
    expect(ids(store, 'quokka')).toEqual([]);
    expect(ids(store, 'routing')).toEqual(['2401.00001']);
    indexMatchesTable(store);
    store.close();
  });

  it('storing the same list again leaves one result per paper', () => {
    const store = tempStore();
    const listing = parseDailyPapersApi(readFileSync(join(FIXTURES, 'hf/api-daily-papers-2024-08-01.derived.json'), 'utf8'), { dailyDate: '2024-08-01' });
    store.saveList('hf', '2024-08-01', listing.papers);
    const first = ids(store, 'model*');
    store.saveList('hf', '2024-08-01', listing.papers);
    expect(first.length).toBeGreaterThan(3);
    expect(ids(store, 'model*')).toEqual(first);
    expect(ids(store, '"herd"')).toEqual(['2407.21783']);
    indexMatchesTable(store);
    store.close();
  });

  it('a query with a limit gives the best matches of the whole query, in the same order', () => {
    const store = tempStore();
    const listing = parseDailyPapersApi(readFileSync(join(FIXTURES, 'hf/api-daily-papers-2024-08-01.derived.json'), 'utf8'), { dailyDate: '2024-08-01' });
    store.saveList('hf', '2024-08-01', listing.papers);
    for (const match of ['model*', 'language OR video', 'learning', 'training data']) {
      const all = ids(store, match);
      expect(all.length).toBeGreaterThan(1);
      for (const limit of [1, 3, 20]) expect([...store.query({ match, limit })].map((p) => p.id)).toEqual(all.slice(0, limit));
    }
    store.close();
  });

  it('a title-only record folded into the paper with its id is found once, with the id', () => {
    const store = tempStore();
    store.upsertPapers([paper(null, 'Echidna Networks', 'An abstract about platypus inference.')]);
    store.upsertPapers([paper('2402.00002', 'Echidna Networks', 'An abstract about platypus inference, revised.')]);
    expect(ids(store, 'platypus')).toEqual(['2402.00002']);
    expect(ids(store, 'revised')).toEqual(['2402.00002']);
    indexMatchesTable(store);
    store.close();
  });

  it('a batch holding the same paper twice ends with one paper, as if stored one at a time', () => {
    const store = tempStore();
    const first = paper('2403.00004', 'Twice Told', 'The first abstract mentions ocelots.');
    const second = { ...paper('2403.00004', 'Twice Told', 'The second abstract mentions lynxes.'), upvotes: 7 };
    const r = store.upsertPapers([first, second]);
    expect(r).toMatchObject({ inserted: 1, updated: 1, unchanged: 0 });
    expect(store.count()).toBe(1);
    expect(store.getPaper('2403.00004')).toMatchObject({ summary: 'The second abstract mentions lynxes.', upvotes: 7 });
    expect(ids(store, 'lynxes')).toEqual(['2403.00004']);
    expect(ids(store, 'ocelots')).toEqual([]);

    // Stored already: unchanged, then changed, in one batch.
    const again = store.upsertPapers([second, { ...second, upvotes: 9 }], { now: '2030-01-01T00:00:00.000Z' });
    expect(again).toMatchObject({ inserted: 0, updated: 1, unchanged: 1 });
    expect(store.getPaper('2403.00004')).toMatchObject({ upvotes: 9, lastSeenAt: '2030-01-01T00:00:00.000Z' });

    // A title-only record and its id in one batch: one paper, with the id.
    const folded = store.upsertPapers([paper(null, 'Quiet Quolls', 'Quolls, first seen without an id.'), paper('2404.00005', 'Quiet Quolls', 'Quolls, now with an id.')]);
    expect(folded.rowids[0]).toBe(folded.rowids[1]);
    expect(store.findByTitle('Quiet Quolls').map((p) => p.id)).toEqual(['2404.00005']);
    expect(ids(store, 'quolls')).toEqual(['2404.00005']);
    indexMatchesTable(store);
    store.close();
  });

  it('a batch stored at once ends exactly as its papers stored one at a time (ids and titles colliding)', () => {
    // The batch path reads its lookups ahead (Store.prefetch); any paper of a batch may meet
    // one stored before it, earlier in the same batch, or a title-only twin of either.
    const paperIds = ['2401.00001', '2401.00002', '2401.00003', null];
    const titles = ['Sparse Sparrows', 'sparse sparrows!', 'Dense Doves', 'Winged Words'];
    const words = ['ocelot', 'lynx', 'serval', 'margay'];
    const arbPaper = fc.record({ id: fc.constantFrom(...paperIds), title: fc.constantFrom(...titles), word: fc.constantFrom(...words), upvotes: fc.option(fc.integer({ min: 0, max: 3 })), authors: fc.integer({ min: 0, max: 2 }) })
      .map(({ id, title, word, upvotes, authors }) => ({ ...paper(id, title, `About the ${word}.`), upvotes, authors: ['Ada Lovelace', 'Alan Turing'].slice(0, authors) }));
    const dump = (store: Store) => [store.handle.prepare('SELECT * FROM papers ORDER BY rowid').all(), store.handle.prepare('SELECT * FROM paper_seen ORDER BY paper').all(), [...store.query({})]];
    fc.assert(
      fc.property(fc.array(arbPaper, { maxLength: 4 }), fc.array(arbPaper, { minLength: 1, maxLength: 8 }), (before, batch) => {
        // In memory: the property is about the batch logic, and 300 files would make it slow.
        const a = Store.open(':memory:');
        const b = Store.open(':memory:');
        const now = '2030-01-01T00:00:00.000Z';
        for (const s of [a, b]) for (const p of before) s.upsertPapers([p], { now: '2029-01-01T00:00:00.000Z' });
        const together = a.upsertPapers(batch, { now });
        const alone = batch.map((p) => b.upsertPapers([p], { now }));
        expect(together.rowids).toEqual(alone.map((r) => r.rowids[0]));
        expect(dump(a)).toEqual(dump(b));
        for (const w of words) expect(ids(a, w)).toEqual(ids(b, w));
        indexMatchesTable(a);
        a.close();
        b.close();
      }),
      { numRuns: 150 },
    );
    // 300 stores opened and compared: about 8 s alone, past the default 20 s on a busy machine.
  }, 60_000);

  it('a title-only row seen unchanged and then folded into its id in the same batch is stored (found by the property above)', () => {
    const a = tempStore();
    const b = tempStore();
    a.upsertPapers([paper(null, 'Sparse Sparrows', 'About the margay.')], { now: '2029-01-01T00:00:00.000Z' });
    b.upsertPapers([paper(null, 'Sparse Sparrows', 'About the margay.')], { now: '2029-01-01T00:00:00.000Z' });
    const batch = [
      paper('2401.00002', 'Winged Words', 'About the ocelot.'),
      paper(null, 'Sparse Sparrows', 'About the margay.'),
      paper('2401.00002', 'Sparse Sparrows', 'About the ocelot.'),
      paper('2401.00001', 'Sparse Sparrows', 'About the ocelot.'),
    ];
    const now = '2030-01-01T00:00:00.000Z';
    const together = a.upsertPapers(batch, { now });
    const alone = batch.map((p) => b.upsertPapers([p], { now }).rowids[0]);
    expect(together.rowids).toEqual(alone);
    expect([...a.query({})]).toEqual([...b.query({})]);
    indexMatchesTable(a);
    a.close();
    b.close();
  });

  it('re-storing unchanged papers only moves their last-seen time', () => {
    const store = tempStore();
    const listing = parseDailyPapersApi(readFileSync(join(FIXTURES, 'hf/api-daily-papers-2024-08-01.derived.json'), 'utf8'), { dailyDate: '2024-08-01' });
    store.saveList('hf', '2024-08-01', listing.papers, { now: '2024-08-01T12:00:00.000Z' });
    const before = store.getPaper('2407.21783')!;
    const r = store.saveList('hf', '2024-08-01', listing.papers, { now: '2024-08-02T12:00:00.000Z' });
    expect(r).toMatchObject({ inserted: 0, updated: 0, unchanged: 13 });
    expect(store.getPaper('2407.21783')).toEqual({ ...before, lastSeenAt: '2024-08-02T12:00:00.000Z' });
    // Seen again with a change: the row is rewritten, and its time is still the latest.
    const changed = listing.papers.map((p) => (p.id === '2407.21783' ? { ...p, upvotes: 500 } : p));
    expect(store.saveList('hf', '2024-08-01', changed, { now: '2024-08-03T12:00:00.000Z' })).toMatchObject({ updated: 1, unchanged: 12 });
    expect(store.getPaper('2407.21783')).toMatchObject({ upvotes: 500, lastSeenAt: '2024-08-03T12:00:00.000Z' });
    expect([...store.query({ listDate: '2024-08-01' })].every((p) => p.lastSeenAt === '2024-08-03T12:00:00.000Z')).toBe(true);
    expect(store.latestSeen({ listDate: '2024-08-01' })).toBe('2024-08-03T12:00:00.000Z');
    store.close();
  });

  it('a cache written by schema v1 keeps searching right after it migrates and changes', () => {
    const store = tempStore(join(FIXTURES, 'db/cache-schema-v1.db'));
    expect(ids(store, '"herd"')).toEqual(['2407.21783']);
    store.upsertPapers([paper('2407.21783', 'The Llama 3 Herd of Models', 'A new abstract about narwhal pretraining.')]);
    store.upsertPapers([paper('2499.00003', 'Brand New Paper', 'Narwhal alignment.')]);
    expect(ids(store, 'narwhal')).toEqual(expect.arrayContaining(['2407.21783', '2499.00003']));
    expect(ids(store, 'narwhal').length).toBe(2);
    expect(ids(store, 'herd')).toEqual(['2407.21783']);
    indexMatchesTable(store);
    store.close();
  });
});
