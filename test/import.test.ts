import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { BIN, runCli, tempDir, type RunResult } from './helpers/cli.js';
import { startServer, fixture, fixturePath, type TestServer } from './helpers/server.js';
import { Store } from '../src/store/index.js';
import type { Paper } from '../src/record.js';
import { parseHfPage } from '../src/sources/hf/parse.js';
import { parseHfCopiedText } from '../src/sources/hf/copied-text.js';

const COPIED = 'hf/search-listing-2025-12-09.copied-text.excerpt.txt';
const PAGE_2024 = fixture('hf/daily-2024-08-01.html');
const API_2024 = fixture('hf/api-daily-papers-2024-08-01.derived.json');
const API_2026 = fixture('hf/api-daily-papers-2026-03-06.one-item.json');
const PAPER_PAGE = fixture('hf/paper-2509.24002.prettified.html');

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => {
  tmp.cleanup();
});

const env = (db = tmp.db) => ({ PAPERS_DB: db, PAPERS_CONFIG: tmp.config });
const importCli = (args: string[], opts: { db?: string; input?: string } = {}): Promise<RunResult> =>
  runCli(['import', ...args], { env: env(opts.db), input: opts.input });

/** Write a file into the test's directory and return its path. */
function file(name: string, content: string | Buffer): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, content);
  return path;
}

/** Every record in a cache, by title, without the cache's timestamps. */
function records(db = tmp.db): Omit<Paper, 'firstSeenAt' | 'lastSeenAt'>[] {
  const store = Store.open(db);
  try {
    return [...store.query({ sort: 'title' })].map(({ firstSeenAt: _f, lastSeenAt: _l, ...rest }) => rest);
  } finally {
    store.close();
  }
}

function table(name: string, db = tmp.db): unknown[] {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare(`SELECT * FROM ${name} ORDER BY 1, 2, 3`).all();
  } finally {
    d.close();
  }
}

/** The stored rows without the timestamps that every run updates. */
const stableRows = (db = tmp.db) => table('papers', db).map((r) => ({ ...(r as Record<string, unknown>), last_seen_at: null }));

const infoLines = (r: RunResult) => r.stderr.trim().split('\n').filter((l) => l !== '');

