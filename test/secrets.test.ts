/**
 * Secrets and file modes: HF_TOKEN goes to Hugging Face only, and never into any byte the tool
 * writes (stdout, stderr with --verbose, error messages, the cache and its WAL, the sync log,
 * exported files); a redirect to another origin drops it. The config is created readable by
 * its owner only.
 */
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { closedAfterEach, runCli, tempDir, type RunResult } from './helpers/cli.js';
import { fixture, startServer } from './helpers/server.js';

const TOKEN = 'hf_SoakSecretToken0123456789abcdef';
const API = fixture('hf/api-daily-papers-2024-08-01.derived.json');

const keep = closedAfterEach();

async function setup() {
  const hf = await startServer();
  const other = await startServer();
  const tmp = tempDir();
  keep(hf, other, tmp);
  const env = { PAPERS_HF_URL: hf.url, PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config, HF_TOKEN: TOKEN };
  return { hf, other, tmp, env };
}

/** Every file under `dir` (the cache, its WAL, exports): none may hold the token. */
function expectNoTokenIn(dir: string, runs: RunResult[]): void {
  for (const r of runs) {
    expect(r.stdout).not.toContain(TOKEN);
    expect(r.stderr).not.toContain(TOKEN);
  }
  for (const f of readdirSync(dir)) {
    const bytes = readFileSync(join(dir, f));
    expect(bytes.includes(Buffer.from(TOKEN)), f).toBe(false);
    expect(bytes.includes(Buffer.from(TOKEN, 'utf16le')), f).toBe(false);
  }
}

describe('HF_TOKEN', () => {
  it('is sent to Hugging Face and written nowhere: output, --verbose log, cache, WAL, sync log, exports', async () => {
    const { hf, tmp, env } = await setup();
    hf.route('/api/daily_papers', { body: API, headers: { 'content-type': 'application/json' } });
    const runs: RunResult[] = [];
    runs.push(await runCli(['today', '--verbose'], { env }));
    expect(runs[0].code, runs[0].stderr).toBe(0);
    runs.push(await runCli(['sync', '--verbose', '--retries', '0'], { env }));
    runs.push(await runCli(['runs', '--verbose'], { env }));
    runs.push(await runCli(['export', '--format', 'json', '-o', join(tmp.dir, 'out.json')], { env }));
    runs.push(await runCli(['export', '--format', 'csv', '-o', join(tmp.dir, 'out.csv')], { env }));
    expect(existsSync(join(tmp.dir, 'out.json'))).toBe(true);
    expect(hf.requests.length).toBeGreaterThan(0);
    for (const r of hf.requests) expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expectNoTokenIn(tmp.dir, runs);
  });

  it('is not in an error message when Hugging Face refuses it', async () => {
    const { hf, tmp, env } = await setup();
    hf.route('/api/daily_papers', { status: 401, body: `{"error":"Invalid token ${TOKEN}"}`.replace(TOKEN, 'hf_x') });
    hf.route('/papers', { status: 401, body: 'unauthorized' });
    const r = await runCli(['today', '--verbose', '--retries', '0'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^papers: /m);
    expectNoTokenIn(tmp.dir, [r]);
  });

  it('is dropped when Hugging Face redirects to another origin', async () => {
    const { hf, other, tmp, env } = await setup();
    hf.route('/api/daily_papers', { status: 302, headers: { location: `${other.url}/api/daily_papers` } });
    other.route('/api/daily_papers', { body: API, headers: { 'content-type': 'application/json' } });
    const r = await runCli(['today', '--verbose'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(hf.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(other.requests.length).toBeGreaterThan(0);
    for (const q of other.requests) expect(q.headers.authorization).toBeUndefined();
    expectNoTokenIn(tmp.dir, [r]);
  });
});

describe('file modes', () => {
  it('a new config directory is 0700 and the config file 0600', async () => {
    const tmp = tempDir();
    keep(tmp);
    const configDir = join(tmp.dir, 'xdg-config');
    const env = { XDG_CONFIG_HOME: configDir, PAPERS_DB: tmp.db };
    const mode = (p: string) => statSync(p).mode & 0o777;
    const t = await runCli(['topics', 'add', 'mine', 'scaling'], { env });
    expect(t.code, t.stderr).toBe(0);
    expect(mode(join(configDir, 'papers'))).toBe(0o700);
    expect(mode(join(configDir, 'papers', 'config.json'))).toBe(0o600);
  });
});
