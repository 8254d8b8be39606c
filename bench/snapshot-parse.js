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
 * Rates are given per wall-clock second and per CPU second of this process (the steadier of
 * the two when other work shares the machine).
 *
 * The whole import must reach 20,000 papers/s; the parser is one part of it, so its rate has
 * to be far above that. Lines imitate the real file: the same fields in the same order, an
 * abstract of about 1 KB, TeX accents in some names, one to three versions.
 */
import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { snapshotFile } from './snapshot-gen.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const LINES = Number(option('lines', 1_000_000));
const GZIP = argv.includes('--gzip');
const CATEGORY = option('category', null);
const RUNS = Number(option('runs', 1));

const { readSnapshot } = await import(join(ROOT, 'dist', 'sources', 'arxiv', 'snapshot.js'));

/** Lines per second of splitting and JSON.parse alone (plain files only). */
async function floor(file) {
  const cpu = process.cpuUsage();
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
  return Math.round(n / cpuSeconds(cpu));
}

/** CPU seconds (user and system) of this process since `since`: on a busy machine, steadier than the wall clock. */
function cpuSeconds(since) {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

const file = await snapshotFile(LINES, GZIP);
const size = statSync(file).size;
for (let run = 1; run <= RUNS; run++) {
  const floorRate = GZIP || argv.includes('--no-floor') ? null : await floor(file);
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const { batches, papers, stats } = readSnapshot(createReadStream(file, { highWaterMark: 1 << 20 }), CATEGORY ? { categories: [CATEGORY] } : {});
  let n = 0;
  // A chunk's records at a time, as the import takes them (a reader of one record at a time, too).
  for await (const b of batches ?? (async function* () { for await (const p of papers) yield [p]; })()) {
    if (((n += b.length) & 0xffff) < b.length) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const secs = (performance.now() - started) / 1000;
  const cpuSecs = cpuSeconds(cpu);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(JSON.stringify({
    file: file.replace(`${ROOT}`, ''), bytes: size, lines: stats.lines, papers: stats.papers, filtered: stats.filtered, skipped: stats.skipped,
    seconds: Number(secs.toFixed(2)), papersPerSecond: Math.round(stats.lines / secs), mbPerSecond: Number((size / 1e6 / secs).toFixed(1)),
    cpuSeconds: Number(cpuSecs.toFixed(2)), papersPerCpuSecond: Math.round(stats.lines / cpuSecs),
    jsonParseFloorPerCpuSecond: floorRate, ofFloor: floorRate === null ? null : Number((stats.lines / cpuSecs / floorRate).toFixed(2)),
    rssMbBefore: Math.round(rssBefore / 1e6), rssMbPeak: Math.round(peak / 1e6),
  }));
}
