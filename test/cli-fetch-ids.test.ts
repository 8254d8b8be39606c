/**
 * `papers fetch <id|url>…` against two loopback servers: Hugging Face's paper API and arXiv's
 * Atom API. The arXiv answers are the real fixtures' entries, picked by the `id_list` asked for;
 * Hugging Face's single-paper answer is the real daily item's `paper` object (the API's answer
 * is that object, flat), given the id it is asked for where a test needs a paper both know.
 */
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheRows, runCli, tempDir } from './helpers/cli.js';
import { fixture, startServer, type ServerRequest, type TestServer } from './helpers/server.js';
import { idsOfArguments } from '../src/commands/fetch-ids.js';
import { parseHfPaperApi } from '../src/sources/hf/parse.js';

let hf: TestServer;
let arxiv: TestServer;
let tmp: ReturnType<typeof tempDir>;
const env = () => ({ PAPERS_HF_URL: hf.url, PAPERS_ARXIV_API_URL: arxiv.url, PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config });
const papers = (...args: string[]) => runCli(args, { env: env(), timeoutMs: 30_000 });

/** Every entry of the arXiv fixtures, by versionless id. */
const ENTRIES = new Map<string, string>();
for (const name of ['arxiv/api-query-all-testing-2026-04-12.xml', 'arxiv/api-id-astro-ph-0601001-2026-05.xml']) {
  for (const entry of fixture(name).match(/<entry>[\s\S]*?<\/entry>/g) ?? []) {
    const id = /<id>https?:\/\/arxiv\.org\/abs\/(.+?)(?:v\d+)?<\/id>/.exec(entry)![1]!;
    ENTRIES.set(id, entry);
  }
}
const FEED_HEAD = fixture('arxiv/api-id-astro-ph-0601001-2026-05.xml').split('<entry>')[0]!;

/** arXiv's answer to an id_list query: the entries of the ids it knows (unknown ids: none, as arXiv does). */
function arxivAnswer(req: ServerRequest) {
  const ids = (req.query.get('id_list') ?? '').split(',').filter(Boolean);
  const entries = ids.flatMap((id) => ENTRIES.get(id) ?? []);
  const head = FEED_HEAD.replace(/<opensearch:totalResults>\d+</, `<opensearch:totalResults>${entries.length}<`);
  return { headers: { 'content-type': 'application/atom+xml' }, body: `${head}${entries.join('\n')}\n</feed>\n` };
}

/** The real HF paper object (2602.23229) as the single-paper API gives it. */
const HF_PAPER = JSON.parse(fixture('hf/api-daily-papers-2026-03-06.one-item.json'))[0].paper as Record<string, unknown>;
/** Hugging Face knows these ids: each answered with the real paper object under that id. */
function hfKnows(...ids: string[]) {
  hf.fallback((req) => {
    const id = decodeURIComponent(req.path.replace(/^\/api\/papers\//, ''));
    if (!req.path.startsWith('/api/papers/') || !ids.includes(id)) return { status: 404, body: '{"error":"Paper not found"}' };
    return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...HF_PAPER, id }) };
  });
}
const hfAsked = () => hf.requests.map((r) => r.path);
const arxivAsked = () => arxiv.requests.map((r) => r.query.get('id_list'));

beforeEach(async () => {
  hf = await startServer();
  arxiv = await startServer();
  arxiv.route('/api/query', arxivAnswer);
  tmp = tempDir();
});
afterEach(async () => {
  await hf.close();
  await arxiv.close();
  tmp.cleanup();
});

describe('the id forms papers fetch accepts', () => {
  it('each pasted form reads as its versionless id; anything else is named in a usage error', () => {
    const forms: [string, string][] = [
      ['2410.17243', '2410.17243'], ['2410.17243v2', '2410.17243'], ['arXiv:2410.17243', '2410.17243'],
      ['astro-ph/0601001', 'astro-ph/0601001'], ['https://arxiv.org/abs/2410.17243v3', '2410.17243'],
      ['https://arxiv.org/pdf/2410.17243', '2410.17243'], ['https://arxiv.org/pdf/2410.17243v2.pdf', '2410.17243'],
      ['https://arxiv.org/pdf/2410.17243.pdf', '2410.17243'], ['/pdf/2410.17243v2', '2410.17243'],
      ['https://huggingface.co/papers/2410.17243', '2410.17243'], ['https://hf.co/papers/2410.17243', '2410.17243'],
      ['https://export.arxiv.org/abs/astro-ph/0601001v1', 'astro-ph/0601001'],
    ];
    for (const [form, id] of forms) expect(idsOfArguments([form]), form).toEqual([id]);
    expect(idsOfArguments(forms.map((f) => f[0]))).toEqual(['2410.17243', 'astro-ph/0601001']);
    for (const bad of ['https://example.com/abs/2410.17243', 'hello', 'https://huggingface.co/models/2410.17243']) {
      expect(() => idsOfArguments(['2410.17243', bad]), bad).toThrow(`'${bad}' is not an arXiv id or a paper URL`);
    }
  });
});

