/** The digest's Markdown, Atom and JSON forms, and the helpers the HTML page is built from. */
import { describe, expect, it } from 'vitest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { abstractLead, authorsLabel, renderDigestAtom, renderDigestJson, renderDigestMarkdown, type Digest } from '../src/format/digest.js';
import { escapeHtml, renderDigestHtml, safeHttpUrl } from '../src/format/html.js';
import { emptyPaper, RECORD_FIELDS, type Paper } from '../src/record.js';
import { parseDailyPapersApi } from '../src/sources/hf/parse.js';
import { fixture } from './helpers/server.js';

const stamp = { firstSeenAt: '2026-12-01T08:00:00.000Z', lastSeenAt: '2026-12-01T08:00:00.000Z' };
const real = parseDailyPapersApi(fixture('hf/api-daily-papers-2024-08-01.derived.json')).papers.map((p): Paper => ({ ...p, ...stamp }));
const hostile: Paper = { ...emptyPaper('[x](javascript:alert(1)) <script>alert(1)</script> *bold*', 'hf'), ...stamp, id: '2601.00001', authors: ['A <b>'] };

const digest: Digest = {
  title: 'Digest & <more>',
  generatedAt: '2026-12-01T20:00:00.000Z',
  groups: [
    { watch: { name: 'first', query: 'video' }, papers: real.slice(0, 3) },
    { watch: { name: 'second <w>', query: 'cat:cs.CL "x"' }, papers: [real[2]!, real[3]!, hostile] },
    { watch: { name: 'empty', query: 'nothing' }, papers: [] },
  ],
};

const text = (g: Iterable<string>) => [...g].join('');

describe('digest formats', () => {
  it('Markdown: a heading, then one section per watch with papers, hostile text escaped', () => {
    const md = text(renderDigestMarkdown(digest));
    expect(md.startsWith('# Digest & \\<more\\>\n\n6 papers · 2026-12-01T20:00:00.000Z\n\n## first (video)\n\n')).toBe(true);
    expect(md).toContain('\n## second \\<w\\> (cat:cs.CL "x")\n\n');
    expect(md).not.toContain('## empty');
    expect(md.match(/^- /gm)).toHaveLength(6);
    expect(md).toContain(`- [${real[0]!.title.replace(/([\\`*_[\]<>|#$~])/g, '\\$1')}](https://huggingface.co/papers/${real[0]!.id})`);
    expect(md).toContain('\\[x\\](javascript:alert(1)) \\<script\\>alert(1)\\</script\\> \\*bold\\*');
    expect(md).not.toContain('<script>');
  });

  it('Atom: valid XML, each paper once, a category for every watch that matched it', () => {
    const xml = text(renderDigestAtom(digest));
    expect(XMLValidator.validate(xml)).toBe(true);
    const feed = new XMLParser({ ignoreAttributes: false, isArray: (n) => ['entry', 'category', 'link', 'author'].includes(n) }).parse(xml).feed;
    expect(feed.id).toBe('urn:papers:digest:empty,first,second%20%3Cw%3E');
    expect(feed.updated).toBe('2026-12-01T20:00:00.000Z');
    const ids = feed.entry.map((e: { id: string }) => e.id);
    expect(ids).toEqual([...real.slice(0, 4), hostile].map((p) => `https://arxiv.org/abs/${p.id}`));
    const watches = feed.entry.map((e: { category?: Record<string, string>[] }) => (e.category ?? []).filter((c) => c['@_scheme'] === 'urn:papers:watch').map((c) => c['@_term']));
    expect(watches).toEqual([['first'], ['first'], ['first', 'second <w>'], ['second <w>'], ['second <w>']]);
  });

  it('JSON: one object, watches in order, each paper the contract record', () => {
    const json = JSON.parse(text(renderDigestJson(digest)));
    expect(Object.keys(json)).toEqual(['title', 'generatedAt', 'watches']);
    expect(json.watches.map((w: { name: string; query: string; papers: unknown[] }) => [w.name, w.query, w.papers.length])).toEqual([
      ['first', 'video', 3],
      ['second <w>', 'cat:cs.CL "x"', 3],
      ['empty', 'nothing', 0],
    ]);
    for (const w of json.watches) for (const p of w.papers) expect(Object.keys(p)).toEqual([...RECORD_FIELDS]);
    expect(json.watches[1].papers[2].title).toBe(hostile.title);
    expect(JSON.parse(text(renderDigestJson({ ...digest, groups: [] })))).toEqual({ title: digest.title, generatedAt: digest.generatedAt, watches: [] });
  });

  it('HTML: escapes text and drops controls; no script element in the source', () => {
    expect(escapeHtml(`<a href="x">'&'</a>\u0000\u001b[31m\ud800`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;[31m');
    const html = renderDigestHtml(digest);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.match(/<div class="paper"/g)).toHaveLength(6);
  });

  it('only absolute http(s) URLs are links', () => {
    expect(safeHttpUrl('https://github.com/a/b')).toBe('https://github.com/a/b');
    expect(safeHttpUrl(' HTTP://Example.org/x y')).toBe('http://example.org/x%20y');
    for (const bad of ['javascript:alert(1)', ' JaVaScRiPt:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>', 'vbscript:x', '//evil.example/x', '/papers/1', 'https://', 'http:/x', 'file:///etc/passwd', '', null, undefined]) {
      expect(safeHttpUrl(bad)).toBeNull();
    }
  });

  it('authors: up to six named, the rest counted; a count alone when no names', () => {
    const p = (authors: string[], authorCount: number | null = authors.length): Paper => ({ ...emptyPaper('t', 'hf'), ...stamp, authors, authorCount });
    expect(authorsLabel(p([]))).toBeNull();
    expect(authorsLabel(p([], 1))).toBe('1 author');
    expect(authorsLabel(p([], 12))).toBe('12 authors');
    expect(authorsLabel(p(['Ada']))).toBe('Ada');
    expect(authorsLabel(p(['Ada', 'Bo']))).toBe('Ada and Bo');
    expect(authorsLabel(p(['A', 'B', 'C', 'D', 'E', 'F']))).toBe('A, B, C, D, E and F');
    expect(authorsLabel(p(['A', 'B', 'C', 'D', 'E', 'F', 'G']))).toBe('A, B, C, D, E, F and 1 more');
    // Copied text may know the count beyond the names it kept.
    expect(authorsLabel(p(['A', 'B'], 40))).toBe('A, B and 38 more');
  });

  it('the abstract\'s first lines: whole sentences within the limit, else a cut at a word', () => {
    expect(abstractLead(null)).toBeNull();
    expect(abstractLead('  Short   one. ')).toBe('Short one.');
    const s = 'We study e.g. the first thing in detail here. Then a second sentence follows it. ' + 'And more words follow here. '.repeat(20);
    expect(abstractLead(s, 100)).toBe('We study e.g. the first thing in detail here. Then a second sentence follows it.');
    const long = 'word '.repeat(100).trim();
    const cut = abstractLead(long, 50)!;
    expect(cut).toBe('word '.repeat(9).trim() + '…');
    for (const p of real) {
      const lead = abstractLead(p.summary)!;
      expect(lead.length).toBeLessThanOrEqual(300);
      expect(p.summary!.startsWith(lead.replace(/…$/, ''))).toBe(true);
    }
  });
});
