#!/usr/bin/env node
/**
 * `npm run bench`: how fast papers is, against what this machine can do at best, measured in
 * one run. Prints a table and writes bench/results.json. Not part of `npm test`.
 *
 *   node bench/run.js [--quick] [--only startup,scale,size,parse,ingest,export,backfill] [--runs N]
 *
 * - Whole-process timings are taken from outside (spawn → exit, hrtime), each run followed by
 *   a run of the baseline (`node -e 0`) so that both see the same machine load; the ratio is
 *   the median of the runs' ratios. Every measured command is run once first (warm caches).
 * - Caches of 100,000 and 1,000,000 generated papers (bench/gen.js) are built once through the
 *   store and kept in bench/.data/, keyed by size, generator and schema version.
 * - --quick: fewer runs, no 1,000,000-paper cache (so no scale or export figures).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { generateBatches, GENERATOR_VERSION, paperGenerator } from './gen.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const BIN = join(ROOT, 'bin', 'papers.js');
const DATA = join(ROOT, 'bench', '.data');
const NODE = process.execPath;

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const QUICK = flag('quick');
const ONLY = option('only', '') ? new Set(option('only', '').split(',')) : null;
const RUNS = Number(option('runs', QUICK ? 7 : 15));
const want = (part) => !ONLY || ONLY.has(part);

/** Two-word queries: one as specific as most searches, one of the most common words there are. */
const QUERIES = [
  { words: 'diffusion video', kind: 'specific' },
  { words: 'language models', kind: 'common' },
];

const { Store, SCHEMA_VERSION } = await import(join(DIST, 'store', 'index.js'));
const has = (file) => existsSync(join(DIST, file));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const log = (msg) => process.stderr.write(`bench: ${msg}\n`);

const work = mkdtempSync(join(tmpdir(), 'papers-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const ENV = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(PAPERS_|NO_COLOR|FORCE_COLOR|HF_TOKEN)/.test(k))),
  PAPERS_CONFIG: join(work, 'no-config.json'),
  XDG_CONFIG_HOME: work,
  XDG_CACHE_HOME: work,
  PAPERS_HF_URL: 'http://127.0.0.1:9', // nothing there: a command that tried the network would fail
};

// ---------------------------------------------------------------------------------------------
// Caches

/**
 * A short hash of what a new cache looks like (tables, indexes, page size, FTS settings) and of
 * how a paper's row is written (one generated paper stored), so that a change to either builds
 * the caches again.
 */
function schemaHash() {
  const path = join(work, 'schema.db');
  for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });
  const store = Store.open(path);
  const db = store.handle;
  const now = '2026-03-01T12:00:00.000Z';
  for (const b of generateBatches(20, { batch: 10 })) {
    if (b.kind === 'list') store.saveList('hf', b.date, b.papers, { now });
    else store.upsertPapers(b.papers, { now });
  }
  const text = JSON.stringify([
    db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all(),
    db.pragma('page_size', { simple: true }),
    db.prepare('SELECT * FROM papers_fts_config ORDER BY k').all(),
    db.prepare('SELECT * FROM papers ORDER BY rowid').all(),
  ]);
  store.close();
  return createHash('sha1').update(text).digest('hex').slice(0, 8);
}

/** The path of a generated cache of `n` papers, built (through the store) when missing. */
function cacheOf(n) {
  mkdirSync(DATA, { recursive: true });
  const name = `cache-${n}-g${GENERATOR_VERSION}-s${SCHEMA_VERSION}-${schemaHash()}.db`;
  const path = join(DATA, name);
  if (existsSync(path)) return { path, built: null };
  for (const f of readdirSync(DATA)) if (f.startsWith(`cache-${n}-`)) rmSync(join(DATA, f), { force: true });
  log(`generating a cache of ${n.toLocaleString('en-US')} papers (once; kept in bench/.data/)`);
  const tmp = path + '.tmp';
  for (const s of ['', '-wal', '-shm']) rmSync(tmp + s, { force: true });
  const store = Store.open(tmp);
  const started = performance.now();
  let done = 0;
  let next = 100_000;
  const now = '2026-03-01T12:00:00.000Z';
  for (const b of generateBatches(n, { batch: 10_000 })) {
    if (b.kind === 'list') store.saveList('hf', b.date, b.papers, { now });
    else store.upsertPapers(b.papers, { now });
    done += b.papers.length;
    if (done >= next) {
      log(`  ${done.toLocaleString('en-US')} papers, ${round((performance.now() - started) / 1000)} s`);
      next += 100_000;
    }
  }
  store.handle.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
  const seconds = (performance.now() - started) / 1000;
  renameSync(tmp, path);
  for (const s of ['-wal', '-shm']) rmSync(tmp + s, { force: true });
  log(`  built in ${round(seconds)} s`);
  return { path, built: { papers: n, seconds: round(seconds) } };
}

