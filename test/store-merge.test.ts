import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { decodeProvenance, differs, encodeProvenance, mergePaper, mergeStamped, emptyProvenance, stamp, type Provenance } from '../src/store/merge.js';
import { emptyPaper, type Paper, type ParsedPaper } from '../src/record.js';

const T0 = '2024-08-01T08:00:00.000Z';
const T1 = '2024-08-02T08:00:00.000Z';

function stored(over: Partial<Paper>): Paper {
  return { ...emptyPaper('The Llama 3 Herd of Models', 'hf'), firstSeenAt: T0, lastSeenAt: T0, journalRef: null, arxivComment: null, doi: null, ...over } as Paper;
}
function listing(over: Partial<ParsedPaper>, source: 'hf' | 'arxiv' | 'import' = 'arxiv'): ParsedPaper {
  return { ...emptyPaper('The Llama 3 Herd of Models', source), ...over };
}

describe('mergePaper (no SQLite)', () => {
  it('a field the listing lacks never erases a known one', () => {
    const old = stored({ id: '2407.21783', summary: 'Modern AI systems…', upvotes: 94, keywords: ['llm'] });
    const merged = mergePaper(old, listing({ id: '2407.21783' }), T1);
    expect(merged).toMatchObject({ summary: 'Modern AI systems…', upvotes: 94, keywords: ['llm'], lastSeenAt: T1, firstSeenAt: T0 });
  });

  it('sources accumulate in a fixed order and the author list never shrinks', () => {
    const old = stored({ authors: ['A', 'B', 'C'], sources: ['arxiv'] });
    const merged = mergePaper(old, listing({ authors: ['A'] }, 'hf'), T1);
    expect(merged.sources).toEqual(['hf', 'arxiv']);
    expect(merged.authors).toEqual(['A', 'B', 'C']);
    expect(merged.authorCount).toBe(3);
  });

  it('folding a title-only record keeps the earlier first sighting', () => {
    const withId = stored({ id: '2407.21783', firstSeenAt: T1, lastSeenAt: T1 });
    const titleOnly = stored({ upvotes: 5, firstSeenAt: T0 });
    const folded = mergeStamped({ paper: withId, prov: emptyProvenance() }, { paper: titleOnly, prov: emptyProvenance() }).paper;
    expect(folded).toMatchObject({ id: '2407.21783', upvotes: 5, firstSeenAt: T0 });
  });

  it('differs ignores lastSeenAt, compares lists by value and treats missing as null', () => {
    const a = stored({ keywords: ['x'] });
    expect(differs(a, { ...a, keywords: ['x'], lastSeenAt: T1 })).toBe(false);
    expect(differs(a, { ...a, keywords: ['y'] })).toBe(true);
    const { doi: _doi, ...noDoi } = a;
    expect(differs(a, noDoi as Paper)).toBe(false);
  });
});

describe('mergeStamped: the order of listings does not matter (no SQLite)', () => {
  const origins = ['arxiv-api', 'arxiv-listing', 'hf-api', 'hf-page', 'hf-search', 'hf-copied', 'import'] as const;
  const arbListing = fc.record({
    origin: fc.constantFrom(...origins),
    title: fc.constantFrom('A', 'B'),
    summary: fc.option(fc.constantFrom('x', 'y'), { nil: null }),
    upvotes: fc.option(fc.integer({ min: 0, max: 9 }), { nil: null }),
    dailyDate: fc.option(fc.constantFrom('2024-10-24', '2024-10-25'), { nil: null }),
    authors: fc.integer({ min: 0, max: 2 }),
    at: fc.constantFrom(T0, T1, '2024-08-03T08:00:00.000Z'),
  }).map((g) => stamp({ ...listing({ title: g.title, summary: g.summary, upvotes: g.upvotes, dailyDate: g.dailyDate, authors: ['A', 'B'].slice(0, g.authors) }, g.origin.startsWith('arxiv') ? 'arxiv' : 'hf'), origin: g.origin }, g.at));

  it('is commutative and associative in every field but the arrival times', () => {
    const strip = ({ paper: { firstSeenAt: _f, lastSeenAt: _l, ...rest }, prov }: ReturnType<typeof mergeStamped>) => ({ rest, prov });
    fc.assert(fc.property(arbListing, arbListing, arbListing, (a, b, c) => {
      expect(strip(mergeStamped(a, b))).toEqual(strip(mergeStamped(b, a)));
      expect(strip(mergeStamped(mergeStamped(a, b), c))).toEqual(strip(mergeStamped(a, mergeStamped(b, c))));
    }), { numRuns: 500 });
  });

  it('arXiv API outranks HF for the title; HF API outranks arXiv for links; counts take the newest', () => {
    const arxiv = stamp({ ...listing({ title: 'From arXiv', url: null }), origin: 'arxiv-api' }, T0);
    const hf = stamp({ ...listing({ title: 'From HF', url: 'https://huggingface.co/papers/x', upvotes: 3 }, 'hf'), origin: 'hf-api' }, T0);
    const later = stamp({ ...listing({ upvotes: 1 }, 'hf'), origin: 'hf-search' }, T1);
    const m = mergeStamped(mergeStamped(hf, later), arxiv).paper;
    expect(m).toMatchObject({ title: 'From arXiv', url: 'https://huggingface.co/papers/x', upvotes: 1 });
  });
});

