import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { paperFromHfItem, parseDailyPapersApi, parseHfHydration, parseHfPage } from '../src/sources/hf/parse.js';
import { ParseError } from '../src/errors.js';
import { PAPER_FIELDS, type Listing, type ParsedPaper } from '../src/record.js';
import { decodeEntities } from '../src/text.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'hf');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

const DAILY_2024 = fixture('daily-2024-08-01.html');
const PAPER_PAGE = fixture('paper-2509.24002.prettified.html');
const API_2026 = fixture('api-daily-papers-2026-03-06.one-item.json');

// A parsed paper also says what kind of source it came from (the store's merge uses it).
const PARSED_KEYS = [...PAPER_FIELDS.filter((k) => k !== 'firstSeenAt' && k !== 'lastSeenAt'), 'origin'];

/** Every one of the 20 fields present, none undefined, lists are lists. */
function expectFullRecord(p: ParsedPaper): void {
  expect(Object.keys(p).sort()).toEqual([...PARSED_KEYS].sort());
  expect(PARSED_KEYS).toHaveLength(25);
  for (const k of PARSED_KEYS) {
    expect(p[k], `field ${k}`).not.toBeUndefined();
  }
  for (const k of ['authors', 'keywords', 'categories', 'sources'] as const) {
    expect(Array.isArray(p[k]), `field ${k} is a list`).toBe(true);
  }
  expect(typeof p.title).toBe('string');
  expect(p.title).not.toMatch(/\s{2}|\n/);
  if (p.id !== null) expect(typeof p.id).toBe('string');
}

function expectFullListing(l: Listing): void {
  for (const p of l.papers) expectFullRecord(p);
}

/** What a card can say, to compare the cards fallback with the hydration data. */
const cardView = (p: ParsedPaper) => ({
  id: p.id, title: p.title, upvotes: p.upvotes, comments: p.comments, authorCount: p.authorCount,
  url: p.url, arxivUrl: p.arxivUrl, pdfUrl: p.pdfUrl, dailyDate: p.dailyDate,
});

const HYDRATER_OPEN = /<div class="SVELTE_HYDRATER contents" data-target="DailyPapers" (data-props="[^"]*")>/;

/** The 2024 page without its DailyPapers hydration attributes (the cards stay). */
const withoutHydration = (html: string): string => html.replace(HYDRATER_OPEN, '<div class="contents">');
const withoutArticles = (html: string): string => html.replace(/<article\b[\s\S]*?<\/article>/g, '');

const EXPECTED_IDS_2024 = [
  '2407.21783', '2407.21705', '2407.21770', '2407.21646', '2407.21772', '2407.21630', '2407.21721',
  '2407.21530', '2407.20229', '2407.21781', '2407.21686', '2407.21475', '2404.01300',
];

