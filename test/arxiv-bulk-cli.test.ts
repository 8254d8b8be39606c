/**
 * The arXiv metadata snapshot through `papers import`, and the daily feeds through
 * `papers fetch --category`, as a user runs them: the real CLI, fixtures built from the
 * documented formats (fixtures/PROVENANCE.md marks them synthetic), a feed server on 127.0.0.1.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { BIN, cacheRows, runCli, tempDir } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/server.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'arxiv');
const fixture = (name: string) => readFileSync(join(FIX, name), 'utf8');
let tmp: ReturnType<typeof tempDir>;
let server: TestServer;
beforeEach(async () => {
  tmp = tempDir();
  server = await startServer();
});
afterEach(async () => {
  await server.close();
  tmp.cleanup();
});
const env = () => ({ PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config, PAPERS_ARXIV_URL: server.url, PAPERS_ARXIV_RSS_URL: server.url, PAPERS_HF_URL: server.url, PAPERS_ARXIV_API_URL: server.url });
const ids = () => cacheRows(tmp.db, 'SELECT id FROM papers ORDER BY id').map((r) => r.id as string);
const show = async (id: string) => {
  const r = await runCli(['show', id, '--json'], { env: env() });
  const j = JSON.parse(r.stdout);
  return Array.isArray(j) ? j[0] : j;
};
/** The CLI with bytes on stdin. */
function stdinImport(args: string[], input: Buffer): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'import', ...args], { env: { ...process.env, ...env() }, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
    child.stdin.end(input);
  });
}
const snapshotIds = (text: string) => text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id).sort();

describe('papers import <arXiv metadata snapshot>', () => {
  it('is recognised by content, stores every paper with its versions, and says so', async () => {
    const file = join(tmp.dir, 'arxiv-metadata-oai-snapshot.json');
    const text = fixture('snapshot-sample.synthetic.jsonl');
    writeFileSync(file, text);
    const r = await runCli(['import', file], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/an arXiv metadata snapshot: 5 papers, 5 new, 0 updated; no bad lines/);
    expect(ids()).toEqual(snapshotIds(text));
    const p = await show('2410.90001');
    expect(p.versions.map((v: { version: number; date: string }) => `${v.version} ${v.date}`)).toEqual(['1 2024-10-22', '2 2024-10-25', '3 2024-11-04']);
    expect(p.publishedAt).toBe('2024-10-22');
    expect(p.updatedAt).toBe('2024-11-04');
    // show (text) lists the versions too.
    const t = await runCli(['show', '2410.90001'], { env: env() });
    expect(t.stdout).toMatch(/v1 2024-10-22.*v2 2024-10-25.*v3 2024-11-04/s);
  });

  it('reads it gzip-compressed, with --category and --since applied while reading', async () => {
    const file = join(tmp.dir, 'snapshot.json.gz');
    writeFileSync(file, gzipSync(fixture('snapshot-sample.synthetic.jsonl')));
    const r = await runCli(['import', file, '--category', 'cs.*'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/snapshot \(gzip\): 3 papers, 3 new, 0 updated; 2 left out by categories cs\.\*/);
    expect(ids()).toEqual(['2301.90005', '2410.90001', 'math/0309136']);
    const since = await runCli(['import', file, '--category', 'cs.*', '--since', '2024-01-01', '--db', join(tmp.dir, 'other.db')], { env: env() });
    expect(since.code, since.stderr).toBe(0);
    expect(cacheRows(join(tmp.dir, 'other.db'), 'SELECT id FROM papers').map((x) => x.id)).toEqual(['2410.90001']);
  });

  it('reads it from stdin (-), plain or gzip, recognised by content and streamed', async () => {
    const text = fixture('snapshot-sample.synthetic.jsonl');
    const plain = await runCli(['import', '-'], { env: env(), input: text });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).toMatch(/^papers: stdin: an arXiv metadata snapshot: 5 papers, 5 new, 0 updated; no bad lines/);
    expect(ids()).toEqual(snapshotIds(text));
    const other = join(tmp.dir, 'other.db');
    const gz = await stdinImport(['-', '--category', 'cs.*', '--db', other], gzipSync(text));
    expect(gz.code, gz.stderr).toBe(0);
    expect(gz.stderr).toMatch(/stdin: an arXiv metadata snapshot \(gzip\): 3 papers, 3 new, 0 updated; 2 left out by categories cs\.\*/);
    // Larger than what is looked at to recognise it (256 KiB): the rest is read after, in order.
    const line = text.split('\n')[1]!;
    const many = Array.from({ length: 1500 }, (_, i) => line.replace('"2410.90001"', `"2411.${String(i).padStart(5, '0')}"`)).join('\n');
    expect(Buffer.byteLength(many)).toBeGreaterThan(600 * 1024);
    const big = await stdinImport(['-', '--db', join(tmp.dir, 'big.db')], Buffer.from(many));
    expect(big.code, big.stderr).toBe(0);
    expect(big.stderr).toMatch(/stdin: an arXiv metadata snapshot: 1500 papers, 1500 new/);
    expect(cacheRows(join(tmp.dir, 'big.db'), 'SELECT count(*) AS n FROM papers')[0]!.n).toBe(1500);
  }, 40_000);

  it('keeps the same input digests whether the reading thread or the store made them, so a file read either way is then taken again without a merge', async () => {
    // stdin is read in a worker thread, which hashes each paper; a small file is read and hashed
    // by the storing thread. The digests must agree, or a paper stored one way would be merged
    // in full when it comes again the other way.
    const text = fixture('snapshot-sample.synthetic.jsonl');
    const file = join(tmp.dir, 'snapshot.jsonl');
    writeFileSync(file, text);
    const viaWorker = await runCli(['import', '-'], { env: env(), input: text });
    expect(viaWorker.code, viaWorker.stderr).toBe(0);
    const inThread = join(tmp.dir, 'in-thread.db');
    const direct = await runCli(['import', file, '--db', inThread], { env: env() });
    expect(direct.code, direct.stderr).toBe(0);
    const inputs = (db: string) => cacheRows(db, "SELECT id, provenance -> '$.inputs' AS inputs FROM papers ORDER BY id");
    const worker = inputs(tmp.db);
    expect(worker).toHaveLength(5);
    for (const r of worker) expect(r.inputs, String(r.id)).toMatch(/"[0-9a-f]{12}"/);
    expect(worker).toEqual(inputs(inThread));
  }, 40_000);

  it('counts and names bad lines without stopping', async () => {
    const file = join(tmp.dir, 'damaged.jsonl');
    writeFileSync(file, fixture('snapshot-damaged.synthetic.jsonl'));
    const r = await runCli(['import', file], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/2 papers, 2 new, 0 updated; 4 bad lines skipped \(lines 2, 4, 5, 6\)/);
    expect(ids()).toHaveLength(2);
  });
});

