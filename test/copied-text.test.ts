import { describe, it, expect } from 'vitest';
import { parseHfCopiedText, resolveYearlessDate } from '../src/sources/hf/copied-text.js';
import { ParseError } from '../src/errors.js';
import { PAPER_FIELDS } from '../src/record.js';
import { fixture } from './helpers/server.js';

const EXCERPT = fixture('hf/search-listing-2025-12-09.copied-text.excerpt.txt');
const parse = (text: string, asOf = '2025-12-09') => parseHfCopiedText(text, { asOf });

/** The 12 entries of the excerpt: title, author count, date, upvotes. */
const EXPECTED: [string, number, string, number | null][] = [
  ["Let's Make Block Coordinate Descent Converge Faster: Faster Greedy Rules, Message-Passing, Active-Set Complexity, and Superlinear Convergence", 3, '2017-12-23', null],
  ['Stochastic Policy Gradient Methods: Improved Sample Complexity for Fisher-non-degenerate Policies', 4, '2023-02-03', null],
  ['CoT Information: Improved Sample Complexity under Chain-of-Thought Supervision', 3, '2025-05-21', null],
  ['Federated Adversarial Learning: A Framework with Convergence Analysis', 3, '2022-08-07', null],
  ['Faster Rates of Convergence to Stationary Points in Differentially Private Optimization', 6, '2022-06-01', null],
  ['Teacher Intervention: Improving Convergence of Quantization Aware Training for Ultra-Low Precision Transformers', 5, '2023-02-23', null],
  ['Bilevel Optimization under Unbounded Smoothness: A New Algorithm and Convergence Analysis', 3, '2024-01-17', null],
  ['The Inherent Limits of Pretrained LLMs: The Unexpected Convergence of Instruction Tuning and In-Context Learning Capabilities', 3, '2025-01-15', null],
  ['Role of Locality and Weight Sharing in Image-Based Tasks: A Sample Complexity Separation between CNNs, LCNs, and FCNs', 5, '2024-03-22', null],
  ['State and parameter learning with PaRIS particle Gibbs', 5, '2023-01-02', null],
  ['Bilinear Subspace Variational Bayesian Inference for Joint Scattering Environment Sensing and Data Recovery in ISAC Systems', 4, '2025-02-02', null],
  ['MKOR: Momentum-Enabled Kronecker-Factor-Based Optimizer Using Rank-1 Updates', 4, '2023-06-02', 2],
];

/** Build copied text the way the browser lays it out: blank lines between blocks. */
function entry(title: string, abstract: string | null, meta: string[]): string {
  return [title, '', ...(abstract === null ? [] : [abstract, '']), ...meta, ''].join('\n');
}
const HEADER = 'new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\nbyAK and the research community\n\nDec 9\n\n';
const ABSTRACT = (topic: string) => `We study ${topic} in depth. Our method improves on prior work by a wide margin on every benchmark we tried.`;

