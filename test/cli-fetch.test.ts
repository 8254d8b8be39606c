import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { BIN, runCli, tempDir } from './helpers/cli.js';
import { fixture, startServer, type Route, type TestServer } from './helpers/server.js';
import { answerDailyPapers, buildArchive, days, synthId } from './helpers/hf-archive.mjs';

let server: TestServer;
let tmp: ReturnType<typeof tempDir>;
// July to September 2024: 13 papers on each weekday, no list on weekends.
let archive: Map<string, Record<string, any>[]>;
const env = () => ({ PAPERS_HF_URL: server.url, PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config });

function db<T>(fn: (d: Database.Database) => T): T {
  const d = new Database(tmp.db, { readonly: true });
  try {
    return fn(d);
  } finally {
    d.close();
  }
}
const all = (sql: string) => db((d) => d.prepare(sql).all());
const papersInArchive = (from: string, to: string) => days(from, to).flatMap((d) => archive.get(d) ?? []).map((i) => i.paper.id as string).sort();
/** The API requests the server saw, as `date=…`, `week=…&p=0`, … */
const asked = () => server.requests.filter((r) => r.path === '/api/daily_papers').map((r) => [...r.query].filter(([k]) => k !== 'limit').map(([k, v]) => `${k}=${v}`).join('&'));

beforeEach(async () => {
  server = await startServer();
  tmp = tempDir();
  archive = buildArchive('2024-07-01', '2024-09-30', { perWeekday: 13 });
  server.route('/api/daily_papers', (req) => answerDailyPapers(archive, req.query, req.headers));
});
afterEach(async () => {
  await server.close();
  tmp.cleanup();
});