describe('papers import: copied text', () => {
  it('imports the 12 entries with --as-of and says what it read', async () => {
    const r = await importCli([fixturePath(COPIED), '--as-of', '2025-12-09']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`papers: ${fixturePath(COPIED)}: copied text of a Hugging Face listing (as of 2025-12-09, from --as-of): 12 papers, 12 new, 0 updated\n`);
    const recs = records();
    expect(recs).toHaveLength(12);
    const mkor = recs.find((p) => p.title.startsWith('MKOR'))!;
    expect(mkor).toMatchObject({ id: null, authors: [], authorCount: 4, publishedAt: '2023-06-02', upvotes: 2, sources: ['import'] });
    expect(recs.find((p) => p.title.startsWith('CoT Information'))!.publishedAt).toBe('2025-05-21');
    expect(table('list_entries')).toEqual([]);
  });

  it('importing the same file twice adds nothing', async () => {
    const args = [fixturePath(COPIED), '--as-of', '2025-12-09'];
    expect((await importCli(args)).code).toBe(0);
    const before = stableRows();
    const again = await importCli(args);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/: 12 papers, 0 new, 0 updated\n$/);
    expect(stableRows()).toEqual(before);
    expect(table('count_history')).toHaveLength(1); // MKOR's 2 upvotes, once
  });

  it("without --as-of, uses the file's modification date and says so", async () => {
    const path = file('copied.txt', fixture(COPIED));
    utimesSync(path, new Date(2026, 2, 1, 12), new Date(2026, 2, 1, 12));
    const r = await importCli([path]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("(as of 2026-03-01, the file's modification date; set another with --as-of)");
    const recs = records();
    expect(recs.find((p) => p.title.startsWith('CoT Information'))!.publishedAt).toBe('2025-05-21');
    expect(recs.find((p) => p.title.startsWith('The Inherent Limits'))!.publishedAt).toBe('2026-01-15');
    expect(recs.find((p) => p.title.startsWith('Bilinear Subspace'))!.publishedAt).toBe('2026-02-02');
  });

  it('reads stdin for -, with --as-of', async () => {
    const r = await importCli(['-', '--as-of', '2025-12-09'], { input: fixture(COPIED) });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('papers: stdin: copied text of a Hugging Face listing (as of 2025-12-09, from --as-of): 12 papers, 12 new, 0 updated\n');
    expect(records()).toHaveLength(12);
  });

  it('stdin without --as-of resolves year-less dates against today, and says so', async () => {
    const r = await importCli(['-'], { input: fixture(COPIED) });
    expect(r.code).toBe(0);
    const now = new Date();
    const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
    expect(r.stderr).toContain(`(as of ${today}, today; set another with --as-of)`);
  });

  it('a bad --as-of is a usage error', async () => {
    for (const bad of ['2025-02-30', 'yesterday', '12/09/2025']) {
      const r = await importCli([fixturePath(COPIED), '--as-of', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toMatch(/^papers: --as-of: '.*' is not a date \(use YYYY-MM-DD\)\n$/);
    }
    expect(records()).toEqual([]);
  });
});

describe('papers import: records without an id meet the same papers with ids', () => {
  /** An HF daily-list API answer of the excerpt's 12 papers, ids made up, titles in other spellings. */
  function apiAnswerForExcerpt(): { json: string; ids: string[] } {
    const parsed = parseHfCopiedText(fixture(COPIED), { asOf: '2025-12-09' })!;
    const ids = parsed.papers.map((_, i) => `2512.${String(10001 + i)}`);
    const spell = (t: string, i: number) =>
      i === 0 ? t.replace("Let's", 'Let’s') : i === 1 ? t.toUpperCase() : i === 2 ? `  ${t.replace(/ /g, '\n  ')} ` : i === 3 ? t.replace(':', ' —') : t;
    const items = parsed.papers.map((p, i) => ({
      paper: {
        id: ids[i], title: spell(p.title, i), summary: p.summary, publishedAt: `${p.publishedAt}T00:00:00.000Z`,
        authors: Array.from({ length: p.authorCount! }, (_, k) => ({ name: `Author ${i}-${k}` })), upvotes: 10 + i,
        submittedOnDailyAt: '2025-12-09T08:00:00.000Z',
      },
      title: spell(p.title, i), numComments: i,
    }));
    return { json: JSON.stringify(items), ids };
  }

  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const today = () => runCli(['today', '--json'], { env: { ...env(), PAPERS_HF_URL: server.url } });

  it('copied text first, then the list by API: one record per paper, with its id', async () => {
    const { json, ids } = apiAnswerForExcerpt();
    server.route('/api/daily_papers', { body: json });
    expect((await importCli([fixturePath(COPIED), '--as-of', '2025-12-09'])).code).toBe(0);
    const r = await today();
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(12);
    const recs = records();
    expect(recs).toHaveLength(12);
    expect(recs.map((p) => p.id).sort()).toEqual([...ids].sort());
    for (const p of recs) {
      expect(p.sources).toEqual(['hf', 'import']);
      expect(p.authors).toHaveLength(p.authorCount!);
    }
    // The id's listing gives the title; the abstract, dates and counts are merged.
    const first = recs.find((p) => p.id === ids[0])!;
    expect(first.title).toBe("Let’s Make Block Coordinate Descent Converge Faster: Faster Greedy Rules, Message-Passing, Active-Set Complexity, and Superlinear Convergence");
    expect(first.publishedAt).toBe('2017-12-23');
    expect(table('list_entries')).toHaveLength(12);
  });

  it('the list by API first, then the copied text: still one record per paper, names kept', async () => {
    const { json, ids } = apiAnswerForExcerpt();
    server.route('/api/daily_papers', { body: json });
    expect((await today()).code).toBe(0);
    const before = records();
    const r = await importCli([fixturePath(COPIED), '--as-of', '2025-12-09']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/12 papers, 0 new, 12 updated\n$/);
    const recs = records();
    expect(recs).toHaveLength(12);
    expect(recs.map((p) => p.id).sort()).toEqual([...ids].sort());
    for (const p of recs) {
      const was = before.find((b) => b.id === p.id)!;
      expect(p.authors).toEqual(was.authors); // a count never erases the names
      expect(p.title).toBe(was.title); // the record with the id keeps its spelling
      expect(p.sources).toEqual(['hf', 'import']);
    }
    expect(recs.find((p) => p.id === ids[1])!.title).toBe('STOCHASTIC POLICY GRADIENT METHODS: IMPROVED SAMPLE COMPLEXITY FOR FISHER-NON-DEGENERATE POLICIES');
    // and a second import still adds nothing
    expect((await importCli([fixturePath(COPIED), '--as-of', '2025-12-09'])).stderr).toMatch(/0 new, 0 updated\n$/);
    expect(records()).toHaveLength(12);
  });

  it('an id-less record is found by its title in any spelling', async () => {
    expect((await importCli([fixturePath(COPIED), '--as-of', '2025-12-09'])).code).toBe(0);
    const store = Store.open(tmp.db);
    try {
      const found = store.findByTitle('state AND parameter learning with “PaRIS” particle gibbs');
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ id: null, title: 'State and parameter learning with PaRIS particle Gibbs', authorCount: 5, publishedAt: '2023-01-02' });
      expect(store.findByTitle('Stóchastic Policy Gradient Methods — Improved Sample Complexity for Fisher non degenerate Policies')).toHaveLength(1);
    } finally {
      store.close();
    }
  });
});

