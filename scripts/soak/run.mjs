#!/usr/bin/env node
/**
 * npm run soak: the reliability figures. Three phases, each selectable with SOAK_PHASES
 * (default "fuzz,kills,load"):
 *  - fuzz: every parser of the registry (parsers.mjs) with SOAK_RUNS inputs (default 100,000),
 *    seeded (SOAK_SEED, printed; the same seed gives the same inputs), two parsers at a time;
 *    a failure is shrunk and written to fixtures/regressions/, which the suite replays;
 *  - kills: SOAK_KILLS (default 100) SIGKILLs of the real CLI while it writes (import, sync
 *    against a loopback server, migration of an old cache, topics add, config set), each
 *    followed by integrity_check, the FTS5 integrity-check, index == table and whole
 *    transactions only (for the config: the old file or the new one, whole), then one
 *    uninterrupted run that must succeed;
 *  - load: 4 writers and 8 readers on one cache for SOAK_SECONDS (default 60): no "database is
 *    locked", no lost write, reader latency percentiles;
 *  - volume: one import of a listing of 100,000 papers, which must complete whole.
 * Prints a table and writes bench/soak.json (SOAK_OUT). Exit 1 if anything failed.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { createServer } from 'node:http';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { PARSERS } from './parsers.mjs';
import { SCHEMA_VERSION } from '../../dist/store/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/papers.js');
const SEED = Number(process.env.SOAK_SEED ?? (Date.now() % 2 ** 31));
const RUNS = Number(process.env.SOAK_RUNS ?? 100_000);
const KILLS = Number(process.env.SOAK_KILLS ?? 100);
const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const PHASES = (process.env.SOAK_PHASES ?? 'fuzz,kills,load,volume').split(',');
// SOAK_PARSERS=a,b fuzzes only those; SOAK_OUT names the figures file (default bench/soak.json).
const ONLY = process.env.SOAK_PARSERS ? process.env.SOAK_PARSERS.split(',') : null;
const OUT = process.env.SOAK_OUT ?? join(ROOT, 'bench/soak.json');
const tmp = mkdtempSync(join(tmpdir(), 'papers-soak-'));
const report = { date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, seed: SEED, fuzz: [], kills: [], load: null, volume: null, failures: [] };
let seeded = SEED;
const random = (n) => {
  seeded = (Math.imul(seeded ^ (seeded >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
  return seeded % n;
};

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    let timer;
    if (opts.killAfterMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// ---------------------------------------------------------------- fuzz
async function fuzz() {
  console.log(`fuzz: ${ONLY ? ONLY.length : PARSERS.length} parsers × ${RUNS} inputs, seed ${SEED} (SOAK_SEED=${SEED} repeats it)`);
  // The parsers that build a DOM cost the most per input: they go first, so that the two
  // processes (one per core) finish together instead of one waiting on the last heavy parser.
  const HEAVY = ['hf-page', 'arxiv-oai', 'arxiv-listing', 'arxiv-feed', 'arxiv-atom', 'import-recognition'];
  const weight = (name) => (HEAVY.includes(name) ? HEAVY.indexOf(name) : HEAVY.length);
  const queue = PARSERS.filter((p) => !ONLY || ONLY.includes(p.name)).sort((a, b) => weight(a.name) - weight(b.name));
  const worker = async () => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      const r = await run(process.execPath, [join(ROOT, 'scripts/soak/fuzz-one.mjs'), p.name, String(SEED), String(RUNS)]);
      let out;
      try {
        out = JSON.parse(r.stdout.trim().split('\n').pop());
      } catch {
        out = { parser: p.name, inputs: 0, ms: 0, failed: true, error: r.stderr.trim().split('\n').slice(0, 3).join(' ') };
      }
      report.fuzz.push(out);
      console.log(`  ${out.parser.padEnd(20)} ${String(out.inputs).padStart(7)} inputs ${(out.ms / 1000).toFixed(1).padStart(7)} s  ${out.failed ? `FAILED: ${out.error}${out.file ? ` → ${out.file}` : ''}` : 'ok'}`);
      if (out.failed) report.failures.push(`fuzz ${out.parser}: ${out.error}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(2, availableParallelism())) }, worker));
  report.fuzz.sort((a, b) => a.parser.localeCompare(b.parser));
}

// ---------------------------------------------------------------- kills
const HF_ITEM = JSON.parse(readFileSync(join(ROOT, 'fixtures/hf/api-daily-papers-2026-03-06.one-item.json'), 'utf8'))[0];
/** An HF API answer of `n` papers with ids 2601.<base + i>. */
function hfListing(base, n, date) {
  const items = [];
  for (let i = 0; i < n; i++) {
    const id = `2601.${String(base + i).padStart(5, '0')}`;
    items.push({ ...HF_ITEM, title: `Soak ${id} scaling`, publishedAt: `${date}T00:00:00.000Z`, paper: { ...HF_ITEM.paper, id, title: `Soak paper ${id} on scaling`, upvotes: i % 40 } });
  }
  return JSON.stringify(items);
}

