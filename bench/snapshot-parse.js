#!/usr/bin/env node
/**
 * How fast the arXiv metadata snapshot reader parses (papers/s), and whether its memory stays
 * flat: generates a snapshot-shaped JSON Lines file (1,000,000 lines by default, kept in
 * bench/.data/), then reads it through readSnapshot (dist/, so run `npm run build` first).
 *
 *   node bench/snapshot-parse.js [--lines N] [--gzip] [--category 'cs.*'] [--runs N] [--no-floor]
 *
 * Each run first reads the same file with nothing but line splitting and JSON.parse (the
 * floor: no reader can beat it), so that `ofFloor` (the reader's rate as a share of the
 * floor's) stays meaningful on a machine busy with other work, where absolute rates are not.
 *
 * The whole import must reach 20,000 papers/s; the parser is one part of it, so its rate has
 * to be far above that. Lines imitate the real file: the same fields in the same order, an
 * abstract of about 1 KB, TeX accents in some names, one to three versions.
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
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
const LINES = Number(option('lines', 1_000_000));
const GZIP = argv.includes('--gzip');
const CATEGORY = option('category', null);
const RUNS = Number(option('runs', 1));
const GENERATOR_VERSION = 1;

const { readSnapshot } = await import(join(ROOT, 'dist', 'sources', 'arxiv', 'snapshot.js'));

// A small deterministic generator (mulberry32), so the file is the same on every machine.
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

function* lines(n) {
  const r = rng(17);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const words = (k) => Array.from({ length: k }, () => pick(WORDS)).join(' ');
  for (let i = 0; i < n; i++) {
    const t = Date.UTC(2007, 3, 1) + Math.floor(r() * 18 * 365) * 86_400_000 + Math.floor(r() * 86_400_000);
    const d = new Date(t);
    const id = `${String(d.getUTCFullYear() % 100).padStart(2, '0')}${String(d.getUTCMonth() + 1).padStart(2, '0')}.${String(i % 100000).padStart(5, '0')}`;
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
  const file = join(DATA, `snapshot-${LINES}-g${GENERATOR_VERSION}.jsonl${GZIP ? '.gz' : ''}`);
  if (existsSync(file)) return file;
  process.stderr.write(`generating ${file} …\n`);
  const tmp = `${file}.tmp`;
  const source = Readable.from(lines(LINES));
  await (GZIP ? pipeline(source, createGzip({ level: 6 }), createWriteStream(tmp)) : pipeline(source, createWriteStream(tmp)));
  renameSync(tmp, file);
  return file;
}

/** Lines per second of splitting and JSON.parse alone (plain files only). */
async function floor(file) {
  const started = performance.now();
  let rest = '';
  let n = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20, encoding: 'utf8' })) {
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      JSON.parse(text.slice(start, nl));
      n++;
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  return Math.round(n / ((performance.now() - started) / 1000));
}

const file = await dataFile();
const size = statSync(file).size;
for (let run = 1; run <= RUNS; run++) {
  const floorRate = GZIP || argv.includes('--no-floor') ? null : await floor(file);
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const started = performance.now();
  const { papers, stats } = readSnapshot(createReadStream(file, { highWaterMark: 1 << 20 }), CATEGORY ? { categories: [CATEGORY] } : {});
  let n = 0;
  for await (const _ of papers) {
    if ((++n & 0xffff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const secs = (performance.now() - started) / 1000;
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(JSON.stringify({
    file: file.replace(`${ROOT}`, ''), bytes: size, lines: stats.lines, papers: stats.papers, filtered: stats.filtered, skipped: stats.skipped,
    seconds: Number(secs.toFixed(2)), papersPerSecond: Math.round(stats.lines / secs), mbPerSecond: Number((size / 1e6 / secs).toFixed(1)),
    jsonParseFloorPerSecond: floorRate, ofFloor: floorRate === null ? null : Number((stats.lines / secs / floorRate).toFixed(2)),
    rssMbBefore: Math.round(rssBefore / 1e6), rssMbPeak: Math.round(peak / 1e6),
  }));
}
