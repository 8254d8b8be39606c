/**
 * One record per paper, whatever the order: the same listings stored in any order into fresh
 * caches give identical records (apart from firstSeenAt/lastSeenAt, which are arrival times).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Store } from '../src/store/index.js';
import { DAY_SPAN, dayBase } from '../src/store/rowkey.js';
import { emptyPaper, type OriginKind, type Paper, type ParsedPaper } from '../src/record.js';
import { parseDailyPapersApi, parseHfPage } from '../src/sources/hf/parse.js';
import { parseHfCopiedText } from '../src/sources/hf/copied-text.js';
import { parseArxivAtom, parseArxivListing } from '../src/sources/arxiv/parse.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const fixture = (f: string) => readFileSync(join(FIXTURES, f), 'utf8');

interface Observation { papers: ParsedPaper[]; at: string }

function withStore<T>(fn: (s: Store) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'papers-order-'));
  const store = Store.open(join(dir, 'papers.db'));
  try {
    return fn(store);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const arrival = ({ firstSeenAt: _f, lastSeenAt: _l, ...rest }: Paper) => rest;

/**
 * What must hold of a cache however its papers arrived: each rowid in its day's range (papers
 * moved when their day changed, with everything that refers to them), newest first with a
 * limit the head of the full sort, with or without a text query, and the kept counts the
 * papers counted.
 */
function checkLayout(store: Store): void {
  const rows = store.handle.prepare('SELECT rowid, coalesce(daily_date, published_at) AS day FROM papers').all() as { rowid: number; day: string | null }[];
  for (const r of rows) expect(r.rowid < 0 ? null : Math.floor(r.rowid / DAY_SPAN), `${r.day}`).toBe(dayBase(r.day));
  expect(store.handle.pragma('foreign_key_check')).toEqual([]);
  expect(() => store.handle.prepare("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)").run()).not.toThrow();
  const ids = (ps: Iterable<Paper>) => [...ps].map((p) => p.id ?? p.title);
  for (const match of [undefined, '"paper"', '"abstract"']) {
    const full = ids(store.query({ match, sort: 'date' }));
    for (const limit of [1, 2, 5, 1000]) expect(ids(store.query({ match, sort: 'date', limit }))).toEqual(full.slice(0, limit));
  }
  const recount = {
    bySource: store.handle.prepare('SELECT s.value AS source, count(*) AS papers FROM papers p, json_each(p.sources) s GROUP BY s.value ORDER BY papers DESC, source').all(),
    byMonth: store.handle.prepare('SELECT substr(coalesce(daily_date, published_at), 1, 7) AS month, count(*) AS papers FROM papers WHERE coalesce(daily_date, published_at) IS NOT NULL GROUP BY month ORDER BY month DESC').all(),
    undated: store.handle.prepare('SELECT count(*) FROM papers WHERE coalesce(daily_date, published_at) IS NULL').pluck().get(),
    newest: store.handle.prepare('SELECT max(coalesce(daily_date, published_at)) FROM papers').pluck().get(),
  };
  expect(store.contentStats()).toEqual(recount);
}

/** Every record of a cache after storing the observations in this order, by id (or title). */
function recordsAfter(observations: Observation[]) {
  return withStore((store) => {
    for (const o of observations) store.upsertPapers(o.papers, { now: o.at });
    checkLayout(store);
    return [...store.query({ sort: 'title' })].map(arrival).sort((a, b) => (a.id ?? a.title).localeCompare(b.id ?? b.title));
  });
}

async function realListings(): Promise<Observation[]> {
  const api = fixture('hf/api-daily-papers-2024-08-01.derived.json');
  const copied = parseHfCopiedText(fixture('hf/search-listing-2025-12-09.copied-text.excerpt.txt'), { asOf: '2025-12-09' });
  return [
    { papers: parseDailyPapersApi(api, { dailyDate: '2024-08-01' }).papers, at: '2024-08-01T10:00:00.000Z' },
    { papers: parseDailyPapersApi(api, { dailyDate: null, format: 'hf-search' }).papers, at: '2024-08-03T10:00:00.000Z' },
    { papers: (await parseHfPage(fixture('hf/daily-2024-08-01.html'))).papers, at: '2024-08-02T10:00:00.000Z' },
    { papers: (await parseArxivAtom(fixture('arxiv/api-query-all-testing-2026-04-12.xml'))).papers, at: '2026-04-12T10:00:00.000Z' },
    { papers: (await parseArxivListing(fixture('arxiv/list-cs.LG-new.synthetic.html'))).papers, at: '2024-10-25T10:00:00.000Z' },
    { papers: (await parseArxivListing(fixture('arxiv/list-cs.LG-new-2023-layout.synthetic.html'))).papers, at: '2023-10-27T10:00:00.000Z' },
    ...(copied ? [{ papers: copied.papers, at: '2025-12-09T10:00:00.000Z' }] : []),
  ];
}

