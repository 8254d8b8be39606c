import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { BIN, runCli, tempDir } from './helpers/cli.js';
import { startServer, type Route, type ServerRequest, type TestServer } from './helpers/server.js';
import { answerDailyPapers, buildArchive, days, synthItem } from './helpers/hf-archive.mjs';
import { addDays, todayUtc } from '../src/dates.js';
import { isoWeekRange, monthRange } from '../src/range.js';

// A month of lists up to today, 5 papers every day: a first sync covers today-7..today.
const TODAY = todayUtc();
const FIRST = addDays(TODAY, -7);
let server: TestServer;
let tmp: ReturnType<typeof tempDir>;
let archive: Map<string, Record<string, any>[]>;
let delayMs = 0;
const env = () => ({ PAPERS_HF_URL: server.url, PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config });
const answer = (req: ServerRequest): Route => ({ ...answerDailyPapers(archive, req.query, req.headers as Record<string, string>), delayMs });

function all(sql: string): any[] {
  const d = new Database(tmp.db, { readonly: true });
  try {
    return d.prepare(sql).all();
  } finally {
    d.close();
  }
}
const idsIn = (from: string, to: string) => days(from, to).flatMap((d) => archive.get(d) ?? []).map((i) => i.paper.id as string).sort();
const storedIds = () => all('SELECT id FROM papers ORDER BY id').map((p) => p.id as string);
/** The first and last day each request to the API covered. */
const coveredDays = () =>
  server.requests.map((r) => {
    const q = r.query;
    if (q.has('date')) return { from: q.get('date')!, to: q.get('date')! };
    return (q.has('week') ? isoWeekRange(q.get('week')!) : monthRange(q.get('month')!))!;
  });
