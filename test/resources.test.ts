/**
 * Resources running out: a full disk in the middle of an import and of a sync, a cache on a
 * read-only mount,
 * an upstream answer over the body cap. Each ends with one line on stderr, the cache as it was
 * before, and a next run that works. The mounts need root and a kernel that allows them; where
 * they fail the test says so and is skipped.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { daysOf, isoWeekRange, monthRange } from '../src/range.js';
import { cacheRows, runCli, tempDir } from './helpers/cli.js';
import { fixture, startServer } from './helpers/server.js';

const tmp = tempDir();
const mounted: string[] = [];
afterAll(() => {
  for (const m of mounted.reverse()) {
    try {
      execFileSync('umount', [m]);
    } catch {
      // already gone
    }
  }
  tmp.cleanup();
});

function mount(args: string[], target: string): string | null {
  try {
    execFileSync('mount', [...args, target], { stdio: 'pipe' });
    mounted.push(target);
    return null;
  } catch (e) {
    return ((e as { stderr?: Buffer }).stderr?.toString() || (e as Error).message).trim();
  }
}

const ITEM = JSON.parse(fixture('hf/api-daily-papers-2026-03-06.one-item.json'))[0];
function listing(base: number, n: number, date: string): string {
  const items = [];
  for (let i = 0; i < n; i++) {
    const id = `2601.${String(base + i).padStart(5, '0')}`;
    const at = `${date}T00:00:00.000Z`; // the day's list, which a week's answer is split by
    items.push({ ...ITEM, publishedAt: at, paper: { ...ITEM.paper, id, submittedOnDailyAt: at, title: `Resource paper ${id}`, summary: `${'words of an abstract '.repeat(60)}${id}` } });
  }
  return JSON.stringify(items);
}

const snapshot = (db: string) => cacheRows(db, 'SELECT id, title, upvotes FROM papers ORDER BY rowid');
function intact(db: string): void {
  const d = new Database(db);
  try {
    expect(d.pragma('integrity_check', { simple: true })).toBe('ok');
    d.prepare("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)").run();
  } finally {
    d.close();
  }
}
const oneLine = (stderr: string) => {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(/^papers: /);
  expect(stderr).not.toMatch(/\n\s+at /);
};

describe('a full disk', () => {
  it('in the middle of an import: one line, the cache as before, the next run fine', async (ctx) => {
    const dir = join(tmp.dir, 'small-disk');
    mkdirSync(dir);
    const why = mount(['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs'], dir);
    if (why) {
      console.log(`skipped: cannot mount a small tmpfs (${why})`);
      ctx.skip();
    }
    const db = join(dir, 'papers.db');
    const small = join(tmp.dir, 'small.json');
    const big = join(tmp.dir, 'big.json');
    const later = join(tmp.dir, 'later.json');
    writeFileSync(small, listing(100, 20, '2026-01-05'));
    writeFileSync(big, listing(1000, 4000, '2026-01-06'));
    writeFileSync(later, listing(200, 5, '2026-01-07'));
    const env = { PAPERS_DB: db, PAPERS_CONFIG: join(tmp.dir, 'config.json') };
    const first = await runCli(['import', '--as-of', '2026-01-05', small], { env });
    expect(first.code, first.stderr).toBe(0);
    const before = snapshot(db);

    const full = await runCli(['import', '--as-of', '2026-01-06', big], { env, timeoutMs: 60_000 });
    expect(full.code).toBe(1);
    oneLine(full.stderr);
    expect(full.stderr).toMatch(/full|space/i);
    expect(snapshot(db)).toEqual(before);
    intact(db);

    const next = await runCli(['import', '--as-of', '2026-01-07', later], { env });
    expect(next.code, next.stderr).toBe(0);
    expect(snapshot(db)).toHaveLength(before.length + 5);
    intact(db);
  }, 90_000);
});

/** The lines papers printed on stderr when a fetch or sync failed: its run summary, then the error. */
const failedRun = (stderr: string) => {
  const lines = stderr.trim().split('\n');
  expect(lines.length).toBeLessThanOrEqual(2);
  for (const l of lines) expect(l).toMatch(/^papers: /);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines.at(-1)!;
};

