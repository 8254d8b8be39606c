/** Atom export: well-formed XML that keeps the rules of RFC 4287, hostile text included. */
import { describe, it, expect } from 'vitest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { entryId, renderAtom } from '../src/format/atom.js';
import { emptyPaper, type Paper } from '../src/record.js';
import { parseDailyPapersApi } from '../src/sources/hf/parse.js';
import { fixture } from './helpers/server.js';

const paper = (over: Partial<Paper>): Paper => ({ ...emptyPaper('A Paper', 'hf'), firstSeenAt: '2026-01-01T08:00:00.000Z', lastSeenAt: '2026-01-02T09:30:00.000Z', ...over });

const HOSTILE = 'Tags <b>bold</b> & "quotes" \'apos\' ]]> <![CDATA[ x ]]> \x00\x01\x08\x0b\x0c\x1b[31m \ud800 lone \uffff end 李明 😀';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function feedOf(papers: Paper[]) {
  const text = [...renderAtom(papers, { id: 'urn:papers:export:test', title: 'papers & <friends>', updated: '2026-01-02T09:30:00.000Z', self: 'file:///tmp/feed.xml' })].join('');
  expect(XMLValidator.validate(text)).toBe(true);
  const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (name) => ['entry', 'author', 'link', 'category'].includes(name) });
  return { text, feed: parser.parse(text).feed };
}

const textOf = (v: unknown) => (typeof v === 'object' && v !== null ? (v as Record<string, string>)['#text'] : v) as string;

describe('atom feed', () => {
  const listing = parseDailyPapersApi(fixture('hf/api-daily-papers-2024-08-01.derived.json'));
  const withKeywords = parseDailyPapersApi(fixture('hf/api-daily-papers-2026-03-06.one-item.json'));
  const papers = [
    ...listing.papers.map((p) => paper(p)),
    ...withKeywords.papers.map((p) => paper({ ...p, categories: ['cs.CL'] })),
    paper({ id: '2601.00001', title: HOSTILE, summary: HOSTILE, authors: [HOSTILE, 'Ada <Lovelace>'], categories: ['cs.LG', '"quoted" & <cat>'], publishedAt: '2026-01-01' }),
    paper({ title: 'Known only by its title: copied text', authorCount: 4, dailyDate: '2026-01-05' }),
  ];

  it('is well-formed, with the feed elements RFC 4287 requires', () => {
    const { feed } = feedOf(papers);
    expect(feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed.id).toBe('urn:papers:export:test');
    expect(textOf(feed.title)).toBe('papers & <friends>');
    expect(feed.updated).toMatch(RFC3339);
    expect(feed.link.find((l: Record<string, string>) => l['@_rel'] === 'self')['@_href']).toBe('file:///tmp/feed.xml');
    expect(feed.author[0].name).toBe('papers');
  });

  it('has one complete entry per paper: id, title, updated, published, links, authors, summary', () => {
    const { feed } = feedOf(papers);
    expect(feed.entry).toHaveLength(papers.length);
    const ids = feed.entry.map((e: { id: string }) => e.id);
    expect(new Set(ids).size).toBe(papers.length);
    feed.entry.forEach((e: Record<string, unknown>, i: number) => {
      const p = papers[i]!;
      expect(e.id).toBe(entryId(p));
      expect(textOf(e.title)).toBeTruthy();
      expect(e.updated).toMatch(RFC3339);
      expect(e.published).toMatch(RFC3339);
      const links = e.link as Record<string, string>[];
      expect(links.filter((l) => l['@_rel'] === 'alternate')).toHaveLength(1);
      if (p.pdfUrl) expect(links.find((l) => l['@_type'] === 'application/pdf')?.['@_href']).toBe(p.pdfUrl);
      expect(((e.author as { name: string }[] | undefined) ?? []).map((a) => a.name)).toEqual(p.authors.map((a) => a.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ud800\uffff]/gu, '')));
    });
    const llama = feed.entry.find((e: { id: string }) => e.id === 'https://arxiv.org/abs/2407.21783');
    expect(llama.link.find((l: Record<string, string>) => l['@_rel'] === 'alternate')['@_href']).toBe('https://huggingface.co/papers/2407.21783');
    expect(textOf(llama.summary)).toMatch(/^\S/);
  });

  it('files each paper under its arXiv categories and its HF keywords', () => {
    const { feed } = feedOf(papers);
    feed.entry.forEach((e: { category?: Record<string, string>[] }, i: number) => {
      const p = papers[i]!;
      expect((e.category ?? []).map((c) => c['@_term'])).toEqual([...p.categories, ...p.keywords]);
    });
    expect(papers.some((p) => p.keywords.length > 0)).toBe(true);
  });

  it('summarises with the AI summary when there is one, the abstract then being the content', () => {
    const { feed } = feedOf(papers);
    const i = papers.findIndex((p) => p.aiSummary && p.summary);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(textOf(feed.entry[i].summary)).toBe(papers[i]!.aiSummary);
    expect(textOf(feed.entry[i].content)).toBe(papers[i]!.summary);
    const plain = papers.findIndex((p) => !p.aiSummary && p.summary);
    expect(textOf(feed.entry[plain].summary)).toBe(papers[plain]!.summary);
    expect(feed.entry[plain].content).toBeUndefined();
  });

  it('keeps hostile text as text: escaped, with the characters XML 1.0 forbids dropped', () => {
    const { text, feed } = feedOf(papers);
    expect(text).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\uffff]/);
    const hostile = feed.entry.find((e: { id: string }) => e.id === 'https://arxiv.org/abs/2601.00001');
    const expected = HOSTILE.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ud800\uffff]/gu, '');
    expect(textOf(hostile.title)).toBe(expected);
    expect(textOf(hostile.summary)).toBe(expected);
    expect(hostile.author.map((a: { name: string }) => a.name)).toEqual([expected, 'Ada <Lovelace>']);
    expect(hostile.category.map((c: Record<string, string>) => c['@_term'])).toEqual(['cs.LG', '"quoted" & <cat>']);
  });

  it('gives a paper without an id a stable URN and a link to find it', () => {
    const { feed } = feedOf(papers);
    const e = feed.entry[papers.length - 1];
    expect(e.id).toBe('urn:papers:title:known-only-by-its-title-copied-text');
    expect(e.link[0]['@_href']).toBe('https://huggingface.co/papers?q=Known%20only%20by%20its%20title%3A%20copied%20text');
    expect(e.published).toBe('2026-01-05T00:00:00Z');
    expect(e.author).toBeUndefined(); // the feed's author stands for it
  });

  it('is a feed with no entries when nothing matches', () => {
    const { feed } = feedOf([]);
    expect(feed.entry).toBeUndefined();
    expect(feed.id).toBeTruthy();
  });
});