/** Generated listings about papers the real ones also hold, from every kind of source. */
function arbListing(ids: string[]): fc.Arbitrary<Observation> {
  const origins: OriginKind[] = ['arxiv-api', 'arxiv-listing', 'hf-api', 'hf-page', 'hf-search', 'hf-copied'];
  const day = fc.integer({ min: 1, max: 28 }).map((d) => `2024-08-${String(d).padStart(2, '0')}`);
  const paper = fc.record({
    id: fc.constantFrom(...ids), origin: fc.constantFrom(...origins), title: fc.constantFrom('Alpha', 'Beta Paper', 'Gamma'),
    summary: fc.option(fc.constantFrom('One abstract.', 'Another abstract.'), { nil: null }),
    upvotes: fc.option(fc.integer({ min: 0, max: 50 }), { nil: null }), day: fc.option(day, { nil: null }),
    published: fc.option(day, { nil: null }), authors: fc.integer({ min: 0, max: 3 }),
  }).map((g): ParsedPaper => {
    const p: ParsedPaper = { ...emptyPaper(g.title, g.origin.startsWith('arxiv') ? 'arxiv' : 'hf'), id: g.id, origin: g.origin };
    p.summary = g.summary;
    p.publishedAt = g.origin === 'hf-search' || g.origin === 'arxiv-listing' ? null : g.published;
    p.authors = ['Ada Lovelace', 'Alan Turing', 'Grace Hopper'].slice(0, g.authors);
    if (g.origin.startsWith('hf')) p.upvotes = g.upvotes;
    if (g.origin === 'hf-api' || g.origin === 'hf-page') p.dailyDate = g.day;
    if (g.origin === 'arxiv-listing') {
      p.announcedAt = g.day;
      p.arxivAnnounce = g.upvotes !== null && g.upvotes % 2 ? 'replace' : 'new';
      p.listedOn = g.day;
    }
    return p;
  });
  const at = fc.integer({ min: 0, max: 1_000_000 }).map((s) => new Date(Date.UTC(2024, 7, 1) + s * 1000).toISOString());
  return fc.record({ papers: fc.array(paper, { minLength: 1, maxLength: 6 }), at });
}

describe('the stored record is a function of the set of listings seen', () => {
  it('real fixtures and generated listings, stored in random orders, give identical records', async () => {
    const real = await realListings();
    const ids = [...new Set(real.flatMap((o) => o.papers.flatMap((p) => (p.id ? [p.id] : []))))].slice(0, 12);
    await fc.assert(
      fc.asyncProperty(fc.array(arbListing(ids), { maxLength: 4 }), fc.integer(), async (generated, seed) => {
        const all = [...real, ...generated];
        // A permutation from the seed (fast-check shrinks the seed, not the order).
        const shuffled = all.map((o, i) => ({ o, k: Math.sin(seed + i * 7919) })).sort((a, b) => a.k - b.k).map((x) => x.o);
        expect(recordsAfter(shuffled)).toEqual(recordsAfter(all));
      }),
      { numRuns: 12 },
    );
  }, 600_000);

  it('a time kept for a field seen again unchanged does not outlive the value it was for', () => {
    // The HF title is seen twice (its time is kept apart, in paper_seen); arXiv's titles then
    // replace it. Which of two arXiv titles of the same time wins must not depend on their order.
    const id = '2407.21783';
    const p = (title: string, origin: OriginKind): ParsedPaper => ({ ...emptyPaper(title, origin.startsWith('arxiv') ? 'arxiv' : 'hf'), id, origin });
    const hf = [{ papers: [p('The Llama 3 Herd of Models', 'hf-api')], at: '2024-08-01T10:00:00.000Z' }, { papers: [p('The Llama 3 Herd of Models', 'hf-api')], at: '2024-08-03T10:00:00.000Z' }];
    const arxiv = [{ papers: [p('Alpha', 'arxiv-api')], at: '2024-08-01T00:00:00.000Z' }, { papers: [p('Beta Paper', 'arxiv-api')], at: '2024-08-01T00:00:00.000Z' }];
    const titles = [[...hf, ...arxiv], [...hf, ...arxiv.reverse()], [...arxiv, ...hf]].map((o) => recordsAfter(o)[0]!.title);
    expect(titles).toEqual(['Beta Paper', 'Beta Paper', 'Beta Paper']);
  });

  it('an HF week answer, an arXiv listing, an HF daily list and an HF search for one paper agree in every order', async () => {
    const id = '2410.18123';
    const item = (daily: string, upvotes: number) => ({
      paper: { id, title: 'A Paper Everyone Lists', summary: 'An abstract.', authors: [{ name: 'Ada Lovelace' }], publishedAt: '2024-10-23T17:59:00.000Z', submittedOnDailyAt: `${daily}T03:00:00.000Z`, upvotes },
      numComments: 2,
    });
    const week = parseDailyPapersApi(JSON.stringify([item('2024-10-24', 10)])).papers;
    const daily = parseDailyPapersApi(JSON.stringify([item('2024-10-24', 12)]), { dailyDate: '2024-10-24' }).papers;
    // HF's search answers this paper with a later day; a search is no daily list.
    const search = parseDailyPapersApi(JSON.stringify([item('2024-10-25', 15)]), { dailyDate: null, format: 'hf-search' }).papers;
    const listing = (await parseArxivListing(fixture('arxiv/list-cs.LG-new.synthetic.html'))).papers.filter((p) => p.id === id);
    expect(listing).toHaveLength(1);
    const observations: Observation[] = [
      { papers: week, at: '2024-10-26T08:00:00.000Z' },
      { papers: listing, at: '2024-10-26T09:00:00.000Z' },
      { papers: daily, at: '2024-10-26T10:00:00.000Z' },
      { papers: search, at: '2024-10-26T11:00:00.000Z' },
    ];
    const perms = (xs: Observation[]): Observation[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((r) => [x, ...r])));
    const results = perms(observations).map((order) => recordsAfter(order).find((p) => p.id === id));
    for (const r of results) expect(r).toEqual(results[0]);
    expect(results[0]).toMatchObject({
      publishedAt: '2024-10-23', dailyDate: '2024-10-24', announcedAt: listing[0]!.announcedAt, arxivAnnounce: listing[0]!.arxivAnnounce,
      upvotes: 15, // the newest observation (the search, last by time), whatever arrived last
      sources: ['hf', 'arxiv'],
    });
    expect(listing[0]!.announcedAt).toBe('2024-10-25');
  }, 120_000);
});