describe('papers import: saved pages and API answers give the records that fetching them gives', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const fetched = join('fetched', 'papers.db');
  async function fetchWithToday(routes: (s: TestServer) => void): Promise<string> {
    const db = join(tmp.dir, fetched);
    mkdirSync(join(tmp.dir, 'fetched'), { recursive: true });
    routes(server);
    const r = await runCli(['today', '--json', '--retries', '0'], { env: { ...env(db), PAPERS_HF_URL: server.url } });
    expect(r.code).toBe(0);
    return db;
  }

  it('the daily page', async () => {
    const db = await fetchWithToday((s) => {
      s.route('/api/daily_papers', { status: 500 });
      s.route('/papers', { body: PAGE_2024 });
    });
    const r = await importCli([file('saved.html', PAGE_2024)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/saved\.html: a Hugging Face daily list page of 2024-08-01: 13 papers, 13 new, 0 updated\n$/);
    expect(records()).toHaveLength(13);
    expect(records()).toEqual(records(db));
    expect(table('list_entries')).toEqual(table('list_entries', db));
    expect(table('lists').map((l) => ({ ...(l as object), fetched_at: null }))).toEqual(table('lists', db).map((l) => ({ ...(l as object), fetched_at: null })));
  });

  it('the daily list API answer (2024) and the 2026 item', async () => {
    for (const [name, body] of [['api-2024.json', API_2024], ['api-2026.json', API_2026]] as const) {
      tmp.cleanup();
      tmp = tempDir();
      const db = await fetchWithToday((s) => s.route('/api/daily_papers', { body }));
      const r = await importCli([file(name, body)]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/a Hugging Face API answer: the daily list of 20\d\d-\d\d-\d\d: \d+ papers?, \d+ new, 0 updated\n$/);
      expect(records().length).toBeGreaterThan(0);
      expect(records()).toEqual(records(db));
      expect(table('list_entries')).toEqual(table('list_entries', db));
    }
  });

  it('one paper from the API (/api/papers/<id>, flat) is the same record as in the daily list', async () => {
    const db = await fetchWithToday((s) => s.route('/api/daily_papers', { body: API_2026 }));
    const item = (JSON.parse(API_2026) as { paper: Record<string, unknown>; numComments: number }[])[0]!;
    const r = await importCli([file('one.json', JSON.stringify({ ...item.paper, numComments: item.numComments }))]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/one\.json: a Hugging Face API answer: one paper: 1 paper, 1 new, 0 updated\n$/);
    expect(records()).toEqual(records(db));
    expect(table('list_entries')).toEqual([]); // one paper is not a daily list
  });

  it('a paper page', async () => {
    const r = await importCli([file('paper.html', PAPER_PAGE)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/paper\.html: a Hugging Face paper page: 1 paper, 1 new, 0 updated\n$/);
    const parsed = await parseHfPage(PAPER_PAGE);
    expect(records()).toEqual(parsed.papers.map(({ origin: _origin, ...p }) => ({ ...p, journalRef: null, arxivComment: null, doi: null, seen: false, starred: false, hidden: false, tags: [], note: null })));
  });

  it('search results from the API (papers of several days): stored paper by paper, no list', async () => {
    const items = [...(JSON.parse(API_2024) as unknown[]).slice(0, 3), ...(JSON.parse(API_2026) as unknown[])];
    const r = await importCli([file('search.json', JSON.stringify(items))]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/search\.json: a Hugging Face API answer: papers from several days \(search results, a week or a month\): 4 papers, 4 new, 0 updated\n$/);
    expect(records().map((p) => p.dailyDate).sort()).toEqual(['2024-08-01', '2024-08-01', '2024-08-01', '2026-03-06']);
    expect(table('list_entries')).toEqual([]);
    expect(table('lists')).toEqual([]);
  });

  it('a search page and a week page (hydration), and a page with cards only', async () => {
    const items = JSON.parse(API_2024) as unknown[];
    const hydrated = (props: object) => `<!doctype html><html><body><div class="SVELTE_HYDRATER contents" data-target="DailyPapers" data-props="${JSON.stringify(props).replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"></div></body></html>`;
    const search = file('search.html', hydrated({ query: 'llama', searchResults: items.slice(0, 2) }));
    const week = file('week.html', hydrated({ periodType: 'week', date: '2024-07-29T00:00:00.000Z', dailyPapers: [...items.slice(2, 4), ...(JSON.parse(API_2026) as unknown[])] }));
    const cards = file('cards.html', PAGE_2024.replace(/<div class="SVELTE_HYDRATER contents" data-target="DailyPapers" data-props="[^"]*">/, '<div class="contents">'));
    const r = await importCli([search, week, cards]);
    expect(r.code).toBe(0);
    expect(infoLines(r)).toEqual([
      `papers: ${search}: a Hugging Face search page: 2 papers, 2 new, 0 updated`,
      `papers: ${week}: a Hugging Face listing page of several days (a week or a month): 3 papers, 3 new, 0 updated`,
      // The two papers the search page gave are on this daily list: it sets their dailyDate.
      `papers: ${cards}: a Hugging Face daily list page of 2024-08-01 (its cards: the page has no embedded data): 13 papers, 9 new, 2 updated`,
    ]);
    expect(records()).toHaveLength(14);
    expect(table('list_entries')).toHaveLength(13);
  });

  it('a gzipped answer and a UTF-16 copied text', async () => {
    const gz = file('api.json.gz', gzipSync(API_2024));
    const utf16 = file('copied-utf16.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(fixture(COPIED), 'utf16le')]));
    const r = await importCli([gz, utf16, '--as-of', '2025-12-09']);
    expect(r.code).toBe(0);
    expect(records()).toHaveLength(25);
  });
});

describe('papers import: files that are broken or foreign store nothing', () => {
  const cut = (s: string, fraction: number) => s.slice(0, Math.floor(s.length * fraction));

  it.each([
    ['a daily page cut at 10%', () => cut(PAGE_2024, 0.1)],
    ['a daily page cut at 40% (in the hydration data)', () => cut(PAGE_2024, 0.4)],
    ['a daily page cut at 90% (after the hydration data)', () => cut(PAGE_2024, 0.9)],
    ['a paper page cut at 95%', () => cut(PAPER_PAGE, 0.95)],
    ['an API answer cut in the middle', () => cut(API_2024, 0.5)],
    ['an API answer cut before its last bracket', () => API_2024.trimEnd().slice(0, -1)],
    ['a one-paper answer cut short', () => cut(JSON.stringify((JSON.parse(API_2026) as object[])[0]), 0.7)],
  ])('%s', async (_name, content) => {
    expect((await importCli([fixturePath(COPIED), '--as-of', '2025-12-09'])).code).toBe(0);
    const before = stableRows();
    const path = file('broken', content());
    const r = await importCli([path]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^papers: ${path}: [^\\n]+ \\(nothing from it was stored[^\\n]*\\)\\n$`));
    expect(stableRows()).toEqual(before);
  });

  it.each([
    ['an empty file', ''],
    ['prose', fixture('PROVENANCE.md')],
    ['a foreign HTML page', '<!doctype html><html><head><title>Hi</title></head><body><p>Hello</p></body></html>'],
    ['foreign JSON', '{"name": "papers", "version": "0.1.0"}'],
    ['an HF error answer', '{"error": "Invalid date"}'],
    ['a list of things that are not papers', '[1, 2, 3]'],
    ['a binary file', Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x34, 0x0a, 0x00, 0x01, 0x02, 0xff])],
    ['a broken gzip file', gzipSync(API_2024).subarray(0, 500)],
  ])('%s', async (_name, content) => {
    const path = file('foreign', content);
    const r = await importCli([path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^papers: ${path}: [^\\n]+\\n$`));
    expect(records()).toEqual([]);
  });

  it('a missing file and a directory are named in the error', async () => {
    const r = await importCli([join(tmp.dir, 'nope.html'), tmp.dir]);
    expect(r.code).toBe(1);
    expect(infoLines(r)).toEqual([
      `papers: ${join(tmp.dir, 'nope.html')}: no such file (check the path)`,
      `papers: ${tmp.dir}: is a directory (give the saved files themselves)`,
    ]);
  });

  it('several files with one bad one: the others are imported, the bad one is named, exit 1', async () => {
    const good1 = file('page.html', PAGE_2024);
    const bad = file('cut.json', cut(API_2026, 0.5));
    const good2 = file('copied.txt', fixture(COPIED));
    const r = await importCli([good1, bad, good2, '--as-of', '2025-12-09']);
    expect(r.code).toBe(1);
    const lines = infoLines(r);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/page\.html: a Hugging Face daily list page of 2024-08-01: 13 papers, 13 new/);
    expect(lines[1]).toMatch(new RegExp(`^papers: ${bad}: JSON that does not parse`));
    expect(lines[2]).toMatch(/copied\.txt: copied text of a Hugging Face listing \(as of 2025-12-09, from --as-of\): 12 papers, 12 new/);
    expect(records()).toHaveLength(25);
    expect(records().some((p) => p.id === '2602.23229')).toBe(false);
  });

  it('a smaller, older capture of a cached daily list does not shrink the list', async () => {
    expect((await importCli([file('page.html', PAGE_2024)])).code).toBe(0);
    const items = JSON.parse(API_2024) as unknown[];
    const r = await importCli([file('older.json', JSON.stringify(items.slice(0, 5)))]);
    expect(r.code).toBe(0);
    // The API's fields outrank the page's (the store's merge), so its five papers are updated.
    expect(r.stderr).toMatch(/5 papers, 0 new, 5 updated; the cached list of 2024-08-01 has papers this file lacks, so it is kept as it was\n$/);
    expect(table('list_entries')).toHaveLength(13);
  });

  it('no file at all is a usage error', async () => {
    const r = await importCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^papers: [^\n]+\n$/);
  });
});

