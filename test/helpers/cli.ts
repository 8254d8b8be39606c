/** Run the built CLI as a user would: a real process, its stdout, stderr and exit code. */
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'vitest';
import { startServer, type TestServer } from './server.js';

export const BIN = fileURLToPath(new URL('../../bin/papers.js', import.meta.url));

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { env?: Record<string, string | undefined>; input?: string; timeoutMs?: number; bin?: string } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...opts.env })) {
      if (v !== undefined && !/^(FORCE_COLOR|NO_COLOR|HF_TOKEN|HTTPS?_PROXY|https?_proxy|PAPERS_.*)$/.test(k)) env[k] = v;
    }
    // No test may reach the internet: every site a test does not point somewhere answers from
    // a closed loopback port.
    for (const k of ['PAPERS_HF_URL', 'PAPERS_ARXIV_URL', 'PAPERS_ARXIV_API_URL', 'PAPERS_ARXIV_OAI_URL', 'PAPERS_ARXIV_RSS_URL', 'PAPERS_ARXIV_PDF_URL']) env[k] = 'http://127.0.0.1:9';
    for (const [k, v] of Object.entries(opts.env ?? {})) if (v !== undefined) env[k] = v;
    const child = spawn(process.execPath, [opts.bin ?? BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** A temporary directory for a test's cache and config, removed by the returned function. */
export function tempDir(): { dir: string; db: string; config: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'papers-test-'));
  return { dir, db: join(dir, 'papers.db'), config: join(dir, 'config.json'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Rows of a query on a cache file, opened read-only: what a test compares before and after. */
export function cacheRows(db: string, sql: string): Record<string, unknown>[] {
  const handle = new Database(db, { readonly: true });
  try {
    return handle.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    handle.close();
  }
}

/**
 * A loopback server and a temporary cache for each test of a file: `t.server` (a test may
 * replace it; the one there at the end is closed), `t.tmp`, and `t.env()` pointing papers at both.
 */
export function serverAndCache(): { server: TestServer; tmp: ReturnType<typeof tempDir>; env: () => Record<string, string> } {
  const t = {
    server: undefined as unknown as TestServer,
    tmp: undefined as unknown as ReturnType<typeof tempDir>,
    env: () => ({ PAPERS_HF_URL: t.server.url, PAPERS_DB: t.tmp.db, PAPERS_CONFIG: t.tmp.config }),
  };
  beforeEach(async () => {
    t.server = await startServer();
    t.tmp = tempDir();
  });
  afterEach(async () => {
    await t.server.close();
    t.tmp.cleanup();
  });
  return t;
}

/**
 * What a test of the file starts by hand, closed and removed after each test: `keep(...)` the
 * loopback servers and temporary caches, in any number.
 */
export function closedAfterEach(): (...things: (TestServer | ReturnType<typeof tempDir>)[]) => void {
  let kept: (TestServer | ReturnType<typeof tempDir>)[] = [];
  afterEach(async () => {
    const now = kept;
    kept = [];
    await Promise.all(now.map((x) => ('close' in x ? x.close() : x.cleanup())));
  });
  return (...things) => {
    kept.push(...things);
  };
}
