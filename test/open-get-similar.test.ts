/**
 * `open` with a stub $BROWSER under a pseudo-terminal (script(1)) and its printed URL off one;
 * `get --pdf` from a loopback server (spacing, skipping, hostile ids); `similar` and
 * `--sort for-you` on a cache the tool filled itself.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, runCli, tempDir } from './helpers/cli.js';
import { fixturePath, startServer, type TestServer } from './helpers/server.js';

const LIST = fixturePath('hf/api-daily-papers-2024-08-01.derived.json');
let tmp: ReturnType<typeof tempDir>;
let server: TestServer;
const env = () => ({ PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config, PAPERS_ARXIV_PDF_URL: server.url });
const papers = (...args: string[]) => runCli(args, { env: env(), timeoutMs: 60_000 });
beforeEach(async () => {
  tmp = tempDir();
  server = await startServer();
  expect((await papers('import', LIST)).code).toBe(0);
});
afterEach(async () => {
  await server.close();
  tmp.cleanup();
});

const haveScript = spawnSync('script', ['--version']).status === 0;
if (!haveScript) console.warn('open-get-similar.test.ts: the pseudo-terminal test of open is skipped: no script(1) (util-linux)');

describe('open', () => {
  it('off a terminal prints the URL of each target; a missing code link is exit 1', async () => {
    expect((await papers('open', '2407.21783')).stdout).toBe('https://huggingface.co/papers/2407.21783\n');
    expect((await papers('open', 'arXiv:2407.21783', '--arxiv')).stdout).toBe('https://arxiv.org/abs/2407.21783\n');
    expect((await papers('open', '2407.21783', '--pdf')).stdout).toBe('https://arxiv.org/pdf/2407.21783\n');
    // not in the cache: built from the id
    expect((await papers('open', '2501.00001', '--arxiv')).stdout).toBe('https://arxiv.org/abs/2501.00001\n');
    const code = await papers('open', '2501.00001', '--code');
    expect(code.code).toBe(1);
    expect((await papers('open', '2407.21783', '--pdf', '--hf')).code).toBe(2);
  });

  it.runIf(haveScript)('on a terminal starts $BROWSER with the URL', async () => {
    const log = join(tmp.dir, 'opened.txt');
    const stub = join(tmp.dir, 'browser.sh');
    writeFileSync(stub, `#!/bin/sh\nprintf '%s\\n' "$@" > '${log}.part' && mv '${log}.part' '${log}'\n`, { mode: 0o755 });
    const cmd = `'${process.execPath}' '${BIN}' open 2407.21783 --pdf`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, ...env(), BROWSER: stub }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    // the opener runs detached: wait for its file (bounded), then check what it was given
    for (let i = 0; i < 200 && !existsSync(log); i++) await new Promise((res) => setTimeout(res, 50));
    expect(readFileSync(log, 'utf8')).toBe('https://arxiv.org/pdf/2407.21783\n');
    expect(r.stdout).not.toContain('https://');
  }, 60_000);
});

const pdf = (n: string) => Buffer.from(`%PDF-1.5\n% ${n}\n%%EOF\n`);

describe('get --pdf', () => {
  it('downloads one at a time at least 3 s apart, skips files there, refuses hostile ids and non-PDFs', async () => {
    server.route('/pdf/2407.21783v2', { headers: { 'content-type': 'application/pdf' }, body: pdf('a') });
    server.route('/pdf/2407.21705', { headers: { 'content-type': 'application/pdf' }, body: pdf('b') });
    server.route('/pdf/2407.21770', { headers: { 'content-type': 'text/html' }, body: '<html>captcha</html>' });
    const dir = join(tmp.dir, 'pdfs');
    const r = await papers('get', '2407.21783v2', 'https://arxiv.org/abs/2407.21705', '--pdf', '--dir', dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${join(dir, '2407.21783v2.pdf')}\n${join(dir, '2407.21705.pdf')}\n`);
    expect(readFileSync(join(dir, '2407.21783v2.pdf'))).toEqual(pdf('a'));
    expect(server.requests.map((q) => q.path)).toEqual(['/pdf/2407.21783v2', '/pdf/2407.21705']);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(3000);

    const again = await papers('get', '2407.21783v2', '--pdf', '--dir', dir);
    expect(again.code).toBe(0);
    expect(server.requests).toHaveLength(2); // already there: no request

    for (const hostile of ['../../etc/passwd', '2407.21783/../../x', '..', '/etc/passwd', 'hep-th/../../x']) {
      const h = await papers('get', hostile, '--pdf', '--dir', dir);
      expect(h.code).toBe(2);
      expect(h.stderr).toMatch(/^papers: not an arXiv id/);
    }
    expect(server.requests).toHaveLength(2);
    const html = await papers('get', '2407.21770', '--pdf', '--dir', dir);
    expect(html.code).toBe(1);
    expect(html.stderr).toMatch(/is not a PDF/);
    expect(readdirSync(dir).sort()).toEqual(['2407.21705.pdf', '2407.21783v2.pdf']);
    expect(existsSync(join(tmp.dir, 'etc'))).toBe(false);
  }, 90_000);
});

describe('similar and --sort for-you', () => {
  it('a near-duplicate of a paper (never seen by the tool before) comes first; --explain says why', async () => {
    const items = JSON.parse(readFileSync(LIST, 'utf8')) as Record<string, any>[];
    const llama = items.find((i) => i.paper.id === '2407.21783')!;
    const twin = structuredClone(llama);
    twin.paper.id = '2501.77777';
    twin.paper.title = 'The Llama 3 Herd of Models, revisited';
    twin.title = twin.paper.title;
    const file = join(tmp.dir, 'twin.json');
    writeFileSync(file, JSON.stringify([twin]));
    expect((await papers('import', file)).code).toBe(0);
    const r = await papers('similar', '2407.21783', '--json', '-n', '3');
    expect(r.code).toBe(0);
    const hits = JSON.parse(r.stdout) as { id: string }[];
    expect(hits).toHaveLength(3);
    expect(hits[0]!.id).toBe('2501.77777');
    expect(hits.map((h) => h.id)).not.toContain('2407.21783');
    const why = await papers('similar', '2407.21783', '-n', '1', '--explain');
    expect(why.stdout).toMatch(/^Papers like 2407\.21783: The Llama 3 Herd of Models\n 1\. 0\.\d\d {2}The Llama 3 Herd of Models, revisited {2}2501\.77777\n {4}shared: .*llama/);
    expect((await papers('similar', '2599.00001')).code).toBe(1);
  }, 60_000);

  it('for-you ranks by the starred papers and says so when none is starred', async () => {
    const none = await papers('list', '--sort', 'for-you');
    expect(none.code).toBe(1);
    expect(none.stderr).toBe('papers: no starred papers to rank by (star a few with papers star <id>, then try --sort for-you again)\n');
    await papers('star', '2407.21783');
    const ranked = JSON.parse((await papers('list', '--sort', 'for-you', '--json')).stdout) as { id: string }[];
    expect(ranked).toHaveLength(13);
    const top = JSON.parse((await papers('similar', '2407.21783', '--json', '-n', '1')).stdout)[0].id;
    expect(ranked[0]!.id).toBe(top);
    expect(ranked.at(-1)!.id).toBe('2407.21783'); // the starred paper itself comes last
    expect(JSON.parse((await papers('list', '--sort', 'for-you', '--json', '-n', '2')).stdout).map((p: { id: string }) => p.id)).toEqual(ranked.slice(0, 2).map((p) => p.id));
  }, 60_000);
});