function inspect(db) {
  if (!existsSync(db)) return { integrity: 'ok', fts: 'ok', rows: 0, indexed: 0, version: 0, partialLists: 0, db: { close() {}, prepare: () => ({ get: () => ({ n: 0 }) }) } };
  const d = new Database(db, { readonly: false });
  try {
    const version0 = d.pragma('user_version', { simple: true });
    if (version0 === 0) {
      // Killed before the schema was made: an empty cache, which the next run creates.
      const tables = d.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get().n;
      return { integrity: d.pragma('integrity_check', { simple: true }), fts: 'ok', rows: 0, indexed: 0, version: 0, partialLists: tables ? -1 : 0, db: { close: () => d.close(), prepare: () => ({ get: () => ({ n: 0 }) }) } };
    }
    const integrity = d.pragma('integrity_check', { simple: true });
    let fts = 'ok';
    try {
      d.prepare("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)").run();
    } catch (e) {
      fts = e.message;
    }
    const rows = d.prepare('SELECT count(*) AS n FROM papers').get().n;
    const indexed = d.prepare('SELECT count(*) AS n FROM papers_fts').get().n;
    const version = d.pragma('user_version', { simple: true });
    // A list stored whole: as many entries as the list says it has.
    const partialLists = d.prepare('SELECT count(*) AS n FROM lists l WHERE paper_count != (SELECT count(*) FROM list_entries e WHERE e.source = l.source AND e.list_date = l.list_date)').get().n;
    return { integrity, fts, rows, indexed, version, partialLists, db: d };
  } catch (e) {
    d.close();
    throw e;
  }
}

function verdict(op, k, state, extra) {
  const problems = [];
  if (state.integrity !== 'ok') problems.push(`integrity_check: ${state.integrity}`);
  if (state.fts !== 'ok') problems.push(`fts integrity-check: ${state.fts}`);
  if (state.rows !== state.indexed) problems.push(`index ${state.indexed} != table ${state.rows}`);
  if (state.partialLists) problems.push(`${state.partialLists} partial lists`);
  problems.push(...extra);
  for (const p of problems) report.failures.push(`kill ${op} #${k}: ${p}`);
  return problems.length === 0;
}

async function killSeries(op, count, { setup, command, check }) {
  const env = { ...process.env, PAPERS_CONFIG: join(tmp, `${op}.config.json`), PAPERS_DB: join(tmp, `${op}.db`), NO_COLOR: '1' };
  delete env.HF_TOKEN;
  await setup(env);
  // Calibrate: how long one uninterrupted run takes here, so kills spread across the work.
  const t0 = performance.now();
  const first = await run(process.execPath, [BIN, ...(await command(env, -1))], { env });
  const full = performance.now() - t0;
  if (first.code !== 0) report.failures.push(`${op}: calibration run failed: ${first.stderr.trim()}`);
  let landed = 0;
  let ok = 0;
  for (let k = 0; k < count; k++) {
    const args = await command(env, k);
    const at = Math.round(full * (0.1 + random(80) / 100));
    const r = await run(process.execPath, [BIN, ...args], { env, killAfterMs: at });
    if (r.signal === 'SIGKILL') landed++;
    const state = inspect(env.PAPERS_DB);
    try {
      if (verdict(op, k, state, await check(env, k, state, r))) ok++;
    } finally {
      state.db.close();
    }
  }
  const last = await run(process.execPath, [BIN, ...(await command(env, count))], { env });
  const state = inspect(env.PAPERS_DB);
  const nextFine = last.code === 0 && verdict(op, 'next', state, await check(env, count, state, last));
  state.db.close();
  if (last.code !== 0) report.failures.push(`${op}: the run after the kills failed (exit ${last.code}): ${last.stderr.trim()}`);
  const row = { op, kills: count, landedWhileRunning: landed, intact: ok, nextRunFine: nextFine, fullRunMs: Math.round(full) };
  report.kills.push(row);
  console.log(`  ${op.padEnd(12)} ${String(count).padStart(4)} kills, ${String(landed).padStart(4)} while running, ${String(ok).padStart(4)} intact, next run ${nextFine ? 'fine' : 'FAILED'} (a full run: ${(full / 1000).toFixed(1)} s)`);
}

