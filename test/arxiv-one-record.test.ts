/**
 * One record per paper across every arXiv shape and Hugging Face: an OAI-PMH harvest page, the
 * metadata snapshot, the announcement feed, a listing page, an API answer and an HF list, each
 * observed at its own time, ingested into fresh caches in every order fast-check tries, give
 * identical records (apart from the cache's arrival times), with versions united: each version's
 * day from the sources that date it (a feed's undated version never erases one) and its size
 * from the harvest.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyPaper, type Paper, type ParsedPaper } from '../src/record.js';
import { parseOaiListRecords } from '../src/sources/arxiv/oai.js';
import { parseSnapshotLine } from '../src/sources/arxiv/snapshot.js';
import { parseArxivFeed } from '../src/sources/arxiv/feed.js';
import { feedPapers } from '../src/sources/arxiv/index.js';
import { parseArxivAtom, parseArxivListing } from '../src/sources/arxiv/parse.js';
import { Store } from '../src/store/index.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'arxiv');
const fixture = (name: string) => readFileSync(join(FIX, name), 'utf8');

const API = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <opensearch:totalResults>2</opensearch:totalResults><opensearch:startIndex>0</opensearch:startIndex>
  <entry><id>http://arxiv.org/abs/2410.90001v2</id><updated>2024-10-25T08:01:12Z</updated><published>2024-10-22T17:59:30Z</published>
    <title>Sparse Mixtures of Tiny Experts for Long-Context Retrieval</title><summary>We study sparse mixtures of very small experts.</summary>
    <author><name>Ada Quill</name></author><arxiv:primary_category term="cs.LG"/><category term="cs.LG"/><category term="cs.CL"/></entry>
  <entry><id>http://arxiv.org/abs/math/0309136v1</id><updated>2003-09-10T16:02:11Z</updated><published>2003-09-10T16:02:11Z</published>
    <title>Knots and their invariants</title><summary>About knots.</summary>
    <author><name>Erin Voss</name></author><arxiv:primary_category term="math.GT"/><category term="math.GT"/></entry>
</feed>`;

async function sources(): Promise<{ name: string; at: string; papers: ParsedPaper[] }[]> {
  const oai = await parseOaiListRecords(fixture('oai-listrecords-cs-page1.synthetic.xml'));
  const snapshot = fixture('snapshot-sample.synthetic.jsonl').split('\n').filter(Boolean).map(parseSnapshotLine);
  const feed = feedPapers(await parseArxivFeed(fixture('feed-atom-cs.LG+cs.CL.synthetic.xml')));
  const listing = await parseArxivListing(fixture('list-cs.LG-new.synthetic.html'));
  const api = await parseArxivAtom(API);
  const hf = ['2410.90001', 'math/0309136'].map((id, i): ParsedPaper => ({
    ...emptyPaper(i === 0 ? 'Sparse mixtures of tiny experts for long-context retrieval' : 'Knots and Their Invariants', 'hf'),
    id, upvotes: 10 + i, dailyDate: '2024-10-24', publishedAt: i === 0 ? '2024-10-22' : '2003-09-10', url: `https://huggingface.co/papers/${id}`, origin: 'hf-api',
  }));
  return [
    { name: 'oai', at: '2024-11-05T10:00:00.000Z', papers: oai.records },
    { name: 'snapshot', at: '2024-11-06T10:00:00.000Z', papers: snapshot },
    { name: 'feed', at: '2024-10-25T10:00:00.000Z', papers: feed },
    { name: 'listing', at: '2024-10-25T11:00:00.000Z', papers: listing.papers },
    { name: 'api', at: '2024-10-26T10:00:00.000Z', papers: api.papers },
    { name: 'hf', at: '2024-10-24T10:00:00.000Z', papers: hf },
  ];
}

function ingest(order: { at: string; papers: ParsedPaper[] }[]): Map<string, Omit<Paper, 'firstSeenAt' | 'lastSeenAt'>> {
  const store = Store.open(':memory:');
  try {
    for (const s of order) store.upsertPapers(s.papers, { now: s.at });
    const ids = store.handle.prepare('SELECT id FROM papers ORDER BY id').pluck().all() as string[];
    return new Map(ids.map((id) => {
      const { firstSeenAt: _f, lastSeenAt: _l, ...rest } = store.getPaper(id)!;
      return [id, rest];
    }));
  } finally {
    store.close();
  }
}

describe('one record per paper across harvest, snapshot, feed, listing, API and Hugging Face', () => {
  it('is the same record whatever order the sources arrive in', async () => {
    const all = await sources();
    const reference = ingest(all);
    // The papers seen by several sources are there once, with what each knows.
    const p = reference.get('2410.90001')!;
    expect(p.sources).toEqual(['hf', 'arxiv']);
    expect(p.upvotes).toBe(10);
    expect(p.versions).toEqual([
      { version: 1, date: '2024-10-22', size: '1204kb' },
      { version: 2, date: '2024-10-25', size: '1311kb' },
      { version: 3, date: '2024-11-04' },
    ]);
    // The feed announced math/0309136's v2 without its day; the snapshot's day for it stays.
    expect(reference.get('math/0309136')!.versions).toEqual([{ version: 1, date: '2003-09-10' }, { version: 2, date: '2024-10-24' }]);
    expect(p.publishedAt).toBe('2024-10-22');
    expect(p.arxivAnnounce).toBe('new');
    expect(p.title).toBe('Sparse Mixtures of Tiny Experts for Long-Context Retrieval');
    fc.assert(fc.property(fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }), (order) => {
      expect(Object.fromEntries(ingest(order))).toEqual(Object.fromEntries(reference));
    }), { numRuns: 40 });
  }, 120_000);
});
