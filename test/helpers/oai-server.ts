/**
 * A real OAI-PMH 2.0 server on 127.0.0.1 serving arXivRaw records, for the harvest tests: it
 * pages with resumption tokens (cursor, completeListSize), filters by set and from/until on the
 * records' datestamps, answers noRecordsMatch, badResumptionToken for unknown or expired
 * tokens, 503 with Retry-After on chosen requests, and fails chosen requests (HTTP 500).
 * Also the checks the arXiv bulk-format tests share (a complete record, damaged inputs).
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { PAPER_FIELDS } from '../../src/record.js';
import type { ArxivPaper } from '../../src/sources/arxiv/oai.js';
import { startServer, type RecordedRequest } from './server.js';

export interface OaiTestVersion {
  /** RFC 2822, as arXiv writes it: `Tue, 22 Oct 2024 17:59:30 GMT`. */
  date: string;
  size?: string;
}

export interface OaiTestRecord {
  id: string;
  /** Last modification, YYYY-MM-DD: what from/until select on. */
  datestamp: string;
  sets: string[];
  deleted?: boolean;
  title: string;
  authors: string;
  categories: string;
  abstract: string;
  versions: OaiTestVersion[];
  comments?: string;
  doi?: string;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const ENVELOPE_OPEN = '<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n';

export function recordXml(r: OaiTestRecord): string {
  const header = `<header${r.deleted ? ' status="deleted"' : ''}>\n <identifier>oai:arXiv.org:${esc(r.id)}</identifier>\n <datestamp>${r.datestamp}</datestamp>\n${r.sets.map((s) => ` <setSpec>${esc(s)}</setSpec>\n`).join('')}</header>\n`;
  if (r.deleted) return `<record>\n${header}</record>\n`;
  const versions = r.versions.map((v, i) => ` <version version="v${i + 1}">\n  <date>${esc(v.date)}</date>\n  <size>${esc(v.size ?? '10kb')}</size>\n  <source_type>D</source_type>\n </version>\n`).join('');
  return `<record>\n${header}<metadata>\n <arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://arxiv.org/OAI/arXivRaw/ http://arxiv.org/OAI/arXivRaw.xsd">\n <id>${esc(r.id)}</id>\n <submitter>${esc(r.authors.split(',')[0] ?? '')}</submitter>\n${versions} <title>${esc(r.title)}</title>\n <authors>${esc(r.authors)}</authors>\n <categories>${esc(r.categories)}</categories>\n${r.comments ? ` <comments>${esc(r.comments)}</comments>\n` : ''}${r.doi ? ` <doi>${esc(r.doi)}</doi>\n` : ''} <abstract>  ${esc(r.abstract)}\n </abstract>\n </arXivRaw>\n</metadata>\n</record>\n`;
}

export function listRecordsXml(opts: { responseDate: string; records: OaiTestRecord[]; token?: { value: string; cursor: number; completeListSize: number } | null; request?: string }): string {
  const t = opts.token;
  const token = t === undefined || t === null ? '' : t.value === '' ? `<resumptionToken cursor="${t.cursor}" completeListSize="${t.completeListSize}"/>\n` : `<resumptionToken cursor="${t.cursor}" completeListSize="${t.completeListSize}">${esc(t.value)}</resumptionToken>\n`;
  return `${ENVELOPE_OPEN}<responseDate>${opts.responseDate}</responseDate>\n<request verb="ListRecords">${esc(opts.request ?? 'http://127.0.0.1/oai')}</request>\n<ListRecords>\n${opts.records.map(recordXml).join('')}${token}</ListRecords>\n</OAI-PMH>\n`;
}

export function oaiErrorXml(code: string, message: string, responseDate: string): string {
  return `${ENVELOPE_OPEN}<responseDate>${responseDate}</responseDate>\n<request>http://127.0.0.1/oai</request>\n<error code="${code}">${esc(message)}</error>\n</OAI-PMH>\n`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A time as arXiv's RFC 2822 form (`Tue, 22 Oct 2024 17:59:30 GMT`; the day without a leading zero). */
export function rfc2822(t: number): string {
  const d = new Date(t);
  const hms = d.toISOString().slice(11, 19);
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${hms} GMT`;
}

/**
 * `n` invented records: ids 2501.0NNNN (five digits), one to three versions a few days apart,
 * datestamps spread over `days` days from `firstDay`; every seventh in set `math` (the rest
 * `cs`), every eleventh deleted.
 */
export function makeRecords(n: number, opts: { firstDay?: string; days?: number; prefix?: string } = {}): OaiTestRecord[] {
  const first = Date.parse(`${opts.firstDay ?? '2025-01-06'}T00:00:00Z`);
  const days = opts.days ?? 5;
  const out: OaiTestRecord[] = [];
  for (let i = 0; i < n; i++) {
    const nv = (i % 3) + 1;
    const v1 = first - 30 * 86_400_000 + i * 3_600_000 + 1234_000;
    const versions = Array.from({ length: nv }, (_, k) => ({ date: rfc2822(v1 + k * 4 * 86_400_000 + k * 777_000), size: `${100 + i + k}kb` }));
    const stamp = new Date(first + (i % days) * 86_400_000).toISOString().slice(0, 10);
    out.push({
      id: `${opts.prefix ?? '2501'}.${String(i + 1).padStart(5, '0')}`,
      datestamp: stamp,
      sets: i % 7 === 3 ? ['math'] : ['cs'],
      deleted: i % 11 === 10,
      title: `Generated paper number ${i + 1} on harvesting`,
      authors: `Author ${i} One, Author ${i} Two and Author ${i} Three`,
      categories: i % 7 === 3 ? 'math.CO' : 'cs.LG stat.ML',
      abstract: `Abstract of paper ${i + 1}, hard-wrapped\nover two lines.`,
      versions,
    });
  }
  return out;
}

export interface OaiServer {
  /** The OAI-PMH endpoint: `http://127.0.0.1:<port>/oai`. */
  url: string;
  /** Every request to the endpoint, in order. */
  requests: RecordedRequest[];
  /** Replace the records served (e.g. to add modifications for an incremental run). */
  setRecords(records: OaiTestRecord[]): void;
  /** Forget every token issued (they "expire"): asking with one is badResumptionToken. */
  expireTokens(): void;
  close(): Promise<void>;
}

export interface OaiServerOptions {
  records: OaiTestRecord[];
  pageSize: number;
  /** The responseDate of each answer (default: the real time, to the second). */
  responseDate?: () => string;
  /** 1-based request numbers answered with 503 and `Retry-After: retryAfter`. */
  busyOn?: number[];
  retryAfter?: string;
  /** 1-based request numbers answered with HTTP 500 (a failure mid-harvest). */
  failOn?: number[];
}

export async function startOaiServer(opts: OaiServerOptions): Promise<OaiServer> {
  const server = await startServer();
  let records = opts.records;
  // token → the list it continues and the offset of its page
  const tokens = new Map<string, { list: OaiTestRecord[]; offset: number }>();
  let issued = 0;
  let count = 0;
  const responseDate = opts.responseDate ?? (() => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'));
  const xml = (body: string) => ({ status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' }, body });

  const page = (list: OaiTestRecord[], offset: number) => {
    const end = offset + opts.pageSize;
    let token: { value: string; cursor: number; completeListSize: number } | null = null;
    if (end < list.length) {
      const value = `${1000 + ++issued}|${end + 1}`;
      tokens.set(value, { list, offset: end });
      token = { value, cursor: offset, completeListSize: list.length };
    } else if (offset > 0) {
      token = { value: '', cursor: offset, completeListSize: list.length };
    }
    return xml(listRecordsXml({ responseDate: responseDate(), records: list.slice(offset, end), token }));
  };

  server.route('/oai', (req) => {
    count++;
    if (opts.busyOn?.includes(count)) return { status: 503, headers: { 'retry-after': opts.retryAfter ?? '1' }, body: 'busy' };
    if (opts.failOn?.includes(count)) return { status: 500, body: 'internal error' };
    const q = req.query;
    if (q.get('verb') !== 'ListRecords') return xml(oaiErrorXml('badVerb', 'only ListRecords here', responseDate()));
    const token = q.get('resumptionToken');
    if (token !== null) {
      if ([...q.keys()].some((k) => k !== 'verb' && k !== 'resumptionToken')) return xml(oaiErrorXml('badArgument', 'resumptionToken is exclusive', responseDate()));
      const state = tokens.get(token);
      if (!state) return xml(oaiErrorXml('badResumptionToken', 'The value of the resumptionToken argument is invalid or expired.', responseDate()));
      return page(state.list, state.offset);
    }
    const prefix = q.get('metadataPrefix');
    if (prefix === null) return xml(oaiErrorXml('badArgument', 'metadataPrefix is required', responseDate()));
    if (prefix !== 'arXivRaw') return xml(oaiErrorXml('cannotDisseminateFormat', `no format ${prefix}`, responseDate()));
    const set = q.get('set');
    const from = q.get('from');
    const until = q.get('until');
    const list = records.filter((r) => (set === null || r.sets.includes(set)) && (from === null || r.datestamp >= from) && (until === null || r.datestamp <= until));
    if (list.length === 0) return xml(oaiErrorXml('noRecordsMatch', 'The combination of the values of the from, until, set and metadataPrefix arguments results in an empty list.', responseDate()));
    return page(list, 0);
  });

  return {
    url: `${server.url}/oai`,
    get requests() {
      return server.requests.filter((r) => r.path === '/oai');
    },
    setRecords(r) {
      records = r;
    },
    expireTokens() {
      tokens.clear();
    },
    close: () => server.close(),
  };
}

// ---- checks shared by the arXiv bulk-format tests ------------------------------------------

/** Every contract field and every arXiv extra present, with the right types. */
export function expectCompleteArxivPaper(p: ArxivPaper): void {
  for (const k of PAPER_FIELDS) {
    if (k === 'firstSeenAt' || k === 'lastSeenAt') continue;
    expect(p[k], k).not.toBeUndefined();
  }
  for (const k of ['announcedAt', 'updatedAt', 'arxivAnnounce'] as const) expect(p[k], k).not.toBeUndefined();
  expect(Array.isArray(p.versions)).toBe(true);
  expect(typeof p.title).toBe('string');
  expect(p.title.length).toBeGreaterThan(0);
  expect(typeof p.id).toBe('string');
  for (const k of ['authors', 'keywords', 'categories', 'sources'] as const) expect(Array.isArray(p[k])).toBe(true);
  for (const v of p.versions) {
    expect(Number.isInteger(v.version) && v.version > 0).toBe(true);
    expect(v.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  }
  for (const d of [p.publishedAt, p.updatedAt, p.announcedAt]) if (d !== null) expect(d).toMatch(/^\d{4}-\d{2}-\d{2}$/);
}

/** A text damaged the ways downloads get damaged: cut short, bytes replaced, bytes inserted. */
export function damaged(text: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.nat({ max: text.length }).map((n) => text.slice(0, n)),
    fc.tuple(fc.nat({ max: text.length - 1 }), fc.string({ minLength: 1, maxLength: 8 })).map(([i, s]) => text.slice(0, i) + s + text.slice(i + s.length)),
    fc.tuple(fc.nat({ max: text.length }), fc.constantFrom('<', '>', '&', '"', '</record>', '<version version="v">', '<![CDATA[', '\u0000')).map(([i, s]) => text.slice(0, i) + s + text.slice(i)),
  );
}

