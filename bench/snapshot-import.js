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
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readingSeconds, snapshotFile } from './snapshot-gen.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const LINES = Number(option('lines', 100_000));
const GZIP = argv.includes('--gzip');

/** The CLI's import into a fresh cache: wall time and peak RSS (VmHWM of the child). */
function cliImport(file, db) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'papers.js'), 'import', file, '--db', db], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let peakKb = 0;
    let cpuTicks = 0;
    const threadTicks = new Map();
    const sample = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
        // utime + stime (fields 14 and 15), in clock ticks (100 a second on Linux)
        const ticks = (stat) => {
          const f = readFileSync(stat, 'utf8').split(') ')[1].split(' ');
          return Number(f[11]) + Number(f[12]);
        };
        cpuTicks = ticks(`/proc/${child.pid}/stat`);
        // Per thread: the busiest one (the main thread, which stores) bounds the rate on an idle machine.
        for (const t of readdirSync(`/proc/${child.pid}/task`)) {
          try {
            const n = ticks(`/proc/${child.pid}/task/${t}/stat`);
            threadTicks.set(t, Math.max(threadTicks.get(t) ?? 0, n));
          } catch { /* thread ended */ }
        }
      } catch { /* ended */ }
    }, 100);
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sample);
      resolve({ code, seconds: (performance.now() - started) / 1000, cpuSeconds: cpuTicks / 100, busiestThreadCpuSeconds: Math.max(0, ...threadTicks.values()) / 100, stderr: stderr.trim(), peakMb: Math.round(peakKb / 1024) });
    });
  });
}

const file = await snapshotFile(LINES, GZIP);
const dir = mkdtempSync(join(tmpdir(), 'papers-snapshot-bench-'));
try {
  const parseSecs = await readingSeconds(file);
  const run = await cliImport(file, join(dir, 'papers.db'));
  if (run.code !== 0) throw new Error(`import failed (${run.code}): ${run.stderr}`);
  console.log(JSON.stringify({
    file: file.replace(ROOT, ''), bytes: statSync(file).size, lines: LINES,
    seconds: Number(run.seconds.toFixed(2)), papersPerSecond: Math.round(LINES / run.seconds),
    // CPU time of the import process (sampled to the last 0.1 s): the rate on an idle machine is near this.
    cpuSeconds: run.cpuSeconds, papersPerCpuSecond: run.cpuSeconds > 0 ? Math.round(LINES / run.cpuSeconds) : null,
    // The busiest thread's CPU time: with reading and parsing in a worker, the store's thread.
    busiestThreadCpuSeconds: run.busiestThreadCpuSeconds, papersPerBusiestThreadCpuSecond: run.busiestThreadCpuSeconds > 0 ? Math.round(LINES / run.busiestThreadCpuSeconds) : null,
    parseSeconds: Number(parseSecs.toFixed(2)), parseShare: Number((parseSecs / run.seconds).toFixed(2)),
    peakRssMb: run.peakMb, cacheMb: Math.round(statSync(join(dir, 'papers.db')).size / 1e6), summary: run.stderr,
  }));
} finally {
  if (!argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
}
