/**
 * What upstream sends that a tool left in cron must survive: a daily list of 100,000 papers,
 * and ids, file names and URLs built to make it write outside its directories.
 */
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { BIN, cacheRows, closedAfterEach, runCli, tempDir, type RunResult } from './helpers/cli.js';
import { fixture, startServer } from './helpers/server.js';
import { downloadPdfs, parsePdfTarget, pdfFileName } from '../src/pdf.js';

const keep = closedAfterEach();

const json = { 'content-type': 'application/json' };

/** The lines papers printed on stderr when a fetch failed: its run summary, then the error. */
function failedRun(r: RunResult): string {
  expect(r.code, r.stderr).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines.length).toBeLessThanOrEqual(2);
  for (const l of lines) expect(l).toMatch(/^papers: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return lines.at(-1)!;
}

describe('a daily list of 100,000 papers', () => {
  it('is refused in one line after the page limit, paging as the API does; nothing of it stored; the next fetch fine', async () => {
    const server = await startServer();
    const tmp = tempDir();
    keep(server, tmp);
    const TOTAL = 100_000;
    let huge = true;
    // The API's own paging: `limit` (at most 100) items from `p * limit`; past the end, [].
    server.route('/api/daily_papers', (req) => {
      const date = req.query.get('date') ?? '2026-03-02';
      const limit = Math.min(100, Number(req.query.get('limit') ?? 50));
      const p = Number(req.query.get('p') ?? 0);
      const total = huge ? TOTAL : 7;
      const items = [];
      for (let i = p * limit; i < Math.min(total, (p + 1) * limit); i++) {
        const id = `${huge ? 2603 : 2604}.${String(i).padStart(5, '0')}`;
        items.push({ paper: { id, title: `Volume ${id}`, summary: `An abstract of ${id}.`, authors: [{ name: 'Ada Lovelace' }], publishedAt: `${date}T00:00:00.000Z`, upvotes: i % 50 }, publishedAt: `${date}T00:00:00.000Z`, title: `Volume ${id}` });
      }
      return { body: JSON.stringify(items), headers: json };
    });
    const env = { PAPERS_HF_URL: server.url, PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config };
    huge = false;
    const seeded = await runCli(['fetch', '--date', '2026-03-01', '--retries', '0'], { env });
    expect(seeded.code, seeded.stderr).toBe(0);
    const rows = () => cacheRows(tmp.db, 'SELECT id, title, upvotes FROM papers ORDER BY rowid');
    const cached = rows();
    expect(cached).toHaveLength(7);

    huge = true;
    const r = await runCli(['fetch', '--date', '2026-03-02', '--retries', '0'], { env, timeoutMs: 180_000 });
    const line = failedRun(r);
    expect(line).toMatch(/more than 200 pages \(20000 papers\) for date=2026-03-02/);
    expect(line).toMatch(/nothing of it was stored/);
    // It stopped at the limit: it did not walk all 1,000 pages.
    const pages = server.requests.filter((q) => q.query.get('date') === '2026-03-02').length;
    expect(pages).toBeGreaterThanOrEqual(200);
    expect(pages).toBeLessThan(210);
    expect(rows()).toEqual(cached);
    const d = new Database(tmp.db, { readonly: true });
    expect(d.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(d.prepare("SELECT count(*) AS n FROM lists WHERE list_date = '2026-03-02'").get()).toEqual({ n: 0 });
    d.close();

    huge = false;
    const next = await runCli(['fetch', '--date', '2026-03-03', '--retries', '0'], { env });
    expect(next.code, next.stderr).toBe(0);
    expect(rows().length).toBe(cached.length); // the same seven ids again, on another day
    expect(cacheRows(tmp.db, "SELECT paper_count AS n FROM lists WHERE list_date = '2026-03-03'")).toEqual([{ n: 7 }]);
  }, 240_000);
});

/** Every file under `dir`, relative to it. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** Run the CLI from `cwd` (so a relative path in an id would land near it). */
function runIn(cwd: string, args: string[], env: Record<string, string>): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(HF_TOKEN|PAPERS_.*|XDG_.*|HOME)$/.test(k)) clean[k] = v;
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...clean, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

