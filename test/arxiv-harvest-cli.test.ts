/**
 * `papers fetch --source arxiv --harvest` as a user runs it: the real CLI against a real
 * OAI-PMH server on 127.0.0.1, at arXiv's real 3 s spacing. Every record once across token
 * pages, a harvest killed (SIGKILL) after a stored page that resumes without asking for a
 * finished page, an incremental run asking from the last harvest's responseDate, and sync
 * harvesting when the config says so.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, cacheRows, runCli, tempDir } from './helpers/cli.js';
import { makeRecords, startOaiServer, type OaiServer } from './helpers/oai-server.js';

let tmp: ReturnType<typeof tempDir>;
let oai: OaiServer | null = null;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(async () => {
  await oai?.close();
  oai = null;
  tmp.cleanup();
});

const env = () => ({ PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config, PAPERS_ARXIV_OAI_URL: oai!.url, PAPERS_HF_URL: 'http://127.0.0.1:9', PAPERS_ARXIV_URL: 'http://127.0.0.1:9' });
const ids = () => cacheRows(tmp.db, 'SELECT id FROM papers ORDER BY id').map((r) => r.id as string);
const live = (rs: ReturnType<typeof makeRecords>) => rs.filter((r) => !r.deleted && r.sets.includes('cs')).map((r) => r.id).sort();

describe('papers fetch --harvest', () => {
  it('stores every record of the set once across token pages, at least 3 s apart, with versions and dates from the versions', async () => {
    const records = makeRecords(12);
    oai = await startOaiServer({ records, pageSize: 4, responseDate: () => '2025-01-12T08:00:00Z' });
    const r = await runCli(['fetch', '--source', 'arxiv', '--harvest', '--set', 'cs', '--json'], { env: env(), timeoutMs: 60_000 });
    expect(r.stderr).toBe(`papers: arxiv harvest of cs: 3 pages, ${live(records).length} records: ${live(records).length} new, 0 with a new version, 0 updated\n`);
    expect(r.code).toBe(0);
    expect(ids()).toEqual(live(records));
    const out = JSON.parse(r.stdout);
    const cs = records.filter((x) => x.sets.includes('cs'));
    expect(out).toMatchObject({ mode: 'full', set: 'cs', pages: Math.ceil(cs.length / 4), new: live(records).length, newVersions: 0, deleted: cs.filter((x) => x.deleted).length });
    // Each token asked for once, in order; and arXiv's spacing between requests, in real time.
    const tokens = oai.requests.map((q) => q.query.get('resumptionToken'));
    expect(new Set(tokens).size).toBe(tokens.length);
    for (let i = 1; i < oai.requests.length; i++) expect(oai.requests[i]!.at - oai.requests[i - 1]!.at).toBeGreaterThanOrEqual(3000);
    const show = JSON.parse((await runCli(['show', records[2]!.id, '--json'], { env: env() })).stdout);
    const p = Array.isArray(show) ? show[0] : show;
    expect(p.versions.map((v: { version: number }) => v.version)).toEqual([1, 2, 3]);
    expect(p.publishedAt).toBe(p.versions[0].date);
    expect(p.updatedAt).toBe(p.versions[2].date);
    // arXivRaw's <size> of each version is kept: in show's text and show --json's versionSizes;
    // the record's versions stay { version, date } as the contract gives them.
    expect(p.versions.every((v: object) => Object.keys(v).join() === 'version,date')).toBe(true);
    expect(p.versionSizes).toEqual(records[2]!.versions.map((v, i) => ({ version: i + 1, size: v.size })));
    const listed = JSON.parse((await runCli(['list', '--json'], { env: env() })).stdout) as { id: string; versions: object[] }[];
    expect(listed.find((x) => x.id === records[2]!.id)!.versions).toEqual(p.versions);
    const text = (await runCli(['show', records[2]!.id], { env: env() })).stdout;
    const [s1, s2, s3] = records[2]!.versions.map((v) => v.size);
    expect(text).toContain(`v1 ${p.versions[0].date} (${s1}), v2 ${p.versions[1].date} (${s2}), v3 ${p.versions[2].date} (${s3})`);
  }, 60_000);

  it('killed (SIGKILL) after a stored page, resumes from the stored token without asking for a finished page', async () => {
    const records = makeRecords(12);
    oai = await startOaiServer({ records, pageSize: 4, responseDate: () => '2025-01-12T08:00:00Z' });
    const child = spawn(process.execPath, [BIN, 'fetch', '--source', 'arxiv', '--harvest', '--set', 'cs', '--verbose'], { env: { ...process.env, ...env() }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (/page 1 stored/.test(stderr)) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((r) => child.on('close', r));
    expect(oai.requests.length).toBe(1);
    const firstPage = ids();
    expect(firstPage.length).toBeGreaterThan(0);
    const tokenAfterPage1 = cacheRows(tmp.db, 'SELECT token FROM harvest_state')[0]!.token as string;
    expect(tokenAfterPage1).toBeTruthy();

    const r = await runCli(['fetch', '--source', 'arxiv', '--harvest', '--set', 'cs'], { env: env(), timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\(resumed\)/);
    const resumed = oai.requests.slice(1);
    expect(resumed[0]!.query.get('resumptionToken')).toBe(tokenAfterPage1);
    // No request of the resumed run starts the list again.
    expect(resumed.every((q) => q.query.get('metadataPrefix') === null)).toBe(true);
    expect(ids()).toEqual(live(records));
    expect(cacheRows(tmp.db, 'SELECT token FROM harvest_state')[0]!.token).toBeNull();
  }, 60_000);

  it('a later run asks only from the day of the last harvest, and tells new papers from new versions', async () => {
    const records = makeRecords(6, { firstDay: '2025-01-06', days: 3 });
    oai = await startOaiServer({ records, pageSize: 10, responseDate: () => '2025-01-12T08:00:00Z' });
    expect((await runCli(['fetch', '--source', 'arxiv', '--harvest', '--set', 'cs'], { env: env(), timeoutMs: 30_000 })).code).toBe(0);
    const cached = live(records);
    // On the 13th: one cached paper gets a fourth version, and one paper is new.
    const revised = records.find((x) => x.id === cached[0])!;
    const extra = makeRecords(1, { prefix: '2502', firstDay: '2025-01-13' })[0]!;
    const later = [
      ...records.map((x) => (x === revised ? { ...x, datestamp: '2025-01-13', versions: [...x.versions, { date: 'Mon, 13 Jan 2025 10:00:00 GMT' }] } : x)),
      { ...extra, sets: ['cs'], deleted: false },
    ];
    oai.setRecords(later);
    const r = await runCli(['fetch', '--source', 'arxiv', '--harvest', '--set', 'cs', '--json'], { env: env(), timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    const q = oai.requests[oai.requests.length - 1]!.query;
    expect(q.get('from')).toBe('2025-01-12');
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ mode: 'incremental', from: '2025-01-12', new: 1, newVersions: 1, newIds: [extra.id], newVersionIds: [revised.id] });
    expect(r.stderr).toMatch(/1 new, 1 with a new version/);
    const list = JSON.parse((await runCli(['list', '--updated-since', '2025-01-13', '--json'], { env: env() })).stdout);
    expect(list.map((p: { id: string }) => p.id)).toEqual([revised.id]);
  }, 60_000);

  it('sync harvests the set the config names, and resumes nothing once complete', async () => {
    const records = makeRecords(5);
    oai = await startOaiServer({ records, pageSize: 10, responseDate: () => '2025-01-12T08:00:00Z' });
    const set = await runCli(['config', 'set', 'sources.arxiv.harvest', 'cs', '2025-01-01'], { env: env() });
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(readFileSync(tmp.config, 'utf8'))).toEqual({ sources: { arxiv: { harvest: { set: 'cs', from: '2025-01-01' } } } });
    const hf = await import('./helpers/server.js');
    const server = await hf.startServer();
    try {
      server.route('/api/daily_papers', { body: '[]', headers: { 'content-type': 'application/json' } });
      const r = await runCli(['sync', '--json'], { env: { ...env(), PAPERS_HF_URL: server.url }, timeoutMs: 30_000 });
      const out = JSON.parse(r.stdout);
      const h = out.sources.find((s: { source: string }) => s.source === 'arxiv-harvest');
      expect(h).toMatchObject({ outcome: 'ok', new: live(records).length });
      expect(oai.requests[0]!.query.get('from')).toBe('2025-01-01');
      expect(ids()).toEqual(live(records));
    } finally {
      await server.close();
    }
  }, 60_000);

  it('papers config set/get/unset sources.arxiv.harvest: validated, the rest of the file kept', async () => {
    writeFileSync(tmp.config, JSON.stringify({ sources: { arxiv: { categories: ['cs.LG'] } }, defaults: { limit: 5 } }));
    const cfg = (...args: string[]) => runCli(['config', ...args], { env: { PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config } });
    const file = () => JSON.parse(readFileSync(tmp.config, 'utf8'));
    expect((await cfg('set', 'sources.arxiv.harvest', 'from=2024-02-29', 'set=physics:hep-th')).code).toBe(0);
    expect(file()).toEqual({ sources: { arxiv: { categories: ['cs.LG'], harvest: { from: '2024-02-29', set: 'physics:hep-th' } } }, defaults: { limit: 5 } });
    expect(JSON.parse((await cfg('get', 'sources.arxiv.harvest')).stdout)).toEqual({ from: '2024-02-29', set: 'physics:hep-th' });
    // One part at a time, and the JSON the file holds.
    expect((await cfg('set', 'sources.arxiv.harvest.set', 'math')).code).toBe(0);
    expect((await cfg('get', 'sources.arxiv.harvest.set')).stdout).toBe('math\n');
    expect((await cfg('unset', 'sources.arxiv.harvest.from')).code).toBe(0);
    expect(file().sources.arxiv.harvest).toEqual({ set: 'math' });
    expect((await cfg('set', 'sources.arxiv.harvest', '{"set": "cs", "from": "2025-01-01"}')).code).toBe(0);
    expect(file().sources.arxiv.harvest).toEqual({ set: 'cs', from: '2025-01-01' });
    // The whole of arXiv: no set.
    expect((await cfg('set', 'sources.arxiv.harvest', 'all')).code).toBe(0);
    expect(file().sources.arxiv.harvest).toEqual({});
    // Wrong values are usage errors, one line each, and the file is left as it was.
    expect((await cfg('set', 'sources.arxiv.harvest', 'cs', '2025-01-01')).code).toBe(0);
    const before = readFileSync(tmp.config, 'utf8');
    for (const args of [['sources.arxiv.harvest', 'cs', '2025-02-30'], ['sources.arxiv.harvest', 'cs', 'math'], ['sources.arxiv.harvest', 'c$'], ['sources.arxiv.harvest', '{"set": "cs", "form": "2025-01-01"}'],
      ['sources.arxiv.harvest', 'all', 'cs'], ['sources.arxiv.harvest.from', 'yesterday'], ['sources.arxiv.harvest.set', 'a b'], ['sources.arxiv.harvets', 'cs']]) {
      const r = await cfg('set', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n').filter(Boolean), args.join(' ')).toHaveLength(1);
    }
    expect((await cfg('set', 'sources.arxiv.harvets', 'cs')).stderr).toContain('did you mean sources.arxiv.harvest?');
    expect(readFileSync(tmp.config, 'utf8')).toBe(before);
    expect((await cfg('unset', 'sources.arxiv.harvest')).code).toBe(0);
    expect(file()).toEqual({ sources: { arxiv: { categories: ['cs.LG'] } }, defaults: { limit: 5 } });
  }, 60_000);

  it('--set without --harvest, and --harvest with a date option, are usage errors', async () => {
    oai = await startOaiServer({ records: [], pageSize: 10 });
    const a = await runCli(['fetch', '--source', 'arxiv', '--set', 'cs'], { env: env() });
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/^papers: --set applies to --harvest only/);
    const b = await runCli(['fetch', '--harvest', '--week', '2024-W01'], { env: env() });
    expect(b.code).toBe(2);
    expect(oai.requests.length).toBe(0);
  });
});