describe('papers fetch --category: the daily feed first', () => {
  const FEED = () => fixture('feed-atom-cs.LG+cs.CL.synthetic.xml');

  it("asks the categories' feed once and stores each announcement with its type and day", async () => {
    server.route('/atom/cs.LG+cs.CL', { body: FEED(), headers: { 'content-type': 'application/atom+xml' } });
    const r = await runCli(['fetch', '--category', 'cs.LG', '--category', 'cs.CL', '--json'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(server.requests.map((q) => q.path)).toEqual(['/atom/cs.LG+cs.CL']);
    expect(JSON.parse(r.stdout)).toMatchObject({ from: '2024-10-25', requests: 1, new: 4 });
    const types = Object.fromEntries(await Promise.all(ids().map(async (id) => [id, (await show(id)).arxivAnnounce])));
    expect(types).toEqual({ '2410.90001': 'new', '2410.90003': 'cross', '2309.90004': 'replace', 'math/0309136': 'replace-cross' });
    expect((await show('2410.90001')).announcedAt).toBe('2024-10-25');
  });

  it('an empty feed (a weekend) is a success with zero papers and no fallback', async () => {
    server.route('/atom/cs.LG', { body: fixture('feed-atom-empty-weekend.synthetic.xml') });
    const r = await runCli(['fetch', '--category', 'cs.LG', '--json'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(server.requests.map((q) => q.path)).toEqual(['/atom/cs.LG']);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'ok', new: 0, requests: 1 });
  });

  it('an unreadable feed falls back to the listing page', async () => {
    server.route('/atom/cs.LG', { body: '<html><body>maintenance</body></html>' });
    server.route('/list/cs.LG/new', { body: fixture('list-cs.LG-new.synthetic.html') });
    const r = await runCli(['fetch', '--category', 'cs.LG', '--verbose'], { env: env(), timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(server.requests.map((q) => q.path)).toEqual(['/atom/cs.LG', '/list/cs.LG/new']);
    expect(r.stderr).toMatch(/the arXiv feed failed .*reading the listing pages instead/);
    expect(ids().length).toBeGreaterThan(0);
  }, 30_000);

  it('tells a new version of a cached paper from a new paper, exactly', async () => {
    // The cache knows 2309.90004 at v2 (from a snapshot); the feed announces its v3.
    const line = JSON.stringify({ id: '2309.90004', submitter: 'A', authors: 'A. Author', title: 'A Replaced Paper on Tokenizers', comments: null, 'journal-ref': null, doi: null, 'report-no': null, categories: 'cs.CL', license: null, abstract: 'Old abstract.', versions: [{ version: 'v1', created: 'Mon, 4 Sep 2023 10:00:00 GMT' }, { version: 'v2', created: 'Mon, 2 Oct 2023 10:00:00 GMT' }], update_date: '2023-10-02', authors_parsed: [['Author', 'A.', '']] });
    const file = join(tmp.dir, 'one.jsonl');
    writeFileSync(file, line + '\n');
    expect((await runCli(['import', file], { env: env() })).code).toBe(0);
    server.route('/atom/cs.LG+cs.CL', { body: FEED() });
    const r = await runCli(['fetch', '--category', 'cs.LG,cs.CL', '--json'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ new: 3, newVersions: 1, newVersionIds: ['2309.90004'] });
    expect(out.newIds.sort()).toEqual(['2410.90001', '2410.90003', 'math/0309136']);
    expect(r.stderr).toMatch(/3 new, 1 updated \(1 with a new version\)/);
    const p = await show('2309.90004');
    expect(p.versions.map((v: { version: number }) => v.version)).toEqual([1, 2, 3]);
    expect(p.publishedAt).toBe('2023-09-04');
    // The same feed again: nothing new, no new version.
    const again = JSON.parse((await runCli(['fetch', '--category', 'cs.LG,cs.CL', '--json', '--refresh'], { env: env(), timeoutMs: 30_000 })).stdout);
    expect(again).toMatchObject({ new: 0, newVersions: 0 });
  }, 40_000);
});