describe('parseHfPage: the 2024 daily page (hydration)', () => {
  it('gives the 13 papers in listing order with string ids', async () => {
    const l = await parseHfPage(DAILY_2024);
    expect(l.format).toBe('hf-page');
    expect(l.date).toBe('2024-08-01');
    expect(l.papers.map((p) => p.id)).toEqual(EXPECTED_IDS_2024);
    expectFullListing(l);
    for (const p of l.papers) {
      expect(typeof p.id).toBe('string');
      expect(p.dailyDate).toBe('2024-08-01');
      expect(p.sources).toEqual(['hf']);
      expect(p.categories).toEqual([]);
    }
  });

  it('reads the Llama 3 paper in full', async () => {
    const l = await parseHfPage(DAILY_2024);
    const p = l.papers[0]!;
    expect(p.title).toBe('The Llama 3 Herd of Models');
    expect(p.authors).toHaveLength(533);
    expect(p.authorCount).toBe(533);
    expect(p.authors[0]).toBe('Abhimanyu Dubey');
    expect(p.authors[1]).toBe('Abhinav Jauhri');
    expect(p.upvotes).toBe(94);
    expect(p.comments).toBe(5);
    expect(p.publishedAt).toBe('2024-07-31');
    expect(p.dailyDate).toBe('2024-08-01');
    expect(p.url).toBe('https://huggingface.co/papers/2407.21783');
    expect(p.arxivUrl).toBe('https://arxiv.org/abs/2407.21783');
    expect(p.pdfUrl).toBe('https://arxiv.org/pdf/2407.21783');
    expect(p.summary).toMatch(/^Modern artificial intelligence \(AI\) systems are powered by foundation models\. This paper presents/);
    expect(p.summary).not.toContain('\n');
    // 2024 items have none of the later fields.
    expect(p.keywords).toEqual([]);
    expect(p.aiSummary).toBeNull();
    expect(p.githubRepo).toBeNull();
    expect(p.projectPage).toBeNull();
    expect(p.githubStars).toBeNull();
    expect(p.organization).toBeNull();
  });

  it('takes the clean item title, not the hard-wrapped paper title', async () => {
    const l = await parseHfPage(DAILY_2024);
    const moma = l.papers.find((p) => p.id === '2407.21770')!;
    expect(moma.title).toBe('MoMa: Efficient Early-Fusion Pre-training with Mixture of Modality-Aware Experts');
    const nerf = l.papers.find((p) => p.id === '2404.01300')!;
    expect(nerf.title).toBe('NeRF-MAE: Masked AutoEncoders for Self-Supervised 3D Representation Learning for Neural Radiance Fields');
    expect(nerf.publishedAt).toBe('2024-04-01');
  });

  it('keeps hidden authors, in their place', async () => {
    const l = await parseHfPage(DAILY_2024);
    const p = l.papers.find((x) => x.id === '2407.21781')!;
    expect(p.authors).toEqual(['Qiayuan Liao', 'Bike Zhang', 'Xuanyu Huang', 'Xiaoyu Huang', 'Zhongyu Li', 'Koushil Sreenath']);
    expect(p.authorCount).toBe(6);
  });

  it('is found synchronously by parseHfHydration', () => {
    const l = parseHfHydration(DAILY_2024);
    expect(l).not.toBeNull();
    expect(l!.papers).toHaveLength(13);
  });

  it('does not depend on attribute order or quoting', async () => {
    const base = await parseHfPage(DAILY_2024);
    const swapped = DAILY_2024.replace(HYDRATER_OPEN, '<div $1 class="SVELTE_HYDRATER contents" data-target="DailyPapers">');
    expect(swapped).not.toBe(DAILY_2024);
    expect(await parseHfPage(swapped)).toEqual(base);

    // Single-quoted raw JSON (what an HTML prettifier writes), target unquoted, upper-case name.
    const m = HYDRATER_OPEN.exec(DAILY_2024)!;
    const json = decodeEntities(/^data-props="([^"]*)"$/.exec(m[1]!)![1]!);
    const single = `<DIV data-props='${json.replace(/&/g, '&amp;').replace(/'/g, '&#39;')}'\n  DATA-TARGET=DailyPapers class=contents>`;
    const requoted = DAILY_2024.replace(HYDRATER_OPEN, () => single);
    expect(requoted).not.toBe(DAILY_2024);
    expect(await parseHfPage(requoted)).toEqual(base);
  });

  it('does not take a DailyPapersBannerSubscribe or a string in a script for the data', async () => {
    const html = '<html><body><script>var s = \'<div data-target="DailyPapers" data-props="{}">\';</script>'
      + '<div data-target="DailyPapersBannerSubscribe" data-props="{&quot;dailyPapers&quot;:[]}"></div>'
      + '<!-- <div data-target="DailyPapers" data-props="{}"> --></body></html>';
    expect(parseHfHydration(html)).toBeNull();
    await expect(parseHfPage(html)).rejects.toThrow(ParseError);
  });

  it('reads the cards when the hydration JSON does not parse (truncated page), and fails without them', async () => {
    const broken = DAILY_2024.replace(HYDRATER_OPEN, (_all, props: string) =>
      `<div class="SVELTE_HYDRATER contents" data-target="DailyPapers" ${props.slice(0, 5000)}">`);
    expect(() => parseHfHydration(broken)).toThrow(ParseError);
    expect((await parseHfPage(broken)).format).toBe('hf-page-cards');
    await expect(parseHfPage(withoutArticles(broken))).rejects.toThrow(/DailyPapers data is not valid JSON/);
  });

  it('fails loudly on an item without an id', () => {
    const html = `<div data-target="DailyPapers" data-props="${JSON.stringify({
      date: '2024-08-01T00:00:00.000Z', dailyPapers: [{ paper: { title: 'No id' }, title: 'No id' }],
    }).replace(/"/g, '&quot;')}"></div>`;
    expect(() => parseHfHydration(html)).toThrow(/item 1: .*no arXiv id/);
  });

  it('an empty day is an empty listing with its date', async () => {
    const html = `<div data-target="DailyPapers" data-props="${JSON.stringify({ date: '2024-08-03T00:00:00.000Z', dailyPapers: [] }).replace(/"/g, '&quot;')}"></div>`;
    expect(await parseHfPage(html)).toEqual({ papers: [], date: '2024-08-03', format: 'hf-page' });
  });

  it('recognises a search page (inferred shape)', async () => {
    const props = {
      query: 'llama', searchResults: [{
        paper: { id: '2407.21783', title: 'The Llama 3 Herd of\n  Models', authors: [{ name: 'A' }], publishedAt: '2024-07-31T17:54:27.000Z', upvotes: 94 },
        title: 'The Llama 3 Herd of Models', publishedAt: '2024-08-01T01:21:47.935Z', numComments: 5,
      }],
    };
    const html = `<div data-props="${JSON.stringify(props).replace(/&/g, '&amp;').replace(/"/g, '&quot;')}" data-target="DailyPapers"></div>`;
    const l = await parseHfPage(html);
    expect(l.format).toBe('hf-search-page');
    expect(l.date).toBeNull();
    // A search is no daily list: its papers get no dailyDate.
    expect(l.papers.map((p) => [p.id, p.title, p.upvotes, p.comments, p.dailyDate, p.origin])).toEqual([
      ['2407.21783', 'The Llama 3 Herd of Models', 94, 5, null, 'hf-search'],
    ]);
  });
});