describe('papers fetch', () => {
  it('stores every paper of a week once, with one request, and a second run makes none', async () => {
    const r = await runCli(['fetch', '--week', '2024-W31'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    // one summary line, and no progress drawing when stderr is not a terminal
    expect(r.stderr).toBe('papers: fetched hf 2024-07-29..2024-08-04: 1 request, 65 new, 0 updated\n');
    expect(asked()).toEqual(['week=2024-W31&p=0']);
    expect(server.requests[0]!.query.get('limit')).toBe('100');

    const ids = (all('SELECT id FROM papers ORDER BY id') as { id: string }[]).map((p) => p.id);
    expect(ids).toEqual(papersInArchive('2024-07-29', '2024-08-04'));
    // seven lists, the weekend ones empty, each paper on the list of its own day
    expect(all('SELECT list_date, paper_count FROM lists ORDER BY list_date')).toEqual(
      days('2024-07-29', '2024-08-04').map((d) => ({ list_date: d, paper_count: archive.get(d)!.length })),
    );
    expect(all("SELECT count(*) AS n FROM list_entries e JOIN papers p ON p.rowid = e.paper WHERE e.list_date = p.daily_date")).toEqual([{ n: 65 }]);
    expect(db((d) => d.prepare("SELECT daily_date FROM papers WHERE id = ?").get(synthId('2024-08-01', 4)))).toEqual({ daily_date: '2024-08-01' }); // 2026 item shape

    const before = all('SELECT * FROM papers ORDER BY id');
    const again = await runCli(['fetch', '--week', '2024-W31', '--json'], { env: env() });
    expect(again.code).toBe(0);
    expect(server.requests).toHaveLength(1);
    expect(again.stderr).toMatch(/every day is already complete in the cache, no request made/);
    expect(JSON.parse(again.stdout)).toMatchObject({ source: 'hf', from: '2024-07-29', to: '2024-08-04', outcome: 'ok', requests: 0, new: 0, newIds: [] });
    expect(all('SELECT * FROM papers ORDER BY id')).toEqual(before);
  });

  it('pages through a month (100 a page), storing each paper once', async () => {
    const r = await runCli(['fetch', '--month', '2024-08', '--json'], { env: env() });
    expect(r.code).toBe(0);
    // Pages 2 and 3 are asked for together, once page 1 is full.
    expect(asked().sort()).toEqual(['month=2024-08&p=0', 'month=2024-08&p=1', 'month=2024-08&p=2']);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ requests: 3, new: 286, updated: 0, lists: 31 });
    expect(summary.newIds).toHaveLength(286);
    expect((all('SELECT id FROM papers ORDER BY id') as { id: string }[]).map((p) => p.id)).toEqual(papersInArchive('2024-08-01', '2024-08-31'));
    expect(all('SELECT count(*) AS n FROM list_entries')).toEqual([{ n: 286 }]);
  });

  it('asks for the pages of a long month two at a time, and at most one past the end', async () => {
    // 40 papers each weekday: 880 in August 2024, 9 pages. The server holds each answer until
    // a second request arrives (or 2 s pass), so which pages the client asked for together is
    // seen by construction, not by timing: a page asked alone waits out the 2 s and overlaps
    // nothing; a pair asked at once overlaps however slow the machine is.
    archive = buildArchive('2024-08-01', '2024-08-31', { perWeekday: 40 });
    const inFlight = new Map<number, () => void>();
    const overlapped = new Map<number, Set<number>>();
    server.route('/api/daily_papers', async (req) => {
      const p = Number(req.query.get('p'));
      overlapped.set(p, new Set(inFlight.keys()));
      for (const q of inFlight.keys()) overlapped.get(q)!.add(p);
      for (const release of inFlight.values()) release();
      if (inFlight.size === 0) await new Promise<void>((done) => { const t = setTimeout(done, 2000); inFlight.set(p, () => { clearTimeout(t); done(); }); });
      inFlight.delete(p);
      return answerDailyPapers(archive, req.query, req.headers);
    });
    const r = await runCli(['fetch', '--month', '2024-08', '--json'], { env: env() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ new: 880, lists: 31 });
    expect(all('SELECT count(*) AS n FROM list_entries')).toEqual([{ n: 880 }]);
    const pages = server.requests.filter((q) => q.path === '/api/daily_papers').map((q) => Number(q.query.get('p')));
    expect([...pages].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].slice(0, pages.length));
    expect(pages.length).toBeGreaterThanOrEqual(9);
    expect(pages.length).toBeLessThanOrEqual(10);
    // Page 0 alone; then pairs asked together.
    expect([...overlapped.get(0)!]).toEqual([]);
    for (const [a, b] of [[1, 2], [3, 4], [5, 6], [7, 8]]) expect([...overlapped.get(a!)!], `pages ${a} and ${b}`).toEqual([b]);
  });

  it('plans a partly cached week from what is missing: one week request, not six days', async () => {
    expect((await runCli(['fetch', '--date', '2024-08-06'], { env: env() })).code).toBe(0);
    const r = await runCli(['fetch', '--from', '2024-08-05', '--to', '2024-08-11', '--json'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(asked()).toEqual(['date=2024-08-06&p=0', 'week=2024-W32&p=0']);
    expect(JSON.parse(r.stdout)).toMatchObject({ requests: 1, new: 52 });
    expect(all('SELECT count(*) AS n FROM papers')).toEqual([{ n: 65 }]);
  });

  it('plans a month with a week cached from what is missing: the month pages, not twelve weeks and days', async () => {
    expect((await runCli(['fetch', '--week', '2024-W33'], { env: env() })).code).toBe(0);
    const before = asked().length;
    const r = await runCli(['fetch', '--month', '2024-08', '--json'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    // 22 weekdays of 13 papers: 286 papers, 3 pages of 100 (without the month: 4 + 6 days and 2 weeks)
    expect(asked().slice(before)).toEqual(['month=2024-08&p=0', 'month=2024-08&p=1', 'month=2024-08&p=2']);
    expect(JSON.parse(r.stdout)).toMatchObject({ requests: 3, new: 286 - 65 });
    expect(all('SELECT count(*) AS n FROM papers')).toEqual([{ n: 286 }]);
  });

  it("names the day the data is for: arXiv's latest announcements (the feed) of 25 October 2024, not the machine's date", async () => {
    server.route('/atom/cs.LG', { body: fixture('arxiv/feed-atom-cs.LG+cs.CL.synthetic.xml'), headers: { 'content-type': 'application/atom+xml' } });
    server.route('/list/cs.LG/new', { body: fixture('arxiv/list-cs.LG-new.synthetic.html') });
    const r = await runCli(['fetch', '--source', 'arxiv', '--category', 'cs.LG', '--json'], { env: { ...env(), PAPERS_ARXIV_URL: server.url, PAPERS_ARXIV_RSS_URL: server.url } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^papers: fetched arxiv cs\.LG 2024-10-25: 1 request, \d+ new, 0 updated\n$/);
    expect(JSON.parse(r.stdout)).toMatchObject({ source: 'arxiv', from: '2024-10-25', to: '2024-10-25', requests: 1 });
  });

  it('with most of a range cached, asks only for the days still missing', async () => {
    expect((await runCli(['fetch', '--from', '2024-08-05', '--to', '2024-08-09'], { env: env() })).code).toBe(0);
    const before = asked().length;
    expect((await runCli(['fetch', '--from', '2024-08-05', '--to', '2024-08-11'], { env: env() })).code).toBe(0);
    // two (weekend) days left: the week at 13 papers a day is one page, one request fewer
    expect(asked().slice(before)).toEqual(['week=2024-W32&p=0']);
  });

  it('--refresh fetches complete days again, sends the ETag, and records changed upvotes', async () => {
    expect((await runCli(['fetch', '--date', '2024-08-01'], { env: env() })).code).toBe(0);
    const unchanged = await runCli(['fetch', '--date', '2024-08-01', '--refresh'], { env: env() });
    expect(unchanged.code).toBe(0);
    expect(server.requests[1]!.headers['if-none-match']).toMatch(/^"[0-9a-f]+"$/);
    expect(unchanged.stderr).toMatch(/no new papers|0 new/);

    const item = archive.get('2024-08-01')![0]!;
    const id = item.paper.id as string;
    const was = item.paper.upvotes as number;
    item.paper.upvotes = was + 40;
    const r = await runCli(['fetch', '--date', '2024-08-01', '--refresh', '--json'], { env: env() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ requests: 1, new: 0, updated: 1 });
    const history = all(`SELECT h.upvotes FROM count_history h JOIN papers p ON p.rowid = h.paper WHERE p.id = '${id}' ORDER BY h.seen_at`);
    expect(history).toEqual([{ upvotes: was }, { upvotes: was + 40 }]);
  });

  it('waits out a 429 with Retry-After and succeeds', async () => {
    let first = true;
    server.route('/api/daily_papers', (req) => {
      if (first) {
        first = false;
        return { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' };
      }
      return answerDailyPapers(archive, req.query, req.headers);
    });
    const r = await runCli(['fetch', '--week', '2024-W31', '--json'], { env: env() });
    expect(r.code).toBe(0);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'ok', requests: 2, new: 65 });
  });

  it('stops with exit 1 when the site keeps failing, keeps what it fetched, and the next run completes the gap', async () => {
    expect((await runCli(['fetch', '--week', '2024-W31'], { env: env() })).code).toBe(0);
    const before = all('SELECT * FROM papers ORDER BY id');
    server.requests.length = 0;
    const failing = (req: { query: URLSearchParams; headers: Record<string, unknown> }): Route =>
      req.query.get('date') === '2024-08-07' ? { status: 503, body: 'down' } : answerDailyPapers(archive, req.query, req.headers as Record<string, string>);
    server.route('/api/daily_papers', failing);

    const r = await runCli(['fetch', '--from', '2024-08-05', '--to', '2024-08-10', '--retries', '1', '--json'], { env: env() });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^papers: Hugging Face answered 503 Service Unavailable for \/api\/daily_papers\?date=2024-08-07.* after 2 attempts \(.*run the same command again to fetch the rest\)$/);
    expect(lines[0]).toMatch(/^papers: fetch of hf 2024-08-05\.\.2024-08-10 stopped after \d+ requests/);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/503/) });
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace

    // the cache is intact: what was there is unchanged, every stored day is whole, nothing of the failed day
    expect(db((d) => d.pragma('integrity_check', { simple: true }))).toBe('ok');
    const now = all('SELECT * FROM papers ORDER BY id') as { id: string }[];
    expect(now.filter((p) => before.some((b) => (b as { id: string }).id === p.id))).toEqual(before);
    const stored = (all("SELECT list_date FROM lists WHERE list_date >= '2024-08-05' ORDER BY list_date") as { list_date: string }[]).map((l) => l.list_date);
    expect(stored).not.toContain('2024-08-07');
    for (const day of stored) expect(all(`SELECT count(*) AS n FROM list_entries WHERE list_date = '${day}'`)).toEqual([{ n: archive.get(day)!.length }]);
    expect(all("SELECT count(*) AS n FROM papers WHERE daily_date = '2024-08-07'")).toEqual([{ n: 0 }]);

    // the site is back: the next run asks only for what is missing
    server.route('/api/daily_papers', (req) => answerDailyPapers(archive, req.query, req.headers));
    server.requests.length = 0;
    const again = await runCli(['fetch', '--from', '2024-08-05', '--to', '2024-08-10'], { env: env() });
    expect(again.code).toBe(0);
    expect(asked()).toContain('date=2024-08-07&p=0');
    for (const day of stored) expect(asked()).not.toContain(`date=${day}&p=0`);
    expect((all('SELECT id FROM papers ORDER BY id') as { id: string }[]).map((p) => p.id)).toEqual(papersInArchive('2024-07-29', '2024-08-10'));
  });

  it('refuses a week answer none of whose papers carries a day of the week: exit 1, and no day stored as an empty list', async () => {
    // The answer's papers all say they were listed on another day (a changed format would look so).
    server.route('/api/daily_papers', (req) => {
      const r = answerDailyPapers(archive, req.query, req.headers) as { body: string };
      const items = (JSON.parse(r.body) as Record<string, any>[]).map((i) => ({ ...i, publishedAt: '2024-01-02T00:00:00.000Z', paper: { ...i.paper, submittedOnDailyAt: '2024-01-02T00:00:00.000Z' } }));
      return { ...r, body: JSON.stringify(items) };
    });
    const r = await runCli(['fetch', '--week', '2024-W31'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^papers: .*none of the 65 papers for week=2024-W31 carries a day of it; nothing of it was stored/);
    expect(all('SELECT count(*) AS n FROM lists')).toEqual([{ n: 0 }]);
    expect(all('SELECT count(*) AS n FROM papers')).toEqual([{ n: 0 }]);
    // The real answer afterwards: the week is fetched whole.
    server.route('/api/daily_papers', (req) => answerDailyPapers(archive, req.query, req.headers));
    expect((await runCli(['fetch', '--week', '2024-W31'], { env: env() })).code).toBe(0);
    expect(all('SELECT count(*) AS n FROM lists')).toEqual([{ n: 7 }]);
  });

  it('gives up at once, exit 1, when Hugging Face asks to wait longer than the retry budget', async () => {
    server.route('/api/daily_papers', { status: 429, headers: { 'retry-after': '3600' } });
    const r = await runCli(['fetch', '--week', '2024-W31'], { env: env() });
    expect(r.code).toBe(1);
    expect(server.requests).toHaveLength(1);
    expect(r.stderr).toMatch(/^papers: Hugging Face answered 429 Too Many Requests .*\(rate limited by Hugging Face; .*HF_TOKEN.*\)$/m);
    expect(all('SELECT count(*) AS n FROM papers')).toEqual([{ n: 0 }]);
  });

  it('draws a progress bar on a terminal, and erases it before the summary', async () => {
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const cmd = [process.execPath, BIN, 'fetch', '--month', '2024-08'].map(quote).join(' ');
    // `script` runs the command on a pseudo-terminal (util-linux); its output is what the terminal got
    // (asynchronously: the test server answers from this process)
    const r = await new Promise<{ status: number | null; stdout: string; error?: NodeJS.ErrnoException }>((resolve) => {
      const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, ...env(), TERM: 'xterm' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.on('error', (error) => resolve({ status: null, stdout, error }));
      child.on('close', (status) => resolve({ status, stdout }));
    });
    if (r.error?.code === 'ENOENT') return; // no `script` on this system
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\r\x1b\[Khf [█░]{20} \d\/\d+ requests? · month 2024-08/);
    expect(r.stdout).toMatch(/\r\x1b\[Kpapers: fetched hf 2024-08-01\.\.2024-08-31: 3 requests, 286 new, 0 updated\r?\n$/);
  });

  it.each<[string[], RegExp]>([
    [['--date', '2999-01-01'], /^papers: --date 2999-01-01 is in the future \(the latest list is today's, \d{4}-\d\d-\d\d \(UTC\)\)$/],
    [['--date', '2023-05-03'], /^papers: --date 2023-05-03 is before the archive \(Hugging Face's archive begins on 2023-05-04\)$/],
    [['--from', '2023-01-01', '--to', '2023-06-01'], /^papers: --from 2023-01-01 is before the archive/],
    [['--week', '2024-W99'], /^papers: --week: '2024-W99' is not a week \(use an ISO week such as 2024-W31\)$/],
    [['--month', 'august'], /^papers: --month: 'august' is not a month/],
    [['--to', '2024-08-01'], /^papers: --to needs --from/],
    [[], /^papers: which days\? none given \(use --date D, --from D \[--to D\], --week YYYY-Www or --month YYYY-MM\)$/],
    [['--source', 'hf', '--date', '2024-08-01', '--category', 'cs.LG'], /^papers: --category applies to --source arxiv only/],
    [['--date', '2024-08-01', '--source', 'bioRxiv'], /^papers: option '--source <name>' argument 'bioRxiv' is invalid/],
  ])('papers fetch %j is a usage error (exit 2, no request)', async (args, message) => {
    const r = await runCli(['fetch', ...args], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(message);
    expect(server.requests).toHaveLength(0);
  });
});