const IMPORT_N = 2000;
async function kills() {
  console.log(`kills: ${KILLS} SIGKILLs of the real CLI while it writes`);
  const share = { import: Math.ceil(KILLS * 0.35), sync: Math.ceil(KILLS * 0.2), migration: Math.ceil(KILLS * 0.15), topics: Math.ceil(KILLS * 0.15) };
  share.config = Math.max(0, KILLS - share.import - share.sync - share.migration - share.topics);

  // import: each kill imports a new listing of IMPORT_N papers; it is all there or none of it.
  await killSeries('import', share.import, {
    setup: async () => {},
    command: async (_env, k) => {
      const file = join(tmp, `import-${k + 1}.json`);
      writeFileSync(file, hfListing((k + 1) * IMPORT_N % 90000, IMPORT_N, '2026-01-05'));
      return ['import', '--as-of', '2026-01-05', file];
    },
    check: async (_env, k, state) => {
      const base = (k + 1) * IMPORT_N % 90000;
      const n = state.db.prepare('SELECT count(*) AS n FROM papers WHERE id >= ? AND id <= ?').get(`2601.${String(base).padStart(5, '0')}`, `2601.${String(base + IMPORT_N - 1).padStart(5, '0')}`).n;
      return n === 0 || n === IMPORT_N ? [] : [`import left ${n} of ${IMPORT_N} papers`];
    },
  });

  // sync: a loopback Hugging Face that answers each day with 90 papers (under a page, so one request a day).
  const server = createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    const date = u.searchParams.get('date') ?? '2026-01-01';
    const day = Number(date.replaceAll('-', '')) % 200;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(hfListing(day * 90, 90, date));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const hfUrl = `http://127.0.0.1:${server.address().port}`;
  await killSeries('sync', share.sync, {
    setup: async (env) => Object.assign(env, { PAPERS_HF_URL: hfUrl }),
    command: async (env, k) => {
      // A fresh cache each time, so every sync does its whole first run (the last 7 days).
      if (k >= 0) for (const f of [env.PAPERS_DB, `${env.PAPERS_DB}-wal`, `${env.PAPERS_DB}-shm`]) rmSync(f, { force: true });
      return ['sync', '--retries', '0'];
    },
    check: async () => [],
  });
  server.close();

  // migration: an old cache (schema v1) opened by a writing command: all old rows survive.
  const V1 = join(ROOT, 'fixtures/db/cache-schema-v1.db');
  const v1 = new Database(V1, { readonly: true });
  const v1Rows = v1.prepare('SELECT count(*) AS n FROM papers').get().n;
  v1.close();
  const small = join(tmp, 'small.json');
  writeFileSync(small, hfListing(95000, 3, '2026-01-06'));
  await killSeries('migration', share.migration, {
    setup: async (env) => copyFileSync(V1, env.PAPERS_DB),
    command: async (env, k) => {
      for (const f of [`${env.PAPERS_DB}-wal`, `${env.PAPERS_DB}-shm`]) rmSync(f, { force: true });
      copyFileSync(V1, env.PAPERS_DB);
      return ['import', '--as-of', '2026-01-06', small];
    },
    check: async (_env, _k, state) => {
      const old = state.db.prepare("SELECT count(*) AS n FROM papers WHERE id IS NULL OR id NOT LIKE '2601.95%'").get().n;
      const added = state.rows - old;
      const problems = [];
      if (old !== v1Rows) problems.push(`old rows ${old}, expected ${v1Rows}`);
      if (added !== 0 && added !== 3) problems.push(`import left ${added} of 3`);
      if (state.version !== 1 && state.version !== SCHEMA_VERSION) problems.push(`user_version ${state.version} (neither 1 nor ${SCHEMA_VERSION})`);
      return problems;
    },
  });

  // topics add: the config file is always valid JSON with every topic added before.
  let added = [];
  await killSeries('topics-add', share.topics, {
    setup: async (env) => writeFileSync(env.PAPERS_CONFIG, JSON.stringify({ topics: { base: 'diffusion' } })),
    command: async (_env, k) => {
      const name = `t${k + 1}`;
      return ['topics', 'add', name, 'scaling', 'OR', `word${k + 1}`];
    },
    check: async (env, k, _state, r) => {
      let cfg;
      try {
        cfg = JSON.parse(readFileSync(env.PAPERS_CONFIG, 'utf8'));
      } catch (e) {
        return [`config unreadable after kill: ${e.message}`];
      }
      if (r.code === 0) added.push(`t${k + 1}`);
      const missing = ['base', ...added].filter((t) => !(t in cfg.topics));
      return missing.length ? [`topics lost: ${missing.join(', ')}`] : [];
    },
  });

  // config set: the file is always the config before the command or the one after it, whole
  // and parseable, never a mix or a truncated file. Keys rotate over the three kinds of value.
  let before = null;
  const setting = (k) => {
    if (k % 3 === 0) return { args: [`topics.c${k + 1}`, `scaling OR term${k + 1}`], apply: (c) => ({ ...c, topics: { ...c.topics, [`c${k + 1}`]: `scaling OR term${k + 1}` } }) };
    if (k % 3 === 1) return { args: ['defaults.limit', String(k + 1)], apply: (c) => ({ ...c, defaults: { ...c.defaults, limit: k + 1 } }) };
    const cats = k % 2 ? ['cs.LG', 'cs.CL'] : ['stat.ML'];
    return { args: ['sources.arxiv.categories', ...cats], apply: (c) => ({ ...c, sources: { ...c.sources, arxiv: { ...c.sources?.arxiv, categories: cats } } }) };
  };
  await killSeries('config-set', share.config, {
    setup: async (env) => writeFileSync(env.PAPERS_CONFIG, JSON.stringify({ topics: { base: 'diffusion' }, defaults: { limit: 10 } }, null, 2) + '\n'),
    command: async (env, k) => {
      before = JSON.parse(readFileSync(env.PAPERS_CONFIG, 'utf8'));
      return ['config', 'set', ...setting(k).args];
    },
    check: async (env, k, _state, r) => {
      let cfg;
      try {
        cfg = JSON.parse(readFileSync(env.PAPERS_CONFIG, 'utf8'));
      } catch (e) {
        return [`config unreadable after kill: ${e.message}`];
      }
      const after = setting(k).apply(before);
      if (isDeepStrictEqual(cfg, after)) return [];
      if (isDeepStrictEqual(cfg, before)) return r.code === 0 ? ['config set exited 0 but the file is the old one'] : [];
      return [`config is neither the old nor the new one: ${JSON.stringify(cfg).slice(0, 200)}`];
    },
  });
  // A kill between the temporary file's write and its rename leaves that file beside the
  // config (named by the killed process); the config itself is whole. Count them, so the
  // figures say how often a kill landed inside the write.
  report.configSetLeftovers = readdirSync(tmp).filter((f) => f.startsWith('config-set.config.json') && f !== 'config-set.config.json').length;
}