describe('parseHfPage: the cards fallback', () => {
  it('gives the same ids, titles, upvotes, comments and author counts as the hydration', async () => {
    const html = withoutHydration(DAILY_2024);
    expect(html).not.toContain('data-target="DailyPapers"');
    expect(parseHfHydration(html)).toBeNull();
    const cards = await parseHfPage(html);
    const full = await parseHfPage(DAILY_2024);
    expect(cards.format).toBe('hf-page-cards');
    expect(cards.date).toBe('2024-08-01');
    expectFullListing(cards);
    expect(cards.papers.map(cardView)).toEqual(full.papers.map(cardView));
    expect(cards.papers[0]!.authorCount).toBe(533);
    for (const p of cards.papers) {
      expect(p.authors).toEqual([]); // the avatars are HF user names, not authors
      expect(p.summary).toBeNull();
    }
  });

  it('reads counts written as "-" and "1,234", and dates from prev/next links', async () => {
    const card = (id: string, up: string, comments: string, authors: string) => `<article>
      <div class="leading-none text-xs">Submitted by someone</div><div class="leading-none">${up}</div>
      <h3><a href="/papers/${id}">  A  title\n for ${id} </a></h3><ul><li title="someone"></li><li>· ${authors} authors</li></ul>
      <a href="/papers/${id}#community"> ${comments} </a></article>`;
    const html = `<html><body><a href="/papers/date/2025-02-26">Previous</a><a href="/papers/date/2025-02-28">Next</a>
      ${card('2502.00001v2', '-', '0', '1')}${card('2502.00002', '1,234', '12', '2,001')}</body></html>`;
    const l = await parseHfPage(html);
    expect(l.date).toBe('2025-02-27');
    expect(l.papers.map((p) => [p.id, p.title, p.upvotes, p.comments, p.authorCount, p.dailyDate])).toEqual([
      ['2502.00001', 'A title for 2502.00001v2', 0, 0, 1, '2025-02-27'],
      ['2502.00002', 'A title for 2502.00002', 1234, 12, 2001, '2025-02-27'],
    ]);
  });

  it('leaves the date null when the page does not say it', async () => {
    const html = '<article><h3><a href="/papers/2502.00001">T</a></h3></article>';
    const l = await parseHfPage(html);
    expect(l.date).toBeNull();
    expect(l.papers[0]).toMatchObject({ id: '2502.00001', title: 'T', upvotes: null, comments: null, authorCount: null, dailyDate: null });
    expectFullListing(l);
  });
});

