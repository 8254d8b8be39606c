import { describe, expect, it } from 'vitest';
import { ParseError } from '../src/errors.js';
import { PAPER_FIELDS } from '../src/record.js';
import { parseArxivAtom, parseArxivListing } from '../src/sources/arxiv/parse.js';
import { fixture } from './helpers/server.js';

const PARSED_KEYS = PAPER_FIELDS.filter((k) => k !== 'firstSeenAt' && k !== 'lastSeenAt');

describe('parseArxivAtom', () => {
  it('reads the current API answer: versionless ids, authors in order, primary category first, extras', async () => {
    const xml = fixture('arxiv/api-query-all-testing-2026-04-12.xml');
    const l = await parseArxivAtom(xml);
    expect(l.format).toBe('arxiv-atom');
    expect(l.totalResults).toBe(214881);
    expect(l.startIndex).toBe(0);
    expect(l.papers).toHaveLength(10);
    expect(l.papers.map((p) => p.id).slice(0, 3)).toEqual(['2202.12139', '2405.13786', '2005.14124']);
    const p = l.papers[0]!;
    for (const k of PARSED_KEYS) expect(p[k], k).not.toBeUndefined();
    expect(p.title).toBe('Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques');
    expect(p.authors).toEqual(['Mohit Kumar Ahuja', 'Arnaud Gotlieb', 'Helge Spieker']);
    expect(p.authorCount).toBe(3);
    expect(p.categories).toEqual(['cs.SE', 'cs.LG']);
    expect(p.publishedAt).toBe('2022-02-24');
    expect(p.updatedAt).toBe('2022-02-24');
    expect(p.versions).toEqual([{ version: 1, date: '2022-02-24' }]);
    expect(p.origin).toBe('arxiv-api');
    // 2005.14124v2: published is the first version's day, updated the latest's.
    expect(l.papers[2]).toMatchObject({ publishedAt: '2020-05-28', updatedAt: '2020-07-16', versions: [{ version: 1, date: '2020-05-28' }, { version: 2, date: '2020-07-16' }] });
    expect(p.arxivUrl).toBe('https://arxiv.org/abs/2202.12139');
    expect(p.pdfUrl).toBe('https://arxiv.org/pdf/2202.12139');
    expect(p.doi).toBe('10.1109/ICSTW55395.2022.00035');
    expect(p.arxivComment).toBe('Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022');
    expect(p.journalRef).toMatch(/^Artificial Intelligence in Software Testing @ 2022 IEEE/);
    expect(p.sources).toEqual(['arxiv']);
    expect(p.upvotes).toBeNull();
    // Every entry: the primary category first, each category once.
    const primaries = [...xml.matchAll(/<arxiv:primary_category term="([^"]+)"/g)].map((m) => m[1]);
    expect(l.papers.map((x) => x.categories[0])).toEqual(primaries);
    for (const x of l.papers) expect(new Set(x.categories).size).toBe(x.categories.length);
  });

  it('puts the primary category first even when arXiv lists it later, without duplicates', async () => {
    const xml = fixture('arxiv/api-query-all-testing-2026-04-12.xml').replace(
      '<category term="cs.SE" scheme="http://arxiv.org/schemas/atom"/>\n    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>',
      '<category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>\n    <category term="cs.SE" scheme="http://arxiv.org/schemas/atom"/>',
    );
    expect((await parseArxivAtom(xml)).papers[0]!.categories).toEqual(['cs.SE', 'cs.LG']);
  });

  it('keeps an old-style id whole', async () => {
    const l = await parseArxivAtom(fixture('arxiv/api-id-astro-ph-0601001-2026-05.xml'));
    expect(l.papers).toHaveLength(1);
    const p = l.papers[0]!;
    expect(p.id).toBe('astro-ph/0601001');
    expect(p.arxivUrl).toBe('https://arxiv.org/abs/astro-ph/0601001');
    expect(p.authors).toEqual(['Andrew Gould', 'Susan Dorsher', 'B. Scott Gaudi', 'Andrzej Udalski']);
    expect(p.categories).toEqual(['astro-ph']);
    expect(p.journalRef).toBe('ActaAstron.56:1-50,2006');
    expect(p.publishedAt).toBe('2006-01-02');
    expect(p.summary).toMatch(/^We derive the frequencies of hot Jupiters \(HJs\)/);
    expect(p.summary).toContain('Gould & Morgan (2003)');
  });

  it('reads the 2016 format: hard-wrapped text collapsed, inline namespaces', async () => {
    const l = await parseArxivAtom(fixture('arxiv/api-id-1111.2011v2-old-format-2016.xml'));
    const p = l.papers[0]!;
    expect(p.id).toBe('1111.2011');
    expect(p.title).toBe('Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit');
    expect(p.summary).not.toMatch(/\n|\s{2}/);
    expect(p.summary).toMatch(/^Theoretical description of anisotropic systems, such as layered superconductors/);
    expect(p.authors).toEqual(['James M. Murray', 'Adrian Del Maestro', 'Zlatko Tesanovic']);
    expect(p.categories).toEqual(['cond-mat.str-el', 'cond-mat.stat-mech']);
    expect(p.doi).toBe('10.1103/PhysRevB.85.115117');
    expect(p.journalRef).toBe('Phys. Rev. B 85, 115117 (2012)');
    expect(p.arxivComment).toBe('8 pages, 3 figures. Published version');
    expect(l.totalResults).toBe(1);
  });

  it("turns arXiv's error feed into a ParseError with arXiv's message", async () => {
    const err = await parseArxivAtom(fixture('arxiv/api-error-400-bad-id-2026-04-12.xml')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect((err as Error).message).toBe('arXiv API error: incorrect id format for abc');
    // The same feed with its error id in another form is still the error, not a broken entry.
    const moved = await parseArxivAtom(fixture('arxiv/api-error-400-bad-id-2026-04-12.xml').replace(/<id>[^<]*api\/errors[^<]*<\/id>/, '<id>https://arxiv.org/help/api/user-manual#errors</id>')).catch((e: unknown) => e);
    expect((moved as Error).message).toBe('arXiv API error: incorrect id format for abc');
  });

  it('reads zero results as an empty listing', async () => {
    const l = await parseArxivAtom(fixture('arxiv/api-empty-result-2026-04-12.xml'));
    expect(l.papers).toEqual([]);
    expect(l.totalResults).toBe(0);
  });

  it('rejects what is not an arXiv Atom answer', async () => {
    await expect(parseArxivAtom('<html><body>hello</body></html>')).rejects.toBeInstanceOf(ParseError);
    await expect(parseArxivAtom('<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>')).rejects.toThrow(/totalResults/);
  });
});

describe('parseArxivListing', () => {
  it('reads the 2024+ listing: sections, ids, titles, authors in order, categories primary first', async () => {
    const l = await parseArxivListing(fixture('arxiv/list-cs.LG-new.synthetic.html'));
    expect(l.format).toBe('arxiv-listing');
    expect(l.date).toBe('2024-10-25');
    expect(l.entries.map((e) => [e.paper.id, e.section])).toEqual([
      ['2410.18957', 'new'], ['2410.18960', 'new'], ['2410.18999', 'new'],
      ['2410.18123', 'cross'],
      ['2302.01234', 'replacement'], ['math/0309136', 'replacement'],
    ]);
    expect(l.papers).toEqual(l.entries.map((e) => e.paper));
    const [first, second, , cross, repl, old] = l.papers;
    for (const k of PARSED_KEYS) expect(first![k], k).not.toBeUndefined();
    expect(first!.title).toBe('Sparse Mixtures of Experts for Streaming Time Series');
    expect(first!.authors).toEqual(['Jürgen Müller', 'Lucía García-Pérez', 'Thị Hương Nguyễn']);
    expect(first!.categories).toEqual(['cs.LG', 'cs.AI']);
    expect(first!.arxivComment).toBe('12 pages, 4 figures; code at https://example.org/smoe');
    expect(first!.summary).toBe('We study sparse mixtures of experts on streaming data. Routing is learned online; we bound the regret in $O(\\sqrt{T})$.');
    expect(first!.arxivUrl).toBe('https://arxiv.org/abs/2410.18957');
    expect(first!.sources).toEqual(['arxiv']);
    expect(second!.authors).toEqual(["Siobhán O'Connor", 'François Dubois']);
    expect(second!.arxivComment).toBeNull();
    expect(second!.categories).toEqual(['cs.LG', 'stat.ML']);
    expect(cross!.categories).toEqual(['cs.CV', 'cs.LG']);
    expect(repl!.journalRef).toBe('Trans. Mach. Learn. Res. 2024');
    expect(repl!.summary).toBeNull();
    expect(old!.id).toBe('math/0309136');
    expect(old!.categories).toEqual(['math.GT', 'cs.LG']);
    expect(old!.pdfUrl).toBe('https://arxiv.org/pdf/math/0309136');
    // New submissions and cross-lists were announced that day; replacements announce a version.
    // A listing's day is never a publishedAt.
    expect(l.papers.map((x) => x.announcedAt)).toEqual(['2024-10-25', '2024-10-25', '2024-10-25', '2024-10-25', null, null]);
    expect(l.papers.every((x) => x.publishedAt === null && x.listedOn === '2024-10-25' && x.origin === 'arxiv-listing')).toBe(true);
    expect(l.papers.map((x) => x.arxivAnnounce)).toEqual(l.entries.map((e) => (e.section === 'replacement' ? expect.stringMatching(/^replace(-cross)?$/) : e.section)));
  });

  it('gives no listing date to a cross-list whose id is older than the month before the listing', async () => {
    const html = fixture('arxiv/list-cs.LG-new.synthetic.html').replaceAll('2410.18123', '2301.00042');
    const l = await parseArxivListing(html);
    expect(l.entries[3]).toMatchObject({ section: 'cross', paper: { id: '2301.00042', announcedAt: null, arxivAnnounce: 'cross' } });
  });

  it('reads the pre-2024 layout (span.list-identifier, headings before each dl, two-digit years)', async () => {
    const html = fixture('arxiv/list-cs.LG-new-2023-layout.synthetic.html');
    const l = await parseArxivListing(html);
    expect(l.date).toBe('2023-10-27');
    expect(l.entries.map((e) => [e.paper.id, e.section, e.paper.announcedAt, e.paper.arxivAnnounce])).toEqual([
      ['2310.16834', 'new', '2023-10-27', 'new'], ['2310.16001', 'cross', '2023-10-27', 'cross'], ['2209.00001', 'replacement', null, 'replace'],
    ]);
    expect(l.papers[0]).toMatchObject({ title: 'Old Layout, New Paper', authors: ['Ana Silva', 'Bo Li'], categories: ['cs.LG', 'stat.ML'], summary: 'An abstract of Old Layout, New Paper.' });
    expect(l.papers[1]!.categories).toEqual(['cs.CV', 'cs.LG']);
  });

  it('tells sections apart by the dt markers when the headings are missing', async () => {
    const html = fixture('arxiv/list-cs.LG-new.synthetic.html').replace(/<h3>(New|Cross|Replacement) submissions[^<]*<\/h3>/g, '');
    const l = await parseArxivListing(html);
    expect(l.entries.map((e) => e.section)).toEqual(['new', 'new', 'new', 'cross', 'replacement', 'replacement']);
  });

  it('reads "No updates for this time period." as an empty listing', async () => {
    const l = await parseArxivListing(fixture('arxiv/list-empty.synthetic.html'));
    expect(l.papers).toEqual([]);
    expect(l.entries).toEqual([]);
    expect(l.date).toBe('2024-10-26');
  });

  it('rejects a page that is not a listing', async () => {
    await expect(parseArxivListing('<html><body><p>Service unavailable</p></body></html>')).rejects.toBeInstanceOf(ParseError);
    await expect(parseArxivListing('<html><body><div id="dlpage"><h3>Something</h3></div></body></html>')).rejects.toThrow(/no dl#articles/);
  });
});