// ---------------------------------------------------------------- load
async function load() {
  const db = join(tmp, 'load.db');
  const until = Date.now() + SECONDS * 1000 + 3000;
  console.log(`load: 4 writers and 8 readers on one cache for ${SECONDS} s`);
  // Create the cache first so the twelve processes do not race to create the schema.
  await run(process.execPath, [join(ROOT, 'scripts/soak/load-worker.mjs'), db, 'writer', 'init', '0']);
  const W = join(ROOT, 'scripts/soak/load-worker.mjs');
  const procs = [
    ...['w0', 'w1', 'w2', 'w3'].map((t) => run(process.execPath, [W, db, 'writer', t, String(until)])),
    ...Array.from({ length: 8 }, (_, i) => run(process.execPath, [W, db, 'reader', `r${i}`, String(until)])),
  ];
  const results = await Promise.all(procs);
  const check = new Database(db, { readonly: true });
  let locked = 0;
  let lost = 0;
  let committed = 0;
  for (const [i, r] of results.slice(0, 4).entries()) {
    if (/locked|busy/i.test(r.stderr)) locked++;
    const n = Number((r.stdout.trim().split('\n').pop() ?? '').replace('committed ', '')) || 0;
    committed += n * 50;
    const have = check.prepare("SELECT count(*) AS n FROM papers WHERE id LIKE ? || '/%'").get(`w${i}`).n;
    if (have !== n * 50) lost += Math.abs(n * 50 - have);
    if (r.code !== 0) report.failures.push(`load writer w${i}: ${r.stderr.trim()}`);
  }
  check.close();
  const lat = [];
  for (const r of results.slice(4)) {
    if (/locked|busy/i.test(r.stderr)) locked++;
    if (r.code !== 0) report.failures.push(`load reader: ${r.stderr.trim()}`);
    try {
      lat.push(...JSON.parse(r.stdout.trim()));
    } catch {
      report.failures.push('load reader printed no latencies');
    }
  }
  lat.sort((a, b) => a - b);
  const pct = (p) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] ?? null;
  report.load = { seconds: SECONDS, writers: 4, readers: 8, papersCommitted: committed, lostWrites: lost, lockedErrors: locked, reads: lat.length, readMs: { p50: pct(50), p95: pct(95), p99: pct(99), max: lat.at(-1) ?? null } };
  if (locked) report.failures.push(`load: ${locked} processes saw "database is locked"`);
  if (lost) report.failures.push(`load: ${lost} writes lost`);
  const l = report.load;
  console.log(`  ${committed} papers committed, ${lost} lost, ${locked} "locked"; ${lat.length} reads: p50 ${l.readMs.p50} ms, p95 ${l.readMs.p95} ms, p99 ${l.readMs.p99} ms, max ${l.readMs.max} ms`);
}

