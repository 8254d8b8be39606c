import fc from 'fast-check';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../src/errors.js';
import type { ArxivPaper } from '../src/sources/arxiv/oai.js';
import { categoryMatcher, MAX_LINE_CHARS, readJsonRecords, type ReadOptions } from '../src/json-records.js';
import { parseSnapshotLine, readSnapshot } from '../src/sources/arxiv/snapshot.js';
import type { ParsedPaper } from '../src/record.js';
import { damaged, expectCompleteArxivPaper } from './helpers/oai-server.js';
import { fixture, fixturePath } from './helpers/server.js';

const SAMPLE = fixture('arxiv/snapshot-sample.synthetic.jsonl');
const DAMAGED = fixture('arxiv/snapshot-damaged.synthetic.jsonl');
const SAMPLE_IDS = ['0704.0001', '2410.90001', 'math/0309136', '2301.90005', 'hep-th/9901001'];

async function readAll(input: Readable, opts: ReadOptions = {}) {
  const r = readSnapshot(input, opts);
  const papers: ArxivPaper[] = [];
  for await (const p of r.papers) papers.push(p);
  return { papers, stats: r.stats };
}

/** `buf` as a stream of chunks of `size` bytes (a chunk boundary anywhere, even inside a character). */
const chunked = (buf: Buffer, size: number) => Readable.from((function* () {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
})());

describe('parseSnapshotLine', () => {
  it('reads a snapshot record: versions and their dates, authors_parsed, categories, extras', () => {
    const lines = SAMPLE.trim().split('\n');
    const p = parseSnapshotLine(lines[0]!);
    expectCompleteArxivPaper(p);
    expect(p.id).toBe('0704.0001');
    expect(p.title).toBe('Calculation of prompt diphoton production cross sections at Tevatron and LHC energies');
    expect(p.authors).toEqual(['C. Balázs', 'E. L. Berger', 'P. M. Nadolsky', 'C. -P. Yuan']);
    expect(p.authorCount).toBe(4);
    expect(p.categories).toEqual(['hep-ph']);
    expect(p.versions).toEqual([
      { version: 1, date: '2007-04-02' },
      { version: 2, date: '2007-07-24' },
    ]);
    expect(p.publishedAt).toBe('2007-04-02');
    expect(p.updatedAt).toBe('2007-07-24');
    expect(p.journalRef).toBe('Phys.Rev.D76:013009,2007');
    expect(p.doi).toBe('10.1103/PhysRevD.76.013009');
    expect(p.arxivComment).toBe('37 pages, 15 figures; published version');
    expect(p.summary).toMatch(/^A fully differential calculation in perturbative quantum chromodynamics is presented/);
    expect(p.arxivUrl).toBe('https://arxiv.org/abs/0704.0001');
    expect(p.announcedAt).toBeNull();
    expect(p.arxivAnnounce).toBeNull();

    const q = parseSnapshotLine(lines[1]!);
    expect(q.authors).toEqual(['Ada Quill', 'Balázs Kovács', 'José M. García']);
    expect(q.versions.map((v) => v.version)).toEqual([1, 2, 3]);
    expect(q.publishedAt).toBe('2024-10-22');
    expect(q.updatedAt).toBe('2024-11-04');
    expect(q.categories).toEqual(['cs.LG', 'cs.CL', 'cs.AI']);
    expect(q.journalRef).toBeNull();

    // Empty authors_parsed: the authors string, split.
    expect(parseSnapshotLine(lines[3]!).authors).toEqual(['Ola Nordmann', 'Kari Nordmann']);
    // Old-style id kept with its slash.
    const old = parseSnapshotLine(lines[4]!);
    expect(old.id).toBe('hep-th/9901001');
    expect(old.authors).toEqual(['J. Smith', 'K. Müller']);
  });

  it('takes update_date for updatedAt only when no version is dated', () => {
    const o = JSON.parse(SAMPLE.split('\n')[0]!) as Record<string, unknown>;
    const p = parseSnapshotLine(JSON.stringify({ ...o, versions: [] }));
    expect(p.versions).toEqual([]);
    expect(p.publishedAt).toBeNull();
    expect(p.updatedAt).toBe('2008-11-13');
  });

  it('throws a ParseError naming what is wrong', () => {
    expect(() => parseSnapshotLine('{"id": "2410.9')).toThrow(/not JSON/);
    expect(() => parseSnapshotLine('[1]')).toThrow(/not a JSON object/);
    expect(() => parseSnapshotLine('{"id": "x", "title": "t"}')).toThrow(/no recognisable id/);
    expect(() => parseSnapshotLine('{"id": "2410.90001", "title": "  "}')).toThrow(/no title/);
  });

  it('returns a complete record or a ParseError on any input', () => {
    const good = SAMPLE.split('\n')[1]!;
    const check = (s: string) => {
      try {
        expectCompleteArxivPaper(parseSnapshotLine(s));
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
      }
    };
    fc.assert(fc.property(fc.oneof(damaged(good), fc.string(), fc.json({ maxDepth: 4 })), check), { numRuns: 500 });
    const anyField = fc.oneof(fc.anything(), fc.constant('2410.90001'), fc.constant('Title'), fc.constant([{ version: 'v1', created: 'Mon, 2 Apr 2007 19:18:42 GMT' }]));
    const record = fc.record({ id: anyField, title: anyField, authors: anyField, authors_parsed: anyField, versions: anyField, categories: anyField, update_date: anyField, abstract: anyField, doi: anyField }, { requiredKeys: [] });
    fc.assert(fc.property(record, (r) => check(JSON.stringify(r))), { numRuns: 500 });
    // Found by the property above: an id that is an object whose toString is not a function.
    expect(() => parseSnapshotLine('{"id":{"toString":0}}')).toThrow(ParseError);
  });
});

