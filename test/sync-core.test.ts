import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/store/index.js';
import type { ParsedPaper } from '../src/record.js';
import { HttpClient } from '../src/http/index.js';
import { hfSource } from '../src/sources/hf/index.js';
import { fetchInto, syncRange } from '../src/sync.js';
import { acquireSyncLock, isStaleLock, releaseSyncLock, syncLockPath, tryLock } from '../src/sync-lock.js';
import { addDays } from '../src/dates.js';
import { startServer, type TestServer } from './helpers/server.js';
import { answerDailyPapers, buildArchive } from './helpers/hf-archive.mjs';
import { runCli } from './helpers/cli.js';
import { parsedPaper } from './helpers/papers.js';

function paper(id: string, upvotes: number): ParsedPaper {
  return parsedPaper({ title: `Paper ${id}`, id, upvotes });
}
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'papers-sync-'));
  store = Store.open(join(dir, 'papers.db'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function risingHistory(): void {
  // steady: 100 upvotes ten days ago, 110 now (+10 in the window)
  store.upsertPapers([paper('2401.00001', 100)], { now: daysAgo(10) });
  store.upsertPapers([paper('2401.00001', 110)], { now: daysAgo(1) });
  // climbing: 5 ten days ago, 20 eight days ago, 60 now (+40 in the window)
  store.upsertPapers([paper('2401.00002', 5)], { now: daysAgo(10) });
  store.upsertPapers([paper('2401.00002', 20)], { now: daysAgo(8) });
  store.upsertPapers([paper('2401.00002', 60)], { now: daysAgo(2) });
  // new this week: first seen with 30 three days ago, 55 now (+25)
  store.upsertPapers([paper('2401.00003', 30)], { now: daysAgo(3) });
  store.upsertPapers([paper('2401.00003', 55)], { now: daysAgo(1) });
  // most upvotes but none gained in the window
  store.upsertPapers([paper('2401.00004', 500)], { now: daysAgo(20) });
  // no upvotes known at all
  store.upsertPapers([{ ...paper('2401.00005', 0), upvotes: null }], { now: daysAgo(1) });
}

describe('--sort rising', () => {
  it('orders by upvotes gained over the last 7 days, from the count history', () => {
    risingHistory();

    const order = [...store.query({ sort: 'rising' })].map((p) => p.id);
    expect(order).toEqual(['2401.00002', '2401.00003', '2401.00001', '2401.00004', '2401.00005']);
    expect([...store.query({ sort: 'upvotes' })].map((p) => p.id)[0]).toBe('2401.00004');
    expect([...store.query({ sort: 'rising', limit: 1, minUpvotes: 100 })].map((p) => p.id)).toEqual(['2401.00001']);
    expect(store.countHistory('2401.00002').map((h) => h.upvotes)).toEqual([5, 20, 60]);
  });

  it('shows the gain it sorted by: in the store query, and as a column of the table', async () => {
    risingHistory();
    expect([...store.queryRising({})].map(({ paper: p, gain }) => [p.id, gain])).toEqual([
      ['2401.00002', 40], ['2401.00003', 25], ['2401.00001', 10], ['2401.00004', 0], ['2401.00005', null],
    ]);
    store.close();
    const r = await runCli(['list', '--sort', 'rising'], { env: { PAPERS_DB: join(dir, 'papers.db'), PAPERS_CONFIG: join(dir, 'config.json'), COLUMNS: '100' } });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\s*#\s+▲\s+gain\s+Title/);
    const row = (id: string) => lines.find((l) => l.includes(id))!.trim().split(/\s{2,}/).slice(0, 3);
    expect(row('2401.00002')).toEqual(['1', '60', '+40']);
    expect(row('2401.00001')).toEqual(['3', '110', '+10']);
    expect(row('2401.00004')).toEqual(['4', '500', '0']);
    // other orders and machine formats keep their columns
    const plain = await runCli(['list', '--sort', 'upvotes'], { env: { PAPERS_DB: join(dir, 'papers.db'), PAPERS_CONFIG: join(dir, 'config.json'), COLUMNS: '100' } });
    expect(plain.stdout).not.toMatch(/gain/);
    const json = await runCli(['list', '--sort', 'rising', '--json'], { env: { PAPERS_DB: join(dir, 'papers.db'), PAPERS_CONFIG: join(dir, 'config.json') } });
    expect(JSON.parse(json.stdout).map((p: { id: string }) => p.id)).toEqual(['2401.00002', '2401.00003', '2401.00001', '2401.00004', '2401.00005']);
    store = Store.open(join(dir, 'papers.db'));
  });
});

describe('the sync lock', () => {

  it('is stale when its process is gone, was taken before boot, or is a day old elsewhere', () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    const now = new Date().toISOString();
    expect(isStaleLock({ pid: gone, host: hostname(), acquiredAt: now })).toBe(true);
    expect(isStaleLock({ pid: process.pid, host: hostname(), acquiredAt: now })).toBe(false);
    expect(isStaleLock({ pid: process.pid, host: hostname(), acquiredAt: '2001-01-01T00:00:00Z' })).toBe(true);
    expect(isStaleLock({ pid: 1, host: 'elsewhere', acquiredAt: now })).toBe(false);
    expect(isStaleLock({ pid: 1, host: 'elsewhere', acquiredAt: daysAgo(2) })).toBe(true);
  });

  it('waits (bounded) for a live holder, then takes over a dead one', async () => {
    const lockFile = syncLockPath(store);
    const hold = (pid: number, acquiredAt = new Date().toISOString()) => writeFileSync(lockFile, JSON.stringify({ pid, host: hostname(), acquiredAt }));
    // the parent process (vitest's) is alive and is not us
    hold(process.ppid);
    const started = Date.now();
    const holder = await acquireSyncLock(store, { waitMs: 300, pollMs: 50 });
    expect(holder).toMatchObject({ pid: process.ppid, host: hostname() });
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);

    // the holder goes away while we wait: we get the lock
    setTimeout(() => rmSync(lockFile), 100);
    expect(await acquireSyncLock(store, { waitMs: 2000, pollMs: 20 })).toBeNull();
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    expect(tryLock(store)).toBeNull(); // ours already: taking it again is fine
    releaseSyncLock(store);
    expect(existsSync(lockFile)).toBe(false);

    // a dead holder and its 'running' log entry: taken over at once, the entry closed as interrupted
    hold(spawnSync(process.execPath, ['-e', '0']).pid!);
    store.syncs.start('hf', { from: '2026-11-01', to: '2026-11-02' });
    expect(await acquireSyncLock(store, { waitMs: 0 })).toBeNull();
    expect(store.syncs.last('hf')).toMatchObject({ outcome: 'interrupted', error: 'the run stopped before it finished' });
    releaseSyncLock(store);

    // a lock file cut short by a crash does not block either
    writeFileSync(lockFile, '{"pid": 12');
    expect(tryLock(store)).toBeNull();
    releaseSyncLock(store);

    // another holder's lock is not ours to release
    hold(process.ppid);
    releaseSyncLock(store);
    expect(existsSync(lockFile)).toBe(true);
  });
});