// ---------------------------------------------------------------------------------------------
// Whole processes, timed from outside

function once(args, env) {
  const started = process.hrtime.bigint();
  const r = spawnSync(NODE, args, { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${String(r.stderr).trim().split('\n')[0]}`);
  return { ms, stdout: String(r.stdout) };
}

/** `runs` timings of a command, each followed by one of the bare baseline; medians of both. */
function versusBare(args, env, runs = RUNS) {
  const first = once(args, env); // warm-up, and the output to check
  once(['-e', '0'], env);
  const ms = [];
  const bare = [];
  for (let i = 0; i < runs; i++) {
    ms.push(once(args, env).ms);
    bare.push(once(['-e', '0'], env).ms);
  }
  // The ratio is the median of each run's ratio to the baseline run next to it: the load of a
  // shared machine drifts over seconds, and a pair sees the same load.
  const ratio = median(ms.map((x, i) => x / bare[i]));
  return { ms: round(median(ms)), bare: round(median(bare)), ratio: round(ratio, 2), stdout: first.stdout, samples: ms.map((x) => round(x)), bareSamples: bare.map((x) => round(x)) };
}

// ---------------------------------------------------------------------------------------------

const rows = [];
const results = {
  date: new Date().toISOString(),
  machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? null, platform: process.platform },
  runs: RUNS,
  generated: {},
  figures: {},
};
function row(figure, value, baseline, ratio, target, pass, note = '') {
  rows.push({ figure, value, baseline, ratio, target, pass, note });
  const verdict = pass === null ? '' : pass ? 'pass' : 'FAIL';
  log(`${figure}: ${value}${baseline ? ` (baseline ${baseline})` : ''}${ratio ? `, ${ratio}` : ''} ${verdict}`);
}
const lines = (s) => s.split('\n').filter((l) => l.trim() !== '').length;

const c100k = want('startup') || want('size') || want('export') ? cacheOf(100_000) : null;
if (c100k?.built) results.generated['100k'] = c100k.built;
const c1m = !QUICK && (want('scale') || want('size') || want('export')) ? cacheOf(1_000_000) : null;
if (c1m?.built) results.generated['1m'] = c1m.built;

// -- start-up ---------------------------------------------------------------------------------
function startupFigure(key, label, cmd, db, limitRatio) {
  const env = { ...ENV, PAPERS_DB: db };
  const r = versusBare([BIN, ...cmd], env);
  results.figures[key] = { command: `papers ${cmd.join(' ')}`, medianMs: r.ms, bareMs: r.bare, ratio: r.ratio, target: `<= ${limitRatio}x`, pass: r.ratio <= limitRatio, outputLines: lines(r.stdout), samplesMs: r.samples, bareSamplesMs: r.bareSamples };
  row(label, `${r.ms} ms`, `node -e 0: ${r.bare} ms`, `${r.ratio}x`, `<= ${limitRatio}x`, r.ratio <= limitRatio, `${lines(r.stdout)} lines out`);
}

// The query figures run `papers list -q`; before that command exists, the same store query
// through `papers search --offline` (every word must match, best first) stands in, labelled so.
const hasList = has('commands/list.js');
const queryCmd = (words) => (hasList ? ['list', '-q', words, '--limit', '20'] : ['search', '--offline', ...words.split(' '), '--limit', '20']);
const queryLabel = (words) => (hasList ? `list -q "${words}" -n 20` : `search --offline ${words} -n 20`);
if (!hasList) log('no list command in dist/ yet: the query figures use search --offline');
/** Every read command, at one cache size: [key, label, arguments, its own targets at 100k and 1M]. */
function readCommands(path) {
  const db = Store.open(path, { readonly: true });
  const id = db.handle.prepare('SELECT id FROM papers WHERE id IS NOT NULL ORDER BY rowid DESC LIMIT 1 OFFSET 1000').pluck().get();
  db.close();
  const cmds = [
    ['today', 'today --offline', ['today', '--offline']],
    ['listNoQuery', 'list -n 20', ['list', '-n', '20']],
    ['listFilters', 'list --source hf --min-upvotes 10 -n 20', ['list', '--source', 'hf', '--min-upvotes', '10', '-n', '20']],
  ];
  for (const q of QUERIES) {
    cmds.push([`query_${q.kind}`, `${queryLabel(q.words)} (newest first)`, queryCmd(q.words)]);
    cmds.push([`queryRelevance_${q.kind}`, `${queryLabel(q.words)} --sort relevance`, [...queryCmd(q.words), '--sort', 'relevance']]);
  }
  // topics and stats summarise the whole cache: their targets are 2x and 2.5x.
  cmds.push(['show', `show <id>`, ['show', id]], ['topics', 'topics', ['topics'], [2, 2.5]], ['stats', 'stats', ['stats'], [2, 2.5]]);
  return cmds;
}
if (want('startup') && c100k) {
  log('every read command on 100,000 papers');
  for (const [key, label, cmd, limits] of readCommands(c100k.path)) startupFigure(`read100k_${key}`, `100k: ${label}`, cmd, c100k.path, limits?.[0] ?? 1.6);
}
if (want('scale') && c1m) {
  log('every read command on 1,000,000 papers');
  for (const [key, label, cmd, limits] of readCommands(c1m.path)) startupFigure(`read1m_${key}`, `1M: ${label}`, cmd, c1m.path, limits?.[1] ?? 2);
}

// -- size on disk -----------------------------------------------------------------------------
if (want('size')) {
  for (const [key, c] of [['100k', c100k], ['1m', c1m]]) {
    if (!c) continue;
    const n = key === '100k' ? 100_000 : 1_000_000;
    const bytes = statSync(c.path).size;
    const db = Store.open(c.path, { readonly: true });
    const textBytes = db.handle.prepare("SELECT sum(length(CAST(title AS BLOB)) + coalesce(length(CAST(summary AS BLOB)), 0) + length(CAST(authors AS BLOB)) + length(CAST(keywords AS BLOB)) + coalesce(length(CAST(ai_summary AS BLOB)), 0)) AS b FROM papers").get().b;
    db.close();
    results.figures[`bytesPerPaper${key}`] = { bytesPerPaper: Math.round(bytes / n), textBytesPerPaper: Math.round(textBytes / n), fileMB: round(bytes / 1e6) };
    row(`size: cache per paper (${key})`, `${Math.round(bytes / n)} B`, `its text: ${Math.round(textBytes / n)} B`, `${round(bytes / textBytes, 2)}x`, '', null, `${round(bytes / 1e6)} MB file`);
  }
}

// -- parsing ----------------------------------------------------------------------------------
/** A month-sized Hugging Face listing page: the fixture's items and cards, repeated and varied. */
function bigHfPage(copies) {
  const html = readFileSync(join(ROOT, 'fixtures/hf/daily-2024-08-01.html'), 'utf8');
  const start = html.indexOf('data-props="', html.indexOf('data-target="DailyPapers"'));
  const end = html.indexOf('"', start + 'data-props="'.length);
  const decode = (s) => s.replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&#39;', "'").replaceAll('&amp;', '&');
  const encode = (s) => s.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  const props = JSON.parse(decode(html.slice(start + 'data-props="'.length, end)));
  const gen = paperGenerator({ seed: 99 });
  const items = [];
  for (let c = 0; c < copies; c++) {
    for (const it of props.dailyPapers) {
      const item = structuredClone(it);
      const g = gen.next();
      item.paper.id = `2408.${String(10000 + items.length).padStart(5, '0')}`;
      item.title = g.title;
      item.paper.title = g.title;
      item.paper.summary = g.summary;
      item.paper.upvotes = (items.length * 7) % 97;
      items.push(item);
    }
  }
  props.dailyPapers = items;
  const json = JSON.stringify(props);
  const firstCard = html.indexOf('<article');
  const lastCard = html.lastIndexOf('</article>') + '</article>'.length;
  const cards = html.slice(firstCard, lastCard);
  const page = html.slice(0, start) + 'data-props="' + encode(json) + '"' + html.slice(end + 1, firstCard) + cards.repeat(copies) + html.slice(lastCard);
  // As a fetched or saved page arrives: one flat string decoded from bytes, not a rope.
  return { page: Buffer.from(page, 'utf8').toString('utf8'), json, items: items.length };
}

// A collection before each timed call, so that no call pays for garbage an earlier one left.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

/** Median ms of `runs` calls after `warmup` calls (steady state: the JIT has compiled the code), and the first call's. */
function timeIt(fn, runs, warmup = 5) {
  gc();
  let t = performance.now();
  fn();
  const first = performance.now() - t;
  for (let i = 1; i < warmup; i++) fn();
  const ms = [];
  for (let i = 0; i < runs; i++) {
    gc();
    t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  return { median: median(ms), first };
}

if (want('parse')) {
  log('parsing a Hugging Face listing page');
  const { parseHfHydration } = await import(join(DIST, 'sources/hf/parse.js'));
  const { load } = await import('cheerio');
  const { page, json, items } = bigHfPage(40);
  const mb = Buffer.byteLength(page) / 1e6;
  const check = parseHfHydration(page);
  if (!check || check.papers.length !== items) throw new Error(`parseHfHydration found ${check?.papers.length} papers, expected ${items}`);
  const runs = QUICK ? 9 : 21;
  const parse = timeIt(() => parseHfHydration(page), runs);
  const jsonParse = timeIt(() => JSON.parse(json), runs);
  const dom = timeIt(() => load(page), Math.max(3, runs >> 2), 2);
  const [parseMs, jsonMs, domMs] = [parse.median, jsonParse.median, dom.median];
  const rate = (ms) => round(mb / (ms / 1000));
  const ratio = round(jsonMs / parseMs, 2);
  results.figures.parseHfPage = {
    pageMB: round(mb, 2), papers: items, parseMBps: rate(parseMs), jsonParseMBps: rate(jsonMs), domLoadMBps: rate(domMs),
    parseMs: round(parseMs), jsonParseMs: round(jsonMs), domLoadMs: round(domMs), firstParseMs: round(parse.first), firstDomLoadMs: round(dom.first),
    ratioToJsonParse: ratio, target: '>= 0.33 of JSON.parse', pass: ratio >= 1 / 3,
  };
  row(`parse: HF page (${round(mb, 1)} MB, ${items} papers)`, `${rate(parseMs)} MB/s`, `JSON.parse: ${rate(jsonMs)} MB/s`, `${ratio}x`, '>= 0.33x', ratio >= 1 / 3, `DOM load (cheerio): ${rate(domMs)} MB/s; first (cold) parse ${round(parse.first)} ms, DOM load ${round(dom.first)} ms`);
}

// -- ingest -----------------------------------------------------------------------------------
if (want('ingest')) {
  const n = QUICK ? 20_000 : 50_000;
  log(`ingest of ${n.toLocaleString('en-US')} papers`);
  const batches = [...generateBatches(n, { batch: 1000, days: Math.ceil(n / 400), seed: 5 })];
  const write = (store, now) => {
    const t = performance.now();
    for (const b of batches) {
      if (b.kind === 'list') store.saveList('hf', b.date, b.papers, { now });
      else store.upsertPapers(b.papers, { now });
    }
    return (performance.now() - t) / 1000;
  };
  const path = join(work, 'ingest.db');
  const store = Store.open(path);
  const fresh = write(store, '2026-03-01T00:00:00.000Z');
  const again = write(store, '2026-03-02T00:00:00.000Z');
  const count = store.count();
  store.close();
  if (count !== n) throw new Error(`ingest stored ${count} papers, expected ${n}`);

  // The limit: the same text into a bare FTS5 table of the same definition and settings as the
  // store's (page size, merging, checkpoints), same batches: SQLite's indexing and nothing else.
  const probe = Store.open(join(work, 'probe.db'));
  const pageSize = probe.handle.pragma('page_size', { simple: true });
  const automerge = probe.handle.prepare("SELECT v FROM papers_fts_config WHERE k = 'automerge'").get()?.v ?? 4;
  const checkpoint = probe.handle.pragma('wal_autocheckpoint', { simple: true });
  probe.close();
  const Database = (await import('better-sqlite3')).default;
  const raw = new Database(join(work, 'fts-only.db'));
  raw.pragma(`page_size = ${pageSize}`);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma(`wal_autocheckpoint = ${checkpoint}`);
  raw.exec(`CREATE VIRTUAL TABLE t USING fts5(title, summary, authors, keywords, categories, tokenize='porter unicode61 remove_diacritics 2')`);
  raw.exec(`INSERT INTO t(t, rank) VALUES ('automerge', ${automerge})`);
  const ins = raw.prepare('INSERT INTO t (title, summary, authors, keywords, categories) VALUES (?, ?, ?, ?, ?)');
  const tx = raw.transaction((papers) => {
    for (const p of papers) ins.run(p.title, p.summary, JSON.stringify(p.authors), JSON.stringify(p.keywords), JSON.stringify(p.categories));
  });
  const t = performance.now();
  for (const b of batches) tx(b.papers);
  const ftsOnly = (performance.now() - t) / 1000;
  raw.close();

  const rate = (s) => Math.round(n / s);
  results.figures.ingest = {
    papers: n, freshPerSec: rate(fresh), reingestPerSec: rate(again), fts5OnlyPerSec: rate(ftsOnly),
    targets: { fresh: '>= 20000/s', reingest: '>= 50000/s' }, pass: { fresh: rate(fresh) >= 20_000, reingest: rate(again) >= 50_000 },
  };
  row(`ingest: fresh, with FTS (${n / 1000}k)`, `${rate(fresh)}/s`, `FTS5 alone: ${rate(ftsOnly)}/s`, `${round(ftsOnly / fresh, 2)}x`, '>= 20000/s', rate(fresh) >= 20_000);
  row(`ingest: the same again (${n / 1000}k)`, `${rate(again)}/s`, '', '', '>= 50000/s', rate(again) >= 50_000);

  // The whole `papers import` of a generated arXiv snapshot, timed from outside the process:
  // reading, parsing, recognising, merging and indexing, into a new cache and then again. The
  // reader alone over the same file (in this process, no store) is what the import cannot pass.
  const { readingSeconds, snapshotFile } = await import('./snapshot-gen.js');
  const size = QUICK ? 20_000 : 100_000;
  log(`papers import of a ${size.toLocaleString('en-US')}-line arXiv snapshot, fresh and again`);
  const file = await snapshotFile(size, false);
  const db = join(work, 'import.db');
  const imported = () => size / (once([BIN, 'import', file, '--db', db], ENV).ms / 1000);
  const freshWhole = imported();
  const againWhole = median([imported(), imported(), imported()]);
  const reading = size / (await readingSeconds(file));
  results.figures.importWhole = {
    lines: size, freshPerSec: Math.round(freshWhole), againPerSec: Math.round(againWhole), readerAlonePerSec: Math.round(reading),
    targets: { fresh: '>= 20000/s', again: '>= 50000/s' }, pass: { fresh: freshWhole >= 20_000, again: againWhole >= 50_000 },
  };
  row(`papers import, whole process: fresh (${size / 1000}k snapshot lines)`, `${Math.round(freshWhole)}/s`, `reader alone: ${Math.round(reading)}/s`, '', '>= 20000/s', freshWhole >= 20_000);
  row(`papers import, whole process: the same again`, `${Math.round(againWhole)}/s`, `reader alone: ${Math.round(reading)}/s`, '', '>= 50000/s', againWhole >= 50_000, 'median of 3');
}

// -- export -----------------------------------------------------------------------------------
function peakRss(args, env) {
  return new Promise((resolve, reject) => {
    const file = join(work, `rss-${Date.now()}`);
    const started = process.hrtime.bigint();
    const child = spawn(NODE, ['--require', join(ROOT, 'bench', 'rss.cjs'), ...args], { env: { ...env, PAPERS_BENCH_RSS_FILE: file }, stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let newlines = 0;
    let stderr = '';
    child.stdout.on('data', (d) => {
      bytes += d.length;
      for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) newlines++;
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.trim().split('\n')[0]}`));
      resolve({ rssMB: round(Number(readFileSync(file, 'utf8')) / 1024), bytes, lines: newlines, ms: Number(process.hrtime.bigint() - started) / 1e6 });
    });
  });
}