// ---------------------------------------------------------------- volume
async function volume() {
  const N = 100_000;
  const file = join(tmp, 'volume.json');
  const items = [];
  for (let i = 0; i < N; i++) {
    const id = `2602.${String(i).padStart(5, '0')}`;
    items.push({ paper: { id, title: `Volume paper ${id}`, summary: `An abstract of ${id}.`, authors: [{ name: 'Ada Lovelace' }], publishedAt: '2026-02-01T00:00:00.000Z', upvotes: i % 100 }, publishedAt: '2026-02-02T00:00:00.000Z', title: `Volume paper ${id}` });
  }
  writeFileSync(file, JSON.stringify(items));
  const env = { ...process.env, PAPERS_DB: join(tmp, 'volume.db'), PAPERS_CONFIG: join(tmp, 'volume.config.json') };
  delete env.HF_TOKEN;
  const t0 = performance.now();
  const r = await run(process.execPath, [BIN, 'import', '--as-of', '2026-02-02', file], { env });
  const ms = Math.round(performance.now() - t0);
  const state = inspect(env.PAPERS_DB);
  state.db.close();
  const ok = r.code === 0 && state.rows === N && verdict('volume', 0, state, []);
  if (r.code !== 0) report.failures.push(`volume: import of ${N} papers failed: ${r.stderr.trim()}`);
  else if (state.rows !== N) report.failures.push(`volume: ${state.rows} of ${N} papers stored`);
  report.volume = { papers: N, bytes: Buffer.byteLength(JSON.stringify(items)), ms, ok };
  console.log(`volume: an import of ${N} papers: ${ok ? 'complete' : 'FAILED'} in ${(ms / 1000).toFixed(1)} s`);
}

try {
  if (!existsSync(join(ROOT, 'dist/store/index.js'))) throw new Error('build first: npm run build');
  if (PHASES.includes('fuzz')) await fuzz();
  if (PHASES.includes('kills')) await kills();
  if (PHASES.includes('load')) await load();
  if (PHASES.includes('volume')) await volume();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
writeFileSync(OUT, JSON.stringify({ ...report, runsPerParser: RUNS, killsRequested: KILLS }, null, 2) + '\n');
console.log(report.failures.length ? `\n${report.failures.length} failures:\n  ${report.failures.join('\n  ')}` : '\nno failures');
console.log(`written: ${OUT}`);
process.exitCode = report.failures.length ? 1 : 0;