describe('parseHfPage: pages that are not (or no longer) papers pages', () => {
  const message = 'not a Hugging Face papers page: no DailyPapers data and no paper cards found';

  it('rejects a redesigned page', async () => {
    await expect(parseHfPage('<html><body><main>nothing</main></body></html>')).rejects.toThrow(ParseError);
    await expect(parseHfPage('<html><body><main>nothing</main></body></html>')).rejects.toThrow(message);
  });

  it('rejects the 2024 page with both hydration and cards removed', async () => {
    const html = withoutArticles(withoutHydration(DAILY_2024));
    expect(html).not.toContain('<article');
    await expect(parseHfPage(html)).rejects.toThrow(message);
  });

  it('rejects an empty string and a JSON answer', async () => {
    await expect(parseHfPage('')).rejects.toThrow(ParseError);
    await expect(parseHfPage(API_2026)).rejects.toThrow(ParseError);
  });
});

describe('parseHfPage: a single paper page (prettified, 2025)', () => {
  it('gives 2509.24002 with all its 2025 fields', async () => {
    const l = await parseHfPage(PAPER_PAGE);
    expect(l.format).toBe('hf-paper-page');
    expect(l.date).toBeNull();
    expect(l.papers).toHaveLength(1);
    expectFullListing(l);
    const p = l.papers[0]!;
    expect(p.id).toBe('2509.24002');
    expect(p.title).toBe('MCPMark: A Benchmark for Stress-Testing Realistic and Comprehensive MCP Use');
    expect(p.summary).toMatch(/^MCP standardizes how LLMs interact with external systems, forming the foundation for general agents\./);
    expect(p.summary).not.toContain('\n');
    expect(p.authors).toHaveLength(15);
    expect(p.authors[0]).toBe('Zijian Wu');
    expect(p.authors[14]).toBe('Michael Qizhe Shieh');
    expect(p.authorCount).toBe(15);
    expect(p.publishedAt).toBe('2025-09-28');
    expect(p.dailyDate).toBe('2025-10-01');
    expect(p.upvotes).toBe(118);
    expect(p.comments).toBe(2); // the page's thread, a comment hidden as spam included
    expect(p.githubRepo).toBe('https://github.com/eval-sys/mcpmark');
    expect(p.projectPage).toBe('https://mcpmark.ai/');
    expect(p.githubStars).toBe(182);
    expect(p.keywords).toHaveLength(21);
    expect(p.keywords.slice(0, 3)).toEqual(['MCP', 'LLMs', 'general agents']);
    expect(p.keywords).toContain('pass^4');
    expect(p.aiSummary).toMatch(/^MCPMark is a comprehensive benchmark/);
    expect(p.organization).toBe('National University of Singapore');
    expect(p.url).toBe('https://huggingface.co/papers/2509.24002');
  });
});