describe('readSnapshot', () => {
  it('streams a plain file: every record in order, counted', async () => {
    const { papers, stats } = await readAll(createReadStream(fixturePath('arxiv/snapshot-sample.synthetic.jsonl')));
    expect(papers.map((p) => p.id)).toEqual(SAMPLE_IDS);
    expect(papers).toEqual(SAMPLE.trim().split('\n').map(parseSnapshotLine));
    expect(stats).toMatchObject({ lines: 5, papers: 5, filtered: 0, skipped: 0, gzip: false, bytes: Buffer.byteLength(SAMPLE) });
  });

  it('recognises gzip by its magic bytes and reads the same records', async () => {
    const gz = gzipSync(Buffer.from(SAMPLE));
    const { papers, stats } = await readAll(Readable.from([gz]));
    expect(stats.gzip).toBe(true);
    expect(stats.bytes).toBe(gz.length);
    expect(papers.map((p) => p.id)).toEqual(SAMPLE_IDS);
  });

  it('reads the same records whatever the chunking, characters split across chunks included', async () => {
    const extra = `${JSON.stringify({ id: '2402.00001', title: 'Ünïcödé títlé — ß', authors: 'Zoë Ødegård', categories: 'cs.CL', versions: [{ version: 'v1', created: 'Thu, 1 Feb 2024 10:00:00 GMT' }] })}\r\n`;
    const text = Buffer.from(SAMPLE + extra);
    const expected = (await readAll(Readable.from([text]))).papers;
    expect(expected.at(-1)!.title).toBe('Ünïcödé títlé — ß');
    expect(expected.at(-1)!.authors).toEqual(['Zoë Ødegård']);
    for (const size of [1, 2, 3, 7, 64]) {
      expect((await readAll(chunked(text, size))).papers).toEqual(expected);
      expect((await readAll(chunked(gzipSync(text), size))).papers).toEqual(expected);
    }
  });

  it('counts and names bad lines by number, and goes on', async () => {
    const named: number[] = [];
    const { papers, stats } = await readAll(Readable.from([Buffer.from(DAMAGED)]), { onBadLine: (n) => named.push(n) });
    expect(papers.map((p) => p.id)).toEqual(['2410.90001', 'math/0309136']);
    expect(stats.lines).toBe(7);
    expect(stats.skipped).toBe(4);
    expect(stats.badLines.map((b) => b.line)).toEqual([2, 4, 5, 6]);
    expect(named).toEqual([2, 4, 5, 6]);
    expect(stats.badLines[0]!.reason).toMatch(/not JSON/);
    expect(stats.badLines[3]!.reason).toMatch(/2301\.90005 has no title/);
  });

  it('reads a last line without a newline, and skips an over-long line without keeping it', async () => {
    const last = SAMPLE.trimEnd();
    expect((await readAll(Readable.from([Buffer.from(last)]))).papers.map((p) => p.id)).toEqual(SAMPLE_IDS);
    const huge = 'x'.repeat(MAX_LINE_CHARS + 10);
    const src = Readable.from((function* () {
      for (let i = 0; i < huge.length; i += 1 << 20) yield Buffer.from(huge.slice(i, i + (1 << 20)));
      yield Buffer.from(`\n${SAMPLE}`);
    })());
    const { papers, stats } = await readAll(src);
    expect(papers.map((p) => p.id)).toEqual(SAMPLE_IDS);
    expect(stats.skipped).toBe(1);
    expect(stats.badLines).toEqual([{ line: 1, reason: expect.stringMatching(/longer than/) }]);
    expect(stats.lines).toBe(6);
  });

  it('applies --category globs and --since while reading', async () => {
    const read = (opts: ReadOptions) => readAll(Readable.from([Buffer.from(SAMPLE)]), opts);
    const cs = await read({ categories: ['cs.*'] });
    expect(cs.papers.map((p) => p.id)).toEqual(['2410.90001', 'math/0309136', '2301.90005']);
    expect(cs.stats).toMatchObject({ papers: 3, filtered: 2, skipped: 0 });
    expect((await read({ categories: ['hep-*', 'math.GT'] })).papers.map((p) => p.id)).toEqual(['0704.0001', 'math/0309136', 'hep-th/9901001']);
    expect((await read({ categories: ['cs.CL'] })).papers.map((p) => p.id)).toEqual(['2410.90001', '2301.90005']);
    expect((await read({ since: '2020-01-01' })).papers.map((p) => p.id)).toEqual(['2410.90001', '2301.90005']);
    expect((await read({ updatedSince: '2024-10-24' })).papers.map((p) => p.id)).toEqual(['2410.90001', 'math/0309136']);
    expect((await read({ categories: ['cs.*'], since: '2024-01-01' })).papers.map((p) => p.id)).toEqual(['2410.90001']);
  });

  it('matches globs on whole category names', () => {
    const m = categoryMatcher(['cs.*']);
    expect(m(['cs.LG'])).toBe(true);
    expect(m(['physics.cs'])).toBe(false);
    expect(m(['csx.LG'])).toBe(false);
    expect(categoryMatcher(['cs.L?'])(['cs.LG'])).toBe(true);
    expect(categoryMatcher(['cs.LG'])(['cs.LGX'])).toBe(false);
  });

  it('does not read ahead of its consumer (flat memory): a consumer that stops early stops the reading', async () => {
    for (const gzip of [false, true]) {
      let produced = 0;
      const line = SAMPLE.split('\n')[1]!;
      const body = Buffer.from(`${line}\n`.repeat(100));
      const source = Readable.from((function* () {
        for (let i = 0; i < 100_000; i++) {
          produced++;
          yield gzip ? gzipSync(body) : body;
        }
      })());
      // A gzip member per chunk: concatenated members are one valid gzip stream.
      const r = readSnapshot(source);
      let n = 0;
      for await (const _ of r.papers) if (++n === 5000) break;
      expect(n).toBe(5000);
      // 50 chunks hold 5000 lines; the stream's own buffering adds a few more.
      expect(produced).toBeLessThan(50 + 40);
    }
  });

  it('ends with a ParseError on a damaged gzip stream, after the records before the damage', async () => {
    const gz = gzipSync(Buffer.from(SAMPLE.repeat(200)));
    const broken = Buffer.concat([gz.subarray(0, gz.length >> 1), Buffer.from('garbage that is not deflate data at all')]);
    const r = readSnapshot(Readable.from([broken]));
    const seen: string[] = [];
    const err = await (async () => {
      for await (const p of r.papers) seen.push(p.id!);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).message).toMatch(/gzip/);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(1000);
  });
});

