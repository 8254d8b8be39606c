/** papers list against a cache built from the real fixtures plus precise synthetic papers. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { Store } from '../src/store/index.js';
import { parse as parseCsv } from 'csv-parse/sync';
import { RECORD_FIELDS as PAPER_FIELDS } from '../src/record.js';
import { parseDailyPapersApi } from '../src/sources/hf/parse.js';
import { runCli, tempDir } from './helpers/cli.js';
import { fixture } from './helpers/server.js';
import { parsedPaper } from './helpers/papers.js';

const tmp = tempDir();
const env = { PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config };
const today = new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86400_000).toISOString().slice(0, 10);

beforeAll(() => {
  const store = Store.open(tmp.db);
  const listing = parseDailyPapersApi(fixture('hf/api-daily-papers-2024-08-01.derived.json'));
  store.saveList('hf', listing.date!, listing.papers);
  store.upsertPapers([
    parsedPaper({ id: '2601.00001', title: 'State Space Models for Long Video', summary: 'We study optimizers for state space models.', authors: ['Jane Smith', 'Ann Lee'], upvotes: 40, dailyDate: daysAgo(2), keywords: ['state space models'], categories: ['cs.LG', 'cs.CV'] }),
    parsedPaper({ id: '2601.00002', title: 'A State Space Approach to Agents', summary: 'An agentic framework with tool use.', authors: ['Bob Jones'], upvotes: 12, dailyDate: daysAgo(3), categories: ['cs.AI'] }),
    parsedPaper({ id: '2601.00003', title: 'Diffusion Models Beat GANs Again', summary: 'Image synthesis with an optimizer tweak.', authors: ['José Núñez'], upvotes: 5, dailyDate: daysAgo(20), categories: ['cs.CV'] }),
    parsedPaper({ id: '2601.00004', title: 'Optimizers, Revisited', summary: 'Adam and friends.', authors: ['Jane Smithson'], upvotes: 80, dailyDate: daysAgo(1), categories: ['cs.LG', 'math.OC'] }),
    { ...parsedPaper({ id: '2601.00005', title: '=HYPERLINK("http://evil") "quoted", commas', summary: 'Line one\nline two', authors: ['Zoë "Z" Ü'], upvotes: 1, dailyDate: today }), sources: ['import'] },
  ]);
  store.close();
});
afterAll(() => tmp.cleanup());

const ids = async (...args: string[]) => {
  const r = await runCli(['list', '--json', ...args], { env });
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { id: string }[]).map((p) => p.id).sort();
};

describe('papers list: exactly the papers that match', () => {
  it('words, phrases, exclusions, fields, prefixes, stems and accents', async () => {
    expect(await ids('-q', 'title:state title:space')).toEqual(['2601.00001', '2601.00002']);
    expect(await ids('-q', 'state space')).toEqual(['2407.21721', '2601.00001', '2601.00002']); // 2407.21721's abstract has both words
    expect(await ids('-q', 'title:"state space" -author:smith')).toEqual(['2601.00002']);
    expect(await ids('-q', '"space approach"')).toEqual(['2601.00002']);
    expect(await ids('-q', 'optimizers', '--since', '30d')).toEqual(['2601.00001', '2601.00003', '2601.00004']); // stemming
    expect(await ids('-q', 'optimizers')).toEqual(['2407.21475', '2407.21630', '2601.00001', '2601.00003', '2601.00004']); // "optimization" stems alike
    expect(await ids('-q', 'title:optim*')).toEqual(['2407.21630', '2601.00004']); // TAROT: …Policy Optimization…
    expect(await ids('-q', 'author:nunez')).toEqual(['2601.00003']); // diacritics folded
    expect(await ids('-q', 'cat:cs.CV')).toEqual(['2601.00001', '2601.00003']);
    expect(await ids('-q', '(diffusion OR agents) -gans', '--since', '30d')).toEqual(['2601.00002']);
    expect(await ids('-q', 'llama herd')).toEqual(['2407.21783']);
    const excluded = await ids('-q', 'space OR llama');
    const rest = await ids('-q', '-space -llama');
    expect(rest.length + excluded.length).toBe(18);
    expect(rest.filter((id) => excluded.includes(id))).toEqual([]);
  });

  it('dates, upvotes, authors, sources and limits', async () => {
    expect(await ids('--since', '7d')).toEqual(['2601.00001', '2601.00002', '2601.00004', '2601.00005']);
    expect(await ids('--since', '2024-08-01', '--until', '2024-08-01')).toHaveLength(13);
    expect(await ids('--min-upvotes', '40')).toEqual(['2407.21783', '2601.00001', '2601.00004']);
    expect(await ids('--author', 'smith')).toEqual(['2407.21783', '2601.00001', '2601.00004']); // Eric Michael Smith is on Llama 3
    expect(await ids('--source', 'import')).toEqual(['2601.00005']);
    const r = await runCli(['list', '--json', '--sort', 'upvotes', '-n', '2'], { env });
    expect(JSON.parse(r.stdout).map((p: { id: string }) => p.id)).toEqual(['2407.21783', '2601.00004']);
  });

  it('a word without a field searches title, abstract, authors and keywords, not categories', async () => {
    expect(await ids('-q', 'cat:math.OC')).toEqual(['2601.00004']);
    expect(await ids('-q', 'math')).toEqual([]); // only its category says math
    expect(await ids('-q', 'cv')).toEqual([]);
    expect(await ids('-q', 'kw:"state space"')).toEqual(['2601.00001']);
    expect(await ids('-q', 'abstract:adam')).toEqual(['2601.00004']);
    expect(await ids('-q', 'adam')).toEqual(['2407.21783', '2601.00004']); // Adam Kelsey is on Llama 3
  });

  it('exclusions inside groups and after a topic', async () => {
    expect(await ids('-q', 'title:state (-author:smith -author:nobody)')).toEqual(['2601.00002']);
    expect(await ids('-q', 'title:state -(author:jones OR author:lee)')).toEqual([]);
    writeFileSync(tmp.config, JSON.stringify({ topics: { agents: 'title:agents' } }));
    expect(await ids('--topic', 'agents', '-q', '-author:jones -author:nobody')).toEqual(['2407.21646']);
    expect(await ids('--topic', 'agents', '-q', '-author:jones')).toEqual(['2407.21646']);
  });

  it('usage errors exit 2 with one line', async () => {
    for (const args of [['--sort', 'relevance'], ['--source', 'web'], ['--min-upvotes', '-1'], ['--min-upvotes', 'many'], ['-n', '0'], ['--since', 'yesterday'], ['--since', '2024-02-30'], ['--since', '2024-08-02', '--until', '2024-08-01'], ['--author', ' '], ['--topic']]) {
      const r = await runCli(['list', ...args], { env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr, args.join(' ')).toMatch(/^papers: [^\n]+\n$/);
    }
  });

  it('the config\'s defaults: limit and sort (with or without a text query), which options override', async () => {
    const cfg = { ...env, PAPERS_CONFIG: `${tmp.dir}/defaults.json` };
    writeFileSync(cfg.PAPERS_CONFIG, JSON.stringify({ defaults: { limit: 2, sort: 'upvotes' } }));
    const order = async (...args: string[]) => (JSON.parse((await runCli(['list', '--json', ...args], { env: cfg })).stdout) as { id: string }[]).map((p) => p.id);
    expect(await order()).toEqual(['2407.21783', '2601.00004']);
    expect(await order('-n', '3')).toEqual(['2407.21783', '2601.00004', '2601.00001']);
    expect(await order('--sort', 'title', '--since', '30d')).toEqual(['2601.00005', '2601.00002']); // "=HYPERLINK…", "A State Space…"
    expect(await order('-q', 'optimizers')).toEqual(['2601.00004', '2601.00001']); // the config's order holds for a query too
    expect(await order('-q', 'optimizers', '--sort', 'relevance')).toEqual(['2601.00004', '2407.21630']); // title matches first
    // Without a config: newest first, a text query or not.
    const plain = async (...args: string[]) => (JSON.parse((await runCli(['list', '--json', ...args], { env })).stdout) as { id: string }[]).map((p) => p.id);
    expect(await plain('-q', 'optimizers')).toEqual(await plain('-q', 'optimizers', '--sort', 'date'));
    expect(await plain('-q', 'optimizers')).not.toEqual(await plain('-q', 'optimizers', '--sort', 'relevance'));
    writeFileSync(cfg.PAPERS_CONFIG, JSON.stringify({ defaults: { sort: 'stars' } }));
    const bad = await runCli(['list'], { env: cfg });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^papers: the config file .*defaults\.json: "defaults\.sort" must be one of upvotes, date, title, rising/);
  });

  it('ranks a title match above an abstract match', async () => {
    const r = await runCli(['list', '--json', '-q', 'optimizers'], { env });
    expect(JSON.parse(r.stdout)[0].id).toBe('2601.00004');
  });

  it('a topic from the config file (replacing a built-in) and built-in topics', async () => {
    writeFileSync(tmp.config, JSON.stringify({ topics: { agents: 'title:agents', mine: 'gans OR "long video"' } }));
    expect(await ids('--topic', 'agents')).toEqual(['2407.21646', '2601.00002']);
    expect(await ids('--topic', 'mine', '--topic', 'agents')).toEqual(['2407.21646', '2601.00001', '2601.00002', '2601.00003']);
    expect(await ids('--topic', 'mine', '-q', 'video')).toEqual(['2601.00001']);
    expect(await ids('--topic', 'speech')).toContain('2407.21646');
    const bad = await runCli(['list', '--topic', 'nope'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^papers: unknown topic 'nope' \(known topics: .*agents.*\)\n$/);
  });

  it('odd queries give exit 2 or results, never a crash', async () => {
    for (const q of ['title:"state space', '(', ')', 'OR', 'NOT', '-', '"*', 'NEAR(a b, 2)', '^x', "'; DROP TABLE papers; --", 'a'.repeat(5000), '{title}: x', '*', Array.from({ length: 40 }, (_, i) => `a${i} OR (b${i} (`).join('') + 'x' + '))'.repeat(40), 'NOT '.repeat(200) + 'x', 'x ' + '- '.repeat(300) + 'y']) {
      const r = await runCli(['list', '--json', '-q', q], { env });
      expect([0, 2], q).toContain(r.code);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
      if (r.code === 2) expect(r.stderr).toMatch(/^papers: [^\n]+\n$/);
      else expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
    }
    expect(await ids()).toHaveLength(18); // nothing was dropped
  });
});

describe('output formats of list', () => {
  it('csv reads back to the same records as json', async () => {
    const json = JSON.parse((await runCli(['list', '--json'], { env })).stdout) as Record<string, unknown>[];
    const csv = (await runCli(['list', '--format', 'csv'], { env })).stdout;
    expect(csv).toContain('\r\n'); // RFC 4180 line ends
    const [header, ...rows] = parseCsv(csv, { relaxQuotes: false, relaxColumnCount: false }) as string[][];
    expect(header).toEqual([...PAPER_FIELDS]);
    expect(rows).toHaveLength(json.length);
    rows.forEach((row, i) => {
      const rec = json[i]!;
      header!.forEach((k, j) => {
        const v = rec[k];
        let expected = v === null ? '' : Array.isArray(v) ? v.join('; ') : String(v);
        if (typeof v === 'string' && /^[=+\-@]/.test(v)) expected = "'" + expected; // formulas defused
        expect(row[j], `${String(rec.id)}.${k}`).toBe(expected);
      });
    });
  });

  it('jsonl, md and table', async () => {
    const jsonl = (await runCli(['list', '--jsonl', '-q', 'title:state'], { env })).stdout.trim().split('\n').map((l) => JSON.parse(l).id);
    expect(jsonl.sort()).toEqual(['2601.00001', '2601.00002']);
    const md = (await runCli(['list', '--format', 'md', '-q', 'llama'], { env })).stdout;
    expect(md).toContain('[The Llama 3 Herd of Models](https://huggingface.co/papers/2407.21783)');
    const table = (await runCli(['list', '-q', 'llama'], { env: { ...env, COLUMNS: '80' } })).stdout;
    expect(table).toContain('2407.21783');
    const none = await runCli(['list', '-q', 'zzzzqqq'], { env });
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe('papers: no papers match\n');
  });
});
