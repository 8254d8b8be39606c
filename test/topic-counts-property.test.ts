/**
 * Kept topic counts against a full count: over random sequences of stores (new papers, papers
 * changing text, moving day, title-only records folded into their id), deletes by any statement,
 * prunes and marks changing, every count the store keeps, in all and from a day on, is what
 * counting the whole index gives.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, paperKey } from '../src/store/index.js';
import { emptyPaper, type ParsedPaper } from '../src/record.js';
import { queryToFts } from '../src/query.js';

/** Words that share stems and prefixes: the prefix expansion changes as new ones arrive. */
const WORDS = ['alpha', 'alphas', 'alphabet', 'beta', 'betamax', 'gamma', 'optimal', 'optimizer', 'optimizing', 'survey', 'video', 'videos'];
/** Days over three blocks of 32 days and within a few days of each other, and none. */
const DAYS = ['2023-12-30', '2024-01-02', '2024-01-03', '2024-01-20', '2024-02-04', '2024-02-05', '2024-03-30', null];
const QUERIES = ['alpha', 'alph* OR title:gamma', 'optimiz*', '-alpha', 'beta -survey', '"alpha beta"', 'title:video*', 'is:starred OR gamma', 'abstract:(optimal OR betamax)'].map((q) => queryToFts(q));

const paper = fc.record({
  n: fc.integer({ min: 0, max: 9 }),
  withId: fc.boolean(),
  title: fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 }),
  summary: fc.array(fc.constantFrom(...WORDS), { maxLength: 4 }),
  published: fc.constantFrom(...DAYS),
  daily: fc.option(fc.constantFrom(...DAYS.filter((d) => d !== null)), { freq: 3 }),
});
type Gen = typeof paper extends fc.Arbitrary<infer T> ? T : never;

const op = fc.oneof(
  { weight: 5, arbitrary: fc.record({ k: fc.constant('store' as const), papers: fc.array(paper, { minLength: 1, maxLength: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('delete' as const), n: fc.integer({ min: 0, max: 9 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('prune' as const), before: fc.constantFrom('2024-01-03', '2024-02-01') }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('star' as const), n: fc.integer({ min: 0, max: 9 }), on: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('count' as const), since: fc.option(fc.constantFrom('2024-01-02', '2024-01-03', '2024-02-05'), { nil: undefined }), onCopy: fc.boolean() }) },
);

function toPaper(g: Gen): ParsedPaper {
  // A paper without an id is known by its title; a later one with the id folds it in.
  const title = `${g.title.join(' ')} ${g.n}`;
  return { ...emptyPaper(title, g.daily ? 'hf' : 'arxiv'), id: g.withId ? `2401.0000${g.n}` : null, summary: g.summary.join(' '), publishedAt: g.published, dailyDate: g.daily };
}

/** `onCopy`: the days counted again are counted on an index of their own, else on the cache's. */
function expectExact(store: Store, since?: string, onCopy = true): void {
  const kept = store.topicCounts(QUERIES, since, { smallRecount: onCopy ? 1_000_000 : 0 });
  expect(kept.all).toEqual(QUERIES.map((q) => store.countMatching(q)));
  if (since) expect(kept.since).toEqual(QUERIES.map((q) => store.countMatching({ ...q, since })));
  else expect(kept.since).toBeNull();
}

describe('kept topic counts', () => {
  it('equal a full count after any sequence of writes', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 14 }), (ops) => {
        const dir = mkdtempSync(join(tmpdir(), 'papers-counts-'));
        const store = Store.open(join(dir, 'papers.db'));
        try {
          for (const o of ops) {
            if (o.k === 'store') store.upsertPapers(o.papers.map(toPaper));
            else if (o.k === 'delete') store.handle.prepare("DELETE FROM papers WHERE id = ? OR title LIKE '% ' || ?").run(`2401.0000${o.n}`, String(o.n));
            else if (o.k === 'prune') store.prune(o.before);
            else if (o.k === 'star') {
              const row = store.handle.prepare<[string], { id: string | null; title: string }>("SELECT id, title FROM papers WHERE title LIKE '% ' || ? LIMIT 1").get(String(o.n));
              if (row) store.marks.change([{ key: paperKey(row.id, row.title), title: row.title }], { starred: o.on });
            } else expectExact(store, o.since, o.onCopy);
          }
          expectExact(store, '2024-01-03', false);
          expectExact(store);
        } finally {
          store.close();
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 60 },
    );
  });
});
