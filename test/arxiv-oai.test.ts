import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../src/errors.js';
import { OaiError, parseOaiListRecords, rfc2822Day, splitAuthors, texToUnicode, versionDates, type ArxivPaper } from '../src/sources/arxiv/oai.js';
import { damaged, expectCompleteArxivPaper, listRecordsXml, makeRecords, rfc2822 } from './helpers/oai-server.js';
import { fixture } from './helpers/server.js';

const PAGE1 = fixture('arxiv/oai-listrecords-cs-page1.synthetic.xml');
const PAGE2 = fixture('arxiv/oai-listrecords-cs-page2.synthetic.xml');

describe('parseOaiListRecords', () => {
  it('reads a ListRecords page of arXivRaw records: dates from the versions, never from the datestamp', async () => {
    const page = await parseOaiListRecords(PAGE1);
    expect(page.responseDate).toBe('2024-10-26T09:12:44Z');
    expect(page.resumptionToken).toBe('6091524|1001');
    expect(page.completeListSize).toBe(3);
    expect(page.cursor).toBe(0);
    expect(page.noRecordsMatch).toBe(false);
    expect(page.records.map((p) => p.id)).toEqual(['2410.90001', 'cs/9901001']);
    expect(page.deleted).toEqual(['2410.90009']);
    for (const p of page.records) expectCompleteArxivPaper(p);

    const [a, b] = page.records as [ArxivPaper, ArxivPaper];
    expect(a.title).toBe('Sparse Mixtures of Tiny Experts for Long-Context Retrieval');
    expect(a.summary).toBe('We study sparse mixtures of very small experts. Each expert handles a slice of a long context, and a router picks two per token.');
    expect(a.authors).toEqual(['Ada Quill', 'Balázs Kovács', 'José M. García']);
    expect(a.authorCount).toBe(3);
    expect(a.categories).toEqual(['cs.LG', 'cs.CL', 'cs.AI']);
    expect(a.versions).toEqual([
      { version: 1, date: '2024-10-22', size: '1204kb' },
      { version: 2, date: '2024-10-25', size: '1311kb' },
    ]);
    expect(a.publishedAt).toBe('2024-10-22');
    expect(a.updatedAt).toBe('2024-10-25');
    expect(a.arxivComment).toBe('12 pages, 4 figures');
    expect(a.journalRef).toBe('Proc. Synthetic Conf. 2024, 1-12');
    expect(a.doi).toBe('10.0000/synthetic.2024.90001');
    expect(a.arxivUrl).toBe('https://arxiv.org/abs/2410.90001');
    expect(a.pdfUrl).toBe('https://arxiv.org/pdf/2410.90001');
    expect(a.sources).toEqual(['arxiv']);
    expect(a.announcedAt).toBeNull();
    expect(a.arxivAnnounce).toBeNull();

    // Modified in 2024 (the datestamp), published in 1999 (its only version).
    expect(page.datestamps.get('cs/9901001')).toBe('2024-10-24');
    expect(b.publishedAt).toBe('1999-01-02');
    expect(b.updatedAt).toBe('1999-01-02');
    expect(b.authors).toEqual(['Kurt Müller', 'Françoise Lefèvre']);
    expect(b.arxivComment).toBeNull();
    expect(b.doi).toBeNull();
  });

  it('reads the last page: an empty resumptionToken ends the list', async () => {
    const page = await parseOaiListRecords(PAGE2);
    expect(page.resumptionToken).toBeNull();
    expect(page.cursor).toBe(2);
    expect(page.completeListSize).toBe(3);
    expect(page.records.map((p) => p.id)).toEqual(['2410.90002']);
    expect(page.records[0]!.authors).toEqual(['Wen Li', 'Omar Haddad', 'Ines Ferreira']);
    expect(page.records[0]!.categories).toEqual(['stat.ML', 'cs.LG']);
    // 23:30 GMT stays on its UTC day.
    expect(page.records[0]!.publishedAt).toBe('2024-10-24');
  });

  it('takes noRecordsMatch as an empty page, not a failure', async () => {
    const page = await parseOaiListRecords(fixture('arxiv/oai-error-noRecordsMatch.synthetic.xml'));
    expect(page.records).toEqual([]);
    expect(page.noRecordsMatch).toBe(true);
    expect(page.resumptionToken).toBeNull();
    expect(page.completeListSize).toBe(0);
    expect(page.responseDate).toBe('2024-10-27T06:00:01Z');
  });

  it('throws an OaiError with the code for other OAI errors', async () => {
    const err = await parseOaiListRecords(fixture('arxiv/oai-error-badResumptionToken.synthetic.xml')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OaiError);
    expect(err).toBeInstanceOf(ParseError);
    expect((err as OaiError).code).toBe('badResumptionToken');
    expect((err as OaiError).message).toMatch(/invalid or expired/);
    expect((err as OaiError).hint).toBeTruthy();
  });

  it('refuses what is not an OAI-PMH answer, and records it cannot read', async () => {
    await expect(parseOaiListRecords('<html><body>Service maintenance</body></html>')).rejects.toThrow(ParseError);
    await expect(parseOaiListRecords(fixture('arxiv/api-query-all-testing-2026-04-12.xml'))).rejects.toThrow(/OAI-PMH/);
    await expect(parseOaiListRecords(PAGE1.replace(/<responseDate>[^<]*<\/responseDate>/, ''))).rejects.toThrow(/responseDate/);
    await expect(parseOaiListRecords(PAGE1.replace('<title>Sparse Mixtures of Tiny Experts for\n  Long-Context Retrieval</title>', ''))).rejects.toThrow(/id or title/);
    // Another metadata format than the one asked for.
    await expect(parseOaiListRecords(PAGE1.replaceAll('arXivRaw', 'oai_dc'))).rejects.toThrow(/arXivRaw/);
  });

  it('keeps versions in number order, each once, and leaves publishedAt null without a v1', async () => {
    const swapped = PAGE1.replace('<version version="v1">', '<version version="v9">');
    const p = (await parseOaiListRecords(swapped)).records[0]!;
    expect(p.versions.map((v) => v.version)).toEqual([2, 9]);
    expect(p.publishedAt).toBeNull();
    expect(p.updatedAt).toBe('2024-10-22');
  });

  it('reads generated pages exactly: every record, its versions and dates', async () => {
    const recs = makeRecords(40).filter((r) => !r.deleted);
    const xml = listRecordsXml({ responseDate: '2025-01-10T00:00:00Z', records: recs, token: { value: 'abc', cursor: 0, completeListSize: 99 } });
    const page = await parseOaiListRecords(xml);
    expect(page.records.map((p) => p.id)).toEqual(recs.map((r) => r.id));
    for (const [i, p] of page.records.entries()) {
      const r = recs[i]!;
      expect(p.versions.map((v) => v.version)).toEqual(r.versions.map((_, k) => k + 1));
      expect(p.publishedAt).toBe(new Date(Date.parse(r.versions[0]!.date)).toISOString().slice(0, 10));
      expect(p.updatedAt).toBe(new Date(Date.parse(r.versions.at(-1)!.date)).toISOString().slice(0, 10));
      expect(p.summary).toBe(r.abstract.replace(/\s+/g, ' '));
      expect(p.authors).toHaveLength(3);
    }
  });
});

