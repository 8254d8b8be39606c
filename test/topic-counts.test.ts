/**
 * Topic counts kept, not recounted: what `papers topics` and `papers stats` show equals a full
 * count over the whole index after every kind of change a user makes (imports, syncs, a paper
 * moving day, prunes, marks, a topic edited), and a cache that cannot be written is counted all
 * the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BIN, runCli, tempDir } from './helpers/cli.js';
import { fixture, fixturePath, startServer, type TestServer } from './helpers/server.js';
import { answerDailyPapers, buildArchive } from './helpers/hf-archive.mjs';
import { Store } from '../src/store/index.js';
import { allTopics } from '../src/topics.js';
import { queryToFts } from '../src/query.js';
import { addDays, todayUtc } from '../src/dates.js';

const TODAY = todayUtc();
const tmp = tempDir();
let hf: TestServer;
let listing: TestServer;
const env = () => ({ PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config, PAPERS_HF_URL: hf.url, PAPERS_ARXIV_URL: listing.url, PAPERS_ARXIV_RSS_URL: listing.url, PAPERS_ARXIV_API_URL: listing.url });

/** The user's topics: a prefix, a mark term, a query that only excludes, a column filter. */
let userTopics: Record<string, string> = {
  mine: 'title:diffusion OR sparse* OR optimiz*',
  starred: 'is:starred OR title:video',
  unsurveyed: '-survey',
  cats: 'cat:cs.LG',
};
const writeConfig = () => writeFileSync(tmp.config, JSON.stringify({ topics: userTopics }));

beforeAll(async () => {
  [hf, listing] = await Promise.all([startServer(), startServer()]);
  writeConfig();
});
afterAll(async () => {
  await Promise.all([hf.close(), listing.close()]);
  tmp.cleanup();
});

const cli = async (...args: string[]) => {
  const r = await runCli(args, { env: env() });
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
};

/** Every topic counted in full, as the store counts one query over the whole index. */
function recount(since: string | null): Record<string, { papers: number; recent: number | null }> {
  const store = Store.open(tmp.db);
  try {
    const out: Record<string, { papers: number; recent: number | null }> = {};
    for (const [name, t] of Object.entries(allTopics({ topics: userTopics } as never))) {
      const q = queryToFts(t.query);
      out[name] = { papers: store.countMatching(q), recent: since === null ? null : store.countMatching({ ...q, since }) };
    }
    return out;
  } finally {
    store.close();
  }
}

/** `topics --json` and `stats --json` agree with a full count; the counts kept, by query. */
async function expectExact(): Promise<Record<string, number>> {
  const topics = JSON.parse((await cli('topics', '--json')).stdout) as { name: string; papers: number }[];
  const stats = JSON.parse((await cli('stats', '--json')).stdout) as { papers: number; recentDays: { since: string } | null; topics: { name: string; papers: number; recent: number }[] };
  const full = recount(stats.recentDays?.since ?? null);
  expect(Object.fromEntries(topics.map((t) => [t.name, t.papers]))).toEqual(Object.fromEntries(Object.entries(full).map(([n, c]) => [n, c.papers])));
  expect(Object.fromEntries(stats.topics.map((t) => [t.name, { papers: t.papers, recent: t.recent }]))).toEqual(
    Object.fromEntries(Object.entries(full).map(([n, c]) => [n, { papers: c.papers, recent: c.recent ?? 0 }])),
  );
  const d = new Database(tmp.db, { readonly: true });
  try {
    expect(stats.papers).toBe(d.prepare('SELECT count(*) FROM papers').pluck().get());
    return Object.fromEntries(d.prepare<[], [string, number]>('SELECT q.query, count(*) FROM topic_counts t JOIN count_queries q ON q.id = t.query GROUP BY q.query').raw().all());
  } finally {
    d.close();
  }
}

const keyOf = (query: string) => {
  const q = queryToFts(query);
  return JSON.stringify([q.match ?? null, q.notMatch ?? null]);
};

