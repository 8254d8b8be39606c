import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../src/errors.js';
import { HttpClient, parseRateLimit, type HttpOptions } from '../src/http/index.js';
import { startServer, type Route, type TestServer } from './helpers/server.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function server(): Promise<TestServer> {
  const s = await startServer();
  cleanups.push(() => s.close());
  return s;
}

function client(opts: HttpOptions = {}): HttpClient {
  const c = new HttpClient({ baseDelayMs: 5, ...opts });
  cleanups.push(() => c.close());
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A route that answers after `ms`, keeping count of the requests in flight at once. */
function counting(ms: number, extra: Route = {}) {
  const state = { inFlight: 0, max: 0, starts: [] as number[], ends: [] as number[] };
  const handler = async (): Promise<Route> => {
    state.inFlight++;
    state.max = Math.max(state.max, state.inFlight);
    state.starts.push(Date.now());
    await sleep(ms);
    state.inFlight--;
    state.ends.push(Date.now());
    return { body: '[]', ...extra };
  };
  return { state, handler };
}

function headers(h: Record<string, string>) {
  return { get: (name: string) => h[name.toLowerCase()] ?? null };
}

describe('parseRateLimit', () => {
  it.each<[Record<string, string>, ReturnType<typeof parseRateLimit>]>([
    [{ ratelimit: 'limit=500, remaining=3, reset=120' }, { remaining: 3, resetMs: 120_000, limit: 500 }],
    [{ ratelimit: '"api";r=499;t=232', 'ratelimit-policy': '"fixed window";"api";q=500;w=300' }, { remaining: 499, resetMs: 232_000, limit: 500 }],
    [{ 'ratelimit-remaining': '0', 'ratelimit-reset': '30', 'ratelimit-limit': '100' }, { remaining: 0, resetMs: 30_000, limit: 100 }],
    [{ 'ratelimit-remaining': '5', 'ratelimit-reset': '10' }, { remaining: 5, resetMs: 10_000 }],
    [{ ratelimit: 'limit=500' }, undefined],
    [{}, undefined],
  ])('%j', (h, expected) => {
    expect(parseRateLimit(headers(h))).toEqual(expected);
  });
});

describe('politeness per host', () => {
  it('sends arXiv one request at a time, spaced by the rule (default 3 s)', async () => {
    const s = await server();
    const { state, handler } = counting(50);
    s.route('/api/query', handler);
    const c = client({ env: { PAPERS_ARXIV_API_URL: s.url }, hostRules: { arxivApi: { minIntervalMs: 300 } } });
    await Promise.all([1, 2, 3].map(() => c.get(`${s.url}/api/query`)));
    expect(state.max).toBe(1);
    const gaps = state.starts.slice(1).map((t, i) => t - state.starts[i]!);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(290);

    // the default rule, once: two requests at least 3 s apart
    const slow = await server();
    slow.route('/list/cs.LG/new', { body: 'ok' });
    const d = client({ env: { PAPERS_ARXIV_URL: slow.url } });
    await Promise.all([d.get(`${slow.url}/list/cs.LG/new`), d.get(`${slow.url}/list/cs.LG/new`)]);
    expect(slow.requests[1]!.at - slow.requests[0]!.at).toBeGreaterThanOrEqual(2990);
  });

  it('lets a few Hugging Face requests run at once, never more than the rule', async () => {
    const s = await server();
    const { state, handler } = counting(150);
    s.route('/api/daily_papers', handler);
    const c = client({ env: { PAPERS_HF_URL: s.url } });
    await Promise.all(Array.from({ length: 10 }, () => c.get(`${s.url}/api/daily_papers`)));
    expect(state.max).toBe(4);
    expect(c.requests).toBe(10);
  });

  it('holds the slot until the body is read: a slow body blocks the next arXiv request', async () => {
    const s = await server();
    s.route('/api/query', { body: 'x'.repeat(10) });
    const c = client({ env: { PAPERS_ARXIV_API_URL: s.url }, hostRules: { arxivApi: { concurrency: 1, minIntervalMs: 0 } } });
    const { state, handler } = counting(200);
    s.route('/slow', handler);
    await Promise.all([c.get(`${s.url}/slow`), c.get(`${s.url}/slow`)]);
    expect(state.starts[1]! - state.ends[0]!).toBeGreaterThanOrEqual(0);
  });

  it('slows down when the RateLimit header says the window is nearly used', async () => {
    const s = await server();
    s.route('/api/daily_papers', [
      { body: '[]', headers: { ratelimit: 'limit=100, remaining=50, reset=60' } },
      { body: '[]', headers: { ratelimit: '"api";r=1;t=2', 'ratelimit-policy': '"fixed window";"api";q=100;w=300' } },
      { body: '[]', headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': '1' } },
      { body: '[]' },
    ]);
    const logs: string[] = [];
    const c = client({ env: { PAPERS_HF_URL: s.url }, log: (m) => logs.push(m) });
    for (let i = 0; i < 4; i++) await c.get(`${s.url}/api/daily_papers`);
    const at = s.requests.map((r) => r.at);
    expect(at[1]! - at[0]!).toBeLessThan(500); // half the window left: full speed
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(950); // 1 left of 100, resets in 2 s: 2 s / 2
    expect(at[3]! - at[2]!).toBeGreaterThanOrEqual(950); // none left: wait for the reset
    expect(logs.some((l) => /rate limit nearly used \(1 left of 100, resets in 2(\.0)?s\)/.test(l))).toBe(true);
  });

  it('stops at once, without a request, when the host asks for a pause longer than the retry budget', async () => {
    const s = await server();
    s.route('/api/daily_papers', { body: '[]', headers: { ratelimit: 'limit=500, remaining=0, reset=240' } });
    const c = client({ env: { PAPERS_HF_URL: s.url }, maxRetryTimeMs: 2000 });
    await c.get(`${s.url}/api/daily_papers`);
    const started = Date.now();
    const err = await c.get(`${s.url}/api/daily_papers`).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).message).toMatch(/^Hugging Face asks to pause for 4\.0 ?min|^Hugging Face asks to pause for 240s/);
    expect((err as HttpError).hint).toMatch(/try again later/);
    expect(Date.now() - started).toBeLessThan(500);
    expect(s.requests).toHaveLength(1);
  });

  it('a 429 with Retry-After pauses the other requests to that host too', async () => {
    const s = await server();
    let n = 0;
    s.route('/api/daily_papers', () => (n++ === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { body: '[]' }));
    // The second request starts once the client has read the 429 (it logs it after noting the
    // pause), however long that takes on a busy machine.
    let read429: () => void = () => {};
    const got429 = new Promise<void>((r) => (read429 = r));
    const c = client({ env: { PAPERS_HF_URL: s.url }, log: (line) => { if (line.startsWith('429')) read429(); } });
    const first = c.get(`${s.url}/api/daily_papers`);
    await got429;
    const second = c.get(`${s.url}/api/daily_papers`);
    await Promise.all([first, second]);
    const at = s.requests.map((r) => r.at);
    expect(at).toHaveLength(3);
    // the second request, made during the pause, waited for it as well
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(950);
    expect(at[2]! - at[0]!).toBeGreaterThanOrEqual(950);
  });
});
