/** papers list, show and topics against a cache built from the real fixtures plus precise synthetic papers. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { Store } from '../src/store.js';
import { emptyPaper, type ParsedPaper } from '../src/record.js';
import { parseDailyPapersApi } from '../src/sources/hf/parse.js';
import { runCli, tempDir } from './helpers/cli.js';
import { fixture } from './helpers/server.js';

const tmp = tempDir();
const env = { PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config };
const today = new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86400_000).toISOString().slice(0, 10);

function paper(id: string, over: Partial<ParsedPaper>): ParsedPaper {
  return { ...emptyPaper(over.title ?? id, 'hf'), id, ...over };
}

beforeAll(() => {
  const store = Store.open(tmp.db);
  const listing = parseDailyPapersApi(fixture('hf/api-daily-papers-2024-08-01.derived.json'));
  store.saveList('hf', listing.date!, listing.papers);
  store.upsertPapers([
    paper('2601.00001', { title: 'State Space Models for Long Video', summary: 'We study optimizers for state space models.', authors: ['Jane Smith', 'Ann Lee'], upvotes: 40, dailyDate: daysAgo(2), keywords: ['state space models'], categories: ['cs.LG', 'cs.CV'] }),
    paper('2601.00002', { title: 'A State Space Approach to Agents', summary: 'An agentic framework with tool use.', authors: ['Bob Jones'], upvotes: 12, dailyDate: daysAgo(3), categories: ['cs.AI'] }),
    paper('2601.00003', { title: 'Diffusion Models Beat GANs Again', summary: 'Image synthesis with an optimizer tweak.', authors: ['José Núñez'], upvotes: 5, dailyDate: daysAgo(20), categories: ['cs.CV'] }),
    paper('2601.00004', { title: 'Optimizers, Revisited', summary: 'Adam and friends.', authors: ['Jane Smithson'], upvotes: 80, dailyDate: daysAgo(1), categories: ['cs.LG', 'math.OC'] }),
    { ...paper('2601.00005', { title: '=HYPERLINK("http://evil") "quoted", commas', summary: 'Line one\nline two', authors: ['Zoë "Z" Ü'], upvotes: 1, dailyDate: today }), sources: ['import'] },
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
    for (const q of ['title:"state space', '(', ')', 'OR', 'NOT', '-', '"*', 'NEAR(a b, 2)', '^x', "'; DROP TABLE papers; --", 'a'.repeat(5000), '{title}: x', '*']) {
      const r = await runCli(['list', '--json', '-q', q], { env });
      expect([0, 2], q).toContain(r.code);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
      if (r.code === 2) expect(r.stderr).toMatch(/^papers: [^\n]+\n$/);
      else expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
    }
    expect(await ids()).toHaveLength(18); // nothing was dropped
  });
});

/** RFC 4180 reader: quoted fields, doubled quotes, CRLF records. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += c;
  }
  return rows;
}

describe('output formats of list', () => {
  it('csv reads back to the same records as json', async () => {
    const json = JSON.parse((await runCli(['list', '--json'], { env })).stdout) as Record<string, unknown>[];
    const [header, ...rows] = readCsv((await runCli(['list', '--format', 'csv'], { env })).stdout);
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

describe('papers show', () => {
  it('accepts every id form people paste', async () => {
    for (const form of ['2407.21783', '2407.21783v2', 'arXiv:2407.21783', 'https://arxiv.org/abs/2407.21783v1', 'https://arxiv.org/pdf/2407.21783', 'https://huggingface.co/papers/2407.21783']) {
      const r = await runCli(['show', form, '--json'], { env });
      expect(r.code, form).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ id: '2407.21783', title: 'The Llama 3 Herd of Models', upvotes: 94 });
    }
  });

  it('prints the full record, wrapped, with its daily list', async () => {
    const r = await runCli(['show', '2407.21705'], { env: { ...env, COLUMNS: '80' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Tora: Trajectory-oriented Diffusion Transformer for Video Generation');
    expect(r.stdout).toContain('2024-08-01  #2 on Hugging Face');
    expect(r.stdout.split('\n').every((l) => l.length <= 80)).toBe(true);
  });

  it('finds a paper by its title, and says how to get a missing one', async () => {
    const byTitle = await runCli(['show', 'state space models for long video', '--json'], { env });
    expect(JSON.parse(byTitle.stdout).id).toBe('2601.00001');
    const missing = await runCli(['show', '2501.99999'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('papers: arXiv:2501.99999 is not in the cache (try papers fetch, or papers search 2501.99999)\n');
  });
});

describe('papers topics', () => {
  it('lists topics with counts; add validates and writes atomically; remove; a broken config is left alone', async () => {
    const cfg = { ...env, PAPERS_CONFIG: `${tmp.dir}/topics.json` };
    writeFileSync(cfg.PAPERS_CONFIG, JSON.stringify({ defaults: { limit: 5 } }));
    const listed = JSON.parse((await runCli(['topics', '--json'], { env: cfg })).stdout) as { name: string; papers: number; builtin: boolean }[];
    expect(listed.length).toBeGreaterThanOrEqual(12);
    expect(listed.find((t) => t.name === 'speech')!.papers).toBeGreaterThan(0);

    const bad = await runCli(['topics', 'add', 'x', 'title:"oops'], { env: cfg });
    expect(bad.code).toBe(2);
    expect(JSON.parse(readFileSync(cfg.PAPERS_CONFIG, 'utf8'))).toEqual({ defaults: { limit: 5 } });

    expect((await runCli(['topics', 'add', 'ssm', '"state space"', 'OR', 'mamba'], { env: cfg })).code).toBe(0);
    expect(JSON.parse(readFileSync(cfg.PAPERS_CONFIG, 'utf8'))).toEqual({ defaults: { limit: 5 }, topics: { ssm: '"state space" OR mamba' } });
    const show = await runCli(['topics', 'show', 'ssm'], { env: cfg });
    expect(show.stdout).toContain('"state space" OR mamba');
    expect((await runCli(['list', '--json', '--topic', 'ssm'], { env: cfg })).stdout).toContain('2601.00002');

    expect((await runCli(['topics', 'remove', 'llm'], { env: cfg })).code).toBe(2);
    expect((await runCli(['topics', 'remove', 'ssm'], { env: cfg })).code).toBe(0);
    expect(JSON.parse(readFileSync(cfg.PAPERS_CONFIG, 'utf8')).topics).toEqual({});

    writeFileSync(cfg.PAPERS_CONFIG, '{ "topics": ');
    const broken = await runCli(['topics', 'add', 'y', 'z'], { env: cfg });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/config file .*topics\.json is not valid JSON/);
    expect(readFileSync(cfg.PAPERS_CONFIG, 'utf8')).toBe('{ "topics": ');
  });
});
