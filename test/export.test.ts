/** papers export: every format read back by a real parser, one entry per paper, hostile text escaped. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { parse as parseBibtex } from '@retorquere/bibtex-parser';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Store } from '../src/store.js';
import { emptyPaper } from '../src/record.js';
import { parseDailyPapersApi } from '../src/sources/hf/parse.js';
import { runCli, tempDir } from './helpers/cli.js';
import { fixture } from './helpers/server.js';

const tmp = tempDir();
const env = { PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config };
const HOSTILE = 'Braces {unbalanced and } $math$ 100% #1 a_b ~x ^y \\cmd & <tag> "q" \x1b[31m\u202e';
const N = 16;

beforeAll(() => {
  const store = Store.open(tmp.db);
  const listing = parseDailyPapersApi(fixture('hf/api-daily-papers-2024-08-01.derived.json'));
  store.saveList('hf', listing.date!, listing.papers);
  store.upsertPapers([
    { ...emptyPaper(HOSTILE, 'import'), id: '2601.00001', authors: ['Zoë {Brace', 'O’Neil, Jr.'], publishedAt: '2026-01-02', summary: HOSTILE },
    { ...emptyPaper('Same Key Twice', 'hf'), id: '2601.00002', authors: ['Ann Lee'], publishedAt: '2026-01-03', journalRef: 'Nature 1 (2026) 1-2', categories: ['cs.LG'] },
    { ...emptyPaper('Same Key Again', 'hf'), id: '2601.00003', authors: ['Bob Lee'], publishedAt: '2026-01-04' },
  ]);
  store.close();
});
afterAll(() => tmp.cleanup());

const exportOf = async (...args: string[]) => {
  const r = await runCli(['export', ...args], { env });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

describe('papers export', () => {
  it('bibtex parses without errors: one entry per paper, unique stable keys, the right fields', async () => {
    const text = await exportOf('--format', 'bibtex');
    const bib = parseBibtex(text);
    expect(bib.errors).toEqual([]);
    expect(bib.entries).toHaveLength(N);
    expect(new Set(bib.entries.map((e) => e.key)).size).toBe(N);
    const llama = bib.entries.find((e) => e.fields.eprint === '2407.21783')!;
    expect(llama.key).toBe('dubey2024llama');
    expect(llama.type).toBe('misc');
    expect(llama.fields.archiveprefix ?? llama.fields.archivePrefix).toBe('arXiv');
    expect(llama.fields.url).toBe('https://arxiv.org/abs/2407.21783');
    expect(llama.fields.author).toHaveLength(533);
    const journal = bib.entries.find((e) => e.fields.eprint === '2601.00002')!;
    expect(journal.type).toBe('article');
    expect(journal.fields.primaryclass ?? journal.fields.primaryClass).toBe('cs.LG');
    const hostile = bib.entries.find((e) => e.fields.eprint === '2601.00001')!;
    expect(hostile.fields.title).toContain('Braces {unbalanced and } $math$ 100% #1 a_b');
    expect(text).not.toContain('\x1b');
    expect(await exportOf('--format', 'bibtex')).toBe(text); // stable
  });

  it('atom is a well-formed Atom 1.0 feed with one complete entry per paper', async () => {
    const text = await exportOf('--format', 'atom', '--topic', 'speech');
    expect(XMLValidator.validate(text)).toBe(true);
    const all = await exportOf('--format', 'atom');
    expect(XMLValidator.validate(all)).toBe(true);
    const feed = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['entry', 'author', 'link', 'category'].includes(name) }).parse(all).feed;
    expect(feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed.id && feed.title && feed.updated).toBeTruthy();
    expect(feed.entry).toHaveLength(N);
    for (const e of feed.entry) {
      expect(e.id).toMatch(/^(https:\/\/arxiv\.org\/abs\/|urn:)/);
      expect(e.title['#text'] ?? e.title).toBeTruthy();
      expect(Date.parse(e.updated)).not.toBeNaN();
      expect(e.link.length).toBeGreaterThan(0);
      expect(e.author.length).toBeGreaterThan(0);
    }
    expect(all).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
  });

  it('csv and jsonl read back to the same records as json', async () => {
    const json = JSON.parse(await exportOf('--format', 'json')) as Record<string, unknown>[];
    expect(json).toHaveLength(N);
    const jsonl = (await exportOf('--format', 'jsonl')).trim().split('\n').map((l) => JSON.parse(l));
    expect(jsonl).toEqual(json);
    const csv = await exportOf('--format', 'csv');
    expect(csv.split('\r\n').filter(Boolean).length).toBeGreaterThanOrEqual(N + 1);
  });

  it('md is a digest grouped by day, or by topic', async () => {
    const byDay = await exportOf('--format', 'md');
    expect(byDay).toMatch(/^## 2026-01-04\n/);
    expect(byDay).toContain('## 2024-08-01');
    expect(byDay).toContain('- [The Llama 3 Herd of Models](https://huggingface.co/papers/2407.21783) — ▲ 94 · Abhimanyu Dubey et al.');
    const byTopic = await exportOf('--format', 'md', '--group', 'topic', '--topic', 'speech', '--topic', 'agents');
    expect(byTopic.indexOf('## speech')).toBeLessThan(byTopic.indexOf('## agents'));
    expect(byTopic).not.toContain('\x1b');
  });

  it('--output writes atomically, and a failure leaves the target as it was', async () => {
    const out = `${tmp.dir}/papers.bib`;
    writeFileSync(out, 'old');
    expect((await runCli(['export', '--format', 'bibtex', '-o', out], { env })).code).toBe(0);
    expect(parseBibtex(readFileSync(out, 'utf8')).entries).toHaveLength(N);
    const bad = await runCli(['export', '-o', `${tmp.dir}/missing/dir/x.json`], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^papers: cannot write .*x\.json/);
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(`${tmp.dir}/missing`)).toBe(false);
  });

  it('filters like list; table is not an export format', async () => {
    expect(JSON.parse(await exportOf('--json', '-q', 'title:llama'))).toHaveLength(1);
    const r = await runCli(['export', '--format', 'table'], { env });
    expect(r.code).toBe(2);
  });
});