describe('the copied-text excerpt (search results, captured 2025-12-09)', () => {
  const listing = parse(EXCERPT)!;

  it('gives all 12 entries, in order, with exact titles, author counts, dates and upvotes', () => {
    expect(listing.format).toBe('hf-copied-text');
    expect(listing.date).toBeNull();
    expect(listing.papers.map((p) => [p.title, p.authorCount, p.publishedAt, p.upvotes])).toEqual(EXPECTED);
  });

  it.each(EXPECTED.map((e, i) => [i + 1, ...e] as const))('entry %i: %s', (i, title, authors, date, upvotes) => {
    const p = listing.papers[i - 1]!;
    expect(p.title).toBe(title);
    expect(p.authorCount).toBe(authors);
    expect(p.publishedAt).toBe(date);
    expect(p.upvotes).toBe(upvotes);
  });

  it('skips the header: no entry is "new", "Subscribe", "Daily Papers" or the page date', () => {
    const titles = listing.papers.map((p) => p.title);
    for (const chrome of ['new', 'Get trending papers in your email inbox!', 'Subscribe', 'Daily Papers', 'byAK and the research community', 'Dec 9']) {
      expect(titles).not.toContain(chrome);
    }
    expect(listing.papers).toHaveLength(12);
  });

  it('keeps each abstract whole, on one line', () => {
    const first = listing.papers[0]!.summary!;
    expect(first).toMatch(/^Block coordinate descent \(BCD\) methods are widely used for large-scale numerical optimization/);
    expect(first).toMatch(/multi-class logistic regression, label propagation, and L1-regularization\.$/);
    const last = listing.papers[11]!.summary!;
    expect(last).toMatch(/^This work proposes a Momentum-Enabled Kronecker-Factor-Based Optimizer/);
    expect(last).toMatch(/up to 2\.57x and 1\.85x respectively on BERT-Large-Uncased on 64 GPUs\.$/);
    for (const p of listing.papers) {
      expect(p.summary).not.toMatch(/\n|\s{2}/);
      expect(p.summary!.length).toBeGreaterThan(1000);
    }
  });

  it('makes contract records without an id: every field present, authors [] with the count', () => {
    const keys = [...PAPER_FIELDS.filter((k) => k !== 'firstSeenAt' && k !== 'lastSeenAt'), 'origin'];
    for (const p of listing.papers) {
      expect(Object.keys(p).sort()).toEqual([...keys].sort());
      expect(p).toMatchObject({ id: null, authors: [], dailyDate: null, url: null, arxivUrl: null, keywords: [], categories: [], sources: ['import'] });
    }
  });

  it('counts the year-less dates it resolved', () => {
    expect(listing.yearlessDates).toBe(3);
  });

  it('resolves year-less dates against --as-of: the latest such date not after it', () => {
    const dates = (asOf: string) => parse(EXCERPT, asOf)!.papers.filter((_, i) => [2, 7, 10].includes(i)).map((p) => p.publishedAt);
    // May 21, Jan 15, Feb 2
    expect(dates('2025-12-09')).toEqual(['2025-05-21', '2025-01-15', '2025-02-02']);
    expect(dates('2026-03-01')).toEqual(['2025-05-21', '2026-01-15', '2026-02-02']);
    expect(dates('2025-05-21')).toEqual(['2025-05-21', '2025-01-15', '2025-02-02']);
    expect(dates('2025-05-20')).toEqual(['2024-05-21', '2025-01-15', '2025-02-02']);
    expect(dates('2025-01-14')).toEqual(['2024-05-21', '2024-01-15', '2024-02-02']);
    // dates with a year do not move
    expect(parse(EXCERPT, '2030-01-01')!.papers[0]!.publishedAt).toBe('2017-12-23');
  });

  it('reads the same with Windows line endings, without blank lines, and with a BOM', () => {
    const crlf = parse('\uFEFF' + EXCERPT.replace(/\n/g, '\r\n'))!;
    expect(crlf.papers).toEqual(listing.papers);
    const dense = parse(EXCERPT.replace(/\n\n+/g, '\n'))!;
    expect(dense.papers).toEqual(listing.papers);
  });

  it('reads an excerpt without the header the same way', () => {
    const body = EXCERPT.slice(EXCERPT.indexOf("Let's Make"));
    expect(parse(body)!.papers).toEqual(listing.papers);
  });
});

