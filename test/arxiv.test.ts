/**
 * arXiv end to end: the real binary against loopback servers for the listing site, the API and
 * Hugging Face; then the source's paging and error handling through a real HttpClient.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { runCli, tempDir } from './helpers/cli.js';
import { fixture, fixturePath, startServer, type TestServer } from './helpers/server.js';
import { HttpClient } from '../src/http/index.js';
import type { ParsedPaper } from '../src/record.js';
import { arxivSource, fetchArxivIds } from '../src/sources/arxiv/index.js';
import type { FetchSink } from '../src/sources/types.js';
import { HttpError, ParseError } from '../src/errors.js';

let listing: TestServer;
let api: TestServer;
let hf: TestServer;
let tmp: ReturnType<typeof tempDir>;
const env = () => ({ PAPERS_HF_URL: hf.url, PAPERS_ARXIV_URL: listing.url, PAPERS_ARXIV_RSS_URL: listing.url, PAPERS_ARXIV_API_URL: api.url, PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config });

const DAY = '2024-10-25';
const LISTING = fixture('arxiv/list-cs.LG-new.synthetic.html');
/** The real API answer, as if its ten papers had been submitted on DAY. */
const ATOM_DAY = fixture('arxiv/api-query-all-testing-2026-04-12.xml')
  .replace(/<published>[^<]+<\/published>/g, `<published>${DAY}T12:00:00Z</published>`)
  .replace('<opensearch:totalResults>214881<', '<opensearch:totalResults>10<');

const ENTRIES = [...fixture('arxiv/api-query-all-testing-2026-04-12.xml').matchAll(/<entry>[\s\S]*?<\/entry>/g)].map((m) => m[0]);
/**
 * One API page of a query with `total` results, from `start` (500 a page): the real fixture's
 * ten entries in turn (one in ten is cs.AR only), with fresh ids and the day `dayOf(i)`.
 */
function atomPage(total: number, start: number, dayOf: (i: number) => string, idPrefix = '2410'): string {
  const head = fixture('arxiv/api-query-all-testing-2026-04-12.xml').split('<entry>')[0]!.replace('214881', String(total));
  const n = Math.max(0, Math.min(500, total - start));
  const body = Array.from({ length: n }, (_, k) => {
    const i = start + k;
    return ENTRIES[i % 10]!
      .replace(/<id>http:\/\/arxiv\.org\/abs\/[^<]+<\/id>/, `<id>http://arxiv.org/abs/${idPrefix}.${String(10000 + i)}v1</id>`)
      .replace(/<published>[^<]+/, `<published>${dayOf(i)}T01:00:00Z`);
  }).join('\n');
  return `${head}${body}</feed>`;
}

/** A Hugging Face daily list of DAY holding `ids` (the real item shape, ids and upvotes swapped in). */
function hfAnswer(papers: { id: string; title: string; upvotes: number }[]): string {
  const template = JSON.parse(fixture('hf/api-daily-papers-2024-08-01.derived.json'))[0];
  return JSON.stringify(papers.map(({ id, title, upvotes }) => {
    const item = structuredClone(template);
    Object.assign(item.paper, { id, title, upvotes, authors: [{ name: 'Someone Else', hidden: false }], publishedAt: `${DAY}T08:00:00.000Z` });
    Object.assign(item, { title, publishedAt: `${DAY}T10:00:00.000Z` });
    return item;
  }));
}

async function listJson(): Promise<Map<string, Record<string, any>>> {
  const r = await runCli(['list', '--json', '-n', '100'], { env: env() });
  expect(r.code, r.stderr).toBe(0);
  return new Map((JSON.parse(r.stdout) as Record<string, any>[]).map((p) => [p.id as string, p]));
}

beforeEach(async () => {
  [listing, api, hf] = await Promise.all([startServer(), startServer(), startServer()]);
  tmp = tempDir();
});
afterEach(async () => {
  await Promise.all([listing.close(), api.close(), hf.close()]);
  tmp.cleanup();
});

