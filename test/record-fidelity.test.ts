import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/store/index.js';
import { monthOfArxivId, type ParsedPaper } from '../src/record.js';
import { compileQuery, parseQuery } from '../src/query.js';
import { renderCsv, renderJson, renderJsonl } from '../src/format/records.js';
import { renderDigestByDay } from '../src/format/markdown.js';
import { bibEntry } from '../src/format/bibtex.js';
import { atomEntry } from '../src/format/atom.js';
import { parsedPaper, storedPaper } from './helpers/papers.js';

const paper = (id: string, title: string, summary: string): ParsedPaper => parsedPaper({ id, title, summary }, 'arxiv');

describe('prefix queries match the words that begin with what was typed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'papers-prefix-'));
  const store = Store.open(join(dir, 'papers.db'));
  store.upsertPapers([
    paper('2501.00001', 'Detecting Hallucination in Captions', 'We study captions.'),
    paper('2501.00002', 'Fewer Hallucinations', 'Large models.'),
    paper('2501.00003', 'Models Hallucinating Facts', 'Retrieval helps.'),
    paper('2501.00004', 'Hallucinogens and Perception', 'A study of hallucinogens.'),
    paper('2501.00005', 'An Optimizer for Transformers', 'Adaptive steps.'),
    paper('2501.00006', 'Optimal Transport', 'Costs.'),
    paper('2501.00007', 'Kernel Methods', 'Nothing of the sort.'),
  ]);
  const ids = (q: string) => [...store.query({ ...compileQuery(parseQuery(q)), sort: 'title' })].map((p) => p.id).sort();

  it('hallucinat* finds hallucination, hallucinations, hallucinating, and not hallucinogens', () => {
    expect(ids('hallucinat*')).toEqual(['2501.00001', '2501.00002', '2501.00003']);
    expect(ids('hallucin*')).toEqual(['2501.00001', '2501.00002', '2501.00003', '2501.00004']);
  });

  it('optim* keeps finding optimizer and optimal; prefixes combine with words, fields and NOT', () => {
    expect(ids('optim*')).toEqual(['2501.00005', '2501.00006']);
    expect(ids('title:hallucinat*')).toEqual(['2501.00001', '2501.00002', '2501.00003']);
    expect(ids('abstract:hallucin*')).toEqual(['2501.00004']);
    expect(ids('hallucinat* -captions')).toEqual(['2501.00002', '2501.00003']);
    expect(ids('hallucinat* OR kernel')).toEqual(['2501.00001', '2501.00002', '2501.00003', '2501.00007']);
    expect(ids('zzz*')).toEqual([]);
    expect(store.countMatching(compileQuery(parseQuery('hallucinat*')))).toBe(3);
  });

  it('words stored later are found too', () => {
    store.upsertPapers([paper('2501.00008', 'Hallucinatory Agents', 'New.')]);
    expect(ids('hallucinat*')).toEqual(['2501.00001', '2501.00002', '2501.00003', '2501.00008']);
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('dates from a new-style arXiv id when no date is known', () => {
  it('2302.01234 is February 2023, in BibTeX, Atom and the Markdown digest', () => {
    expect(monthOfArxivId('2302.01234')).toBe('2023-02');
    expect(monthOfArxivId('astro-ph/0601001')).toBe('2006-01');
    expect(monthOfArxivId('2313.01234')).toBeNull();
    const p = storedPaper({ id: '2302.01234', title: 'Undated', authors: ['Ann Lee'] });
    const bib = bibEntry(p, 'lee2023undated');
    expect(bib).toContain('year = {2023}');
    expect(bib).toContain('month = feb');
    expect(atomEntry(p)).toContain('<published>2023-02-01T00:00:00Z</published>');
    expect([...renderDigestByDay([p])].join('')).toContain('## 2023-02\n');
    // A known date still wins.
    expect(bibEntry({ ...p, publishedAt: '2023-03-05' }, 'k')).toContain('month = mar');
  });
});

describe('text a person may cat is clean; JSON keeps it exact', () => {
  const hostile = 'Red\u001b[31m alert\u0007 and \u009b2J gone\u0000';
  const p = storedPaper({ id: '2501.00009', title: hostile, summary: `line\u001b]8;;http://x\u0007link`, authors: ['Eve\u001b[2J'], keywords: ['k\u0007w'] });

  it('CSV carries no C0 or C1 control character', () => {
    const csv = [...renderCsv([p])].join('');
    // Line breaks and tabs are text a cell may hold; every other control is gone.
    expect(csv).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/);
    expect(csv).toContain('Red[31m alert and 2J gone');
  });

  it('Markdown carries none either', () => {
    expect([...renderDigestByDay([p])].join('').replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('JSON and JSONL keep the text exact, with every new field', () => {
    const json = JSON.parse([...renderJson([p])].join('')) as Paper[];
    expect(json[0]!.title).toBe(hostile);
    expect(JSON.parse([...renderJsonl([p])].join('')).authors).toEqual(['Eve\u001b[2J']);
    expect(Object.keys(json[0]!)).toEqual(expect.arrayContaining(['announcedAt', 'updatedAt', 'arxivAnnounce', 'versions']));
  });

  it('CSV shows versions as v<N> <date>', () => {
    const csv = [...renderCsv([storedPaper({ versions: [{ version: 1, date: '2024-10-23' }, { version: 3, date: '2024-11-02' }] })])].join('');
    expect(csv).toContain('v1 2024-10-23; v3 2024-11-02');
  });
});