describe('paperFromHfItem and parseDailyPapersApi: the 2026 API item', () => {
  it('reads every field', () => {
    const l = parseDailyPapersApi(API_2026);
    expect(l.format).toBe('hf-api');
    expect(l.date).toBe('2026-03-06');
    expect(l.papers).toHaveLength(1);
    expectFullListing(l);
    expect(l.papers[0]).toEqual({
      origin: 'hf-api', announcedAt: null, updatedAt: null, arxivAnnounce: null, versions: [],
      id: '2602.23229',
      title: 'Large Multimodal Models as General In-Context Classifiers',
      summary: expect.stringMatching(/^Which multimodal model should we use for classification\?.*specialized models\.$/) as unknown as string,
      authors: ['Marco Garosi', 'Matteo Farina', 'Alessandro Conti', 'Massimiliano Mancini', 'Elisa Ricci'],
      authorCount: 5,
      publishedAt: '2026-02-26',
      dailyDate: '2026-03-06',
      upvotes: 10,
      comments: 1,
      url: 'https://huggingface.co/papers/2602.23229',
      arxivUrl: 'https://arxiv.org/abs/2602.23229',
      pdfUrl: 'https://arxiv.org/pdf/2602.23229',
      githubRepo: 'https://github.com/marco-garosi/CIRCLE',
      projectPage: 'https://circle-lmm.github.io/',
      githubStars: 9,
      keywords: [
        'Vision-Language Models', 'Large Multimodal Models', 'zero-shot classification', 'in-context learning',
        'open-world classification', 'cache-based adapters', 'CIRCLE', 'pseudo-labeling', 'context refinement',
      ],
      aiSummary: 'Large Multimodal Models demonstrate superior performance in closed-world classification with in-context learning and excel in open-world scenarios when equipped with context refinement techniques.',
      organization: 'Multimedia and Human Understanding Group',
      categories: [],
      sources: ['hf'],
    });
  });

  it('reads the flat paper object (/api/papers/<id>) the same way', () => {
    const item = (JSON.parse(API_2026) as Array<{ paper: Record<string, unknown> }>)[0]!;
    const flat = paperFromHfItem({ ...item.paper, numComments: 1 });
    expectFullRecord(flat);
    expect(flat).toEqual(parseDailyPapersApi(API_2026).papers[0]);
  });

  it('lets the caller name the day, and falls back to the organization handle', () => {
    const item = (JSON.parse(API_2026) as Array<{ paper: Record<string, unknown> }>)[0]!;
    const p = paperFromHfItem({ ...item, paper: { ...item.paper, organization: { name: 'MHUGLab' } } }, { dailyDate: '2026-03-07' });
    expect(p.dailyDate).toBe('2026-03-07');
    expect(p.organization).toBe('MHUGLab');
  });

  it('takes the 2024 item publishedAt as the daily date when nothing else says it', () => {
    const p = paperFromHfItem({
      paper: { id: '2407.21783', title: 'T', publishedAt: '2024-07-31T17:54:27.000Z' },
      publishedAt: '2024-08-01T01:21:47.935Z',
    });
    expect(p.publishedAt).toBe('2024-07-31');
    expect(p.dailyDate).toBe('2024-08-01');
    // The flat object has no list date of its own.
    expect(paperFromHfItem({ id: '2407.21783', title: 'T', publishedAt: '2024-07-31T17:54:27.000Z' }).dailyDate).toBeNull();
  });

  it('keeps a numeric-looking id a string, strips versions, accepts old-style ids', () => {
    const l = parseDailyPapersApi('[{"paper":{"id":"2503.02130","title":"Zero"},"title":"Zero"},{"id":"2410.17243v2","title":"V"},{"id":"astro-ph/0601001","title":"Old"}]');
    expect(l.papers.map((p) => p.id)).toEqual(['2503.02130', '2410.17243', 'astro-ph/0601001']);
    expect(typeof l.papers[0]!.id).toBe('string');
    expect(l.papers[0]!.url).toBe('https://huggingface.co/papers/2503.02130');
    expect(l.date).toBeNull();
    expectFullListing(l);
  });

  it('refuses an id that is a number (its trailing zeros are already gone) or not an arXiv id', () => {
    expect(() => paperFromHfItem({ paper: { id: 2503.0213, title: 'T' } })).toThrow(ParseError);
    expect(() => paperFromHfItem({ paper: { id: 'not-an-id', title: 'T' } })).toThrow(/not an arXiv id/);
    expect(() => paperFromHfItem({ paper: { id: '2503.02130', title: '  \n ' } })).toThrow(/no title/);
    expect(() => paperFromHfItem(null)).toThrow(ParseError);
    expect(() => parseDailyPapersApi('[{"paper":{"id":"2503.02130","title":"A"}}, 7]')).toThrow(/item 2/);
  });

  it('makes unknown or odd fields null or [] rather than failing', () => {
    const p = paperFromHfItem({
      paper: { id: '2503.02130', title: 'T', authors: 'nobody', upvotes: 'many', ai_keywords: [' a  b ', 3, ''], githubRepo: '', organization: 42 },
      numComments: null,
    });
    expectFullRecord(p);
    expect(p).toMatchObject({ authors: [], authorCount: null, upvotes: null, comments: null, keywords: ['a b'], githubRepo: null, organization: null });
  });
});