describe('the stored provenance', () => {
  const FIELDS = ['title', 'summary', 'authors', 'categories', 'publishedAt', 'arxivComment', 'journalRef', 'doi', 'arxivUrl', 'pdfUrl', 'url', 'githubRepo', 'projectPage', 'keywords', 'aiSummary', 'organization'] as const;
  const COUNTS = ['upvotes', 'comments', 'githubStars'] as const;
  const time = fc.integer({ min: 0, max: 5 }).map((d) => `2024-08-0${d + 1}T08:00:00.000Z`);
  const provenance = fc.record({
    rank: fc.dictionary(fc.constantFrom(...FIELDS), fc.integer({ min: 0, max: 7 })),
    at: fc.dictionary(fc.constantFrom(...FIELDS, ...COUNTS), time),
    announcedIn: fc.option(fc.constant('2024-08-01'), { nil: undefined }),
    inputs: fc.option(fc.dictionary(fc.constantFrom('arxiv-api', 'hf-api'), fc.tuple(fc.stringMatching(/^[0-9a-f]{12}$/), fc.nat())), { nil: undefined }),
  }).map((p) => JSON.parse(JSON.stringify(p)) as Provenance);
  const sorted = (p: Provenance) => JSON.stringify({ ...p, rank: Object.fromEntries(Object.entries(p.rank).sort()), at: Object.fromEntries(Object.entries(p.at).sort()) });

  it('reads back what was written, and the same provenance is always the same text', () => {
    fc.assert(fc.property(provenance, (p) => {
      const text = encodeProvenance(p);
      expect(sorted(decodeProvenance(text))).toBe(sorted(p));
      const shuffled = { ...p, rank: Object.fromEntries(Object.entries(p.rank).reverse()), at: Object.fromEntries(Object.entries(p.at).reverse()) };
      expect(encodeProvenance(shuffled)).toBe(text);
    }), { numRuns: 500 });
  });

  it('reads the form by field name that older rows hold, and nothing as every value of rank 0', () => {
    const old = { rank: { title: 7, summary: 7, url: 5 }, at: { title: T0, upvotes: T1 }, inputs: { 'arxiv-api': ['29e9d2a0726a', 799] } };
    expect(decodeProvenance(JSON.stringify(old))).toEqual(old);
    expect(decodeProvenance(null)).toEqual({ rank: {}, at: {} });
    expect(decodeProvenance('{}')).toEqual({ rank: {}, at: {} });
  });

  it('is under a quarter of the form by name for a typical record', () => {
    const rank = Object.fromEntries(FIELDS.slice(0, 7).map((f) => [f, 7]));
    const at = Object.fromEntries(FIELDS.slice(0, 7).map((f) => [f, T0]));
    const p = { rank, at, inputs: { 'arxiv-api': ['29e9d2a0726a', 799] as [string, number] } };
    expect(encodeProvenance(p).length).toBeLessThan(JSON.stringify(p).length / 4);
  });
});
