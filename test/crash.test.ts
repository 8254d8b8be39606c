/**
 * Crashes and concurrency: processes killed with SIGKILL in the middle of large writes, and
 * several writers at once. The cache must always open, pass the integrity check, keep its
 * full-text index equal to the table, and hold each transaction whole or not at all; no writer
 * may see "database is locked".
 *
 * The kills do not depend on the machine's speed: the writer runs until it is killed, and each
 * kill is sent only after the writer has reported progress, either while it runs freely (the
 * kill lands somewhere in its work) or while it waits inside an open write transaction (the
 * kill lands mid-transaction by construction).
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { tempDir } from './helpers/cli.js';

const WRITER = fileURLToPath(new URL('./helpers/writer.mjs', import.meta.url));
const BATCH = 1000;
// Writers at once commit small transactions, so that none waits on the others longer than the
// store's busy timeout however slow the machine is.
const SMALL = 250;
export const KILLS = 12;

const tmp = tempDir();
afterAll(() => tmp.cleanup());

interface Writer {
  child: ReturnType<typeof spawn>;
  /** Resolves once the writer has printed a line matching `re`; the number of commits reported by then. */
  until: (re: RegExp) => Promise<number>;
  committed: () => number;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function writer(db: string, batches: number | 'forever', tag: string, pause?: { batch: number; row: number }, size = BATCH): Writer {
  const args = [WRITER, db, String(batches), String(size), tag];
  if (pause) args.push(String(pause.batch), String(pause.row));
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let out = '';
  let committed = 0;
  const waiters: { re: RegExp; resolve: (n: number) => void; reject: (e: Error) => void }[] = [];
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    const lines = out.split('\n');
    out = lines.pop()!;
    for (const line of lines) {
      if (/^batch \d+$/.test(line)) committed++;
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i].re.test(line)) waiters.splice(i, 1)[0].resolve(committed);
      }
    }
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`writer ended (${signal ?? code}) before "${w.re.source}": ${stderr}`));
      resolve({ code, signal, stderr });
    }));
  return {
    child,
    done,
    committed: () => committed,
    until: (re) => new Promise((resolve, reject) => waiters.push({ re, resolve, reject })),
  };
}

function inspect(db: string): { integrity: unknown; ftsIntegrity: string; byTag: Map<string, number>; fts: number; rows: number } {
  const d = new Database(db);
  try {
    const byTag = new Map<string, number>();
    for (const r of d.prepare("SELECT substr(id, 1, instr(id, '/') - 1) AS tag, count(*) AS n FROM papers GROUP BY tag").all() as { tag: string; n: number }[]) byTag.set(r.tag, r.n);
    const fts = (d.prepare("SELECT count(*) AS n FROM papers_fts WHERE papers_fts MATCH 'scaling'").get() as { n: number }).n;
    const rows = (d.prepare('SELECT count(*) AS n FROM papers').get() as { n: number }).n;
    let ftsIntegrity = 'ok';
    try {
      // Checks the index against the content table, row by row and term by term.
      d.prepare("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)").run();
    } catch (e) {
      ftsIntegrity = (e as Error).message;
    }
    return { integrity: d.pragma('integrity_check', { simple: true }), ftsIntegrity, byTag, fts, rows };
  } finally {
    d.close();
  }
}

// A fixed seed: the kill points differ per kill but are the same on every run and machine.
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s % n;
  };
}

describe('SIGKILL in the middle of large writes', () => {
  it(`${KILLS} kills, each after the writer reported progress: the cache opens, is intact, and holds whole transactions only`, async () => {
    const db = `${tmp.dir}/killed.db`;
    const random = rng(0x5eed);
    let midTransaction = 0;
    for (let k = 0; k < KILLS; k++) {
      const tag = `k${k}`;
      // Even kills: the writer runs freely and is killed once it has committed 1–3 batches.
      // Odd kills: it stops inside batch 0–2's open transaction after a random number of rows.
      const paused = k % 2 === 1 ? { batch: random(3), row: 1 + random(BATCH - 1) } : undefined;
      const w = writer(db, 'forever', tag, paused);
      let reported: number;
      if (paused) {
        reported = await w.until(/^paused /);
      } else {
        const target = 1 + random(3);
        reported = await w.until(new RegExp(`^batch ${target - 1}$`));
      }
      w.child.kill('SIGKILL');
      const end = await w.done;
      expect(end.signal, `run ${k} ended by itself: ${end.stderr}`).toBe('SIGKILL');

      const state = inspect(db);
      expect(state.integrity).toBe('ok');
      expect(state.ftsIntegrity).toBe('ok');
      const n = state.byTag.get(tag) ?? 0;
      expect(n % BATCH, `run ${k} left a partial batch`).toBe(0);
      // what it reported as committed is there
      expect(n).toBeGreaterThanOrEqual(reported * BATCH);
      if (paused) {
        // the transaction it was inside is absent, the ones before it are whole
        expect(n).toBe(paused.batch * BATCH);
        midTransaction++;
      }
      // the full-text index matches the table exactly
      expect(state.fts).toBe(state.rows);
      expect(state.rows).toBe([...state.byTag.values()].reduce((a, b) => a + b, 0));
    }
    expect(midTransaction).toBe(KILLS / 2);
  }, 300_000);
});

describe('several writers at once', () => {
  it('no lost write and no "database is locked"', async () => {
    const db = `${tmp.dir}/concurrent.db`;
    const runs = ['a', 'b', 'c', 'd'].map((tag) => writer(db, 12, tag, undefined, SMALL));
    const ends = await Promise.all(runs.map((r) => r.done));
    for (const e of ends) {
      expect(e.stderr).toBe('');
      expect(e.code).toBe(0);
    }
    const state = inspect(db);
    expect(state.integrity).toBe('ok');
    expect(state.ftsIntegrity).toBe('ok');
    expect(Object.fromEntries(state.byTag)).toEqual({ a: 12 * SMALL, b: 12 * SMALL, c: 12 * SMALL, d: 12 * SMALL });
  }, 300_000);
});
