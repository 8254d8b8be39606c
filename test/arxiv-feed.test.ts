import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../src/errors.js';
import { parseArxivFeed, stripAnnouncePrefix } from '../src/sources/arxiv/feed.js';
import { damaged, expectCompleteArxivPaper } from './helpers/oai-server.js';
import { fixture } from './helpers/server.js';

const ATOM = fixture('arxiv/feed-atom-cs.LG+cs.CL.synthetic.xml');
const RSS = fixture('arxiv/feed-rss-cs.LG.synthetic.xml');
const EMPTY = fixture('arxiv/feed-atom-empty-weekend.synthetic.xml');

describe('parseArxivFeed', () => {
  it('reads the Atom feed: ids, versions, clean abstracts, authors, categories, announce types, the announcement day', async () => {
    const feed = await parseArxivFeed(ATOM);
    expect(feed.format).toBe('arxiv-feed-atom');
    expect(feed.date).toBe('2024-10-25');
    expect(feed.papers.map((p) => p.id)).toEqual(['2410.90001', '2410.90003', '2309.90004', 'math/0309136']);
    expect(feed.entries.map((e) => e.version)).toEqual([1, 1, 3, 2]);
    expect(feed.papers.map((p) => p.arxivAnnounce)).toEqual(['new', 'cross', 'replace', 'replace-cross']);
    for (const p of feed.papers) {
      expectCompleteArxivPaper(p);
      // Midnight US Eastern (-04:00) is the announcement's day, not the UTC day before or after.
      expect(p.announcedAt).toBe('2024-10-25');
      // An announcement never says when the first version appeared.
      expect(p.publishedAt).toBeNull();
      expect(p.summary).not.toMatch(/Announce Type|^arXiv:|Abstract:/);
      expect(p.versions).toEqual([]);
    }
    const [a, b] = feed.papers;
    expect(a!.title).toBe('Sparse Mixtures of Tiny Experts for Long-Context Retrieval');
    expect(a!.summary).toBe('We study sparse mixtures of very small experts. Each expert handles a slice of a long context.');
    expect(a!.authors).toEqual(['Ada Quill', 'Balázs Kovács', 'José M. García']);
    expect(a!.authorCount).toBe(3);
    expect(a!.categories).toEqual(['cs.LG', 'cs.CL']);
    expect(a!.arxivUrl).toBe('https://arxiv.org/abs/2410.90001');
    expect(b!.categories).toEqual(['cs.CV', 'cs.LG']);
    expect(b!.authors).toEqual(['Mina Park']);
    expect(feed.papers[3]!.pdfUrl).toBe('https://arxiv.org/pdf/math/0309136');
  });

  it('reads an empty weekend feed as success with zero papers and its date', async () => {
    const feed = await parseArxivFeed(EMPTY);
    expect(feed.papers).toEqual([]);
    expect(feed.entries).toEqual([]);
    expect(feed.date).toBe('2024-10-26');
  });

  it('reads the RSS 2.0 form the same way', async () => {
    const feed = await parseArxivFeed(RSS);
    expect(feed.format).toBe('arxiv-feed-rss');
    expect(feed.date).toBe('2024-10-25');
    expect(feed.papers.map((p) => [p.id, p.arxivAnnounce, p.announcedAt])).toEqual([
      ['2410.90001', 'new', '2024-10-25'],
      ['2309.90004', 'replace', '2024-10-25'],
    ]);
    expect(feed.entries.map((e) => e.version)).toEqual([1, 3]);
    expect(feed.papers[1]!.authors).toEqual(['Tom Hale', 'Rui Costa']);
    expect(feed.papers[0]!.categories).toEqual(['cs.LG', 'cs.CL']);
    expect(feed.papers[0]!.summary).toBe('We study sparse mixtures of very small experts.');
  });

  it('falls back to the summary prefix for the announce type, and to the feed date per item', async () => {
    const xml = ATOM.replace('<arxiv:announce_type>cross</arxiv:announce_type>', '').replace(/<published>[^<]*<\/published>/g, '').replace(/<updated>2024-10-25T00:00:00-04:00<\/updated>\n    <link href="https:\/\/arxiv.org\/abs\/2410.90003"/, '<link href="https://arxiv.org/abs/2410.90003"');
    const feed = await parseArxivFeed(xml);
    expect(feed.papers[1]!.arxivAnnounce).toBe('cross');
    expect(feed.papers[1]!.announcedAt).toBe('2024-10-25');
    // An unknown announce type is no type at all.
    const odd = await parseArxivFeed(ATOM.replace('<arxiv:announce_type>new</arxiv:announce_type>', '<arxiv:announce_type>withdrawn</arxiv:announce_type>'));
    expect(odd.papers[0]!.arxivAnnounce).toBeNull();
  });

  it('strips only the announcement prefix', () => {
    expect(stripAnnouncePrefix('arXiv:2410.90001v2 Announce Type: replace-cross \nAbstract: Text: with colons.')).toBe('Text: with colons.');
    expect(stripAnnouncePrefix('A plain abstract. Abstract: stays.')).toBe('A plain abstract. Abstract: stays.');
    expect(stripAnnouncePrefix(null)).toBeNull();
  });

  it('refuses what is not a feed, and items without an id or title', async () => {
    await expect(parseArxivFeed('<html><body>Not found</body></html>')).rejects.toThrow(ParseError);
    await expect(parseArxivFeed('')).rejects.toThrow(ParseError);
    await expect(parseArxivFeed(ATOM.replace('<id>oai:arXiv.org:2410.90003v1</id>', '<id>tag:nothing</id>').replace('<link href="https://arxiv.org/abs/2410.90003" rel="alternate" type="text/html"/>', ''))).rejects.toThrow(/id or title/);
    await expect(parseArxivFeed('<rss version="2.0"></rss>')).rejects.toThrow(/channel/);
  });

  it('returns complete records or a ParseError on damaged feeds, never anything else', async () => {
    const check = async (s: string) => {
      try {
        const feed = await parseArxivFeed(s);
        for (const p of feed.papers) expectCompleteArxivPaper(p);
        expect(feed.entries).toHaveLength(feed.papers.length);
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
      }
    };
    await fc.assert(fc.asyncProperty(fc.oneof(damaged(ATOM), damaged(RSS), damaged(EMPTY)), check), { numRuns: 300 });
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 500 }), check), { numRuns: 200 });
  });
});