describe('topic counts are kept and always exact', () => {
  it('after imports, syncs, a paper moving day, marks, a topic edited, a prune', { timeout: 240_000 }, async () => {
    // Imports: a Hugging Face list saved as JSON, and arXiv snapshot records of 2007.
    await cli('import', fixturePath('hf/api-daily-papers-2024-08-01.derived.json'));
    await cli('import', fixturePath('arxiv/snapshot-sample.synthetic.jsonl'));
    let kept = await expectExact();
    // Every topic without a mark term is kept (the one with is:starred never is).
    expect(Object.keys(kept).sort()).toEqual(Object.entries(allTopics({ topics: userTopics } as never)).filter(([n]) => n !== 'starred').map(([, t]) => keyOf(t.query)).sort());
    expect(await expectExact()).toEqual(kept);

    // What is shown is what is kept: a kept count changed behind the program's back shows.
    const d = new Database(tmp.db);
    d.prepare('UPDATE topic_counts SET papers = papers + 1000 WHERE query = (SELECT id FROM count_queries WHERE query = ?)').run(keyOf(userTopics.mine!));
    d.close();
    const tampered = JSON.parse((await cli('topics', '--json')).stdout) as { name: string; papers: number }[];
    expect(tampered.find((t) => t.name === 'mine')!.papers).toBeGreaterThanOrEqual(1000);
    const wipe = new Database(tmp.db);
    wipe.exec('DELETE FROM topic_counts');
    wipe.close();
    await expectExact();

    // A sync from Hugging Face: the last 7 days, then a day later with more papers.
    const archive = buildArchive(addDays(TODAY, -12), TODAY, { perDay: () => 4 });
    hf.route('/api/daily_papers', (req) => answerDailyPapers(archive, req.query, req.headers as Record<string, string>));
    await cli('sync');
    await expectExact();
    archive.get(TODAY)!.length = 0;
    archive.set(TODAY, buildArchive(TODAY, TODAY, { perDay: () => 7 }).get(TODAY)!);
    await cli('sync');
    await expectExact();

    // An arXiv listing (2024-10-25), then Hugging Face lists one of its papers on a day of
    // another month: the paper moves to that day.
    listing.route('/list/cs.LG/new', { body: fixture('arxiv/list-cs.LG-new.synthetic.html'), headers: { 'content-type': 'text/html' } });
    await cli('fetch', '--source', 'arxiv', '--category', 'cs.LG');
    await expectExact();
    const template = JSON.parse(fixture('hf/api-daily-papers-2024-08-01.derived.json'))[0];
    const item = structuredClone(template);
    Object.assign(item.paper, { id: '2410.18957', title: 'Sparse Mixtures of Experts for Streaming Time Series', upvotes: 3, publishedAt: '2024-10-25T08:00:00.000Z' });
    Object.assign(item, { title: item.paper.title, publishedAt: '2024-11-04T10:00:00.000Z' });
    hf.route('/api/daily_papers', { body: JSON.stringify([item]), headers: { 'content-type': 'application/json' } });
    await cli('fetch', '--date', '2024-11-04');
    const shown = JSON.parse((await cli('show', '2410.18957', '--json')).stdout) as { dailyDate: string } | { dailyDate: string }[];
    expect((Array.isArray(shown) ? shown[0]! : shown).dailyDate).toBe('2024-11-04');
    await expectExact();

    // Marks: a starred paper joins the topic with is:starred, and leaves it again.
    const before = recount(null).starred!.papers;
    await cli('star', '2410.18960');
    await expectExact();
    expect(recount(null).starred!.papers).toBe(before + 1);
    await cli('unstar', '2410.18960');
    await expectExact();

    // A topic edited in the config: counted under its new query; the old one's counts go.
    const old = keyOf(userTopics.mine!);
    userTopics = { ...userTopics, mine: 'title:video* OR kw:agent' };
    writeConfig();
    kept = await expectExact();
    expect(kept[old]).toBeUndefined();
    expect(kept[keyOf(userTopics.mine!)]).toBeGreaterThan(0);

    // A prune removes papers of many days.
    await cli('db', 'prune', '--before', '2024-09-01');
    await expectExact();
    await cli('db', 'prune', '--before', addDays(TODAY, -3));
    await expectExact();
  });

  it('a cache another process is writing is counted exactly, without waiting and without keeping', { timeout: 120_000 }, async () => {
    await expectExact();
    const writer = new Database(tmp.db);
    writer.exec('DELETE FROM topic_counts');
    // A sync holds the write lock: the counts are counted, shown, and not kept.
    writer.exec('BEGIN IMMEDIATE');
    try {
      const r = await runCli(['topics', '--json'], { env: env() });
      expect(r.code, r.stderr).toBe(0);
      const full = recount(null);
      expect(Object.fromEntries((JSON.parse(r.stdout) as { name: string; papers: number }[]).map((t) => [t.name, t.papers]))).toEqual(Object.fromEntries(Object.entries(full).map(([n, c]) => [n, c.papers])));
      expect(writer.prepare('SELECT count(*) FROM topic_counts').pluck().get()).toBe(0);
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
  });

  it('a cache file that cannot be written is counted exactly, and nothing is kept', { timeout: 120_000 }, async (ctx) => {
    if (process.platform === 'win32') {
      console.log('skipped: file modes make no read-only file on Windows');
      ctx.skip();
    }
    await expectExact();
    // A copy only its owner could write, read by another user (root writes any file: the
    // program runs as nobody then); the folder stays writable for SQLite's shared-memory file.
    const dir = mkdtempSync(join(tmpdir(), 'papers-readonly-'));
    try {
      chmodSync(dir, 0o777);
      const db = join(dir, 'papers.db');
      copyFileSync(tmp.db, db);
      const wipe = new Database(db);
      wipe.exec('DELETE FROM topic_counts; DELETE FROM count_queries');
      wipe.close();
      chmodSync(db, 0o444);
      const asOther = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      const config = join(dir, 'config.json');
      copyFileSync(tmp.config, config);
      const run = (cmd: string) => spawnSync(process.execPath, [BIN, cmd, '--json', '--db', db], { env: { PATH: process.env.PATH, PAPERS_CONFIG: config }, encoding: 'utf8', ...asOther });
      const topics = run('topics');
      expect(topics.status, topics.stderr).toBe(0);
      const stats = run('stats');
      expect(stats.status, stats.stderr).toBe(0);
      const full = recount(null);
      expect(Object.fromEntries((JSON.parse(topics.stdout) as { name: string; papers: number }[]).map((t) => [t.name, t.papers]))).toEqual(Object.fromEntries(Object.entries(full).map(([n, c]) => [n, c.papers])));
      expect(Object.fromEntries((JSON.parse(stats.stdout) as { topics: { name: string; papers: number }[] }).topics.map((t) => [t.name, t.papers]))).toEqual(Object.fromEntries(Object.entries(full).map(([n, c]) => [n, c.papers])));
      const after = new Database(db, { readonly: true });
      expect(after.prepare('SELECT count(*) FROM topic_counts').pluck().get()).toBe(0);
      after.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
