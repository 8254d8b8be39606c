import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/store/index.js';
import { prune } from '../src/store/maintenance.js';
import { rng } from '../bench/gen.js';
import { emptyPaper, paperDay, type Paper, type ParsedPaper } from '../src/record.js';

function paper(over: Partial<ParsedPaper>): ParsedPaper {
  return { ...emptyPaper(over.title ?? 'A Paper', 'arxiv'), ...over };
}

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'papers-day-order-'));
  store = Store.open(join(dir, 'papers.db'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Newest day first, undated last; more upvotes first within a day (upvotes are distinct here). */
function byDate(a: Paper, b: Paper): number {
  const da = paperDay(a);
  const db = paperDay(b);
  if (da !== db) return da === null ? 1 : db === null ? -1 : da < db ? 1 : -1;
  return (b.upvotes ?? -1) - (a.upvotes ?? -1);
}

const WORDS = ['diffusion', 'video', 'language', 'graph', 'robot', 'speech', 'agent', 'protein'];

/**
 * Papers over a few weeks, stored in an order unrelated to their days, some without a day;
 * some later on a daily list of another day (their day changes), some re-stored unchanged.
 * Each has a distinct upvote count, so the date order has no ties.
 */
function fill(seed: number): Paper[] {
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const day = () => `2024-0${1 + Math.floor(r() * 3)}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`;
  const made: ParsedPaper[] = [];
  for (let i = 0; i < 300; i++) {
    const title = `${pick(WORDS)} ${pick(WORDS)} study ${i}`;
    made.push(paper({
      id: `2401.${String(10000 + i)}`,
      title,
      summary: `We study ${pick(WORDS)} with ${pick(WORDS)}.`,
      publishedAt: r() < 0.1 ? null : day(),
      upvotes: i,
    }));
  }
  for (let at = 0; at < made.length; at += 50) store.upsertPapers(made.slice(at, at + 50).sort(() => r() - 0.5));
  // Daily lists: a paper's day becomes the list's (later or earlier than its arXiv date, or
  // the first day it has), in batches that also hold papers seen again unchanged.
  for (let k = 0; k < 6; k++) {
    const date = day();
    const listed = Array.from({ length: 15 }, () => pick(made)).filter((p, i, xs) => xs.indexOf(p) === i);
    store.saveList('hf', date, listed.map((p) => ({ ...p, sources: ['hf' as const], dailyDate: date, upvotes: p.upvotes })));
    store.upsertPapers([pick(made), pick(made)]);
  }
  return [...store.query({ sort: 'title' })];
}

const ids = (ps: Iterable<Paper>) => [...ps].map((p) => p.id);

describe('newest first: rowids follow days', () => {
  it('a text query, newest first by default, gives exactly the matching papers in date order, at every limit and with filters', () => {
    const all = fill(7);
    for (const w of WORDS) {
      const matching = all.filter((p) => `${p.title} ${p.summary}`.split(/\W+/).includes(w)).sort(byDate);
      expect(matching.length).toBeGreaterThan(0);
      for (const limit of [1, 5, 20, 1000]) {
        expect(ids(store.query({ match: `"${w}"`, limit })), `${w} -n ${limit}`).toEqual(ids(matching.slice(0, limit)));
      }
      expect(ids(store.query({ match: `"${w}"` }))).toEqual(ids(matching));
      const since = matching.filter((p) => paperDay(p) !== null && paperDay(p)! >= '2024-02-10' && paperDay(p)! <= '2024-03-05' && (p.upvotes ?? 0) >= 100);
      expect(ids(store.query({ match: `"${w}"`, since: '2024-02-10', until: '2024-03-05', minUpvotes: 100, limit: 7 }))).toEqual(ids(since.slice(0, 7)));
      expect(store.countMatching({ match: `"${w}"` })).toBe(matching.length);
    }
  });

  it('a list without a query, and with filters only, is in date order at every limit', () => {
    const all = fill(11).sort(byDate);
    for (const limit of [1, 3, 30, 299, 1000]) expect(ids(store.query({ limit }))).toEqual(ids(all.slice(0, limit)));
    const hf = all.filter((p) => p.sources.includes('hf'));
    expect(hf.length).toBeGreaterThan(5);
    expect(ids(store.query({ source: 'hf', limit: 5 }))).toEqual(ids(hf.slice(0, 5)));
    const feb = all.filter((p) => paperDay(p) !== null && paperDay(p)!.startsWith('2024-02'));
    expect(ids(store.query({ since: '2024-02-01', until: '2024-02-29', limit: 10 }))).toEqual(ids(feb.slice(0, 10)));
    expect(store.countMatching({ since: '2024-02-01', until: '2024-02-29' })).toBe(feb.length);
  });

  it('--sort relevance ranks exactly the matching papers, with a limit the same as without', () => {
    const all = fill(3);
    for (const w of WORDS) {
      const matching = new Set(all.filter((p) => `${p.title} ${p.summary}`.split(/\W+/).includes(w)).map((p) => p.id));
      const ranked = ids(store.query({ match: `"${w}"`, sort: 'relevance' }));
      expect(new Set(ranked)).toEqual(matching);
      expect(ids(store.query({ match: `"${w}"`, sort: 'relevance', limit: 5 }))).toEqual(ranked.slice(0, 5));
      // Within filters (a period, a floor on upvotes, a source) too: the head of the full ranking.
      for (const filters of [{ since: '2024-02-01', until: '2024-03-10' }, { since: '2024-01-15', minUpvotes: 50 }, { source: 'hf' as const }]) {
        const all = ids(store.query({ match: `"${w}"`, sort: 'relevance', ...filters }));
        expect(new Set(all)).toEqual(new Set(ids(store.query({ match: `"${w}"`, sort: 'date', ...filters }))));
        for (const limit of [1, 3, 10]) expect(ids(store.query({ match: `"${w}"`, sort: 'relevance', limit, ...filters }))).toEqual(all.slice(0, limit));
      }
      // A title match ranks above an abstract-only match.
      const inTitle = all.filter((p) => p.title.split(' ').includes(w)).map((p) => p.id);
      expect(new Set(ranked.slice(0, inTitle.length))).toEqual(new Set(inTitle));
    }
  });

  it('a paper whose day changes moves, with its list places, counts, times and index entry', () => {
    store.upsertPapers([paper({ id: '2407.00001', title: 'Moving diffusion', publishedAt: '2024-07-01', upvotes: 1 })], { now: '2024-07-02T00:00:00.000Z' });
    store.upsertPapers([paper({ id: '2407.00002', title: 'Staying diffusion', publishedAt: '2024-07-20', upvotes: 2 })], { now: '2024-07-02T00:00:00.000Z' });
    store.upsertPapers([paper({ id: '2407.00001', title: 'Moving diffusion', publishedAt: '2024-07-01', upvotes: 1 })], { now: '2024-07-03T00:00:00.000Z' });
    expect(ids(store.query({ match: '"diffusion"' }))).toEqual(['2407.00002', '2407.00001']);
    // On a later daily list: now the newest of the two, still found by its words.
    const listed = paper({ id: '2407.00001', title: 'Moving diffusion', publishedAt: '2024-07-01', dailyDate: '2024-08-01', upvotes: 5, sources: ['hf'] });
    store.saveList('hf', '2024-08-01', [listed], { now: '2024-08-01T00:00:00.000Z' });
    expect(ids(store.query({ match: '"diffusion"', limit: 1 }))).toEqual(['2407.00001']);
    expect(ids(store.query({ match: '"moving"' }))).toEqual(['2407.00001']);
    expect(ids(store.query({ listDate: '2024-08-01', listSource: 'hf' }))).toEqual(['2407.00001']);
    expect(store.listsOf('2407.00001')).toEqual([{ source: 'hf', listDate: '2024-08-01', rank: 1 }]);
    expect(store.countHistory('2407.00001').map((h) => h.upvotes)).toEqual([1, 5]);
    expect(store.getPaper('2407.00001')).toMatchObject({ firstSeenAt: '2024-07-02T00:00:00.000Z', lastSeenAt: '2024-08-01T00:00:00.000Z', dailyDate: '2024-08-01' });
    // Within one batch: met unchanged, then moved by a later record of the same batch.
    const r = store.saveList('hf', '2024-08-02', [
      paper({ id: '2407.00002', title: 'Staying diffusion', publishedAt: '2024-07-20', upvotes: 2 }),
      paper({ id: '2407.00002', title: 'Staying diffusion', publishedAt: '2024-07-20', dailyDate: '2024-08-02', upvotes: 2, sources: ['hf'] }),
    ], { now: '2024-08-03T00:00:00.000Z' });
    expect(store.byRowids(r.rowids).map((p) => p.id)).toEqual(['2407.00002', '2407.00002']);
    expect(store.getPaper('2407.00002')).toMatchObject({ dailyDate: '2024-08-02', lastSeenAt: '2024-08-03T00:00:00.000Z' });
    expect(ids(store.query({ match: '"diffusion"' }))).toEqual(['2407.00002', '2407.00001']);
    expect(store.handle.pragma('foreign_key_check')).toEqual([]);
    expect(() => store.handle.prepare("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)").run()).not.toThrow();
  });

  it('BibTeX keys follow the order papers were stored in, not their days, across batches and moves', () => {
    store.upsertPapers([paper({ id: '2405.00001', title: 'First stored', publishedAt: '2024-05-01' })]);
    store.upsertPapers([paper({ id: '2401.00001', title: 'Second stored, older', publishedAt: '2024-01-01' }), paper({ title: 'Third, undated' })]);
    store.saveList('hf', '2024-06-01', [paper({ id: '2405.00001', title: 'First stored', publishedAt: '2024-05-01', dailyDate: '2024-06-01', sources: ['hf'] })]);
    store.upsertPapers([paper({ id: '2312.00001', title: 'Fourth stored, oldest', publishedAt: '2023-12-01' })]);
    expect([...store.keyStubs()].map((s) => s.title)).toEqual(['First stored', 'Second stored, older', 'Third, undated', 'Fourth stored, oldest']);
    expect(ids(store.query({}))).toEqual(['2405.00001', '2401.00001', '2312.00001', null]);
  });

  it('the counts stats reads are the papers counted, after inserts, moves, merges and prunes', () => {
    const recount = () => ({
      bySource: store.handle.prepare('SELECT s.value AS source, count(*) AS papers FROM papers p, json_each(p.sources) s GROUP BY s.value ORDER BY papers DESC, source').all(),
      byMonth: store.handle.prepare("SELECT substr(coalesce(daily_date, published_at), 1, 7) AS month, count(*) AS papers FROM papers WHERE coalesce(daily_date, published_at) IS NOT NULL GROUP BY month ORDER BY month DESC").all(),
      undated: store.handle.prepare('SELECT count(*) FROM papers WHERE coalesce(daily_date, published_at) IS NULL').pluck().get(),
      newest: store.handle.prepare('SELECT max(coalesce(daily_date, published_at)) FROM papers').pluck().get(),
    });
    expect(store.contentStats()).toEqual(recount());
    fill(5);
    // A title-only record folded into its id later.
    store.upsertPapers([paper({ title: 'Only a title', sources: ['import'] })]);
    store.upsertPapers([paper({ id: '2402.99999', title: 'Only a title', publishedAt: '2024-02-02' })]);
    expect(store.contentStats()).toEqual(recount());
    prune(store.handle, '2024-02-01');
    expect(store.contentStats()).toEqual(recount());
    expect(store.handle.pragma('foreign_key_check')).toEqual([]);
  });
});