describe('entries that lack lines (synthetic)', () => {
  it('an entry without author and date lines still counts, between and after others', () => {
    const text = HEADER
      + entry('Alpha: A First Paper', ABSTRACT('alpha'), ['  • 2 authors', '·', 'Mar 3, 2024 7'])
      + entry('Beta Has No Meta Lines', ABSTRACT('beta'), [])
      + entry('Gamma: The Third', ABSTRACT('gamma'), ['  • 11 authors', '·', 'Nov 30'])
      + entry('Delta Is Last and Bare of Meta', ABSTRACT('delta'), []);
    const l = parse(text)!;
    expect(l.papers.map((p) => [p.title, p.summary, p.authorCount, p.publishedAt, p.upvotes])).toEqual([
      ['Alpha: A First Paper', ABSTRACT('alpha'), 2, '2024-03-03', 7],
      ['Beta Has No Meta Lines', ABSTRACT('beta'), null, null, null],
      ['Gamma: The Third', ABSTRACT('gamma'), 11, '2025-11-30', null],
      ['Delta Is Last and Bare of Meta', ABSTRACT('delta'), null, null, null],
    ]);
  });

  it('an entry with the author line only, or the date only', () => {
    const text = HEADER
      + entry('Only Authors', ABSTRACT('authors'), ['  • 4 authors'])
      + entry('Only a Date', ABSTRACT('dates'), ['·', 'Feb 27, 2025 1,234'])
      + entry('Only a Year-less Date With Zero Upvotes', ABSTRACT('zero'), ['Dec 9 -']);
    const l = parse(text)!;
    expect(l.papers.map((p) => [p.title, p.authorCount, p.publishedAt, p.upvotes])).toEqual([
      ['Only Authors', 4, null, null],
      ['Only a Date', null, '2025-02-27', 1234],
      ['Only a Year-less Date With Zero Upvotes', null, '2025-12-09', 0],
    ]);
  });

  it('entries without an abstract, and one author', () => {
    const text = HEADER + entry('No Abstract Here', null, ['  • 1 author', '·', 'Jan 5, 2024']) + entry('Nor Here', null, ['  • 2 authors', '·', 'Jan 6, 2024']);
    const l = parse(text)!;
    expect(l.papers.map((p) => [p.title, p.summary, p.authorCount, p.publishedAt])).toEqual([
      ['No Abstract Here', null, 1, '2024-01-05'],
      ['Nor Here', null, 2, '2024-01-06'],
    ]);
  });

  it('the meta on one line, and the upvote count on a line of its own', () => {
    const text = HEADER
      + entry('One Line Meta', ABSTRACT('one'), ['• 3 authors · Dec 23, 2017 · 5'])
      + entry('Count Below', ABSTRACT('two'), ['  • 3 authors', '·', 'Jan 2, 2023', '12']);
    const l = parse(text)!;
    expect(l.papers.map((p) => [p.title, p.authorCount, p.publishedAt, p.upvotes])).toEqual([
      ['One Line Meta', 3, '2017-12-23', 5],
      ['Count Below', 3, '2023-01-02', 12],
    ]);
  });

  it('tells a title from an abstract when meta lines are missing: titles with "?" and short abstracts', () => {
    const text = HEADER
      + entry('Do Transformers Dream of Electric Sheep?', 'Short abstract, but a sentence all the same.', [])
      + entry('Is Scale All You Need? A Study of Limits', ABSTRACT('scale'), ['  • 2 authors']);
    const l = parse(text)!;
    expect(l.papers.map((p) => [p.title, p.summary])).toEqual([
      ['Do Transformers Dream of Electric Sheep?', 'Short abstract, but a sentence all the same.'],
      ['Is Scale All You Need? A Study of Limits', ABSTRACT('scale')],
    ]);
  });

  it('a header with only the page date gives an empty listing', () => {
    const l = parse(HEADER)!;
    expect(l.papers).toEqual([]);
  });

  it('an impossible date is an error, not a wrong record', () => {
    const text = HEADER + entry('Bad Date', ABSTRACT('bad'), ['  • 2 authors', '·', 'Feb 30, 2024']);
    expect(() => parse(text)).toThrow(ParseError);
  });
});

describe('text that is not a copied listing', () => {
  it('returns null for prose, Markdown, CSV', () => {
    expect(parse('# Notes\n\nSome thoughts about papers.\n\nMay 21\n')).toBeNull();
    expect(parse('id,title\n2401.00001,A\n')).toBeNull();
    expect(parse(fixture('PROVENANCE.md'))).toBeNull();
    expect(parse('')).toBeNull();
  });
});

describe('resolveYearlessDate', () => {
  it.each([
    [12, 9, '2025-12-09', '2025-12-09'],
    [12, 10, '2025-12-09', '2024-12-10'],
    [1, 1, '2025-12-31', '2025-01-01'],
    [12, 31, '2026-01-01', '2025-12-31'],
    [2, 29, '2025-06-01', '2024-02-29'],
    [2, 29, '2024-02-28', '2020-02-29'],
  ])('%i/%i as of %s is %s', (m, d, asOf, want) => {
    expect(resolveYearlessDate(m, d, asOf)).toBe(want);
  });
});