describe("Hugging Face's single-paper answer", () => {
  it('is the flat paper object, read as HF API data; an error object or no JSON is a ParseError', () => {
    const p = parseHfPaperApi(JSON.stringify(HF_PAPER));
    expect(p).toMatchObject({ id: '2602.23229', origin: 'hf-api', upvotes: HF_PAPER.upvotes, githubRepo: HF_PAPER.githubRepo, sources: ['hf'] });
    expect(() => parseHfPaperApi('{"error":"Paper not found"}')).toThrow('Hugging Face API answered with an error: Paper not found');
    expect(() => parseHfPaperApi('<html>')).toThrow('not valid JSON');
  });
});

describe('papers fetch <id|url>…', () => {
  it('every URL form in one run: one HF request a paper, one arXiv request for all, printed as a table', async () => {
    hfKnows();
    const r = await papers('fetch', 'https://arxiv.org/abs/2202.12139v1', 'https://arxiv.org/pdf/2405.13786v1.pdf', '/pdf/2005.14124',
      'https://huggingface.co/papers/2204.08348', 'https://hf.co/papers/2302.03287', 'https://export.arxiv.org/abs/1202.4527',
      'arXiv:2503.05378', '1205.1866v1', 'astro-ph/0601001', '2202.12139');
    expect(r.stderr).toContain('fetched 9 of 9 papers');
    expect(r.code).toBe(0);
    const ids = ['2202.12139', '2405.13786', '2005.14124', '2204.08348', '2302.03287', '1202.4527', '2503.05378', '1205.1866', 'astro-ph/0601001'];
    expect(arxivAsked()).toEqual([ids.join(',')]);
    expect(hfAsked().sort()).toEqual(ids.map((id) => `/api/papers/${id}`).sort());
    for (const id of ids) expect(r.stdout).toContain(id);
    expect(r.stdout).toContain('Frequency of Hot Jupiters');
    expect(cacheRows(tmp.db, 'SELECT count(*) AS n FROM papers')[0]!.n).toBe(9);
  });

  it('a paper only Hugging Face knows is stored from its paper API, exit 0', async () => {
    hfKnows('2602.23229');
    const r = await papers('fetch', 'https://huggingface.co/papers/2602.23229', '--json');
    expect(r.code, r.stderr).toBe(0);
    const [rec] = JSON.parse(r.stdout);
    expect(rec).toMatchObject({ id: '2602.23229', title: HF_PAPER.title, upvotes: HF_PAPER.upvotes, githubRepo: HF_PAPER.githubRepo, sources: ['hf'] });
    expect(hfAsked()).toEqual(['/api/papers/2602.23229']);
    expect(arxivAsked()).toEqual(['2602.23229']);
  });

  it('a paper only arXiv knows (HF answers 404) is stored from the arXiv API, exit 0', async () => {
    hfKnows();
    const r = await papers('fetch', 'arXiv:astro-ph/0601001v1', '--jsonl');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]!);
    expect(rec).toMatchObject({ id: 'astro-ph/0601001', authors: ['Andrew Gould', 'Susan Dorsher', 'B. Scott Gaudi', 'Andrzej Udalski'], sources: ['arxiv'], upvotes: null });
    expect(r.stderr).toContain('Hugging Face knew 0, arXiv 1');
  });

  it('a paper both know is one record: arXiv metadata and Hugging Face fields, merged in the store', async () => {
    hfKnows('2502.07719');
    const r = await papers('fetch', '2502.07719', '--json');
    expect(r.code, r.stderr).toBe(0);
    const [rec] = JSON.parse(r.stdout);
    const entry = ENTRIES.get('2502.07719')!;
    const arxivTitle = /<title>([\s\S]*?)<\/title>/.exec(entry)![1]!.replace(/\s+/g, ' ').trim();
    expect(arxivTitle).not.toBe(HF_PAPER.title);
    // The title is arXiv's (arXiv API data ranks first); upvotes, links, AI summary are HF's;
    // the author list is the longer of the two (it never shrinks).
    expect(rec.title).toBe(arxivTitle);
    const arxivAuthors = [...entry.matchAll(/<name>(.*?)<\/name>/g)].map((m) => m[1]);
    const hfAuthors = (HF_PAPER.authors as { name: string }[]).map((a) => a.name);
    expect(rec.authors).toEqual(hfAuthors.length > arxivAuthors.length ? hfAuthors : arxivAuthors);
    expect(rec).toMatchObject({ upvotes: HF_PAPER.upvotes, githubRepo: HF_PAPER.githubRepo, aiSummary: HF_PAPER.ai_summary, sources: ['hf', 'arxiv'] });
    expect(cacheRows(tmp.db, 'SELECT count(*) AS n FROM papers')[0]!.n).toBe(1);
    // A second fetch merges into the same record, whatever order the sources answered in.
    const again = await papers('fetch', '2502.07719', '--json');
    expect(JSON.parse(again.stdout)[0]).toMatchObject({ title: arxivTitle, upvotes: HF_PAPER.upvotes, sources: ['hf', 'arxiv'] });
    expect(cacheRows(tmp.db, 'SELECT count(*) AS n FROM papers')[0]!.n).toBe(1);
  });

  it('an id neither source knows is named on stderr, the others printed, exit 1', async () => {
    hfKnows('2602.23229');
    const r = await papers('fetch', '2602.23229', '2501.99999', 'astro-ph/0601001', '--format', 'tsv', '--fields', 'id,sources');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('id\tsources\n2602.23229\thf\nastro-ph/0601001\tarxiv\n');
    expect(r.stderr).toContain('papers: arXiv:2501.99999: neither Hugging Face nor arXiv knows it (check the ids)\n');
    expect(r.stderr).not.toContain('2602.23229:');
    expect(cacheRows(tmp.db, 'SELECT id FROM papers ORDER BY id').map((x) => x.id)).toEqual(['2602.23229', 'astro-ph/0601001']);
  });

  it('Hugging Face failing: the arXiv data is stored and printed, the failure named, exit 1', async () => {
    hf.fallback(() => ({ status: 500, body: 'down' }));
    const r = await papers('fetch', '2202.12139', '--retries', '0', '--format', 'tsv', '--fields', 'id');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('id\n2202.12139\n');
    expect(r.stderr).toContain('Hugging Face failed for arXiv:2202.12139');
    expect(cacheRows(tmp.db, 'SELECT id FROM papers').map((x) => x.id)).toEqual(['2202.12139']);
  });

  it('anything that is no id is a usage error naming it, before any request or cache', async () => {
    const r = await papers('fetch', '2202.12139', 'https://example.com/paper/1');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`'https://example.com/paper/1' is not an arXiv id or a paper URL`);
    expect(r.stdout).toBe('');
    expect(hf.requests).toHaveLength(0);
    expect(arxiv.requests).toHaveLength(0);
    expect(existsSync(tmp.db)).toBe(false);
  });

  it('dates and ids together are a usage error; --offline without ids too', async () => {
    for (const flag of [['--date', '2024-08-01'], ['--from', '2024-08-01'], ['--week', '2024-W31'], ['--month', '2024-08']]) {
      const r = await papers('fetch', ...flag, '2202.12139');
      expect(r.code, flag.join(' ')).toBe(2);
      expect(r.stderr).toContain(`${flag[0]} and paper ids cannot be combined`);
    }
    const offline = await papers('fetch', '--offline', '--date', '2024-08-01');
    expect(offline.code).toBe(2);
    expect(offline.stderr).toContain('--offline applies to papers fetch <id…> only');
    expect(hf.requests).toHaveLength(0);
    expect(arxiv.requests).toHaveLength(0);
  });

  it('--offline prints what the cache has, makes no request, and names what it lacks', async () => {
    hfKnows();
    expect((await papers('fetch', '2202.12139')).code).toBe(0);
    const before = hf.requests.length + arxiv.requests.length;
    const r = await papers('fetch', '--offline', 'https://arxiv.org/abs/2202.12139', '2405.13786', '--format', 'tsv', '--fields', 'id');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('id\n2202.12139\n');
    expect(r.stderr).toContain('arXiv:2405.13786 is not in the cache (run papers fetch 2405.13786 without --offline)');
    expect(hf.requests.length + arxiv.requests.length).toBe(before);
  });

  it("show's miss suggests papers fetch <id>, which gets the paper for show", async () => {
    hfKnows();
    expect((await papers('fetch', '2202.12139')).code).toBe(0);
    const miss = await papers('show', 'https://arxiv.org/abs/1812.11470v1');
    expect(miss.code).toBe(1);
    expect(miss.stderr).toBe('papers: arXiv:1812.11470 is not in the cache (papers fetch 1812.11470 gets it)\n');
    expect((await papers('fetch', '1812.11470')).code).toBe(0);
    const hit = await papers('show', '1812.11470', '--json');
    expect(hit.code).toBe(0);
    expect(JSON.parse(hit.stdout).id).toBe('1812.11470');
  });
});
