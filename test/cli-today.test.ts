import { Store } from '../src/store/index.js';
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { BIN, cacheRows, runCli, serverAndCache } from './helpers/cli.js';
import { startServer, fixture } from './helpers/server.js';

const API_2024 = fixture('hf/api-daily-papers-2024-08-01.derived.json');
const PAGE_2024 = fixture('hf/daily-2024-08-01.html');
const API_2026 = fixture('hf/api-daily-papers-2026-03-06.one-item.json');
const ESC = '\x1b';

const t = serverAndCache();
const rows = (table = 'papers') => cacheRows(t.tmp.db, `SELECT * FROM ${table} ORDER BY 1, 2, 3`);


describe('papers today', () => {
  it('prints the current list from the API as contract records, labelled with its own date', async () => {
    t.server.route('/api/daily_papers', { body: API_2024, headers: { 'content-type': 'application/json' } });
    const r = await runCli(['today', '--json'], { env: t.env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const records = JSON.parse(r.stdout);
    expect(records).toHaveLength(13);
    expect(records[0]).toMatchObject({ id: '2407.21783', title: 'The Llama 3 Herd of Models', authorCount: 533, upvotes: 94, comments: 5, publishedAt: '2024-07-31', dailyDate: '2024-08-01', sources: ['hf'] });
    expect(records[0].authors[0]).toBe('Abhimanyu Dubey');
    expect(Object.keys(records[0])).toEqual(['id', 'title', 'summary', 'authors', 'authorCount', 'publishedAt', 'announcedAt', 'updatedAt', 'arxivAnnounce', 'versions', 'dailyDate', 'upvotes', 'comments', 'url', 'arxivUrl', 'pdfUrl', 'githubRepo', 'projectPage', 'githubStars', 'keywords', 'aiSummary', 'organization', 'categories', 'sources', 'firstSeenAt', 'lastSeenAt', 'seen', 'starred', 'hidden', 'tags', 'note']);
    // the API was asked for its current list, not for a date guessed from the clock
    expect(t.server.requests.map((q) => q.path)).toEqual(['/api/daily_papers']);
    expect(t.server.requests[0]!.query.get('date')).toBeNull();

    const table = await runCli(['today', '--offline'], { env: t.env() });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('2024-08-01');
    expect(table.stdout).toContain('The Llama 3 Herd of Models');
  });

  it('falls back to the /papers page when the API fails, and a second run adds no rows', async () => {
    t.server.route('/api/daily_papers', { status: 500, body: 'oops' });
    t.server.route('/papers', { body: PAGE_2024, headers: { 'content-type': 'text/html' } });
    const first = await runCli(['today', '--jsonl', '--timeout', '5'], { env: t.env() });
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((p) => p.id)).toContain('2407.21770');
    expect(lines.find((p) => p.id === '2407.21770').title).toBe('MoMa: Efficient Early-Fusion Pre-training with Mixture of Modality-Aware Experts');
    const before = rows();
    expect(before).toHaveLength(13);
    const second = await runCli(['today', '--json'], { env: t.env() });
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toHaveLength(13);
    expect(rows()).toHaveLength(13);
    expect(rows('list_entries')).toHaveLength(13);
  });

  it('uses the API when the page is broken (the other way round) and the 2026 item shape', async () => {
    t.server.route('/api/daily_papers', { body: API_2026 });
    t.server.route('/papers', { status: 503 });
    const r = await runCli(['today', '--json'], { env: t.env() });
    expect(r.code).toBe(0);
    const [p] = JSON.parse(r.stdout);
    expect(p).toMatchObject({ id: '2602.23229', dailyDate: '2026-03-06', publishedAt: '2026-02-26', upvotes: 10, comments: 1, githubStars: 9, githubRepo: 'https://github.com/marco-garosi/CIRCLE', projectPage: 'https://circle-lmm.github.io/' });
    expect(p.keywords).toContain('in-context learning');
  });

  it('prints the cached list with a warning when the site is unreachable', async () => {
    t.server.route('/api/daily_papers', { body: API_2024 });
    expect((await runCli(['today', '--json'], { env: t.env() })).code).toBe(0);
    const url = t.server.url;
    await t.server.close();
    const r = await runCli(['today', '--json', '--timeout', '2'], { env: { ...t.env(), PAPERS_HF_URL: url } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(13);
    expect(r.stderr).toMatch(/warning: .*cached list of 2024-08-01, fetched (just now|\d+ \w+ ago)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    t.server = await startServer(); // for afterEach
  });

  it('on a redesigned page shows the cached list with a warning (exit 0), stores nothing and leaves the cache as it was', async () => {
    t.server.route('/api/daily_papers', { body: API_2026 });
    expect((await runCli(['today'], { env: t.env() })).code).toBe(0);
    const before = rows();
    t.server.route('/api/daily_papers', { status: 404, body: 'not found' });
    t.server.route('/papers', { body: '<!doctype html><html><body><main><h1>Papers, reimagined</h1></main></body></html>' });
    const r = await runCli(['today', '--json'], { env: t.env() });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(1);
    expect(r.stderr).toMatch(/^papers: warning: .*not in a shape papers recognises.*; showing the cached list of 2026-03-06.*\n$/);
    expect(rows()).toEqual(before);
  });

  it('has no escape codes when piped, and colour when forced', async () => {
    t.server.route('/api/daily_papers', { body: API_2024 });
    const plain = await runCli(['today'], { env: t.env() });
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain(ESC);
    expect(plain.stdout.split('\n').every((l) => l.length <= 100)).toBe(true);
    const forced = await runCli(['today', '--offline'], { env: { ...t.env(), FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain(ESC);
    const noColor = await runCli(['today', '--offline'], { env: { ...t.env(), FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(noColor.stdout).not.toContain(ESC);
    const narrow = await runCli(['today', '--offline'], { env: { ...t.env(), COLUMNS: '80' } });
    expect(narrow.stdout.split('\n').every((l) => l.length <= 80)).toBe(true);
  });

  it('sorts and limits', async () => {
    t.server.route('/api/daily_papers', { body: API_2024 });
    const r = await runCli(['today', '--json', '--sort', 'title', '-n', '3'], { env: t.env() });
    const titles = JSON.parse(r.stdout).map((p: { title: string }) => p.title);
    expect(titles).toHaveLength(3);
    expect(titles).toEqual([...titles].sort((a: string, b: string) => a.localeCompare(b, 'en', { sensitivity: 'base' })));
  });

  it('honours a base URL with a path prefix', async () => {
    await t.server.close();
    t.server = await startServer({ prefix: '/mirror' });
    t.server.route('/api/daily_papers', { body: API_2026 });
    expect(t.server.url).toMatch(/\/mirror$/);
    const r = await runCli(['today', '--json'], { env: t.env() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)[0].id).toBe('2602.23229');
    expect(t.server.requests[0]!.path).toBe('/mirror/api/daily_papers');
  });

  it('--offline with an empty cache is a clear error and makes no request', async () => {
    Store.open(t.tmp.db).close();
    const r = await runCli(['today', '--offline'], { env: t.env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^papers: no daily list in the cache yet \(run papers today without --offline first\)\n$/);
    expect(t.server.requests).toHaveLength(0);
  });
});

describe('usage', () => {
  it('usage errors exit 2 with one line', async () => {
    for (const args of [['today', '--bogus'], ['today', '--since', 'yesterday'], ['today', '--limit', '0'], ['today', '--json', '--format', 'csv'], ['nope']]) {
      const r = await runCli(args, { env: { PAPERS_DB: '/nonexistent/never/used.db' } });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^papers: [^\n]+\n$/);
      expect(r.stdout).toBe('');
    }
  });

  it('a reader that closes the pipe early is not an error', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" sync --help | head -c 1 >/dev/null`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('--help and --version', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('today');
    const todayHelp = await runCli(['today', '--help']);
    expect(todayHelp.code).toBe(0);
    expect(todayHelp.stdout).toContain('--offline');
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