describe('hostile ids, file names and URLs from upstream', () => {
  it('never make papers write outside its directories: HF answers, arXiv listings and feeds, then export, show and list', async () => {
    const hf = await startServer();
    const arxiv = await startServer();
    const tmp = tempDir();
    keep(hf, arxiv, tmp);
    const mark = `papers-hostile-${randomBytes(6).toString('hex')}`;
    // Every way a string could name a path elsewhere: relative climbs, absolute paths, encoded
    // slashes, backslashes, NUL, a home directory, a URL scheme. The marker makes each unique.
    const depth = '../'.repeat(12);
    const hostile = [
      `${depth}tmp/${mark}-rel`,
      `../../${mark}-up`,
      `/tmp/${mark}-abs`,
      `/etc/passwd`,
      `..%2F..%2F..%2Ftmp%2F${mark}-enc`,
      `..%252F..%252Ftmp%252F${mark}-enc2`,
      `..\\..\\${mark}-bs`,
      `2401.00001/../../${mark}-mix`,
      `2401.00002\u0000${mark}-nul`,
      `~/${mark}-home`,
      `file:///tmp/${mark}-url`,
    ];
    const ITEM = JSON.parse(fixture('hf/api-daily-papers-2026-03-06.one-item.json'))[0];
    const items = hostile.map((id, i) => ({
      ...ITEM,
      title: id,
      publishedAt: '2026-03-06T00:00:00.000Z',
      paper: { ...ITEM.paper, id, title: `Hostile ${i} ${id}`, githubRepo: `${depth}tmp/${mark}-gh`, projectPage: `file:///tmp/${mark}-pp`, thumbnail: `/tmp/${mark}-thumb.png`, organization: { name: `${depth}${mark}-org`, fullname: `/tmp/${mark}-orgfull` } },
    }));
    // One well-formed paper too, carrying hostile URLs and names in its other fields.
    items.push({ ...ITEM, publishedAt: '2026-03-06T00:00:00.000Z', paper: { ...ITEM.paper, id: '2603.00001', title: `${depth}tmp/${mark}-title`, githubRepo: `${depth}tmp/${mark}-gh`, projectPage: `/tmp/${mark}-pp` } });
    // First every answer carries the hostile ids; then only the well-formed paper, whose other
    // fields (title, links, organisation) are still hostile, so that it is stored and exported.
    let phase: 'ids' | 'fields' = 'ids';
    const good = [items.at(-1)];
    const hfAnswer = () => ({ body: JSON.stringify(phase === 'ids' ? items : good), headers: json });
    hf.route('/api/daily_papers', hfAnswer);
    hf.fallback(hfAnswer);
    // arXiv: the listing and the feeds with their ids replaced by the hostile strings; later
    // with real ids but hostile links.
    const swap = (text: string, ids: string[]) => {
      let i = 0;
      return text.replace(/\b\d{4}\.\d{5}(v\d+)?\b/g, () => ids[i++ % ids.length]!.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;'));
    };
    const links = (text: string) => text.replace(/href ?="[^"]*"/g, `href="${depth}tmp/${mark}-href"`).replace(/<link>[^<]*<\/link>/g, `<link>file:///tmp/${mark}-link</link>`);
    const originals = { listing: fixture('arxiv/list-cs.LG-new.synthetic.html'), rss: fixture('arxiv/feed-rss-cs.LG.synthetic.xml'), atom: fixture('arxiv/feed-atom-cs.LG+cs.CL.synthetic.xml') };
    const page = (k: keyof typeof originals) => (phase === 'ids' ? swap(originals[k], hostile) : links(originals[k]));
    arxiv.fallback((req) => (/rss|atom/.test(req.path) ? { body: page(/atom/.test(req.path) ? 'atom' : 'rss'), headers: { 'content-type': 'application/rss+xml' } } : { body: page('listing'), headers: { 'content-type': 'text/html' } }));

    // The CLI runs deep inside the test's directory, with its cache, config, home and XDG
    // directories there too: anything written elsewhere shows up below or outside it.
    const cwd = join(tmp.dir, 'a', 'b', 'c', 'd', 'work');
    mkdirSync(cwd, { recursive: true });
    const home = join(tmp.dir, 'home');
    mkdirSync(home);
    const env = {
      HOME: home,
      XDG_CACHE_HOME: join(home, '.cache'),
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      PAPERS_HF_URL: hf.url,
      PAPERS_ARXIV_URL: arxiv.url,
      PAPERS_ARXIV_RSS_URL: arxiv.url,
      PAPERS_ARXIV_API_URL: arxiv.url,
      PAPERS_ARXIV_OAI_URL: arxiv.url,
      PAPERS_ARXIV_PDF_URL: arxiv.url,
    };
    const passwd = readFileSync('/etc/passwd');
    const passwdMtime = statSync('/etc/passwd').mtimeMs;
    const runs: RunResult[] = [];
    const fetches = [['today', '--retries', '0'], ['fetch', '--date', '2026-03-06', '--retries', '0'], ['fetch', '--category', 'cs.LG', '--retries', '0'], ['sync', '--retries', '0']];
    // Hostile ids: each answer is refused whole, in one line (after the run summary).
    for (const args of fetches) {
      const r = await runIn(cwd, args, env);
      runs.push(r);
      expect(failedRun(r), args.join(' ')).toMatch(/not an arXiv id|without a recognisable id|not a shape|recognis/);
    }
    const none = await runIn(cwd, ['list', '--json'], env);
    expect(none.code, none.stderr).toBe(0);
    expect(JSON.parse(none.stdout)).toEqual([]);
    // Real ids, hostile everything else: stored, then exported and shown.
    phase = 'fields';
    for (const args of fetches) runs.push(await runIn(cwd, args, env));
    const list = await runIn(cwd, ['list', '--json', '-n', '100'], env);
    runs.push(list);
    expect(list.code, list.stderr).toBe(0);
    const stored = JSON.parse(list.stdout) as { id: string | null }[];
    expect(stored.map((p) => p.id)).toContain('2603.00001');
    expect(stored.length).toBeGreaterThan(1);
    for (const f of ['json', 'jsonl', 'csv', 'md', 'bibtex', 'atom']) runs.push(await runIn(cwd, ['export', '--format', f, '-o', `out.${f}`], env));
    runs.push(await runIn(cwd, ['export', '--format', 'md', '--group', 'day', '-o', join(tmp.dir, 'digest.md')], env));
    for (const id of [...hostile.slice(0, 4), '2603.00001']) runs.push(await runIn(cwd, ['show', id], env));
    for (const r of runs) {
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect([0, 1, 2]).toContain(r.code);
    }
    // The exports were written, where asked.
    for (const f of ['json', 'jsonl', 'csv', 'md', 'bibtex', 'atom']) expect(existsSync(join(cwd, `out.${f}`)), f).toBe(true);

    // Nothing named after the marker anywhere: under the test's directory, in /tmp, in /.
    const files = tree(tmp.dir);
    expect(files.filter((f) => f.includes(mark))).toEqual([]);
    expect(readdirSync(tmpdir()).filter((f) => f.includes(mark))).toEqual([]);
    expect(readdirSync('/').filter((f) => f.includes(mark))).toEqual([]);
    if (tmpdir() !== '/tmp') expect(readdirSync('/tmp').filter((f) => f.includes(mark))).toEqual([]);
    // Only the cache, its WAL files, the sync lock, the config and the exports, where they belong.
    for (const f of files) {
      expect(f, f).toMatch(/^(a\/b\/c\/d\/work\/out\.(json|jsonl|csv|md|bibtex|atom)|digest\.md|home\/\.cache\/papers\/papers\.db(-wal|-shm|-journal|\.sync-lock)?|home\/\.config\/papers\/config\.json)$/);
    }
    expect(readFileSync('/etc/passwd').equals(passwd)).toBe(true);
    expect(statSync('/etc/passwd').mtimeMs).toBe(passwdMtime);
  }, 300_000);

  it('a PDF download never names a file outside its directory, whatever the id', async () => {
    const server = await startServer();
    const tmp = tempDir();
    keep(server, tmp);
    server.fallback(() => ({ body: Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(64)]), headers: { 'content-type': 'application/pdf' } }));
    const dir = join(tmp.dir, 'x', 'pdf');
    const mark = `papers-hostile-${randomBytes(6).toString('hex')}`;
    const ids = [`../../${mark}`, `/tmp/${mark}`, `..%2F..%2F${mark}`, `2401.00001/../../${mark}`, `.${mark}`, `..`, `.`, `hep-th/../../${mark}`];
    // What a user types is checked first: none of these is an arXiv id.
    for (const id of ids) expect(() => parsePdfTarget(id), id).toThrow(/not an arXiv id/);
    // Targets built from upstream text skip that check: the file name still stays inside.
    const targets = ids.map((id) => ({ id, version: null }));
    for (const t of targets) {
      const name = pdfFileName(t);
      expect(name).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*\.pdf$/);
      expect(name).not.toContain('/');
    }
    const results = await downloadPdfs(targets, { dir, baseUrl: server.url, userAgent: 'papers-test', spacingMs: 0 });
    expect(results).toHaveLength(targets.length);
    for (const r of results) if (r.path !== null) expect(r.path.startsWith(dir + '/'), r.path).toBe(true);
    const files = tree(tmp.dir);
    for (const f of files) expect(f, f).toMatch(/^x\/pdf\/[^/]+\.pdf$/);
    expect(readdirSync(tmpdir()).filter((f) => f.includes(mark))).toEqual([]);
  }, 60_000);
});
