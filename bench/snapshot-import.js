#!/usr/bin/env node
/**
 * The whole-process import rate of arXiv's metadata snapshot: generates a snapshot-shaped JSON
 * Lines file with unique ids (kept in bench/.data/), then runs the real CLI
 * (`node bin/papers.js import <file> --db <fresh cache>`) and reports papers per second of the
 * whole process (wall clock and CPU time: on a busy machine the two differ), its peak memory
 * (from /proc, sampled), and where the time goes: reading and
 * parsing alone (readSnapshot over the same file, in this process) against the rest (storing).
 *
 *   npm run build && node bench/snapshot-import.js [--lines N] [--gzip] [--batch N] [--keep]
 *
 * The target is 20,000 papers/s into a fresh cache. Figures are of this machine at this time:
 * compare runs made together.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA = join(ROOT, 'bench', '.data');
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const LINES = Number(option('lines', 100_000));
const GZIP = argv.includes('--gzip');
const GENERATOR_VERSION = 1;

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const WORDS = 'model learning neural data network method results approach training performance large language show propose task tasks new based image using graph time optimal quantum field theory energy spectrum equation system problem algorithm'.split(' ');
const LAST = ['Smith', "Bal\\'azs", 'Nguyen', 'M\\"uller', 'Garc\\\'{\\i}a', 'Wang', 'Kowalski', 'Okafor', 'Rossi', 'Tanaka'];
const FIRST = ['A.', 'Beatriz', 'C.-P.', 'Dmitri', 'Eun-ji', "Jos\\'e M.", 'Kari', 'Li', 'Omar', 'Zo\\"e'];
const CATS = ['cs.LG', 'cs.CL', 'cs.CV', 'stat.ML', 'math.CO', 'hep-th', 'quant-ph', 'astro-ph.GA', 'cond-mat.str-el', 'math.PR'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const rfc = (t) => {
  const d = new Date(t);
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${d.toISOString().slice(11, 19)} GMT`;
};

/** Lines in the real file's field order; ids unique: 25,000 a month from April 2007 on. */
function* lines(n) {
  const r = rng(17);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const words = (k) => Array.from({ length: k }, () => pick(WORDS)).join(' ');
  for (let i = 0; i < n; i++) {
    const month = Math.floor(i / 25_000);
    const y = 2007 + Math.floor((3 + month) / 12);
    const m = ((3 + month) % 12) + 1;
    const t = Date.UTC(y, m - 1, 1) + Math.floor(r() * 27 * 86_400_000);
    const id = `${String(y % 100).padStart(2, '0')}${String(m).padStart(2, '0')}.${String(i % 25_000).padStart(5, '0')}`;
    const na = 1 + Math.floor(r() * 6);
    const parsed = Array.from({ length: na }, () => [pick(LAST), pick(FIRST), '']);
    const nv = 1 + Math.floor(r() * 3);
    const versions = Array.from({ length: nv }, (_, k) => ({ version: `v${k + 1}`, created: rfc(t + k * 40 * 86_400_000) }));
    const cats = [...new Set(Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(CATS)))].join(' ');
    const abstract = `  ${Array.from({ length: 12 }, () => words(12)).join('\n')}\n`;
    yield `${JSON.stringify({
      id, submitter: `${parsed[0][1]} ${parsed[0][0]}`, authors: parsed.map((a) => `${a[1]} ${a[0]}`).join(', '),
      title: `${words(6)}\n  ${words(4)}`, comments: r() < 0.6 ? `${1 + Math.floor(r() * 40)} pages` : null,
      'journal-ref': r() < 0.2 ? `J. Synth. ${Math.floor(r() * 100)} (2019)` : null, doi: r() < 0.3 ? `10.0000/s.${i}` : null,
      'report-no': null, categories: cats, license: r() < 0.5 ? 'http://creativecommons.org/licenses/by/4.0/' : null,
      abstract, versions, update_date: new Date(t + (nv - 1) * 40 * 86_400_000).toISOString().slice(0, 10), authors_parsed: parsed,
    })}\n`;
  }
}

async function dataFile() {
  mkdirSync(DATA, { recursive: true });
  const file = join(DATA, `snapshot-import-${LINES}-g${GENERATOR_VERSION}.jsonl${GZIP ? '.gz' : ''}`);
  if (existsSync(file)) return file;
  process.stderr.write(`generating ${file} …\n`);
  const tmp = `${file}.tmp`;
  const source = Readable.from(lines(LINES));
  await (GZIP ? pipeline(source, createGzip({ level: 6 }), createWriteStream(tmp)) : pipeline(source, createWriteStream(tmp)));
  renameSync(tmp, file);
  return file;
}

/** Seconds to read and parse the file alone (no store). */
async function parseOnly(file) {
  const { readSnapshot } = await import(join(ROOT, 'dist', 'sources', 'arxiv', 'snapshot.js'));
  const started = performance.now();
  const { papers } = readSnapshot(createReadStream(file, { highWaterMark: 1 << 20 }));
  for await (const _ of papers);
  return (performance.now() - started) / 1000;
}

/** The CLI's import into a fresh cache: wall time and peak RSS (VmHWM of the child). */
function cliImport(file, db) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'papers.js'), 'import', file, '--db', db], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let peakKb = 0;
    let cpuTicks = 0;
    const sample = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
        // utime + stime (fields 14 and 15), in clock ticks (100 a second on Linux)
        const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        cpuTicks = Number(f[11]) + Number(f[12]);
      } catch { /* ended */ }
    }, 100);
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sample);
      resolve({ code, seconds: (performance.now() - started) / 1000, cpuSeconds: cpuTicks / 100, stderr: stderr.trim(), peakMb: Math.round(peakKb / 1024) });
    });
  });
}

const file = await dataFile();
const dir = mkdtempSync(join(tmpdir(), 'papers-snapshot-bench-'));
try {
  const parseSecs = await parseOnly(file);
  const run = await cliImport(file, join(dir, 'papers.db'));
  if (run.code !== 0) throw new Error(`import failed (${run.code}): ${run.stderr}`);
  console.log(JSON.stringify({
    file: file.replace(ROOT, ''), bytes: statSync(file).size, lines: LINES,
    seconds: Number(run.seconds.toFixed(2)), papersPerSecond: Math.round(LINES / run.seconds),
    // CPU time of the import process (sampled to the last 0.1 s): the rate on an idle machine is near this.
    cpuSeconds: run.cpuSeconds, papersPerCpuSecond: run.cpuSeconds > 0 ? Math.round(LINES / run.cpuSeconds) : null,
    parseSeconds: Number(parseSecs.toFixed(2)), parseShare: Number((parseSecs / run.seconds).toFixed(2)),
    peakRssMb: run.peakMb, cacheMb: Math.round(statSync(join(dir, 'papers.db')).size / 1e6), summary: run.stderr,
  }));
} finally {
  if (!argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
}
