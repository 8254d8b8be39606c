/**
 * The fault suite for `papers today`: a loopback server misbehaves in every way we know of;
 * each fault has a defined outcome, and afterwards the cache is exactly what it should be.
 */
import { describe, it, expect, vi } from 'vitest';
import Database from 'better-sqlite3';
import { runCli, serverAndCache } from './helpers/cli.js';
import { fixture, type Route } from './helpers/server.js';

const API = fixture('hf/api-daily-papers-2024-08-01.derived.json');
const PAGE = fixture('hf/daily-2024-08-01.html');
const API_2026 = fixture('hf/api-daily-papers-2026-03-06.one-item.json');

const t = serverAndCache();
// --timeout is the whole command's deadline: the API gets half and the page the rest. 20 s is
// more than any fault here needs on a slow machine (retries and their backoff included); the
// tests about the deadline itself give a short one and check it is named.
const today = (...args: string[]) => runCli(['today', '--json', '--timeout', '20', ...args], { env: t.env(), timeoutMs: 60_000 });
vi.setConfig({ testTimeout: 60_000 });

/** Every row of every table, and the integrity check: what "the cache is intact" means. */
function snapshot(): { integrity: unknown; tables: Record<string, unknown[]> } {
  const db = new Database(t.tmp.db, { readonly: true });
  try {
    const tables: Record<string, unknown[]> = {};
    for (const t of ['papers', 'paper_seen', 'list_entries', 'lists', 'count_history']) tables[t] = db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all();
    return { integrity: db.pragma('integrity_check', { simple: true }), tables };
  } finally {
    db.close();
  }
}


/** Faults on the API alone: the page is the way in, and the list arrives whole. */
const apiFaults: [string, Route | Route[]][] = [
  ['429 with Retry-After, then the list', [{ status: 429, headers: { 'retry-after': '1' } }, { body: API }]],
  ['429 without Retry-After', { status: 429 }],
  ['500', { status: 500, body: 'Internal Server Error' }],
  ['502', { status: 502 }],
  ['503', { status: 503, headers: { 'retry-after': '0' } }],
  ['a hung server', { hang: true }],
  ['a connection reset', { reset: true }],
  ['a truncated body', { truncate: true, body: API.slice(0, 5000) }],
  ['invalid JSON', { body: API.slice(0, 5000), headers: { 'content-type': 'application/json' } }],
  ['the wrong content type (an HTML error page)', { body: '<html><body>Bad gateway</body></html>', headers: { 'content-type': 'text/html' } }],
  ['a redirect loop', { status: 302, headers: { location: '/api/daily_papers' } }],
  ['a JSON object instead of a list', { body: '{"error":"Invalid date"}' }],
];

describe('faults on the API: the page gives the list', () => {
  for (const [name, route] of apiFaults) {
    it(name, async () => {
      t.server.route('/api/daily_papers', route);
      t.server.route('/papers', { body: PAGE });
      const r = await today();
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).map((p: { id: string }) => p.id)).toHaveLength(13);
      const after = snapshot();
      expect(after.integrity).toBe('ok');
      expect(after.tables.papers).toHaveLength(13);
      expect(after.tables.lists).toMatchObject([{ source: 'hf', list_date: '2024-08-01', paper_count: 13 }]);
    });
  }
});

