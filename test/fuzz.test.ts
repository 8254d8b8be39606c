/**
 * Property-based tests: on any input every parser returns records or a typed error, quickly,
 * never anything else (no TypeError, no hang, no half-built record).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ParseError, UsageError } from '../src/errors.js';
import { PAPER_FIELDS, type Listing, type ParsedPaper } from '../src/record.js';
import { parseDailyPapersApi, parseHfHydration, parseHfPage } from '../src/sources/hf/parse.js';
import { parseArxivId } from '../src/ids.js';
import { parseDateArg } from '../src/dates.js';
import { fixture } from './helpers/server.js';

export const RUNS = 300;
/**
 * Catastrophic backtracking, not speed: a parse of a fixture-sized input takes milliseconds, a
 * regular expression gone exponential takes minutes. The bound sits hundreds of times above a
 * normal parse so that a slow or busy machine never trips it; speed is measured by the bench.
 */
export const TIME_BOUND_MS = 5000;

const API = fixture('hf/api-daily-papers-2024-08-01.derived.json');
const PAGE = fixture('hf/daily-2024-08-01.html');

/** A valid record: every contract field present (no undefined), with the right types. */
export function expectValidPaper(p: ParsedPaper): void {
  for (const k of PAPER_FIELDS) {
    if (k === 'firstSeenAt' || k === 'lastSeenAt') continue;
    expect(p[k], k).not.toBeUndefined();
  }
  expect(typeof p.title).toBe('string');
  expect(p.title.length).toBeGreaterThan(0);
  for (const k of ['authors', 'keywords', 'categories', 'sources'] as const) expect(Array.isArray(p[k])).toBe(true);
  if (p.id !== null) expect(typeof p.id).toBe('string');
}

/** Run `parse`; it must return a listing of valid records or throw one of `errors`, in time. */
export async function expectRecordsOrTypedError(parse: () => Listing | Promise<Listing>, errors: (new (...a: never[]) => Error)[] = [ParseError]): Promise<void> {
  const started = performance.now();
  try {
    const listing = await parse();
    for (const p of listing.papers) expectValidPaper(p);
  } catch (err) {
    if (!errors.some((E) => err instanceof E)) throw err;
  }
  expect(performance.now() - started).toBeLessThan(TIME_BOUND_MS);
}

/** A fixture damaged the ways downloads get damaged: cut short, bytes replaced, bytes inserted. */
export function damaged(text: string) {
  return fc.oneof(
    fc.nat({ max: text.length }).map((n) => text.slice(0, n)),
    fc.tuple(fc.nat({ max: text.length - 1 }), fc.string({ minLength: 1, maxLength: 8 })).map(([i, s]) => text.slice(0, i) + s + text.slice(i + s.length)),
    fc.tuple(fc.nat({ max: text.length }), fc.string({ maxLength: 20 })).map(([i, s]) => text.slice(0, i) + s + text.slice(i)),
  );
}

describe('fuzz: Hugging Face API JSON', () => {
  it('any string', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 2000 }), (s) => expectRecordsOrTypedError(() => parseDailyPapersApi(s))), { numRuns: RUNS });
  });
  it('any JSON value', async () => {
    await fc.assert(fc.asyncProperty(fc.json({ maxDepth: 5 }), (s) => expectRecordsOrTypedError(() => parseDailyPapersApi(s))), { numRuns: RUNS });
  });
  it('items with fields of the wrong type', async () => {
    const item = fc.record({ paper: fc.record({ id: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant('2407.21783')), title: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), authors: fc.anything(), upvotes: fc.anything(), summary: fc.anything(), publishedAt: fc.anything(), ai_keywords: fc.anything() }, { requiredKeys: [] }), title: fc.anything(), numComments: fc.anything(), organization: fc.anything() }, { requiredKeys: [] });
    await fc.assert(fc.asyncProperty(fc.array(item, { maxLength: 5 }), (items) => expectRecordsOrTypedError(() => parseDailyPapersApi(JSON.stringify(items)))), { numRuns: RUNS });
  });
  it('the real answer, damaged', async () => {
    await fc.assert(fc.asyncProperty(damaged(API), (s) => expectRecordsOrTypedError(() => parseDailyPapersApi(s))), { numRuns: RUNS });
  });
});

describe('fuzz: Hugging Face pages', () => {
  it('any string', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 2000 }), (s) => expectRecordsOrTypedError(() => parseHfPage(s))), { numRuns: RUNS });
  });
  it('hydration attributes holding anything', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.json({ maxDepth: 4 }), fc.string()), (props) =>
      expectRecordsOrTypedError(() => parseHfHydration(`<div data-target="DailyPapers" data-props="${props.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"></div>`) ?? { papers: [], date: null, format: 'none' })), { numRuns: RUNS });
  });
  it('the real page, damaged', async () => {
    await fc.assert(fc.asyncProperty(damaged(PAGE), (s) => expectRecordsOrTypedError(() => parseHfPage(s))), { numRuns: 100 });
  });
});

