import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Store, SCHEMA_VERSION } from '../src/store/index.js';
import { StoreError } from '../src/errors.js';

import { parsedPaper } from './helpers/papers.js';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'papers-store-'));
  store = Store.open(join(dir, 'sub', 'dir', 'papers.db'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('store', () => {
  it('creates the cache (and its directory) with WAL and the current schema', () => {
    const db = new Database(join(dir, 'sub', 'dir', 'papers.db'), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('keys papers by id: storing the same list twice adds no rows', () => {
    const list = [parsedPaper({ id: '2407.21783', title: 'The Llama 3 Herd of Models', upvotes: 94 }), parsedPaper({ id: '2407.21705', title: 'Tora' })];
    const first = store.saveList('hf', '2024-08-01', list);
    expect(first).toMatchObject({ inserted: 2, updated: 0, unchanged: 0 });
    const second = store.saveList('hf', '2024-08-01', list);
    expect(second).toMatchObject({ inserted: 0, updated: 0, unchanged: 2 });
    expect(store.count()).toBe(2);
  });

  it('a poorer listing never erases a richer field; counts take the latest value', () => {
    store.upsertPapers([parsedPaper({ id: '2407.21783', title: 'Llama', summary: 'An abstract.', authors: ['A', 'B', 'C'], authorCount: 3, upvotes: 10, keywords: ['llm'], aiSummary: 'short' })], { now: '2026-01-01T00:00:00.000Z' });
    const r = store.upsertPapers([parsedPaper({ id: '2407.21783', title: 'Llama', authorCount: 3, upvotes: 12 }, 'import')], { now: '2026-01-02T00:00:00.000Z' });
    expect(r.updated).toBe(1);
    const p = store.getPaper('2407.21783')!;
    expect(p.summary).toBe('An abstract.');
    expect(p.authors).toEqual(['A', 'B', 'C']);
    expect(p.keywords).toEqual(['llm']);
    expect(p.aiSummary).toBe('short');
    expect(p.upvotes).toBe(12);
    expect(p.sources).toEqual(['hf', 'import']);
    expect(p.firstSeenAt).toBe('2026-01-01T00:00:00.000Z');
    expect(p.lastSeenAt).toBe('2026-01-02T00:00:00.000Z');
  });

  it('a paper known only by title becomes one record when its id arrives, whichever comes first', () => {
    store.upsertPapers([parsedPaper({ title: 'Let’s Make  Block Coordinate Descent Converge Faster', authorCount: 3 }, 'import')]);
    store.upsertPapers([parsedPaper({ id: '1712.08859', title: "Let's make block coordinate descent converge faster", authors: ['Julie Nutini', 'Issam Laradji', 'Mark Schmidt'] })]);
    expect(store.count()).toBe(1);
    const p = store.getPaper('1712.08859')!;
    expect(p.authors).toHaveLength(3);
    expect(p.sources).toEqual(['hf', 'import']);
    // and the other way round: the title-only listing folds into the record with the id
    store.upsertPapers([parsedPaper({ title: "LET'S MAKE BLOCK COORDINATE DESCENT CONVERGE FASTER", upvotes: 5 }, 'import')]);
    expect(store.count()).toBe(1);
    expect(store.getPaper('1712.08859')!.upvotes).toBe(5);
  });

  it('records each list with ranks and answers queries by list in rank order', () => {
    store.saveList('hf', '2024-08-01', [parsedPaper({ id: '1', title: 'B', upvotes: 1 }), parsedPaper({ id: '2', title: 'A', upvotes: 9 })]);
    expect([...store.query({ listDate: '2024-08-01' })].map((p) => p.id)).toEqual(['1', '2']);
    expect([...store.query({ listDate: '2024-08-01', sort: 'upvotes' })].map((p) => p.id)).toEqual(['2', '1']);
    expect([...store.query({ listDate: '2024-08-01', sort: 'title', limit: 1 })].map((p) => p.id)).toEqual(['2']);
    expect(store.listInfo('hf')).toMatchObject({ listDate: '2024-08-01', paperCount: 2 });
    expect(store.listsOf('2')).toEqual([{ source: 'hf', listDate: '2024-08-01', rank: 2 }]);

    // The same list fetched again in another order, with a paper more and one listed twice.
    const [b, a, c] = [parsedPaper({ id: '1', title: 'B' }), parsedPaper({ id: '2', title: 'A' }), parsedPaper({ id: '3', title: 'C' })];
    store.saveList('hf', '2024-08-01', [a, c, a, b]);
    expect([...store.query({ listDate: '2024-08-01' })].map((p) => p.id)).toEqual(['2', '3', '1']);
    expect(store.listsOf('1')).toEqual([{ source: 'hf', listDate: '2024-08-01', rank: 4 }]);
    expect(store.listInfo('hf', '2024-08-01')).toMatchObject({ paperCount: 4 });
    store.saveList('hf', '2024-08-01', [b]);
    expect([...store.query({ listDate: '2024-08-01' })].map((p) => p.id)).toEqual(['1']);
  });

  it('filters by author ignoring case and accents, and binds hostile values', () => {
    store.upsertPapers([parsedPaper({ id: '1', title: 'X', authors: ['José Núñez'] }), parsedPaper({ id: '2', title: 'Y', authors: ["O'Brien; DROP TABLE papers"] })]);
    expect([...store.query({ author: 'nunez' })].map((p) => p.id)).toEqual(['1']);
    expect([...store.query({ author: "'; DROP TABLE papers; --" })]).toEqual([]);
    expect([...store.query({ author: '%' })]).toEqual([]);
    expect(store.count()).toBe(2);
  });

  it('a write that fails halfway stores nothing', () => {
    const bad = parsedPaper({ id: '3', title: 'Z' });
    (bad as { title: unknown }).title = null; // NOT NULL violation on the second paper
    expect(() => store.saveList('hf', '2024-08-02', [parsedPaper({ id: '4', title: 'W' }), bad])).toThrow();
    expect(store.count()).toBe(0);
    expect(store.listInfo('hf', '2024-08-02')).toBeNull();
  });

  it('refuses a cache written by a newer schema, and a file that is not a cache', () => {
    const newer = join(dir, 'newer.db');
    const db = new Database(newer);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => Store.open(newer)).toThrow(/newer papers/);
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'this is not a database, just text '.repeat(100));
    expect(() => Store.open(junk)).toThrow(StoreError);
  });
});

describe('count history', () => {
  it('keeps a snapshot each time upvotes or comments change, and none when they do not', () => {
    const s = Store.open(':memory:');
    s.upsertPapers([parsedPaper({ id: '1', title: 'X', upvotes: 1, comments: 0 })], { now: '2026-01-01T00:00:00.000Z' });
    s.upsertPapers([parsedPaper({ id: '1', title: 'X', upvotes: 1, comments: 0 })], { now: '2026-01-02T00:00:00.000Z' });
    s.upsertPapers([parsedPaper({ id: '1', title: 'X', upvotes: 5, comments: 0 })], { now: '2026-01-03T00:00:00.000Z' });
    s.upsertPapers([parsedPaper({ id: '1', title: 'X' })], { now: '2026-01-04T00:00:00.000Z' });
    expect(s.countHistory('1')).toEqual([
      { seenAt: '2026-01-01T00:00:00.000Z', upvotes: 1, comments: 0 },
      { seenAt: '2026-01-03T00:00:00.000Z', upvotes: 5, comments: 0 },
    ]);
    s.close();
  });
});
