/** PDF downloads from a loopback server: names, spacing, skipping, verification and hostile ids. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultPdfDir, downloadPdfs, parsePdfTarget, pdfBaseUrl, pdfFileName, pdfUrl, type PdfDownloadOptions } from '../src/pdf.js';
import { startServer, type TestServer } from './helpers/server.js';

const pdfBody = (n: string) => Buffer.from(`%PDF-1.5\n% paper ${n}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`);

let root: string;
let dir: string;
let server: TestServer;
beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'papers-pdf-'));
  dir = join(root, 'cache', 'pdf');
  server = await startServer();
});
afterEach(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

/** Options with a fake clock: sleeping advances it, and the waits are recorded. */
function fakeTime(over: Partial<PdfDownloadOptions> = {}): { opts: PdfDownloadOptions; waits: number[] } {
  let clock = 1_000_000;
  const waits: number[] = [];
  return {
    waits,
    opts: {
      dir,
      baseUrl: server.url,
      userAgent: 'papers-test',
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
      ...over,
    },
  };
}

/** Every file under `root`, relative to it. */
function filesUnder(path: string): string[] {
  return readdirSync(path, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(path.length + 1)).sort();
}

describe('ids and names', () => {
  it('takes every pasted form, with or without a version', () => {
    expect(parsePdfTarget('2410.17243v2')).toEqual({ id: '2410.17243', version: 2 });
    expect(parsePdfTarget('arXiv:2410.17243')).toEqual({ id: '2410.17243', version: null });
    expect(parsePdfTarget('https://arxiv.org/abs/2410.17243v12')).toEqual({ id: '2410.17243', version: 12 });
    expect(parsePdfTarget('https://arxiv.org/pdf/2410.17243v3.pdf')).toEqual({ id: '2410.17243', version: 3 });
    expect(parsePdfTarget('https://huggingface.co/papers/2410.17243')).toEqual({ id: '2410.17243', version: null });
    expect(parsePdfTarget('hep-th/9901001v1')).toEqual({ id: 'hep-th/9901001', version: 1 });
    expect(parsePdfTarget('math.GT/0309136')).toEqual({ id: 'math.GT/0309136', version: null });
  });

  it('refuses anything that is not an arXiv id, as a usage error', () => {
    for (const bad of ['../../etc/x', '/etc/passwd', '2410.17243\0', '2410.17243/../../x', 'hep-th/9901001/../../x', '..', '', 'C:\\Windows\\x', 'hep-th/../9901001', '2410.17243v0']) {
      expect(() => parsePdfTarget(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ exitCode: 2 }));
    }
  });

  it('names files <id>v<N>.pdf, an old-style slash as _', () => {
    expect(pdfFileName({ id: '2410.17243', version: 2 })).toBe('2410.17243v2.pdf');
    expect(pdfFileName({ id: 'hep-th/9901001', version: 1 })).toBe('hep-th_9901001v1.pdf');
    expect(pdfFileName({ id: '2410.17243', version: null })).toBe('2410.17243.pdf');
    expect(pdfUrl('http://h/mirror/', { id: 'hep-th/9901001', version: 1 })).toBe('http://h/mirror/pdf/hep-th/9901001v1');
  });

  it('turns any id into one plain file name inside the directory', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.option(fc.integer()), (id, version) => {
        const name = pdfFileName({ id, version });
        expect(name).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*\.pdf$/);
        expect(name.length).toBeLessThanOrEqual(204);
        expect(resolve('/base', name)).toBe(`/base/${name}`);
      }),
      { numRuns: 2000 },
    );
    expect(pdfFileName({ id: '../../etc/x', version: 1 })).toBe('___.._etc_xv1.pdf');
  });

  it('the default directory sits next to the default cache', () => {
    expect(defaultPdfDir({ XDG_CACHE_HOME: '/x/cache', PAPERS_DB: '/elsewhere/p.db', HOME: '/h' })).toBe('/x/cache/papers/pdf');
    expect(defaultPdfDir({ HOME: '/h' })).toMatch(/\/\.cache\/papers\/pdf$/);
    expect(pdfBaseUrl({})).toBe('https://arxiv.org');
    expect(pdfBaseUrl({ PAPERS_ARXIV_PDF_URL: ' http://127.0.0.1:9/m/ ' })).toBe('http://127.0.0.1:9/m');
  });
});

