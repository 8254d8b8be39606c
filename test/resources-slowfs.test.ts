/**
 * A cache on a slow filesystem: ext4 on a loop device whose reads and writes the kernel
 * throttles (the blkio controller, a few operations a second) for the papers processes only.
 * Every fsync and every uncached read waits on the throttle, as on a failing SD card or a busy
 * network disk. Writers and a reader at once must all end well (or one line), the cache whole.
 * Needs root, losetup, mkfs.ext4 and the cgroup v1 blkio throttle; otherwise skipped, saying why.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { BIN, tempDir, type RunResult } from './helpers/cli.js';
import { fixture } from './helpers/server.js';

const tmp = tempDir();
const undo: (() => void)[] = [];
afterAll(() => {
  for (const f of undo.reverse()) {
    try {
      f();
    } catch {
      // already gone
    }
  }
  tmp.cleanup();
});

const BLKIO = '/sys/fs/cgroup/blkio';

/** A throttled ext4 filesystem mounted at `dir`, or why it cannot be made here. */
function slowFilesystem(dir: string): { cgroup: string; device: string } | string {
  if (process.getuid?.() !== 0) return 'not root';
  if (!existsSync(join(BLKIO, 'blkio.throttle.write_iops_device'))) return `no cgroup v1 blkio throttle at ${BLKIO}`;
  try {
    const img = join(tmp.dir, 'slow.img');
    execFileSync('truncate', ['-s', '64M', img]);
    const loop = execFileSync('losetup', ['-f', '--show', img], { encoding: 'utf8' }).trim();
    undo.push(() => execFileSync('losetup', ['-d', loop]));
    execFileSync('mkfs.ext4', ['-q', '-F', loop], { stdio: 'pipe' });
    mkdirSync(dir);
    execFileSync('mount', [loop, dir], { stdio: 'pipe' });
    undo.push(() => execFileSync('umount', [dir]));
    const device = execFileSync('lsblk', ['-dno', 'MAJ:MIN', loop], { encoding: 'utf8' }).trim();
    const cgroup = join(BLKIO, `papers-slow-${randomBytes(4).toString('hex')}`);
    mkdirSync(cgroup);
    undo.push(() => rmdirSync(cgroup));
    // A few operations a second and 256 KiB/s: a fsync takes a second or more.
    writeFileSync(join(cgroup, 'blkio.throttle.write_iops_device'), `${device} 4`);
    writeFileSync(join(cgroup, 'blkio.throttle.read_iops_device'), `${device} 4`);
    writeFileSync(join(cgroup, 'blkio.throttle.write_bps_device'), `${device} 262144`);
    return { cgroup, device };
  } catch (e) {
    return ((e as { stderr?: Buffer }).stderr?.toString() || (e as Error).message).trim();
  }
}

/** Run the CLI inside the throttled cgroup. */
function runSlow(cgroup: string, args: string[], env: Record<string, string>): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(HF_TOKEN|PAPERS_.*)$/.test(k)) clean[k] = v;
    const child = spawn('sh', ['-c', 'echo $$ > "$CGROUP_PROCS" && exec "$@"', 'sh', process.execPath, BIN, ...args], {
      env: { ...clean, NO_COLOR: '1', CGROUP_PROCS: join(cgroup, 'cgroup.procs'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

const ITEM = JSON.parse(fixture('hf/api-daily-papers-2026-03-06.one-item.json'))[0];
function listing(base: number, n: number, date: string): string {
  const items = [];
  for (let i = 0; i < n; i++) {
    const id = `2601.${String(base + i).padStart(5, '0')}`;
    items.push({ ...ITEM, publishedAt: `${date}T00:00:00.000Z`, paper: { ...ITEM.paper, id, title: `Slow paper ${id}`, submittedOnDailyAt: `${date}T00:00:00.000Z` } });
  }
  return JSON.stringify(items);
}

/** Operations the throttle let through for this cgroup on the device. */
function throttled(cgroup: string, device: string): number {
  const line = readFileSync(join(cgroup, 'blkio.throttle.io_serviced'), 'utf8').split('\n').find((l) => l.startsWith(`${device} Total`));
  return line ? Number(line.split(' ')[2]) : 0;
}

describe('a cache on a slow filesystem', () => {
  it('two imports and a reader at once all end well, the cache whole, every paper there', async (ctx) => {
    const dir = join(tmp.dir, 'slow');
    const fs = slowFilesystem(dir);
    if (typeof fs === 'string') {
      console.log(`skipped: cannot make a throttled filesystem (${fs})`);
      ctx.skip();
      return;
    }
    const db = join(dir, 'papers.db');
    const env = { PAPERS_DB: db, PAPERS_CONFIG: join(tmp.dir, 'config.json') };
    const files = ['2026-01-05', '2026-01-06', '2026-01-07'].map((date, i) => {
      const f = join(tmp.dir, `${date}.json`);
      writeFileSync(f, listing(1000 * (i + 1), 200, date));
      return { f, date };
    });
    const seeded = await runSlow(fs.cgroup, ['import', '--as-of', files[0]!.date, files[0]!.f], env);
    expect(seeded.code, seeded.stderr).toBe(0);
    const [a, b, reader] = await Promise.all([
      runSlow(fs.cgroup, ['import', '--as-of', files[1]!.date, files[1]!.f], env),
      runSlow(fs.cgroup, ['import', '--as-of', files[2]!.date, files[2]!.f], env),
      runSlow(fs.cgroup, ['list', '--json', '-n', '1000'], env),
    ]);
    for (const r of [a, b, reader]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/locked|busy|\n\s+at /i);
    }
    // The reader saw a whole state: the seed alone, or with one or both imports, never a part.
    expect([200, 400, 600]).toContain(JSON.parse(reader.stdout).length);
    // The slow device really carried the work.
    expect(throttled(fs.cgroup, fs.device)).toBeGreaterThan(0);
    const d = new Database(db, { readonly: true });
    try {
      expect(d.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(d.prepare('SELECT count(*) AS n FROM papers').get()).toEqual({ n: 600 });
      expect(d.prepare('SELECT count(*) AS n FROM papers_fts').get()).toEqual({ n: 600 });
    } finally {
      d.close();
    }
  }, 600_000);
});