if (want('export') && c1m) {
  // `papers export --format jsonl`; before that command exists, `papers list --jsonl` (every
  // paper, streamed the same way through the store) stands in, labelled so.
  const hasExport = has('commands/export.js');
  const cmd = hasExport ? ['export', '--format', 'jsonl'] : ['list', '--jsonl'];
  const label = hasExport ? 'export --format jsonl' : 'list --jsonl';
  if (!hasExport) log('no export command in dist/ yet: list --jsonl stands in');
  log(`${label} of 100,000 and 1,000,000 papers`);
  const bare = await peakRss(['-e', '0'], ENV);
  const small = c100k ? await peakRss([BIN, ...cmd], { ...ENV, PAPERS_DB: c100k.path }) : null;
  const r = await peakRss([BIN, ...cmd], { ...ENV, PAPERS_DB: c1m.path });
  if (r.lines !== 1_000_000) throw new Error(`${label} wrote ${r.lines} lines, expected 1000000`);
  const pass = r.rssMB < 150;
  results.figures.exportJsonl1m = { command: `papers ${cmd.join(' ')}`, peakRssMB: r.rssMB, peakRssMB100k: small?.rssMB ?? null, bareNodeRssMB: bare.rssMB, seconds: round(r.ms / 1000), lines: r.lines, outputMB: round(r.bytes / 1e6), target: '< 150 MB, flat', pass };
  row(`export: ${label} of 1M, peak memory`, `${r.rssMB} MB`, `node -e 0: ${bare.rssMB} MB`, '', '< 150 MB', pass, `${r.lines} lines, ${round(r.bytes / 1e6)} MB in ${round(r.ms / 1000)} s${small ? `; of 100k: ${small.rssMB} MB` : ''}`);
}