describe('empty days', () => {
  it('a weekend stored as an empty list is not "the latest list"', () => {
    store.saveList('hf', '2024-08-02', [paper('2408.00001', 3)]);
    store.saveList('hf', '2024-08-03', []);
    store.saveList('hf', '2024-08-04', []);
    expect(store.listInfo('hf')).toMatchObject({ listDate: '2024-08-02', paperCount: 1 });
    expect(store.listInfo('hf', '2024-08-04')).toMatchObject({ listDate: '2024-08-04', paperCount: 0 });
  });
});

describe('sync ranges', () => {
  it('first sync: the last 7 days; later: from the day before the last good sync ended its range', () => {
    const hf = hfSource('http://127.0.0.1:9');
    expect(syncRange(store, hf, '2026-11-28')).toEqual({ from: '2026-11-21', to: '2026-11-28', since: null });
    const id = store.syncs.start('hf', { from: '2026-11-21', to: '2026-11-25' });
    store.syncs.finish(id, { outcome: 'ok', requests: 3, papersNew: 1, papersUpdated: 0, endedAt: '2026-11-25T09:00:00.000Z' });
    store.syncs.finish(store.syncs.start('hf', { from: '2026-11-24', to: '2026-11-27' }), { outcome: 'failed', requests: 1, papersNew: 0, papersUpdated: 0, error: 'boom' });
    expect(syncRange(store, hf, '2026-11-28')).toEqual({ from: '2026-11-24', to: '2026-11-28', since: '2026-11-25T09:00:00.000Z' });
    // never before the archive, never after today
    expect(syncRange(store, hf, '2026-11-20')).toMatchObject({ from: '2026-11-20', to: '2026-11-20' });
  });
});

describe('fetchInto', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('backfills a month in a few pages where day by day takes a request per day, with the same papers', async () => {
    const archive = buildArchive('2024-08-01', '2024-08-31', { perWeekday: 40 });
    server.route('/api/daily_papers', (req) => answerDailyPapers(archive, req.query, req.headers as Record<string, string>));
    const http = new HttpClient({ env: {} });
    const range = { from: '2024-08-01', to: '2024-08-31' };
    const fewest = await fetchInto(store, http, hfSource(server.url), range, { today: '2026-11-28' });
    expect(fewest.error).toBeNull();
    expect(fewest.requests).toBe(Math.ceil((22 * 40) / 100)); // 880 papers, 9 pages
    const other = Store.open(join(dir, 'daily.db'));
    const daily = await fetchInto(other, http, hfSource(server.url, { strategy: 'daily' }), range, { today: '2026-11-28' });
    expect(daily.requests).toBe(31);
    expect([...other.query({ sort: 'title' })].map((p) => [p.id, p.dailyDate])).toEqual([...store.query({ sort: 'title' })].map((p) => [p.id, p.dailyDate]));
    expect(fewest.newRowids).toHaveLength(880);
    other.close();
    await http.close();
  });

  it('a 304 marks an unfinished day as checked without storing anything again', async () => {
    const day = addDays(new Date().toISOString().slice(0, 10), -3);
    const archive = buildArchive(day, day, { perDay: () => 3 });
    server.route('/api/daily_papers', (req) => answerDailyPapers(archive, req.query, req.headers as Record<string, string>));
    const http = new HttpClient({ env: {} });
    const hf = hfSource(server.url);
    const today = new Date().toISOString().slice(0, 10);
    // a list fetched while its day still ran: not complete
    const first = await fetchInto(store, http, hf, { from: day, to: day }, { today });
    expect(first.lists).toBe(1);
    store.touchList('hf', day, { now: `${day}T20:00:00.000Z` });
    const second = await fetchInto(store, http, hf, { from: day, to: day }, { today });
    expect(second).toMatchObject({ requests: 1, lists: 0, notModified: 1 });
    expect(server.requests[1]!.headers['if-none-match']).toBe(store.listInfo('hf', day)!.etag);
    // now checked after the day settled: complete, no request
    const third = await fetchInto(store, http, hf, { from: day, to: day }, { today });
    expect(third.requests).toBe(0);
    await http.close();
  });
});