/** The CLI with `input` (text or bytes) on stdin. */
function importStdin(args: string[], input: Buffer, db = tmp.db): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'import', ...args], { env: { ...process.env, ...env(db), NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr } as RunResult));
    child.stdin.end(input);
  });
}

/** The records of a cache without what an export does not carry (arrival times, arXiv's extras). */
const portable = (db = tmp.db) => records(db).map(({ journalRef: _j, arxivComment: _c, doi: _d, ...rest }) => rest);

describe("papers import: papers' own records (export --format jsonl or json, show --json)", () => {
  beforeEach(async () => {
    // A cache with papers of every kind: HF's daily list, arXiv's snapshot (versions), copied text (no id).
    for (const args of [[fixturePath('hf/api-daily-papers-2024-08-01.derived.json')], [fixturePath('arxiv/snapshot-sample.synthetic.jsonl')], [fixturePath(COPIED), '--as-of', '2025-12-09']]) {
      expect((await importCli(args)).code).toBe(0);
    }
  });

  it('an export imported into a fresh cache gives the same records: a file or stdin, JSON Lines or a JSON array, plain or gzip', async () => {
    const jsonl = (await runCli(['export', '--format', 'jsonl'], { env: env() })).stdout;
    const json = (await runCli(['export', '--format', 'json'], { env: env() })).stdout;
    const want = portable();
    expect(want.length).toBeGreaterThan(25);
    expect(want.some((p) => p.id === null)).toBe(true);
    const cases: [string, () => Promise<RunResult>, RegExp][] = [
      ['jsonl', () => importCli([file('e.jsonl', jsonl)], { db: join(tmp.dir, 'a.db') }), /e\.jsonl: papers' own records \(JSON Lines\): (\d+) papers, \1 new, 0 updated; no bad lines/],
      ['json', () => importCli([file('e.json', json)], { db: join(tmp.dir, 'b.db') }), /e\.json: papers' own records \(a JSON array\): (\d+) papers, \1 new, 0 updated; no bad items/],
      ['jsonl.gz on stdin', () => importStdin(['-'], gzipSync(jsonl), join(tmp.dir, 'c.db')), /stdin: papers' own records \(JSON Lines\) \(gzip\): (\d+) papers, \1 new/],
      ['json on stdin', () => importStdin(['-'], Buffer.from(json), join(tmp.dir, 'd.db')), /stdin: papers' own records \(a JSON array\): (\d+) papers, \1 new/],
    ];
    for (const [i, [label, run, says]] of cases.entries()) {
      const r = await run();
      expect(r.code, `${label}: ${r.stderr}`).toBe(0);
      expect(r.stderr, label).toMatch(says);
      expect(portable(join(tmp.dir, `${'abcd'[i]}.db`)), label).toEqual(want);
    }
    // Again: nothing new, nothing changed.
    const again = await importCli([join(tmp.dir, 'e.jsonl')], { db: join(tmp.dir, 'a.db') });
    expect(again.stderr).toMatch(/: (\d+) papers, 0 new, 0 updated/);
    // One record as show --json prints it (pretty-printed), read whole.
    const one = (await runCli(['show', '2410.90001', '--json'], { env: env() })).stdout;
    const r = await importCli([file('one.json', one)], { db: join(tmp.dir, 'e.db') });
    expect(r.stderr).toMatch(/one\.json: papers' own record: 1 paper, 1 new/);
    expect(portable(join(tmp.dir, 'e.db'))).toEqual(want.filter((p) => p.id === '2410.90001'));
  }, 60_000);

  it('a bad record is named and skipped; an array cut short keeps what came before it and says so (exit 1)', async () => {
    const lines = (await runCli(['export', '--format', 'jsonl'], { env: env() })).stdout.trim().split('\n');
    lines[1] = JSON.stringify({ ...JSON.parse(lines[1]!), versions: 'v1' });
    const r = await importCli([file('bad.jsonl', lines.join('\n'))], { db: join(tmp.dir, 'a.db') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`${lines.length - 1} papers, ${lines.length - 1} new, 0 updated; 1 bad line skipped \\(line 2\\)`));
    const json = (await runCli(['export', '--format', 'json'], { env: env() })).stdout;
    const cut = await importCli([file('cut.json', json.slice(0, Math.floor(json.length * 0.6)))], { db: join(tmp.dir, 'b.db') });
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/^papers: [^\n]*cut\.json: a JSON array cut short: it ends before its closing \], after (\d+) papers \(stored\)/);
    const stored = Number(/after (\d+) papers/.exec(cut.stderr)![1]);
    expect(stored).toBeGreaterThan(0);
    expect(records(join(tmp.dir, 'b.db'))).toHaveLength(stored);
    // The same from stdin, where a worker thread reads and parses while the import stores.
    const piped = await importStdin(['-'], Buffer.from(json.slice(0, Math.floor(json.length * 0.6))), join(tmp.dir, 'c.db'));
    expect(piped.code).toBe(1);
    expect(piped.stderr).toMatch(new RegExp(`^papers: stdin: a JSON array cut short: it ends before its closing \\], after ${stored} papers \\(stored\\)`));
    expect(records(join(tmp.dir, 'c.db'))).toHaveLength(stored);
  }, 60_000);
});