describe('shared arXiv helpers', () => {
  it('reads RFC 2822 days in UTC, and ISO days', () => {
    expect(rfc2822Day('Mon, 2 Apr 2007 19:18:42 GMT')).toBe('2007-04-02');
    expect(rfc2822Day('Tue, 22 Oct 2024 17:59:30 GMT')).toBe('2024-10-22');
    expect(rfc2822Day('Fri, 25 Oct 2024 23:30:00 -0400')).toBe('2024-10-26');
    expect(rfc2822Day('2024-10-25')).toBe('2024-10-25');
    expect(rfc2822Day('Tue, 31 Feb 2024 00:00:00 GMT')).toBeNull();
    expect(rfc2822Day('yesterday')).toBeNull();
    expect(rfc2822Day(42)).toBeNull();
  });

  it('agrees with Date.parse on any generated RFC 2822 time', () => {
    fc.assert(fc.property(fc.integer({ min: Date.parse('1991-01-01'), max: Date.parse('2100-01-01') }), (t) => {
      expect(rfc2822Day(rfc2822(t))).toBe(new Date(t).toISOString().slice(0, 10));
    }), { numRuns: 300 });
  });

  it('decodes TeX accents in names and splits author strings', () => {
    expect(texToUnicode("Bal\\'azs")).toBe('Balázs');
    expect(texToUnicode('G\\"{o}del')).toBe('Gödel');
    expect(texToUnicode("Garc\\'{\\i}a")).toBe('García');
    expect(texToUnicode('Fran\\c{c}ois {\\O}stergaard \\ss')).toBe('François Østergaard ß');
    expect(texToUnicode('Plain Name')).toBe('Plain Name');
    expect(splitAuthors('A. One, B. Two, and C. Three')).toEqual(['A. One', 'B. Two', 'C. Three']);
    expect(splitAuthors('J. Smith (1), K. M\\"uller (2) ((1) Lab A, (2) Lab B)')).toEqual(['J. Smith', 'K. Müller']);
    expect(splitAuthors('Solo Author')).toEqual(['Solo Author']);
    expect(splitAuthors(null)).toEqual([]);
  });

  it('derives dates from versions whatever their order', () => {
    fc.assert(fc.property(fc.shuffledSubarray([1, 2, 3, 4, 5], { minLength: 1 }), (nums) => {
      const list = nums.map((n) => ({ version: n, date: `2024-01-0${n}` }));
      const d = versionDates(list);
      expect(d.versions.map((v) => v.version)).toEqual([...nums].sort());
      expect(d.publishedAt).toBe(nums.includes(1) ? '2024-01-01' : null);
      expect(d.updatedAt).toBe(`2024-01-0${Math.max(...nums)}`);
    }));
  });
});

describe('parseOaiListRecords on damaged input', () => {
  const check = async (s: string) => {
    try {
      const page = await parseOaiListRecords(s);
      for (const p of page.records) expectCompleteArxivPaper(p);
      expect(typeof page.responseDate).toBe('string');
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
    }
  };
  it('returns complete records or a ParseError, never anything else', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(damaged(PAGE1), damaged(PAGE2)), check), { numRuns: 300 });
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 500 }), check), { numRuns: 200 });
  });
});
