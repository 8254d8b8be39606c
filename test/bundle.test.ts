/**
 * The one-file bundle (dist/papers.cjs) that bin/papers.js runs: network commands through it,
 * not only offline ones. It runs from a copy holding the bundle and nothing else of dist/, so
 * a pass proves the bundle itself loaded undici, cheerio and SQLite's native addon.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { cpSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { cacheRows, runCli, tempDir } from './helpers/cli.js';
import { fixture, startServer, type TestServer } from './helpers/server.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0)) await f();
});

/** bin/ and package.json beside a dist/ that holds only the bundle; node_modules shared. */
function bundleOnly(): { bin: string; db: string; config: string } {
  const t = tempDir();
  cleanups.push(t.cleanup);
  cpSync(join(ROOT, 'bin'), join(t.dir, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(t.dir, 'package.json'));
  mkdirSync(join(t.dir, 'dist'));
  cpSync(join(ROOT, 'dist', 'papers.cjs'), join(t.dir, 'dist', 'papers.cjs'));
  symlinkSync(join(ROOT, 'node_modules'), join(t.dir, 'node_modules'));
  return { bin: join(t.dir, 'bin', 'papers.js'), db: t.db, config: t.config };
}

async function server(): Promise<TestServer> {
  const s = await startServer();
  cleanups.push(() => s.close());
  return s;
}

describe('the bundle', () => {
  it('is what bin/papers.js runs after a build: newer than the tsc output', () => {
    const mtime = (f: string) => statSync(join(ROOT, 'dist', f)).mtimeMs;
    expect(mtime('papers.cjs')).toBeGreaterThanOrEqual(mtime('main.js'));
  });

  it('runs papers today against a site: the request, the JSON parse and the cache write', async () => {
    const b = bundleOnly();
    expect(readdirSync(join(b.bin, '..', '..', 'dist'))).toEqual(['papers.cjs']);
    const s = await server();
    s.route('/api/daily_papers', { body: fixture('hf/api-daily-papers-2024-08-01.derived.json'), headers: { 'content-type': 'application/json' } });
    const r = await runCli(['today', '--json'], { bin: b.bin, env: { PAPERS_HF_URL: s.url, PAPERS_DB: b.db, PAPERS_CONFIG: b.config } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(13);
    expect(s.requests.map((q) => q.path)).toEqual(['/api/daily_papers']);
    expect(cacheRows(b.db, 'SELECT count(*) AS n FROM papers')).toEqual([{ n: 13 }]);
  });

  it('runs papers today through the HTML fallback (cheerio) when the API fails', async () => {
    const b = bundleOnly();
    const s = await server();
    s.route('/api/daily_papers', { status: 500, body: 'oops' });
    s.route('/papers', { body: fixture('hf/daily-2024-08-01.html'), headers: { 'content-type': 'text/html' } });
    const r = await runCli(['today', '--json', '--retries', '0'], { bin: b.bin, env: { PAPERS_HF_URL: s.url, PAPERS_DB: b.db, PAPERS_CONFIG: b.config } });
    expect(r.code, r.stderr).toBe(0);
    const records = JSON.parse(r.stdout) as { title: string; dailyDate: string }[];
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((p) => p.dailyDate === '2024-08-01')).toBe(true);
    expect(s.requests.map((q) => q.path)).toContain('/papers');
  });

  it('runs an arXiv listing fetch (cheerio on a listing page)', async () => {
    const b = bundleOnly();
    const s = await server();
    // The feed is asked first; unreadable, it leaves the listing page to cheerio.
    s.route('/atom/cs.LG', { body: 'not a feed' });
    s.route('/list/cs.LG/new', { body: fixture('arxiv/list-cs.LG-new.synthetic.html') });
    const r = await runCli(['fetch', '--source', 'arxiv', '--category', 'cs.LG', '--json', '--retries', '0'], { bin: b.bin, env: { PAPERS_ARXIV_URL: s.url, PAPERS_ARXIV_RSS_URL: s.url, PAPERS_DB: b.db, PAPERS_CONFIG: b.config } });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ source: 'arxiv', from: '2024-10-25' });
    expect(s.requests.map((q) => q.path)).toEqual(['/atom/cs.LG', '/list/cs.LG/new']);
    expect((cacheRows(b.db, 'SELECT count(*) AS n FROM papers')[0] as { n: number }).n).toBeGreaterThan(0);
  });
});