describe('papers fetch --source arxiv', () => {
  it("stores today's listing of a category, then Hugging Face's list of the same papers merges into the same records", async () => {
    listing.route('/list/cs.LG/new', { body: LISTING, headers: { 'content-type': 'text/html' } });
    const r = await runCli(['fetch', '--source', 'arxiv', '--category', 'cs.LG', '--json', '-v'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    // No feed served here: the feed is asked first, the listing page is the fallback.
    expect(listing.requests.map((q) => q.path)).toEqual(['/atom/cs.LG', '/list/cs.LG/new']);
    expect(listing.requests[0]!.headers['user-agent']).toMatch(/^papers\//);
    expect(api.requests).toHaveLength(0);
    expect(r.stderr).toContain('cs.LG: 3 new, 1 cross-lists, 2 replacements (listing of 2024-10-25)');

    let papers = await listJson();
    expect([...papers.keys()].sort()).toEqual(['2302.01234', '2410.18123', '2410.18957', '2410.18960', '2410.18999', 'math/0309136']);
    const first = papers.get('2410.18957')!;
    expect(first.title).toBe('Sparse Mixtures of Experts for Streaming Time Series');
    expect(first.authors).toEqual(['Jürgen Müller', 'Lucía García-Pérez', 'Thị Hương Nguyễn']);
    expect(first.categories).toEqual(['cs.LG', 'cs.AI']);
    expect(first.sources).toEqual(['arxiv']);
    expect(papers.get('2410.18123')!.categories).toEqual(['cs.CV', 'cs.LG']);

    // The replacement listing updates the record it replaces; cat: works in queries.
    const q = await runCli(['list', '--json', '-q', 'cat:cs.CV'], { env: env() });
    expect((JSON.parse(q.stdout) as { id: string }[]).map((p) => p.id)).toEqual(['2410.18123']);

    hf.route('/api/daily_papers', { body: hfAnswer([
      { id: '2410.18957', title: 'Sparse Mixtures of Experts for Streaming Time Series', upvotes: 42 },
      { id: '2410.18123', title: 'Video Diffusion with Fewer Steps', upvotes: 7 },
    ]), headers: { 'content-type': 'application/json' } });
    const h = await runCli(['fetch', '--date', DAY], { env: env() });
    expect(h.code, h.stderr).toBe(0);
    papers = await listJson();
    expect(papers.size).toBe(6);
    expect(papers.get('2410.18957')).toMatchObject({ sources: ['hf', 'arxiv'], upvotes: 42, categories: ['cs.LG', 'cs.AI'], dailyDate: DAY });
    expect(papers.get('2410.18123')).toMatchObject({ sources: ['hf', 'arxiv'], upvotes: 7, categories: ['cs.CV', 'cs.LG'] });
    expect(papers.get('2410.18960')!.sources).toEqual(['arxiv']);

    // arXiv again after Hugging Face: upvotes stay, sources stay both.
    const again = await runCli(['fetch', '--source', 'arxiv', '--category', 'cs.LG'], { env: env() });
    expect(again.code, again.stderr).toBe(0);
    papers = await listJson();
    expect(papers.get('2410.18957')).toMatchObject({ sources: ['hf', 'arxiv'], upvotes: 42, categories: ['cs.LG', 'cs.AI'] });
  }, 60_000);

  it('a replacement in the listing updates the record already cached; cat: works in topics', async () => {
    hf.route('/api/daily_papers', { body: hfAnswer([{ id: '2302.01234', title: 'Revisiting BatchNorm in Transformers (v1 title)', upvotes: 5 }]) });
    expect((await runCli(['fetch', '--date', DAY], { env: env() })).code).toBe(0);
    let papers = await listJson();
    expect(papers.get('2302.01234')).toMatchObject({ sources: ['hf'], categories: [], publishedAt: DAY, upvotes: 5 });

    // No --category: the categories of the config.
    writeFileSync(tmp.config, JSON.stringify({ sources: { arxiv: { categories: ['cs.LG'] } }, topics: { vision: 'cat:cs.CV OR cat:math.GT' } }));
    listing.route('/list/cs.LG/new', { body: LISTING });
    const r = await runCli(['fetch', '--source', 'arxiv'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    // No feed served here: the feed is asked first, the listing page is the fallback.
    expect(listing.requests.map((q) => q.path)).toEqual(['/atom/cs.LG', '/list/cs.LG/new']);
    papers = await listJson();
    expect(papers.size).toBe(6);
    expect(papers.get('2302.01234')).toMatchObject({
      title: 'Revisiting Batch Normalisation in Transformers', sources: ['hf', 'arxiv'], categories: ['cs.LG', 'cs.CL'],
      upvotes: 5, publishedAt: DAY, summary: expect.any(String),
    });
    const show = await runCli(['show', '2302.01234'], { env: env() });
    expect(show.stdout).toContain('Trans. Mach. Learn. Res. 2024');

    const t = await runCli(['list', '--json', '--topic', 'vision'], { env: env() });
    expect(t.code, t.stderr).toBe(0);
    expect((JSON.parse(t.stdout) as { id: string }[]).map((p) => p.id).sort()).toEqual(['2410.18123', 'math/0309136']);
  }, 60_000);

  it('fetches a date through the API (submittedDate range), then merges with Hugging Face', async () => {
    api.route('/api/query', { body: ATOM_DAY, headers: { 'content-type': 'application/atom+xml' } });
    const r = await runCli(['fetch', '--source', 'arxiv', '--category', 'cs.SE', '--date', DAY], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(api.requests).toHaveLength(1);
    const query = Object.fromEntries(api.requests[0]!.query);
    expect(query).toEqual({
      search_query: 'cat:cs.SE AND submittedDate:[202410250000 TO 202410252359]',
      start: '0', max_results: '500', sortBy: 'submittedDate', sortOrder: 'ascending',
    });
    let papers = await listJson();
    expect(papers.size).toBe(10);
    expect(papers.get('2202.12139')).toMatchObject({ authors: ['Mohit Kumar Ahuja', 'Arnaud Gotlieb', 'Helge Spieker'], categories: ['cs.SE', 'cs.LG'], publishedAt: DAY, sources: ['arxiv'] });

    hf.route('/api/daily_papers', { body: hfAnswer([{ id: '2202.12139', title: 'Testing Deep Learning Models', upvotes: 11 }]) });
    expect((await runCli(['fetch', '--date', DAY], { env: env() })).code).toBe(0);
    papers = await listJson();
    expect(papers.size).toBe(10);
    expect(papers.get('2202.12139')).toMatchObject({ sources: ['hf', 'arxiv'], upvotes: 11, categories: ['cs.SE', 'cs.LG'], authors: ['Mohit Kumar Ahuja', 'Arnaud Gotlieb', 'Helge Spieker'] });
  });

  it("reports arXiv's error feed as one clear line, exit 1", async () => {
    api.route('/api/query', { status: 400, body: fixture('arxiv/api-error-400-bad-id-2026-04-12.xml') });
    const r = await runCli(['fetch', '--source', 'arxiv', '--category', 'cs.LG', '--date', DAY], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^papers: arXiv API error: incorrect id format for abc \(arXiv refused the query; check the categories, dates or ids asked for\)$/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an empty listing is a success with zero papers; a category is required', async () => {
    listing.route('/list/math.GT/new', { body: fixture('arxiv/list-empty.synthetic.html') });
    const r = await runCli(['fetch', '--source', 'arxiv', '--category', 'math.GT', '--json'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ source: 'arxiv' });
    expect((await listJson()).size).toBe(0);
    const u = await runCli(['fetch', '--source', 'arxiv'], { env: env() });
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/^papers: --source arxiv needs --category \(e\.g\. --category cs\.LG/);
    writeFileSync(tmp.config, JSON.stringify({ sources: { arxiv: { categories: ['cs.LG', 'cs LG'] } } }));
    const c = await runCli(['fetch', '--source', 'arxiv'], { env: env() });
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/^papers: the config file .*: "sources\.arxiv\.categories": 'cs LG' is not an arXiv category/);
  });

  it('papers sync includes arXiv when categories are configured', async () => {
    writeFileSync(tmp.config, JSON.stringify({ sources: { arxiv: { categories: ['cs.SE'] } } }));
    hf.route('/api/daily_papers', { body: '[]' });
    api.route('/api/query', { body: ATOM_DAY });
    const r = await runCli(['sync'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(api.requests).toHaveLength(1);
    const span = (i: number) => /\[(\d{8})0000 TO (\d{8})2359\]/.exec(api.requests[i]!.query.get('search_query')!)!.slice(1);
    const ymd = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
    expect(api.requests[0]!.query.get('search_query')).toMatch(/^cat:cs\.SE AND submittedDate:\[\d{8}0000 TO \d{8}2359\]$/);
    expect(span(0)).toEqual([ymd(7), ymd(0)]);
    // The next sync looks four days back again: arXiv announces a day's submissions days later.
    const again = await runCli(['sync'], { env: env() });
    expect(again.code, again.stderr).toBe(0);
    expect(span(1)).toEqual([ymd(4), ymd(0)]);
  });

  it('never sends two requests to arXiv less than 3 s apart', async () => {
    for (const c of ['cs.LG', 'cs.CV', 'math.GT']) listing.route(`/list/${c}/new`, { body: c === 'math.GT' ? fixture('arxiv/list-empty.synthetic.html') : LISTING });
    const r = await runCli(['fetch', '--source', 'arxiv', '--category', 'cs.LG,cs.CV', '--category', 'math.GT'], { env: env(), timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    const at = listing.requests.map((q) => q.at);
    expect(listing.requests.map((q) => q.path)).toEqual(['/atom/cs.LG+cs.CV+math.GT', '/list/cs.LG/new', '/list/cs.CV/new', '/list/math.GT/new']);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(3000);
    expect(at[3]! - at[0]!).toBeGreaterThanOrEqual(9000);
  }, 40_000);
});

describe('papers import of arXiv files', () => {
  it('reads a listing page, an API answer and an empty listing; the error feed is a one-line error', async () => {
    const files = ['list-cs.LG-new.synthetic.html', 'api-id-1111.2011v2-old-format-2016.xml', 'list-empty.synthetic.html'].map((f) => fixturePath(`arxiv/${f}`));
    const r = await runCli(['import', ...files], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('an arXiv listing page of 2024-10-25: 6 papers, 6 new');
    const papers = await listJson();
    expect(papers.size).toBe(7);
    expect(papers.get('1111.2011')).toMatchObject({ authors: ['James M. Murray', 'Adrian Del Maestro', 'Zlatko Tesanovic'], categories: ['cond-mat.str-el', 'cond-mat.stat-mech'], sources: ['arxiv'] });
    const e = await runCli(['import', fixturePath('arxiv/api-error-400-bad-id-2026-04-12.xml')], { env: env() });
    expect(e.code).toBe(1);
    expect(e.stderr).toContain('arXiv API error: incorrect id format for abc');
  });

  it('reads a listing page saved before 2024 (the older layout)', async () => {
    const r = await runCli(['import', fixturePath('arxiv/list-cs.LG-new-2023-layout.synthetic.html')], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('an arXiv listing page of 2023-10-27: 3 papers, 3 new');
    expect((await listJson()).get('2310.16834')).toMatchObject({ title: 'Old Layout, New Paper', authors: ['Ana Silva', 'Bo Li'], categories: ['cs.LG', 'stat.ML'] });
  });
});

describe('arxivSource over the API (paging, days, categories)', () => {
  function sink() {
    const lists = new Map<string, ParsedPaper[]>();
    const strays: ParsedPaper[] = [];
    const s: FetchSink = {
      known: () => null,
      latest: () => null,
      saveList: (key, papers) => void lists.set(key, papers),
      touchList: () => undefined,
      savePapers: (papers) => void strays.push(...papers),
      papersPerList: () => null,
      progress: () => undefined,
      log: () => undefined,
    };
    return { s, lists, strays };
  }
  const http = () => new HttpClient({ env: { PAPERS_ARXIV_API_URL: api.url }, hostRules: { arxivApi: { minIntervalMs: 0 } }, retries: 0 });

  it('pages until totalResults and files each paper under its day and each asked category it is in', async () => {
    // 1100 results over three pages: the fixture's ten entries with fresh ids, half on each day.
    api.route('/api/query', (req) => ({ body: atomPage(1100, Number(req.query.get('start')), (i) => `2024-10-${i % 2 ? '26' : '25'}`) }));
    const c = http();
    const { s, lists, strays } = sink();
    await arxivSource({ arxiv: listing.url, arxivApi: api.url }).fetchRange(c, { from: '2024-10-25', to: '2024-10-26', today: '2024-11-01', refresh: false, categories: ['cs.SE', 'cs.LG'] }, s);
    await c.close();
    expect(api.requests.map((r) => r.query.get('start'))).toEqual(['0', '500', '1000']);
    expect(api.requests[0]!.query.get('search_query')).toBe('(cat:cs.SE OR cat:cs.LG) AND submittedDate:[202410250000 TO 202410262359]');
    expect([...lists.keys()]).toEqual(['2024-10-25 cs.SE', '2024-10-25 cs.LG', '2024-10-26 cs.SE', '2024-10-26 cs.LG']);
    const all = [...lists.values()].flat();
    // one entry in ten is cs.AR only: stored, but on no list
    expect(new Set(all.map((p) => p.id)).size).toBe(990);
    expect(strays.map((p) => p.categories[0])).toEqual(Array(110).fill('cs.AR'));
    for (const [key, ps] of lists) {
      const [day, cat] = key.split(' ');
      expect(ps.every((p) => p.publishedAt === day && p.categories.includes(cat!))).toBe(true);
    }
    expect(lists.get('2024-10-25 cs.SE')!.length + lists.get('2024-10-26 cs.SE')!.length).toBe(990);
  });

  it('stores each day as soon as a later day shows up, so a failure keeps the days completed', async () => {
    // 1200 papers over three days, oldest first; the third page fails.
    const dayOf = (i: number) => `2024-10-${25 + Math.floor(i / 400)}`;
    api.route('/api/query', (req) => {
      const start = Number(req.query.get('start'));
      return start >= 1000 ? { status: 503, body: 'busy' } : { body: atomPage(1200, start, dayOf) };
    });
    const c = http();
    const { s, lists } = sink();
    const err = await arxivSource({ arxiv: listing.url, arxivApi: api.url }).fetchRange(c, { from: '2024-10-25', to: '2024-10-27', today: '2024-11-01', refresh: false, categories: ['cs.SE'] }, s).catch((e: unknown) => e);
    await c.close();
    expect(err).toBeInstanceOf(HttpError);
    expect([...lists.keys()]).toEqual(['2024-10-25 cs.SE', '2024-10-26 cs.SE']);
    expect(lists.get('2024-10-25 cs.SE')!.every((p) => p.publishedAt === '2024-10-25')).toBe(true);
    expect(lists.get('2024-10-26 cs.SE')).toHaveLength(360); // 400 that day, one in ten is cs.AR only
  });

  it('splits a range with more results than the API serves', async () => {
    api.route('/api/query', (req) => {
      const m = /\[(\d{8})0000 TO (\d{8})2359\]/.exec(req.query.get('search_query')!)!;
      const total = m[1] === m[2] ? 3 : 45_000;
      return { body: atomPage(total, 0, () => `${m[1]!.slice(0, 4)}-${m[1]!.slice(4, 6)}-${m[1]!.slice(6)}`, `24${m[1]!.slice(6)}`) };
    });
    const c = http();
    const { s, lists } = sink();
    await arxivSource({ arxiv: listing.url, arxivApi: api.url }).fetchRange(c, { from: '2024-10-25', to: '2024-10-27', today: '2024-11-01', refresh: false, categories: ['cs.SE'] }, s);
    await c.close();
    expect(api.requests.map((r) => /\[(\d{8})0000 TO (\d{8})2359\]/.exec(r.query.get('search_query')!)!.slice(1).join('-'))).toEqual([
      '20241025-20241027', '20241025-20241025', '20241026-20241027', '20241026-20241026', '20241027-20241027',
    ]);
    expect([...lists.keys()]).toEqual(['2024-10-25 cs.SE', '2024-10-26 cs.SE', '2024-10-27 cs.SE']);
    expect([...lists.values()].map((l) => l.length)).toEqual([3, 3, 3]);
  });

  it('does not ask again for days fetched long enough after arXiv announced them', async () => {
    api.route('/api/query', { body: ATOM_DAY });
    const c = http();
    const { s } = sink();
    const fetchedAt = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString();
    // 25 Oct fetched 5 days later: settled; 26 Oct fetched 2 days later: announcements may still come.
    s.known = (key) => ({ fetchedAt: key.startsWith('2024-10-25') ? fetchedAt('2024-10-25', 5) : fetchedAt('2024-10-26', 2), paperCount: 1, etag: null });
    await arxivSource({ arxiv: listing.url, arxivApi: api.url }).fetchRange(c, { from: '2024-10-25', to: '2024-10-26', today: '2024-11-01', refresh: false, categories: ['cs.SE'] }, s);
    await c.close();
    expect(api.requests.map((r) => r.query.get('search_query'))).toEqual(['cat:cs.SE AND submittedDate:[202410260000 TO 202410262359]']);
  });

  it('reports a 400 that is not the error feed as an HTTP error', async () => {
    api.route('/api/query', { status: 400, body: '<html><body>Bad Request</body></html>' });
    const c = http();
    const err = await arxivSource({ arxiv: listing.url, arxivApi: api.url }).fetchRange(c, { from: DAY, to: DAY, today: '2024-11-01', refresh: false, categories: ['cs.SE'] }, sink().s).catch((e: unknown) => e);
    await c.close();
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ status: 400, message: expect.stringMatching(/^the arXiv API answered 400 for \?search_query=/) });
  });

  it('fetches papers by id through id_list', async () => {
    api.route('/api/query', (req) => ({ body: req.query.get('id_list') === 'astro-ph/0601001,1111.2011'
      ? fixture('arxiv/api-id-astro-ph-0601001-2026-05.xml').replace(/<\/feed>\s*$/, '') + fixture('arxiv/api-id-1111.2011v2-old-format-2016.xml').match(/<entry[\s\S]*<\/entry>/)![0] + '</feed>'
      : fixture('arxiv/api-empty-result-2026-04-12.xml') }));
    const c = http();
    const papers = await fetchArxivIds(c, api.url, ['astro-ph/0601001', '1111.2011']);
    await c.close();
    expect(papers.map((p) => p.id)).toEqual(['astro-ph/0601001', '1111.2011']);
    expect(api.requests[0]!.query.get('max_results')).toBe('2');
    expect(papers[1]!.authors).toEqual(['James M. Murray', 'Adrian Del Maestro', 'Zlatko Tesanovic']);
  });

  it('stops with a clear error on an empty page before totalResults, storing nothing', async () => {
    api.route('/api/query', [{ body: ATOM_DAY.replace('<opensearch:totalResults>10<', '<opensearch:totalResults>500<') }, { body: fixture('arxiv/api-empty-result-2026-04-12.xml').replace('>0</opensearch:totalResults>', '>500</opensearch:totalResults>') }]);
    const c = http();
    const { s, lists } = sink();
    const err = await arxivSource({ arxiv: listing.url, arxivApi: api.url }).fetchRange(c, { from: DAY, to: DAY, today: '2024-11-01', refresh: false, categories: ['cs.SE'] }, s).catch((e: unknown) => e);
    await c.close();
    expect(err).toBeInstanceOf(ParseError);
    expect((err as Error).message).toMatch(/empty page at 10 of 500/);
    expect(lists.size).toBe(0);
  });
});
