/**
 * Backfilling one month of Hugging Face daily lists against a local server: the planner's
 * way (month=, 100 a page) versus one request per day (date=), same code otherwise, each
 * into a fresh cache. Needs the tsc output in dist/ (`npm run build`).
 *
 *   node test/helpers/backfill-bench.mjs [--month 2024-08] [--per-weekday 40] [--latency 0] [--runs 3]
 *
 * prints one JSON object; `measureBackfill(options)` returns it, for `npm run bench`.
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answerDailyPapers, buildArchive } from './hf-archive.mjs';

const dist = new URL('../../dist/', import.meta.url);

async function serve(archive, latencyMs) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const a = url.pathname === '/api/daily_papers' ? answerDailyPapers(archive, url.searchParams, req.headers) : { status: 404, headers: {}, body: '' };
    setTimeout(() => {
      res.writeHead(a.status, a.headers);
      res.end(a.body);
    }, latencyMs);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((ok) => server.close(ok)) };
}

/**
 * @param {{ month?: string, perWeekday?: number, latencyMs?: number, runs?: number }} [opts]
 * @returns {Promise<{ month: string, papers: number, latencyMs: number, planned: { requests: number, ms: number }, perDay: { requests: number, ms: number } }>}
 */
export async function measureBackfill(opts = {}) {
  const month = opts.month ?? '2024-08';
  const perWeekday = opts.perWeekday ?? 40;
  const latencyMs = opts.latencyMs ?? 0;
  const runs = opts.runs ?? 3;
  const [{ Store }, { HttpClient }, { hfSource }, { fetchInto }, { monthRange }] = await Promise.all(
    ['store/index.js', 'http/index.js', 'sources/hf/index.js', 'sync.js', 'range.js'].map((f) => import(new URL(f, dist).href)),
  );
  const range = monthRange(month);
  const archive = buildArchive(range.from, range.to, { perWeekday });
  const papers = [...archive.values()].reduce((n, l) => n + l.length, 0);
  const server = await serve(archive, latencyMs);
  const dir = mkdtempSync(join(tmpdir(), 'papers-bench-'));
  const once = async (strategy, i) => {
    const store = Store.open(join(dir, `${strategy}-${i}.db`));
    const http = new HttpClient({ env: { PAPERS_HF_URL: server.url } });
    const started = performance.now();
    const r = await fetchInto(store, http, hfSource(server.url, { strategy }), range, { today: '2999-12-31' });
    const ms = performance.now() - started;
    await http.close();
    const stored = store.count();
    store.close();
    if (r.error) throw r.error;
    if (stored !== papers) throw new Error(`${strategy}: stored ${stored} papers, expected ${papers}`);
    return { requests: r.requests, ms };
  };
  const best = async (strategy) => {
    let out;
    for (let i = 0; i < runs; i++) {
      const r = await once(strategy, i);
      if (!out || r.ms < out.ms) out = r;
    }
    return { requests: out.requests, ms: Math.round(out.ms * 10) / 10 };
  };
  try {
    return { month, papers, latencyMs, planned: await best('fewest'), perDay: await best('daily') };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === new URL(process.argv[1], 'file:').href) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const result = await measureBackfill({
    month: arg('month', '2024-08'),
    perWeekday: Number(arg('per-weekday', 40)),
    latencyMs: Number(arg('latency', 0)),
    runs: Number(arg('runs', 3)),
  });
  process.stdout.write(JSON.stringify(result) + '\n');
}