describe('a full disk during a sync', () => {
  it('each day is stored whole or not at all; one error line; the next sync fetches what is missing', async (ctx) => {
    const dir = join(tmp.dir, 'sync-disk');
    mkdirSync(dir);
    const why = mount(['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs'], dir);
    if (why) {
      console.log(`skipped: cannot mount a small tmpfs (${why})`);
      ctx.skip();
    }
    // A Hugging Face that pages as the real API does (limit, p) and lists 300 papers with long
    // abstracts each day: seven days of that cannot fit in 3 MB. Later, 4 short papers a day.
    let perDay = 300;
    const server = await startServer();
    // It answers a day (date=) and, as the real API does, an ISO week or a month (week=,
    // month=) as the lists of their days up to today, each paper carrying its day.
    server.route('/api/daily_papers', (req) => {
      const q = req.query;
      const period = q.has('week') ? isoWeekRange(q.get('week')!) : q.has('month') ? monthRange(q.get('month')!) : null;
      const today = new Date().toISOString().slice(0, 10);
      const days = period ? daysOf({ from: period.from, to: period.to < today ? period.to : today }) : [q.get('date') ?? ''];
      const limit = Number(q.get('limit') ?? 50);
      const p = Number(q.get('p') ?? 0);
      const all = days.flatMap((date) => JSON.parse(listing(Number(date.slice(8, 10)) * 1000 + (perDay === 300 ? 0 : 500), perDay, date)) as unknown[]);
      return { body: JSON.stringify(all.slice(p * limit, (p + 1) * limit)), headers: { 'content-type': 'application/json' } };
    });
    try {
      const db = join(dir, 'papers.db');
      const env = { PAPERS_HF_URL: server.url, PAPERS_DB: db, PAPERS_CONFIG: join(tmp.dir, 'sync-config.json') };
      const seed = join(tmp.dir, 'sync-seed.json');
      writeFileSync(seed, listing(90000, 10, '2025-06-02'));
      const seeded = await runCli(['import', '--as-of', '2025-06-02', seed], { env });
      expect(seeded.code, seeded.stderr).toBe(0);
      const before = snapshot(db);
      const listsOf = () => cacheRows(db, "SELECT list_date AS day, paper_count AS n, (SELECT count(*) FROM list_entries e WHERE e.source = l.source AND e.list_date = l.list_date) AS entries FROM lists l WHERE source = 'hf' ORDER BY list_date");
      const listsBefore = listsOf();

      const full = await runCli(['sync', '--retries', '0'], { env, timeoutMs: 120_000 });
      expect(full.code).toBe(1);
      expect(failedRun(full.stderr)).toMatch(/full|space/i);
      intact(db);
      // What was there before is untouched; every stored day is its whole list; every paper
      // added belongs to a stored day.
      const now = snapshot(db);
      expect(now.slice(0, before.length)).toEqual(before);
      const synced = listsOf();
      expect(synced.filter((l) => listsBefore.some((b) => b.day === l.day))).toEqual(listsBefore);
      const lists = synced.filter((l) => !listsBefore.some((b) => b.day === l.day));
      for (const l of lists) expect(l, String(l.day)).toEqual({ day: l.day, n: 300, entries: 300 });
      expect(now.length).toBe(before.length + 300 * lists.length);
      expect(lists.length).toBeLessThan(8);

      // While the disk is still full, another sync says so in one line and changes nothing.
      perDay = 4;
      const stillFull = await runCli(['sync', '--retries', '0'], { env, timeoutMs: 120_000 });
      expect(stillFull.code).toBe(1);
      expect(failedRun(stillFull.stderr)).toMatch(/full|space/i);
      expect(stillFull.stderr).not.toMatch(/ENOSPC|verbose for details/);
      expect(snapshot(db)).toEqual(now);
      intact(db);

      // Space freed (the tmpfs grows): the next sync completes and fetches the missing days.
      execFileSync('mount', ['-o', 'remount,size=64m', dir]);
      const next = await runCli(['sync', '--retries', '0'], { env, timeoutMs: 120_000 });
      expect(next.code, next.stderr).toBe(0);
      intact(db);
      const after = listsOf().filter((l) => !listsBefore.some((b) => b.day === l.day));
      expect(after.length).toBeGreaterThan(lists.length);
      expect(after.filter((l) => l.n === 4).length).toBe(after.length - lists.length);
      for (const l of after) expect(l.entries).toBe(l.n);
    } finally {
      await server.close();
    }
  }, 240_000);
});

