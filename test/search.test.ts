import { describe, it, expect } from 'vitest';
import { cacheRows, runCli, serverAndCache } from './helpers/cli.js';
import { startServer, fixture } from './helpers/server.js';

const API_2024 = JSON.parse(fixture('hf/api-daily-papers-2024-08-01.derived.json')) as Record<string, unknown>[];
const API_2026 = JSON.parse(fixture('hf/api-daily-papers-2026-03-06.one-item.json')) as Record<string, unknown>[];
const PAGE_2024 = fixture('hf/daily-2024-08-01.html');

/** A search answer: the 2026 item, then three 2024 items (HF's order, not by date or upvotes). */
const RESULTS = [API_2026[0]!, API_2024[5]!, API_2024[0]!, API_2024[2]!];
const RESULT_IDS = ['2602.23229', '2407.21630', '2407.21783', '2407.21770'];

const searchPage = (query: string, results: unknown[]) =>
  `<!doctype html><html><body><div class="SVELTE_HYDRATER contents" data-target="DailyPapers" data-props="${
    JSON.stringify({ query, searchResults: results }).replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"></div></body></html>`;

const t = serverAndCache();
const search = (args: string[]) => runCli(['search', ...args], { env: t.env() });
const count = (table: string) => cacheRows(t.tmp.db, `SELECT count(*) AS n FROM ${table}`)[0]!.n as number;


describe('papers search', () => {
  it("asks HF's search API, stores the results and prints them in HF's order", async () => {
    t.server.route('/api/papers/search', { body: JSON.stringify(RESULTS) });
    const r = await search(['multimodal', 'models', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { id: string; dailyDate: string; sources: string[] }[];
    expect(out.map((p) => p.id)).toEqual(RESULT_IDS);
    // search results keep their own list dates; none is a daily list
    // A search answer is no daily list: it sets no dailyDate.
    expect(out.map((p) => p.dailyDate)).toEqual([null, null, null, null]);
    expect(out[0]!.sources).toEqual(['hf']);
    expect(t.server.requests).toHaveLength(1);
    expect(t.server.requests[0]!.query.get('q')).toBe('multimodal models');
    expect(t.server.requests[0]!.query.get('limit')).toBeNull();
    expect(count('papers')).toBe(4);
    expect(count('list_entries')).toBe(0);
    // the same search again adds nothing
    expect((await search(['multimodal', 'models', '--json'])).code).toBe(0);
    expect(count('papers')).toBe(4);
  });

  it('passes --limit to HF and prints at most that many, even when HF gives more', async () => {
    t.server.route('/api/papers/search', { body: JSON.stringify(RESULTS) });
    const r = await search(['llama', '-n', '2', '--jsonl']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(RESULT_IDS.slice(0, 2));
    expect(t.server.requests[0]!.query.get('limit')).toBe('2');
    expect(count('papers')).toBe(4); // all of HF's answer is kept
  });

  it('with --sort or a filter, sorts and filters all of the results before --limit', async () => {
    t.server.route('/api/papers/search', { body: JSON.stringify(RESULTS) });
    const r = await search(['llama', '--sort', 'upvotes', '-n', '2', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { id: string; upvotes: number }[]).map((p) => [p.id, p.upvotes])).toEqual([['2407.21783', 94], ['2407.21770', 19]]);
    expect(t.server.requests[0]!.query.get('limit')).toBeNull();
    const since = await search(['llama', '--since', '2025-01-01', '--json']);
    expect((JSON.parse(since.stdout) as { id: string }[]).map((p) => p.id)).toEqual(['2602.23229']);
    const none = await search(['llama', '--min-upvotes', '100000', '--json']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('[]\n');
    expect(none.stderr).toMatch(/^papers: none of the 4 papers Hugging Face found for "llama" pass the filters\n$/);
  });

  it('prints a table with a heading by default', async () => {
    t.server.route('/api/papers/search', { body: JSON.stringify(RESULTS) });
    const r = await search(['llama']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Hugging Face search "llama" · 4 papers\n/);
    expect(r.stdout).toContain('The Llama 3 Herd of Models');
  });

  it('falls back to the search page when the API fails', async () => {
    t.server.route('/api/papers/search', { status: 500, body: 'down' });
    t.server.route('/papers', (req) => ({ body: searchPage(req.query.get('q') ?? '', RESULTS.slice(1)) }));
    const r = await search(['llama', 'herd', '--json', '--retries', '0']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { id: string }[]).map((p) => p.id)).toEqual(RESULT_IDS.slice(1));
    expect(t.server.requests.map((q) => q.path)).toEqual(['/api/papers/search', '/papers']);
    expect(t.server.requests[1]!.query.get('q')).toBe('llama herd');
    expect(count('papers')).toBe(3);
  });

  it('nothing found: exit 0, a message on stderr, an empty array for --json', async () => {
    t.server.route('/api/papers/search', { body: '[]' });
    const json = await search(['zzzzqqq', '--json']);
    expect(json.code).toBe(0);
    expect(json.stdout).toBe('[]\n');
    expect(json.stderr).toBe('papers: Hugging Face found no papers for "zzzzqqq"\n');
    const tableOut = await search(['zzzzqqq']);
    expect(tableOut.code).toBe(0);
    expect(tableOut.stdout).toBe('');
    // [] is an answer: the page is not asked
    expect(t.server.requests.map((q) => q.path)).toEqual(['/api/papers/search', '/api/papers/search']);
    expect(count('papers')).toBe(0);
  });

  it('nothing found on the search page either', async () => {
    t.server.route('/api/papers/search', { status: 404 });
    t.server.route('/papers', { body: searchPage('zzzzqqq', []) });
    const r = await search(['zzzzqqq', '--retries', '0']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('papers: Hugging Face found no papers for "zzzzqqq"\n');
  });

  it('a page that shows the daily list instead of results is an error, and nothing is stored', async () => {
    t.server.route('/api/papers/search', { status: 503 });
    t.server.route('/papers', { body: PAGE_2024 });
    const r = await search(['llama', '--retries', '0']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^papers: Hugging Face answered, but not in a shape papers recognises: .*search page gave no search results.*\n$/);
    expect(count('papers')).toBe(0);
  });

  it('a network failure is exit 1 with one line, not cached papers', async () => {
    t.server.route('/api/papers/search', { body: JSON.stringify(RESULTS) });
    expect((await search(['llama'])).code).toBe(0);
    const url = t.server.url;
    await t.server.close();
    const r = await runCli(['search', 'llama', '--retries', '0', '--timeout', '2'], { env: { ...t.env(), PAPERS_HF_URL: url } });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^papers: could not get search results for "llama" from Hugging Face: [^\n]+\n$/);
    t.server = await startServer();
  });

  it('--offline searches the cache (every word, accents and case ignored) and makes no request', async () => {
    t.server.route('/api/papers/search', { body: JSON.stringify(RESULTS) });
    expect((await search(['anything'])).code).toBe(0);
    t.server.requests.length = 0;
    const r = await search(['HERD', 'llamá', '--offline', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { id: string }[]).map((p) => p.id)).toEqual(['2407.21783']);
    const none = await search(['"quoted" OR -weird*', '--offline', '--json']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('[]\n');
    expect(none.stderr).toMatch(/^papers: no cached papers match/);
    expect(t.server.requests).toHaveLength(0);
  });

  it('an empty query is a usage error', async () => {
    for (const args of [[], ['  ']]) {
      const r = await search(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^papers: [^\n]+\n$/);
    }
    expect(t.server.requests).toHaveLength(0);
  });
});
