/** BibTeX export: read back by a real BibTeX parser, hostile text included; keys unique and stable. */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '@retorquere/bibtex-parser';
import { assignKeys, baseKey, bibEntry, keyStub, renderBibtex } from '../src/format/bibtex.js';
import { parseDailyPapersApi } from '../src/sources/hf/parse.js';
import { fixture } from './helpers/server.js';
import { storedPaper } from './helpers/papers.js';
const read = (text: string) => parse(text, { sentenceCase: false });

/** Text a title or name may hold that LaTeX or BibTeX would read as markup. */
const HOSTILE = [
  'Unbalanced { brace',
  'Closing } first {',
  '}}}} {{{{',
  'Back\\slash \\textbf{bold} \\',
  '100% of $x^2$ & #1 a_b ~tilde ^caret',
  '<tag> | pipe "quotes" @misc{inner, title = {x}}',
  'Ünïcödé Çelik 李明 — “quoted” ½',
  'Control \x1b[31mred\x1b[0m and \u202e reversed',
  'Comma, and AND and and',
];

/**
 * How BibTeX finds where an entry ends: it counts every brace, escaped or not. The entries
 * it sees must be exactly the ones written, each ending on its own closing line.
 */
function bibtexEntrySpans(text: string): string[] {
  const entries: string[] = [];
  let i = text.indexOf('@');
  while (i >= 0) {
    const open = text.indexOf('{', i);
    let depth = 0;
    let j = open;
    for (; j < text.length; j++) {
      if (text[j] === '{') depth++;
      else if (text[j] === '}' && --depth === 0) break;
    }
    entries.push(text.slice(i, j + 1));
    i = text.indexOf('@', j + 1);
  }
  return entries;
}

describe('bibtex entries', () => {
  it('hostile titles and names parse back to the same text, with no errors, one entry each', () => {
    const papers = HOSTILE.map((t, i) => storedPaper({ id: `2601.0000${i}`, title: t, authors: [t, 'Ada Lovelace'], publishedAt: '2026-01-02' }));
    const text = [...renderBibtex(papers)].join('');
    const bib = read(text);
    expect(bib.errors).toEqual([]);
    expect(bib.entries).toHaveLength(HOSTILE.length);
    const spans = bibtexEntrySpans(text);
    expect(spans).toHaveLength(HOSTILE.length);
    for (const span of spans) expect(span.endsWith('\n}')).toBe(true);
    for (const [i, e] of bib.entries.entries()) {
      const expected = HOSTILE[i]!.replace(/[\x00-\x1f\u202e]/g, '').replace(/\s+/g, ' ').trim();
      expect(e.fields.title).toBe(expected);
      expect(e.fields.author).toHaveLength(2); // the hostile name stays one name
      expect(e.fields.author![1]).toEqual({ firstName: 'Ada', lastName: 'Lovelace' });
    }
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\u202e]/);
  });

  it('has the fields of arXiv’s own BibTeX: eprint, archivePrefix, primaryClass, url, year, month', () => {
    const bib = read(bibEntry(storedPaper({ id: '2407.21783', title: 'The Llama 3 Herd of Models', authors: ['Abhimanyu Dubey', 'Abhinav Jauhri'], publishedAt: '2024-07-31', categories: ['cs.AI', 'cs.CL'], arxivUrl: 'https://arxiv.org/abs/2407.21783', url: 'https://huggingface.co/papers/2407.21783' }), 'dubey2024llama'));
    expect(bib.errors).toEqual([]);
    const e = bib.entries[0]!;
    expect(e.type).toBe('misc');
    expect(e.key).toBe('dubey2024llama');
    expect(e.fields).toMatchObject({ title: 'The Llama 3 Herd of Models', eprint: '2407.21783', archiveprefix: 'arXiv', primaryclass: 'cs.AI', url: 'https://arxiv.org/abs/2407.21783', year: '2024', month: '7' });
    expect(e.fields.author).toEqual([{ firstName: 'Abhimanyu', lastName: 'Dubey' }, { firstName: 'Abhinav', lastName: 'Jauhri' }]);
  });

  it('is an @article with the journal when a journal reference is known; DOIs stay verbatim', () => {
    const text = bibEntry(storedPaper({ id: '2601.00002', title: 'Published', authors: ['Ann Lee'], publishedAt: '2026-01-03', journalRef: 'Nature 1 (2026) 1-2 & more', doi: '10.1000/x_y%z{1}' }), 'lee2026published');
    const e = read(text).entries[0]!;
    expect(e.type).toBe('article');
    expect(e.fields.journal).toBe('Nature 1 (2026) 1-2 & more');
    expect(e.fields.doi).toBe('10.1000/x_y%25z%7B1%7D');
  });

  it('protects capitals that lower-casing styles would lose', () => {
    expect(bibEntry(storedPaper({ title: 'GPT-4o and LLaMA on 3D scenes' }), 'k')).toContain('title = {{GPT-4o} and {LLaMA} on {3D} scenes}');
  });

  it('gives a paper without authors a sort key, and no author field', () => {
    const text = bibEntry(storedPaper({ title: 'Known only by title', authorCount: 3 }), 'anonndknown');
    expect(text).toContain('key = {Known only by title}');
    expect(text).not.toContain('author');
  });
});