describe('readJsonRecords on one JSON array', () => {
  /** Every item the reader splits out, parsed back, and its stats. */
  async function items(input: Readable) {
    const r = readJsonRecords(input, { shape: 'array', parse: (t) => JSON.parse(t) as ParsedPaper });
    const out: unknown[] = [];
    for await (const b of r.batches) out.push(...b);
    return { out, stats: r.stats };
  }
  // Strings that look like structure: quotes, escapes, brackets, commas, non-ASCII.
  const tricky = fc.oneof(fc.string(), fc.constantFrom('"', '\\', '\\"', '"]', '[{', '},{', ',', 'ß—Ü', '\\\\"', '\n\t'));
  const item = fc.record({ id: tricky, title: tricky, n: fc.integer(), list: fc.array(fc.oneof(tricky, fc.integer(), fc.constant(null)), { maxLength: 3 }), nested: fc.dictionary(tricky, tricky, { maxKeys: 2 }) });

  it('splits any array into its items, whatever the chunking, the spacing and the escapes', async () => {
    await fc.assert(fc.asyncProperty(fc.array(item, { maxLength: 8 }), fc.constantFrom(undefined, 0, 2, '\t'), fc.integer({ min: 1, max: 64 }), fc.boolean(), async (list, indent, size, gzip) => {
      const text = Buffer.from(`\uFEFF${JSON.stringify(list, null, indent)}\n`);
      const { out, stats } = await items(chunked(gzip ? gzipSync(text) : text, size));
      expect(out).toEqual(list);
      expect(stats).toMatchObject({ lines: list.length, papers: list.length, skipped: 0, gzip });
    }), { numRuns: 300 });
  });

  it('counts and names a bad item by its number and goes on; an array cut short ends with a ParseError after the items before it', async () => {
    const { out, stats } = await items(Readable.from([Buffer.from('[{"a":1}, {"a":2,}, nope, {"a":3}]')]));
    expect(out).toEqual([{ a: 1 }, { a: 3 }]);
    expect(stats.badLines.map((b) => b.line)).toEqual([2, 3]);
    const text = JSON.stringify(Array.from({ length: 50 }, (_, i) => ({ a: i, s: 'x'.repeat(100) })));
    const seen: unknown[] = [];
    const r = readJsonRecords(chunked(Buffer.from(text.slice(0, text.length >> 1)), 500), { shape: 'array', parse: (t) => JSON.parse(t) as ParsedPaper });
    const err = await (async () => {
      for await (const b of r.batches) seen.push(...b);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).message).toMatch(/cut short/);
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.length).toBeLessThan(50);
    for (const [bad, why] of [['{"a":1}', /not a JSON array/], ['[1] [2]', /after the end/], ['', /empty/]] as const) {
      await expect(items(Readable.from([Buffer.from(bad)]))).rejects.toThrow(why);
    }
  });

  it('does not read ahead of its consumer: memory stays flat on an endless array', async () => {
    let produced = 0;
    const body = Buffer.from(`${JSON.stringify({ id: '2410.90001', title: 'x'.repeat(1000) })},`.repeat(100));
    const source = Readable.from((function* () {
      yield Buffer.from('[');
      for (let i = 0; i < 100_000; i++) {
        produced++;
        yield body;
      }
    })());
    const r = readJsonRecords(source, { shape: 'array', parse: (t) => JSON.parse(t) as ParsedPaper });
    let n = 0;
    for await (const b of r.batches) if ((n += b.length) >= 5000) break;
    expect(produced).toBeLessThan(50 + 40);
  });
});