describe('parseDailyPapersApi: answers that are not lists of papers', () => {
  it('rejects invalid JSON', () => {
    expect(() => parseDailyPapersApi('<html>rate limited</html>')).toThrow(ParseError);
    expect(() => parseDailyPapersApi('[{"paper":')).toThrow(/not valid JSON/);
  });

  it('rejects JSON that is not a list', () => {
    expect(() => parseDailyPapersApi('{}')).toThrow('Hugging Face API answer is not a JSON list of papers');
    expect(() => parseDailyPapersApi('null')).toThrow(ParseError);
    expect(() => parseDailyPapersApi('{"error":"Invalid date"}')).toThrow(/answered with an error: Invalid date/);
  });

  it('takes [] as an empty listing', () => {
    expect(parseDailyPapersApi('[]')).toEqual({ papers: [], date: null, format: 'hf-api' });
    expect(parseDailyPapersApi(' [ ]\n', { dailyDate: '2024-08-03' })).toEqual({ papers: [], date: '2024-08-03', format: 'hf-api' });
  });

  it('labels search results as the caller says, without a list date: a search sets no dailyDate', () => {
    const l = parseDailyPapersApi(API_2026, { dailyDate: null, format: 'hf-search' });
    expect(l.format).toBe('hf-search');
    expect(l.date).toBeNull();
    expect(l.papers[0]!.dailyDate).toBeNull();
    expect(l.papers[0]!.origin).toBe('hf-search');
    // The same item in a daily answer is on the list of its day.
    expect(parseDailyPapersApi(API_2026).papers[0]!.dailyDate).toBe('2026-03-06');
  });

  it('gives the listing the most common daily date', () => {
    const item = (id: string, day: string) => ({ paper: { id, title: id, submittedOnDailyAt: `${day}T03:00:00.000Z` } });
    const json = JSON.stringify([item('2501.00001', '2025-01-02'), item('2501.00002', '2025-01-03'), item('2501.00003', '2025-01-03')]);
    expect(parseDailyPapersApi(json).date).toBe('2025-01-03');
    expect(parseDailyPapersApi(`\uFEFF${json}`).papers).toHaveLength(3);
  });
});

describe('decodeEntities', () => {
  it('decodes the references found in attribute values', () => {
    expect(decodeEntities('&quot;a&quot; &amp;lt; &lt;b&gt; &#39;c&#x27; &apos;&#8212;&nbsp;')).toBe('"a" &lt; <b> \'c\' \'\u2014\u00a0');
    expect(decodeEntities('&unknown; & &#0; &#xD800; AT&T')).toBe('&unknown; & \ufffd \ufffd AT&T');
  });
});