// -- backfill ---------------------------------------------------------------------------------
if (want('backfill')) {
  const helper = join(ROOT, 'test/helpers/backfill-bench.mjs');
  if (has('sync.js') && existsSync(helper)) {
    const { measureBackfill } = await import(helper);
    for (const latencyMs of [0, 50]) {
      log(`backfill of one month from a local server (${latencyMs} ms a request)`);
      const r = await measureBackfill({ month: '2024-08', perWeekday: 40, latencyMs, runs: QUICK ? 1 : 3 });
      results.figures[`backfillMonth_${latencyMs}ms`] = r;
      row(`backfill: a month, ${r.papers} papers (${latencyMs} ms/request)`, `${r.planned.requests} requests, ${round(r.planned.ms)} ms`, `a request a day: ${r.perDay.requests}, ${round(r.perDay.ms)} ms`, `${round(r.planned.ms / r.perDay.ms, 2)}x`, '', null);
    }
  } else log('no fetch planner in dist/ yet: backfill skipped');
}

// -- report -----------------------------------------------------------------------------------
const head = ['figure', 'median', 'baseline', 'ratio', 'target', 'result'];
const table = rows.map((r) => [r.figure, r.value, r.baseline, r.ratio, r.target, r.pass === null ? '' : r.pass ? 'pass' : 'FAIL']);
const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => String(t[i]).length)));
const fmt = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd();
process.stdout.write([fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...table.map(fmt)].join('\n') + '\n');
for (const r of rows) if (r.note) process.stdout.write(`  ${r.figure}: ${r.note}\n`);
results.table = rows;
writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
process.stdout.write(`\nwrote bench/results.json (${RUNS} runs a start-up figure; ${results.machine.cpus} CPUs, node ${process.version})\n`);
