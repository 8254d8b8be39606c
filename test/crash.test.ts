/**
 * Crashes and concurrency: processes killed with SIGKILL at random moments in the middle of
 * large writes, and several writers at once. The cache must always open, pass the integrity
 * check, and hold each transaction whole or not at all; no writer may see "database is locked".
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { tempDir } from './helpers/cli.js';

const WRITER = fileURLToPath(new URL('./helpers/writer.mjs', import.meta.url));
const BATCH = 2000;
export const KILLS = 12;

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function writer(db: string, batches: number, tag: string) {
  const child = spawn(process.execPath, [WRITER, db, String(batches), String(BATCH), tag], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })));
  return { child, done };
}

function inspect(db: string): { integrity: unknown; byTag: Map<string, number>; fts: number } {
  const d = new Database(db);
  try {
    const byTag = new Map<string, number>();
    for (const r of d.prepare("SELECT substr(id, 1, instr(id, '/') - 1) AS tag, count(*) AS n FROM papers GROUP BY tag").all() as { tag: string; n: number }[]) byTag.set(r.tag, r.n);
    const fts = (d.prepare("SELECT count(*) AS n FROM papers_fts WHERE papers_fts MATCH 'scaling'").get() as { n: number }).n;
    return { integrity: d.pragma('integrity_check', { simple: true }), byTag, fts };
  } finally {
    d.close();
  }
}

describe('SIGKILL in the middle of large writes', () => {
  it(`${KILLS} kills at random moments: the cache opens, is intact, and holds whole transactions only`, async () => {
    const db = `${tmp.dir}/killed.db`;
    let interrupted = 0;
    for (let k = 0; k < KILLS; k++) {
      const tag = `k${k}`;
      const { child, done } = writer(db, 6, tag);
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 900));
      child.kill('SIGKILL');
      const end = await done;
      const state = inspect(db);
      expect(state.integrity).toBe('ok');
      const n = state.byTag.get(tag) ?? 0;
      expect(n % BATCH, `run ${k} (${end.signal ?? end.code}) left a partial batch`).toBe(0);
      const total = [...state.byTag.values()].reduce((a, b) => a + b, 0);
      expect(state.fts).toBe(total); // the full-text index matches the table exactly
      if (end.signal === 'SIGKILL' && n < 6 * BATCH) interrupted++;
    }
    // the kills really landed in the middle of the work, not after it
    expect(interrupted).toBeGreaterThanOrEqual(KILLS / 2);
  }, 120_000);
});

describe('several writers at once', () => {
  it('no lost write and no "database is locked"', async () => {
    const db = `${tmp.dir}/concurrent.db`;
    const runs = ['a', 'b', 'c', 'd'].map((tag) => writer(db, 3, tag));
    const ends = await Promise.all(runs.map((r) => r.done));
    for (const e of ends) {
      expect(e.stderr).toBe('');
      expect(e.code).toBe(0);
    }
    const state = inspect(db);
    expect(state.integrity).toBe('ok');
    expect(Object.fromEntries(state.byTag)).toEqual({ a: 3 * BATCH, b: 3 * BATCH, c: 3 * BATCH, d: 3 * BATCH });
  }, 120_000);
});