describe('citation keys', () => {
  const stub = (firstAuthor: string | null, title: string, date: string | null) => ({ ref: title, firstAuthor, title, date });
  const cases: [string | null, string, string | null, string][] = [
    ['Abhimanyu Dubey', 'The Llama 3 Herd of Models', '2024-07-31', 'dubey2024llama'],
    ['Ünal Çelik', 'Über Alles', '2025-01-01', 'celik2025uber'],
    ['Lovelace, Ada', 'On a Note', '1843-01-01', 'lovelace1843note'],
    ['John Smith Jr.', 'A Study', '2020-05-01', 'smith2020study'],
    ['Jörg Straße', 'Ærø: Łódź', '2021-01-01', 'strasse2021aero'],
    ['李 明', '大模型 Survey', '2024-01-01', 'anon2024survey'],
    [null, 'The Of And', null, 'anonndpaper'],
  ];
  for (const [author, title, date, key] of cases) it(`${author ?? '(none)'} · ${title} → ${key}`, () => expect(baseKey(stub(author, title, date))).toBe(key));

  it('are unique, and a paper keeps its key when later papers arrive or the export is filtered', () => {
    const older = [stub('Ann Lee', 'Same Thing', '2026-01-01'), stub('Bob Lee', 'Same Other', '2026-02-01'), stub('Cy Lee', 'Samea', '2026-03-01')];
    const p = (s: ReturnType<typeof stub>) => storedPaper({ title: s.title, authors: [s.firstAuthor!], publishedAt: s.date });
    const keyOf = assignKeys(older.map((s) => keyStub(p(s))));
    const keys = older.map((s) => keyOf(p(s)));
    // The third paper's own base key is the second's suffixed one: it must not take it.
    expect(keys).toEqual(['lee2026same', 'lee2026samea', 'lee2026sameaa']);
    const later = [...older, stub('Dee Lee', 'Same Again', '2026-04-01')];
    const keyOf2 = assignKeys(later.map((s) => keyStub(p(s))));
    expect(older.map((s) => keyOf2(p(s)))).toEqual(keys);
    expect(keyOf2(p(later[3]!))).toBe('lee2026sameb');
    // An export of only the second paper still calls it lee2026samea.
    expect([...renderBibtex([p(older[1]!)], keyOf2)].join('')).toMatch(/^@misc\{lee2026samea,/);
  });

  it('are unique in stream order when no whole-cache keys are given', () => {
    const text = [...renderBibtex(Array.from({ length: 30 }, () => storedPaper({ title: 'Same', authors: ['Ann Lee'], publishedAt: '2026-01-01' })))].join('');
    const keys = read(text).entries.map((e) => e.key);
    expect(new Set(keys).size).toBe(30);
    expect(keys.slice(0, 3)).toEqual(['lee2026same', 'lee2026samea', 'lee2026sameb']);
    expect(keys[27]).toBe('lee2026sameaa');
  });
});

// BibTeX itself and biber, when this machine has them (apt install texlive-binaries biber):
// the file must go through both with no error and no warning.
const has = (cmd: string) => spawnSync(cmd, ['--version'], { encoding: 'utf8' }).status === 0;
const bibTools = has('bibtex') && has('biber');
if (!bibTools) console.warn('skipped: "bibtex and biber read the export" needs bibtex and biber on PATH (apt install texlive-binaries biber)');
describe.skipIf(!bibTools)('bibtex and biber read the export', () => {
  it('with no error and no warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'papers-bib-'));
    try {
      const listing = parseDailyPapersApi(fixture('hf/api-daily-papers-2024-08-01.derived.json'));
      const papers = [
        ...listing.papers.map((p) => storedPaper(p)),
        ...HOSTILE.map((t, i) => storedPaper({ id: `2601.0000${i}`, title: t, authors: [t, 'Ada Lovelace'], publishedAt: '2026-01-02', journalRef: i % 2 ? `J. ${t}` : null })),
        storedPaper({ title: 'No authors, no id', dailyDate: '2026-01-05' }),
      ];
      writeFileSync(join(dir, 'x.bib'), [...renderBibtex(papers)].join(''));
      writeFileSync(join(dir, 'x.aux'), '\\citation{*}\n\\bibstyle{plain}\n\\bibdata{x}\n');
      const bibtex = spawnSync('bibtex', ['x'], { cwd: dir, encoding: 'utf8' });
      expect(bibtex.stdout).not.toMatch(/error|warning/i);
      expect(bibtex.status).toBe(0);
      expect(readFileSync(join(dir, 'x.bbl'), 'utf8').match(/\\bibitem/g)).toHaveLength(papers.length);
      const biber = spawnSync('biber', ['--tool', '--validate-datamodel', '--quiet', 'x.bib'], { cwd: dir, encoding: 'utf8' });
      expect(biber.stdout + biber.stderr).not.toMatch(/WARN|ERROR/);
      expect(biber.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