const waitFor = async (cond: () => boolean, ms = 30_000) => {
  for (const end = Date.now() + ms; !cond(); ) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

beforeEach(async () => {
  server = await startServer();
  tmp = tempDir();
  archive = buildArchive(addDays(TODAY, -30), TODAY, { perDay: () => 5 });
  delayMs = 0;
  server.route('/api/daily_papers', answer);
});
afterEach(async () => {
  await server.close();
  tmp.cleanup();
});

describe('papers sync', () => {
  it('first run: the last 7 days, logged; a second run asks only for the days that can still change, and nothing new exits 0', async () => {
    const r = await runCli(['sync', '--json'], { env: env() });
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ ok: true, skipped: false, new: 40, updated: 0 });
    expect(summary.sources).toHaveLength(1);
    expect(summary.sources[0]).toMatchObject({ source: 'hf', from: FIRST, to: TODAY, since: null, outcome: 'ok', error: null, new: 40 });
    expect(summary.newIds.sort()).toEqual(idsIn(FIRST, TODAY));
    expect(r.stderr).toBe(`papers: synced hf ${FIRST}..${TODAY}: ${summary.requests} request${summary.requests === 1 ? '' : 's'}, 40 new, 0 updated\n`);
    expect(storedIds()).toEqual(idsIn(FIRST, TODAY));
    const [log] = all('SELECT * FROM sync_log');
    expect(log).toMatchObject({ source: 'hf', range_from: FIRST, range_to: TODAY, outcome: 'ok', papers_new: 40, papers_updated: 0, requests: summary.requests, error: null });
    expect(log.ended_at >= log.started_at).toBe(true);

    server.requests.length = 0;
    const again = await runCli(['sync'], { env: env() });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(new RegExp(`^papers: synced hf ${addDays(TODAY, -1)}\\.\\.${TODAY}: no new papers since ${TODAY} \\d\\d:\\d\\d UTC \\(\\d+ requests?, 0 updated\\)\\n$`));
    // only yesterday (when its list may still grow) and today are asked for again
    expect(server.requests.length).toBeGreaterThan(0);
    for (const c of coveredDays()) expect(c.from >= addDays(TODAY, -1) || c.to >= addDays(TODAY, -1)).toBe(true);
    for (const c of coveredDays()) expect(c.from).not.toBe(FIRST);
    expect(storedIds()).toEqual(idsIn(FIRST, TODAY));
    expect(all("SELECT count(*) AS n FROM sync_log WHERE outcome = 'ok'")).toEqual([{ n: 2 }]);

    const none = await runCli(['sync', '--new', '--json'], { env: env() });
    expect(none.code).toBe(0);
    expect(JSON.parse(none.stdout)).toEqual([]);
  });

  it('--new prints exactly the papers new to the cache, in any format', async () => {
    expect((await runCli(['sync'], { env: env() })).code).toBe(0);
    const today = archive.get(TODAY)!;
    today.push(synthItem(TODAY, 5), synthItem(TODAY, 6));
    // a paper already known gets more upvotes: updated, not new
    today[0]!.paper.upvotes += 10;
    const r = await runCli(['sync', '--new', '--json'], { env: env() });
    expect(r.code).toBe(0);
    const papers = JSON.parse(r.stdout);
    expect(papers.map((p: { id: string }) => p.id).sort()).toEqual([today[5]!.paper.id, today[6]!.paper.id].sort());
    expect(papers[0]).toMatchObject({ dailyDate: TODAY, sources: ['hf'] });
    expect(r.stderr).toMatch(/: \d+ requests?, 2 new, 1 updated\n$/);

    today.push(synthItem(TODAY, 7));
    const md = await runCli(['sync', '--new', '--format', 'md'], { env: env() });
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(new RegExp(`^## New papers · 1 paper · ${TODAY}\n`));
    expect(md.stdout).toContain(`](https://huggingface.co/papers/${today[7]!.paper.id})`);
    expect(md.stdout.match(/^- /gm)).toHaveLength(1);

    // nothing new: an empty digest prints nothing at all (so `mail -E` sends nothing)
    const empty = await runCli(['sync', '--new', '--format', 'md'], { env: env() });
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toMatch(/no new papers since/);
  });

  it('a site that keeps failing: exit 1, the failure in the log, the next run starts from the last good sync', async () => {
    server.route('/api/daily_papers', { status: 503, body: 'down' });
    const r = await runCli(['sync', '--json', '--retries', '0'], { env: env() });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, new: 0, sources: [{ source: 'hf', outcome: 'failed', error: expect.stringMatching(/503 Service Unavailable/) }] });
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^papers: sync of hf ${FIRST}\\.\\.${TODAY} stopped after \\d+ requests?, 0 new, 0 updated$`));
    expect(lines.at(-1)).toMatch(/^papers: Hugging Face answered 503 Service Unavailable for \/api\/daily_papers\?.* \(the server is having trouble; try again later; the next sync fetches what is missing\)$/);
    expect(all('SELECT outcome, error FROM sync_log')).toEqual([{ outcome: 'failed', error: expect.stringMatching(/503/) }]);

    server.route('/api/daily_papers', answer);
    const again = await runCli(['sync', '--json'], { env: env() });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).sources[0]).toMatchObject({ from: FIRST, to: TODAY, new: 40 });
  });

  it('two syncs at once both end well, with no duplicates and no "database is locked"', async () => {
    delayMs = 300;
    const [a, b] = await Promise.all([runCli(['sync', '--json'], { env: env() }), runCli(['sync', '--json'], { env: env() })]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.stderr + b.stderr).not.toMatch(/locked|SQLITE_BUSY/i);
    const news = [JSON.parse(a.stdout).new, JSON.parse(b.stdout).new].sort();
    expect(news).toEqual([0, 40]); // the second waited, then found nothing new
    expect(storedIds()).toEqual(idsIn(FIRST, TODAY));
    expect(all('SELECT count(*) AS n, count(DISTINCT id) AS d FROM papers')).toEqual([{ n: 40, d: 40 }]);
    expect(all("SELECT count(*) AS n FROM sync_log WHERE outcome = 'ok'")).toEqual([{ n: 2 }]);
    expect(existsSync(`${tmp.db}.sync-lock`)).toBe(false);
  });

  it('with --wait 0 the second sync exits 0 at once with a message while the first runs', async () => {
    delayMs = 1500;
    const first = runCli(['sync'], { env: env() });
    await waitFor(() => server.requests.length > 0);
    const second = await runCli(['sync', '--wait', '0', '--json'], { env: env() });
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/^papers: another papers sync \(pid \d+ on .+\) has been running since \d{4}-\d\d-\d\d \d\d:\d\d UTC; nothing done\n$/);
    expect(JSON.parse(second.stdout)).toMatchObject({ ok: true, skipped: true, new: 0 });
    expect((await first).code).toBe(0);
    expect(storedIds()).toEqual(idsIn(FIRST, TODAY));
  });

  it('a run killed halfway leaves whole lists only, and the next run completes the gap', async () => {
    let n = 0;
    server.route('/api/daily_papers', (req) => (++n >= 2 ? { hang: true } : answer(req)));
    // SIGKILL once the first answer is stored and the next request hangs: mid-run by
    // construction, whatever the machine's speed.
    const child = spawn(process.execPath, [BIN, 'sync'], { env: { ...process.env, ...env() }, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const listsStored = () => existsSync(tmp.db) && (() => { try { return all('SELECT count(*) AS n FROM lists')[0].n > 0; } catch { return false; } })();
    await waitFor(() => n >= 2 && listsStored());
    child.kill('SIGKILL');
    expect(await exited).toBeNull();
    expect(all('SELECT outcome FROM sync_log')).toEqual([{ outcome: 'running' }]);
    expect(existsSync(`${tmp.db}.sync-lock`)).toBe(true); // left behind by the killed process
    expect(all('SELECT count(*) AS n FROM lists')[0].n).toBeGreaterThan(0); // the first answer was stored
    for (const l of all('SELECT list_date, paper_count FROM lists')) {
      expect(l.paper_count).toBe(5);
      expect(all(`SELECT count(*) AS n FROM list_entries WHERE list_date = '${l.list_date}'`)).toEqual([{ n: 5 }]);
    }

    server.route('/api/daily_papers', answer);
    const r = await runCli(['sync', '--wait', '0', '--json'], { env: env() });
    expect(r.code).toBe(0); // the dead process's lock does not block
    expect(JSON.parse(r.stdout).sources[0]).toMatchObject({ from: FIRST, to: TODAY, outcome: 'ok' });
    expect(storedIds()).toEqual(idsIn(FIRST, TODAY));
    expect(all('SELECT outcome FROM sync_log ORDER BY id')).toEqual([{ outcome: 'interrupted' }, { outcome: 'ok' }]);
    expect(existsSync(`${tmp.db}.sync-lock`)).toBe(false);
  });

  it('SIGTERM (e.g. from a cron timeout) stops cleanly: log entry closed, lock given back, exit 143', async () => {
    server.route('/api/daily_papers', (req) => (req.query.has('date') || req.query.has('week') ? { hang: true } : answer(req)));
    const child = spawn(process.execPath, [BIN, 'sync'], { env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    await waitFor(() => server.requests.length > 0);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(143);
    expect(stderr).toBe('papers: sync stopped by SIGTERM; the lists stored so far are kept, the next run completes the rest\n');
    expect(all('SELECT outcome, error FROM sync_log')).toEqual([{ outcome: 'interrupted', error: 'stopped by SIGTERM' }]);
    expect(existsSync(`${tmp.db}.sync-lock`)).toBe(false);
  });

  it('usage errors: --format without --new, a bad --wait', async () => {
    const md = await runCli(['sync', '--format', 'md'], { env: env() });
    expect(md.code).toBe(2);
    expect(md.stderr).toBe('papers: --format md needs --new (papers sync --new --format md prints the new papers; --json alone prints the summary)\n');
    const wait = await runCli(['sync', '--wait', 'soon'], { env: env() });
    expect(wait.code).toBe(2);
    expect(wait.stderr).toMatch(/^papers: --wait: 'soon' is not a number of seconds/);
    expect(server.requests).toHaveLength(0);
  });

  it('a broken config file fails before any request', async () => {
    writeFileSync(tmp.config, '{ "sources": ');
    const r = await runCli(['sync'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^papers: the config file .* is not valid JSON/);
    expect(server.requests).toHaveLength(0);
  });
});