describe('fuzz: ids and dates', () => {
  it('parseArxivId returns a versionless id or null for any string', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => {
      const id = parseArxivId(s);
      expect(id === null || (/^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})$/.test(id))).toBe(true);
    }), { numRuns: RUNS * 3 });
  });
  it('parseArxivId finds the id in every form people paste', () => {
    const id = fc.oneof(
      fc.tuple(fc.integer({ min: 7, max: 99 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 99999 })).map(([y, m, n]) => `${String(y).padStart(2, '0')}${String(m).padStart(2, '0')}.${String(n).padStart(5, '0')}`),
      fc.tuple(fc.constantFrom('astro-ph', 'hep-th', 'math.GT', 'cond-mat'), fc.integer({ min: 0, max: 9999999 })).map(([a, n]) => `${a}/${String(n).padStart(7, '0')}`),
    );
    const form = fc.constantFrom((i: string) => i, (i: string) => `${i}v3`, (i: string) => `arXiv:${i}`, (i: string) => `https://arxiv.org/abs/${i}v2`, (i: string) => `https://arxiv.org/pdf/${i}`, (i: string) => `https://huggingface.co/papers/${i}`, (i: string) => `  ${i}  `);
    fc.assert(fc.property(id, form, (i, f) => {
      expect(parseArxivId(f(i))).toBe(i);
    }), { numRuns: RUNS });
  });
  it('parseDateArg returns YYYY-MM-DD or a usage error for any string', () => {
    const relative = fc.tuple(fc.oneof(fc.nat(), fc.bigInt({ min: 0n, max: 10n ** 30n })), fc.constantFrom('d', 'w', 'm', 'y', 'D', ' d', 'x')).map(([n, u]) => `${n}${u}`);
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 40 }), relative), (s) => {
      try {
        expect(parseDateArg(s, '--since')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
      }
    }), { numRuns: RUNS * 3 });
  });
});

describe('fuzz: copied text and import recognition', async () => {
  const { parseHfCopiedText } = await import('../src/sources/hf/copied-text.js');
  const { recogniseListing } = await import('../src/import.js');
  const COPIED = fixture('hf/search-listing-2025-12-09.copied-text.excerpt.txt');
  const asOf = { asOf: '2025-12-09', asOfSource: 'from --as-of' };
  const copied = (s: string) => expectRecordsOrTypedError(() => parseHfCopiedText(s, asOf) ?? { papers: [], date: null, format: 'none' });
  const recognise = (s: string) => expectRecordsOrTypedError(async () => (await recogniseListing(s, asOf)).listing);

  it('copied text: any string', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 2000 }), copied), { numRuns: RUNS });
  });
  it('copied text: lines shaped like entries, in any order', async () => {
    const line = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('  • 3 authors', '·', 'Dec 23, 2017', 'May 21', 'Jun 2, 2023 2', 'Feb 30', 'Daily Papers', '', '  • 1 author', 'Submitted by', '-'));
    await fc.assert(fc.asyncProperty(fc.array(line, { maxLength: 40 }).map((ls) => ls.join('\n')), copied), { numRuns: RUNS });
  });
  it('copied text: the real excerpt, damaged', async () => {
    await fc.assert(fc.asyncProperty(damaged(COPIED), copied), { numRuns: RUNS });
  });
  it('import recognition: any string, and damaged real files of every kind', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.string({ maxLength: 1000 }), damaged(API), damaged(COPIED), damaged(PAGE)), recognise), { numRuns: 200 });
  });
});

describe('fuzz: arXiv Atom and listing pages', async () => {
  const { parseArxivAtom, parseArxivListing } = await import('../src/sources/arxiv/parse.js');
  const ATOM = fixture('arxiv/api-query-all-testing-2026-04-12.xml');
  const LISTING = fixture('arxiv/list-cs.LG-new.synthetic.html');
  it('Atom: any string, and the real answer damaged', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.string({ maxLength: 1000 }), damaged(ATOM)), (s) => expectRecordsOrTypedError(() => parseArxivAtom(s))), { numRuns: RUNS });
  });
  it('listing page: any string, and the page damaged', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.string({ maxLength: 1000 }), damaged(LISTING)), (s) => expectRecordsOrTypedError(() => parseArxivListing(s))), { numRuns: RUNS });
  });
});