describe('faults on both ways in', () => {
  it('with nothing cached: exit 1, one line naming the failure, nothing stored', async () => {
    t.server.route('/api/daily_papers', { status: 503 });
    t.server.route('/papers', { status: 502 });
    const r = await today();
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^papers: could not get the daily list from Hugging Face: .*503.*\(.+\)\n$/);
    expect(snapshot().tables.papers).toEqual([]);
  });

  it('a hung site with a cache: the cached list, a warning, exit 0, cache unchanged', async () => {
    t.server.route('/api/daily_papers', { body: API });
    expect((await today()).code).toBe(0);
    const before = snapshot();
    t.server.route('/api/daily_papers', { hang: true });
    t.server.route('/papers', { hang: true });
    const r = await today('--timeout', '4', '--retries', '0');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(13);
    expect(r.stderr).toMatch(/warning: .*no answer from Hugging Face .*within the 4s allowed.*cached list of 2024-08-01/);
    expect(snapshot()).toEqual(before);
  });

  /** Cache the 2024-08-01 list, then make both ways in hang: how long until the cached list shows? */
  async function hungWithCache(args: string[]): Promise<{ r: Awaited<ReturnType<typeof runCli>>; elapsedMs: number }> {
    t.server.route('/api/daily_papers', { body: API });
    expect((await today()).code).toBe(0);
    t.server.route('/api/daily_papers', { hang: true });
    t.server.route('/papers', { hang: true });
    const started = Date.now();
    const r = await runCli(['today', '--json', ...args], { env: t.env(), timeoutMs: 120_000 });
    const elapsedMs = Date.now() - started;
    console.log(`papers today ${args.join(' ')} against a hung site: ${elapsedMs} ms`);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(13);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    return { r, elapsedMs };
  }

  it('--timeout is a deadline for the whole command, retries and the page fallback included', async () => {
    // Were 2 s a per-attempt limit, 2 API attempts and 7 page attempts would take 18 s at least.
    const { r, elapsedMs } = await hungWithCache(['--timeout', '2', '--retries', '6']);
    expect(r.stderr).toMatch(/^papers: warning: could not get the daily list from Hugging Face: .*within the 2s allowed.*cached list of 2024-08-01/);
    expect(elapsedMs).toBeLessThan(2000 + 8000);
  });

  it('with a cached list and no --timeout, a hung site gives way to the cache in about 5 s', async () => {
    // The per-attempt default (30 s, API and page each retried) would take well over a minute.
    const { r, elapsedMs } = await hungWithCache([]);
    expect(r.stderr).toMatch(/within the 5s allowed.*cached list of 2024-08-01/);
    expect(elapsedMs).toBeLessThan(5000 + 8000);
  });

  it('a body far larger than any listing is refused, not stored', async () => {
    const huge = '[' + Array.from({ length: 1 }, () => ' '.repeat(21 * 1024 * 1024)).join('') + ']';
    t.server.route('/api/daily_papers', { body: huge });
    t.server.route('/papers', { body: huge });
    const r = await today();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/too large/);
    expect(snapshot().tables.papers).toEqual([]);
  });

  it('invalid JSON and a redesigned page with a cached list: the cached list, a warning naming the change, exit 0', async () => {
    t.server.route('/api/daily_papers', { body: API_2026 });
    expect((await today()).code).toBe(0);
    const before = snapshot();
    t.server.route('/api/daily_papers', { body: '[{"paper": {"id": "2407.2' });
    t.server.route('/papers', { body: '<html><body><div id="app"></div><script src="/app.js"></script></body></html>' });
    const r = await today();
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^papers: warning: .*not in a shape papers recognises.*; showing the cached list of 2026-03-06/);
    expect(snapshot()).toEqual(before);
  });

  it('invalid JSON and a redesigned page with nothing cached: exit 1 (the site changed), nothing stored', async () => {
    t.server.route('/api/daily_papers', { body: '[{"paper": {"id": "2407.2' });
    t.server.route('/papers', { body: '<html><body><div id="app"></div><script src="/app.js"></script></body></html>' });
    const r = await today();
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^papers: .*not in a shape papers recognises/);
    expect(snapshot().tables.papers).toEqual([]);
  });

  it('an empty list is a success that stores nothing', async () => {
    t.server.route('/api/daily_papers', { body: '[]' });
    const r = await today();
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no daily list/);
    expect(snapshot().tables.papers).toEqual([]);
  });
});

describe('hostile content', () => {
  it('titles and names with escape sequences, bidi and zero-width characters never reach the terminal raw', async () => {
    const items = JSON.parse(API_2026);
    const evil = '\x1b]0;pwned\x07\x1b[31mRed\x1b[0m \u202eevil\u202c zero\u200bwidth \x9b31m';
    items[0].title = `Title ${evil}`;
    items[0].paper.title = items[0].title;
    items[0].paper.authors[0].name = `Name ${evil}`;
    items[0].paper.ai_summary = `Summary ${evil}`;
    t.server.route('/api/daily_papers', { body: JSON.stringify(items) });
    const json = await today();
    expect(json.code).toBe(0);
    // JSON keeps the exact text, escaped as JSON does
    expect(JSON.parse(json.stdout)[0].title).toBe(`Title ${evil}`);
    expect(json.stdout).not.toContain('\x1b');
    for (const args of [['today', '--offline', '--format', 'table'], ['today', '--offline', '--format', 'md'], ['list'], ['show', '2602.23229']]) {
      const r = await runCli(args, { env: { ...t.env(), FORCE_COLOR: '0' } });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Red');
      expect(r.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069]/);
    }
  });
});