describe('a cache that cannot be written', () => {
  it('on a read-only mount: one line naming the problem, the cache as before, reading still works', async (ctx) => {
    const src = join(tmp.dir, 'rw');
    const ro = join(tmp.dir, 'ro');
    mkdirSync(src);
    mkdirSync(ro);
    const seed = join(tmp.dir, 'seed.json');
    writeFileSync(seed, listing(300, 10, '2026-01-05'));
    const seeded = await runCli(['import', '--as-of', '2026-01-05', seed], { env: { PAPERS_DB: join(src, 'papers.db'), PAPERS_CONFIG: join(tmp.dir, 'config.json') } });
    expect(seeded.code, seeded.stderr).toBe(0);
    let reason: string | null = null;
    try {
      execFileSync('mount', ['--bind', src, ro], { stdio: 'pipe' });
      mounted.push(ro);
      execFileSync('mount', ['-o', 'remount,bind,ro', ro], { stdio: 'pipe' });
    } catch (e) {
      reason = ((e as { stderr?: Buffer }).stderr?.toString() || (e as Error).message).trim();
    }
    if (reason) {
      console.log(`skipped: cannot make a read-only bind mount (${reason})`);
      ctx.skip();
    }
    const db = join(ro, 'papers.db');
    const before = snapshot(join(src, 'papers.db'));
    const env = { PAPERS_DB: db, PAPERS_CONFIG: join(tmp.dir, 'config.json') };
    const more = join(tmp.dir, 'more.json');
    writeFileSync(more, listing(400, 10, '2026-01-06'));
    const r = await runCli(['import', '--as-of', '2026-01-06', more], { env });
    expect(r.code).toBe(1);
    oneLine(r.stderr);
    expect(r.stderr).toContain(db);
    expect(snapshot(join(src, 'papers.db'))).toEqual(before);
    const list = await runCli(['list', '--json'], { env });
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toHaveLength(before.length);
  }, 60_000);
});

describe('a huge upstream answer', () => {
  it('over the body cap: one line, the cache as before, the next run fine', async () => {
    const server = await startServer();
    try {
      const db = join(tmp.dir, 'cap.db');
      const env = { PAPERS_HF_URL: server.url, PAPERS_DB: db, PAPERS_CONFIG: join(tmp.dir, 'config.json') };
      server.route('/api/daily_papers', [
        { body: listing(500, 5, '2026-01-05'), headers: { 'content-type': 'application/json' } },
        { body: Buffer.alloc(21 * 1024 * 1024, 0x20), headers: { 'content-type': 'application/json' } },
        { body: listing(600, 7, '2026-01-06'), headers: { 'content-type': 'application/json' } },
      ]);
      const first = await runCli(['today'], { env });
      expect(first.code, first.stderr).toBe(0);
      const before = snapshot(db);
      const huge = await runCli(['today', '--retries', '0'], { env, timeoutMs: 60_000 });
      expect(huge.stderr).toMatch(/too large/);
      expect(huge.stderr).not.toMatch(/\n\s+at /);
      expect(snapshot(db)).toEqual(before);
      const next = await runCli(['today'], { env });
      expect(next.code, next.stderr).toBe(0);
      expect(snapshot(db).length).toBe(before.length + 7);
    } finally {
      await server.close();
    }
  }, 90_000);
});