describe('downloading', () => {
  it('downloads in order, 3 s after each request, skips what is there, names files by id and version', async () => {
    server.route('/pdf/2410.17243v2', { headers: { 'content-type': 'application/pdf' }, body: pdfBody('a') });
    server.route('/pdf/hep-th/9901001v1', { body: pdfBody('b') });
    server.route('/pdf/2401.00001', { body: pdfBody('c') });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '2301.00002v1.pdf'), 'kept as it is');
    const { opts, waits } = fakeTime();
    const targets = ['2410.17243v2', '2301.00002v1', 'hep-th/9901001v1', 'arXiv:2401.00001'].map(parsePdfTarget);
    const results = await downloadPdfs(targets, opts);
    expect(results.map((r) => [r.status, r.path])).toEqual([
      ['downloaded', join(dir, '2410.17243v2.pdf')],
      ['skipped', join(dir, '2301.00002v1.pdf')],
      ['downloaded', join(dir, 'hep-th_9901001v1.pdf')],
      ['downloaded', join(dir, '2401.00001.pdf')],
    ]);
    expect(server.requests.map((r) => r.path)).toEqual(['/pdf/2410.17243v2', '/pdf/hep-th/9901001v1', '/pdf/2401.00001']);
    expect(server.requests.every((r) => r.headers['user-agent'] === 'papers-test')).toBe(true);
    // The skipped file made no request and cost no wait.
    expect(waits).toEqual([3000, 3000]);
    expect(readFileSync(join(dir, 'hep-th_9901001v1.pdf'))).toEqual(pdfBody('b'));
    expect(readFileSync(join(dir, '2301.00002v1.pdf'), 'utf8')).toBe('kept as it is');
    expect(filesUnder(root)).toEqual(['cache/pdf/2301.00002v1.pdf', 'cache/pdf/2401.00001.pdf', 'cache/pdf/2410.17243v2.pdf', 'cache/pdf/hep-th_9901001v1.pdf']);
    // A second run finds everything there and asks for nothing.
    const again = await downloadPdfs(targets, opts);
    expect(again.map((r) => r.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    expect(server.requests).toHaveLength(3);
  });

  it('keeps no file when the body is not a PDF, the server fails or the body is cut', async () => {
    server.route('/pdf/2410.00001v1', { headers: { 'content-type': 'text/html' }, body: '<html>captcha</html>' });
    server.route('/pdf/2410.00002v1', { status: 404, body: 'no such paper' });
    server.route('/pdf/2410.00003v1', { body: pdfBody('cut'), truncate: true });
    server.route('/pdf/2410.00004v1', { body: '' });
    server.route('/pdf/2410.00005v1', { body: pdfBody('fine') });
    const { opts, waits } = fakeTime();
    const results = await downloadPdfs(['2410.00001v1', '2410.00002v1', '2410.00003v1', '2410.00004v1', '2410.00005v1'].map(parsePdfTarget), opts);
    expect(results.map((r) => r.status)).toEqual(['failed', 'failed', 'failed', 'failed', 'downloaded']);
    const messages = results.map((r) => (r.status === 'failed' ? r.error.message : null));
    expect(messages[0]).toBe('/pdf/2410.00001v1 is not a PDF (got text/html)');
    expect(messages[1]).toBe('arXiv answered 404 for /pdf/2410.00002v1');
    expect(messages[2]).toMatch(/^could not download \/pdf\/2410\.00003v1: /);
    expect(messages[3]).toBe('/pdf/2410.00004v1 is not a PDF');
    expect(results.filter((r) => r.status === 'failed').every((r) => r.status === 'failed' && r.error.exitCode === 1)).toBe(true);
    // Failed requests count for the spacing too.
    expect(waits).toEqual([3000, 3000, 3000, 3000]);
    expect(filesUnder(root)).toEqual(['cache/pdf/2410.00005v1.pdf']);
  });

  it('refuses hostile ids handed to it directly, writing nothing and asking nothing', async () => {
    server.fallback(() => ({ body: pdfBody('x') }));
    const { opts } = fakeTime();
    const hostile = ['../../etc/x', '/etc/passwd', '2410.17243\0', 'hep-th/../../x', '..', 'hep-th/9901001/../../../x'];
    const results = await downloadPdfs(hostile.map((id) => ({ id, version: 1 })), opts);
    expect(results.map((r) => r.status)).toEqual(hostile.map(() => 'failed'));
    expect(results.map((r) => (r.status === 'failed' ? r.error.exitCode : 0))).toEqual(hostile.map(() => 2));
    const bad = await downloadPdfs([{ id: '2410.17243', version: -1 }, { id: '2410.17243', version: 1.5 }], opts);
    expect(bad.map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(server.requests).toEqual([]);
    expect(filesUnder(root)).toEqual([]);
  });

  it('works under a base URL with a path prefix', async () => {
    await server.close();
    server = await startServer({ prefix: 'mirror' });
    server.route('/pdf/2410.17243v1', { body: pdfBody('m') });
    const { opts } = fakeTime({ baseUrl: server.url });
    const [r] = await downloadPdfs([parsePdfTarget('2410.17243v1')], opts);
    expect(r!.status).toBe('downloaded');
    expect(server.requests.map((q) => q.path)).toEqual(['/mirror/pdf/2410.17243v1']);
  });

  it('in real time, the server sees requests at least 3 seconds apart', async () => {
    server.route('/pdf/2410.10001v1', { body: pdfBody('1') });
    server.route('/pdf/2410.10002v1', { body: pdfBody('2') });
    const results = await downloadPdfs([parsePdfTarget('2410.10001v1'), parsePdfTarget('2410.10002v1')], { dir, baseUrl: server.url, userAgent: 'papers-test' });
    expect(results.map((r) => r.status)).toEqual(['downloaded', 'downloaded']);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(3000);
  });
});
