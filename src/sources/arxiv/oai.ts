/**
 * arXiv's OAI-PMH answers (`ListRecords` with `metadataPrefix=arXivRaw`) as records, and the
 * pieces every bulk arXiv shape shares (versions, RFC 2822 dates, TeX-accented author names).
 *
 * Decisions:
 * - A record's dates come from its versions: publishedAt is v1's day, updatedAt the latest
 *   version's day. The header's `datestamp` is the record's last modification at arXiv (a
 *   metadata fix changes it) and is never used as a paper date; it comes back per record for
 *   diagnostics only.
 * - `noRecordsMatch` is an empty page, not a failure: an incremental harvest on a quiet day asks
 *   for nothing new. Every other OAI error (`badResumptionToken`, `badArgument`, …) is an
 *   OaiError (a ParseError) carrying the code, so a caller can tell an expired token apart.
 * - Deleted records (`<header status="deleted">`, no metadata) carry no paper: their ids come
 *   back in `deleted`, so a caller may report them; the cache keeps what it has.
 */
import { ParseError } from '../../errors.js';
import { arxivAbsUrl, arxivPdfUrl, bareArxivId } from '../../ids.js';
import type { OriginKind, ParsedPaper } from '../../record.js';
import { cleanText } from '../../text.js';
import { localName, readXml } from './xml.js';

/** How arXiv announced a paper in a listing or feed. */
export type ArxivAnnounce = 'new' | 'cross' | 'replace' | 'replace-cross';

/**
 * One version of a paper: its number, its day (UTC) and, where the source gives it, its size.
 * The record's own shape (a size only where one is stated), so records need no copy.
 */
export interface ArxivVersion {
  version: number;
  /** YYYY-MM-DD (UTC). */
  date: string;
  /** As arXiv states it (`123kb`); absent when the source gives none. */
  size?: string;
}

/** A dated version, with its size when one is stated. */
export function arxivVersion(version: number, date: string, size: unknown): ArxivVersion {
  return typeof size === 'string' && size.trim() !== '' ? { version, date, size: size.trim() } : { version, date };
}

/**
 * The record fields the bulk shapes add beyond ParsedPaper. Every parser here sets all of
 * them (null or [] where the source says nothing), so that the records are complete once the
 * cache's record carries these fields.
 */
export interface ArxivExtra {
  announcedAt: string | null;
  updatedAt: string | null;
  arxivAnnounce: ArxivAnnounce | null;
  versions: ArxivVersion[];
}

export type ArxivPaper = ParsedPaper & ArxivExtra;

/** An OAI-PMH error answer other than noRecordsMatch: `code` is the protocol's. */
export class OaiError extends ParseError {
  readonly code: string;
  constructor(code: string, message: string, opts: { hint?: string } = {}) {
    super(message, opts);
    this.code = code;
  }
}

/** One page of ListRecords. */
export interface OaiPage {
  records: ArxivPaper[];
  /** Ids of records arXiv marks deleted (no metadata). */
  deleted: string[];
  /** Each record's datestamp (last modification at arXiv), by id: diagnostics only. */
  datestamps: Map<string, string>;
  /** The token for the next page; null when this page is the last. */
  resumptionToken: string | null;
  /** Records in the whole list, when the server says so. */
  completeListSize: number | null;
  /** Position of this page's first record in the whole list, when the server says so. */
  cursor: number | null;
  /** The server's `responseDate` (ISO 8601, UTC). */
  responseDate: string;
  /** True when the answer was the `noRecordsMatch` error (an empty page). */
  noRecordsMatch: boolean;
}

const FORMAT_HINT = 'the OAI-PMH answer format may have changed; please report it with --verbose';
const MONTHS: Record<string, string> = {
  jan: '01', feb: '02', mar: '03', apr: '04', may: '05', jun: '06',
  jul: '07', aug: '08', sep: '09', oct: '10', nov: '11', dec: '12',
};

/**
 * The UTC day of an RFC 2822 date as arXiv writes them (`Tue, 22 Oct 2024 17:59:30 GMT`,
 * `Mon, 2 Apr 2007 19:18:42 GMT`), or of an ISO date; null when it is neither. Dates with a
 * zone other than GMT/UTC/+0000 are converted to UTC.
 */
export function rfc2822Day(s: unknown): string | null {
  if (typeof s !== 'string') return null;
  const m = /^\s*(?:[A-Za-z]{3},?\s+)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})(?:\s+(\d{1,2}:\d{2}(?::\d{2})?)\s*(GMT|UTC|UT|Z|[+-]\d{4})?)?/.exec(s);
  if (m) {
    const month = MONTHS[m[2]!.toLowerCase()];
    const day = Number(m[1]);
    if (month === undefined || day < 1 || day > 31) return null;
    const zone = m[5];
    if (m[4] !== undefined && zone !== undefined && /^[+-]\d{4}$/.test(zone) && zone !== '+0000' && zone !== '-0000') {
      const t = Date.parse(`${m[3]}-${month}-${String(day).padStart(2, '0')}T${m[4].length === 5 ? `${m[4]}:00` : m[4].padStart(8, '0')}${zone.slice(0, 3)}:${zone.slice(3)}`);
      return Number.isFinite(t) ? new Date(t).toISOString().slice(0, 10) : null;
    }
    const iso = `${m[3]}-${month}-${String(day).padStart(2, '0')}`;
    return validDay(iso) ? iso : null;
  }
  const iso = /^\s*(\d{4}-\d{2}-\d{2})/.exec(s);
  return iso && validDay(iso[1]!) ? iso[1]! : null;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A real calendar day in YYYY-MM-DD form (arithmetic: this runs for every version of millions of papers). */
function validDay(iso: string): boolean {
  if (iso.length !== 10) return false;
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  const d = Number(iso.slice(8, 10));
  if (!(y >= 1 && m >= 1 && m <= 12 && d >= 1)) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && !leap ? 28 : DAYS_IN_MONTH[m - 1]!);
}

/** `v3` → 3; null for anything else. */
export function versionNumber(s: unknown): number | null {
  if (typeof s !== 'string') return null;
  const m = /^\s*v?(\d{1,4})\s*$/i.exec(s);
  return m && Number(m[1]) > 0 ? Number(m[1]) : null;
}

/**
 * Versions in order of their number, each once (a repeated number keeps its first statement),
 * and the dates they imply: publishedAt is v1's day (null when v1 is not among them),
 * updatedAt the latest version's day.
 */
export function versionDates(list: ArxivVersion[]): { versions: ArxivVersion[]; publishedAt: string | null; updatedAt: string | null } {
  let versions = list;
  // Almost always already in order, each once: then the list is kept as it is.
  let ordered = true;
  for (let i = 1; i < list.length; i++) if (list[i]!.version <= list[i - 1]!.version) ordered = false;
  if (!ordered) {
    const byNumber = new Map<number, ArxivVersion>();
    for (const v of list) if (!byNumber.has(v.version)) byNumber.set(v.version, v);
    versions = [...byNumber.values()].sort((a, b) => a.version - b.version);
  }
  const first = versions[0];
  const last = versions[versions.length - 1];
  return {
    versions,
    publishedAt: first !== undefined && first.version === 1 ? first.date : null,
    updatedAt: last?.date ?? null,
  };
}

// TeX accent commands as arXiv's author strings use them (`Bal\'azs`, `G\"{o}del`, `\c{c}`).
const COMBINING: Record<string, string> = {
  "'": '\u0301', '`': '\u0300', '^': '\u0302', '"': '\u0308', '~': '\u0303', '=': '\u0304',
  '.': '\u0307', c: '\u0327', v: '\u030c', u: '\u0306', H: '\u030b', k: '\u0328', r: '\u030a',
};
const LETTERS: Record<string, string> = {
  ss: 'ß', o: 'ø', O: 'Ø', l: 'ł', L: 'Ł', ae: 'æ', AE: 'Æ', oe: 'œ', OE: 'Œ', aa: 'å', AA: 'Å', i: 'ı', j: 'ȷ',
};

/** TeX accents and special letters in a name turned into Unicode; other text is left alone. */
export function texToUnicode(s: string): string {
  if (!s.includes('\\') && !s.includes('{')) return s;
  let t = s.replace(/\\([`'^"~=.])\s*(?:\{\s*(\\?[A-Za-z])\s*\}|(\\?[A-Za-z]))/g, (_, acc: string, a?: string, b?: string) => {
    const letter = (a ?? b ?? '').replace(/^\\([ij])$/, '$1');
    return letter.startsWith('\\') ? _ : letter + COMBINING[acc]!;
  });
  if (t.includes('\\')) {
    t = t.replace(/\\([cvuHkr])(?:\s*\{\s*([A-Za-z])\s*\}|\s+([A-Za-z]))/g, (_, acc: string, a?: string, b?: string) => (a ?? b ?? '') + COMBINING[acc]!);
    t = t.replace(/\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![A-Za-z])\s?/g, (_, name: string) => LETTERS[name]!);
  }
  // Braces that only group letters (`{\"o}`, `{Mc}Donald`) go; braces around math stay.
  if (t.includes('{')) t = t.replace(/\{([^{}\\$]*)\}/g, '$1');
  return t.normalize('NFC');
}

/**
 * Author names from arXiv's one-string form: "A. One, B. Two and C. Three" (an Oxford comma
 * too), affiliations in parentheses dropped, TeX accents decoded.
 */
export function splitAuthors(s: string | null): string[] {
  if (s === null) return [];
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  const flush = () => {
    for (const piece of cur.split(/\s+and\s+|^and\s+/)) {
      const name = cleanText(texToUnicode(piece));
      if (name !== null) parts.push(name);
    }
    cur = '';
  };
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')' && depth > 0) depth--;
    else if (depth === 0) {
      if (ch === ',' || ch === ';' || ch === '\n') flush();
      else cur += ch;
    }
  }
  flush();
  return parts;
}

/** Space-separated categories, primary first, each once. */
export function splitCategories(s: string | null): string[] {
  if (s === null) return [];
  const out: string[] = [];
  for (const c of s.split(/\s+/)) if (c && !out.includes(c)) out.push(c);
  return out;
}

/** A record with every ParsedPaper and ArxivExtra field, its links set from the id. */
export function arxivPaper(id: string, title: string, origin: OriginKind, listedOn: string | null = null): ArxivPaper {
  // One literal with every field (the shape emptyPaper gives, plus the extras): cheaper than a
  // spread, which matters at the snapshot's millions of records.
  return {
    id, title, summary: null, authors: [], authorCount: null, publishedAt: null,
    dailyDate: null, upvotes: null, comments: null, url: null, arxivUrl: arxivAbsUrl(id), pdfUrl: arxivPdfUrl(id),
    githubRepo: null, projectPage: null, githubStars: null, keywords: [], aiSummary: null,
    organization: null, categories: [], sources: ['arxiv'],
    journalRef: null, arxivComment: null, doi: null,
    announcedAt: null, updatedAt: null, arxivAnnounce: null, versions: [], origin, listedOn,
  };
}


/**
 * One ListRecords answer (arXivRaw metadata). Throws OaiError for OAI errors other than
 * noRecordsMatch, ParseError for anything that is not an OAI-PMH answer or a record without
 * an id or title.
 */
export async function parseOaiListRecords(xml: string): Promise<OaiPage> {
  if (typeof xml !== 'string') throw new ParseError('not an OAI-PMH answer (no text)', { hint: FORMAT_HINT });
  const { kids, text, textOf, tops } = readXml(xml);
  const root = tops().find((el) => localName(el) === 'OAI-PMH');
  if (root === undefined) throw new ParseError('not an OAI-PMH answer (no <OAI-PMH> element)', { hint: FORMAT_HINT });
  const responseDate = text(root, 'responseDate');
  if (responseDate === null || !/^\d{4}-\d{2}-\d{2}/.test(responseDate)) throw new ParseError('OAI-PMH answer without a responseDate', { hint: FORMAT_HINT });

  const empty = (noRecordsMatch: boolean): OaiPage => ({
    records: [], deleted: [], datestamps: new Map(), resumptionToken: null, completeListSize: noRecordsMatch ? 0 : null, cursor: null, responseDate, noRecordsMatch,
  });
  const errors = kids(root, 'error');
  if (errors.length > 0) {
    const codes = errors.map((e) => e.attribs.code ?? 'unknown');
    if (codes.every((c) => c === 'noRecordsMatch')) return empty(true);
    const first = errors.find((e) => e.attribs.code !== 'noRecordsMatch')!;
    const code = first.attribs.code ?? 'unknown';
    const msg = textOf(first);
    const hint = code === 'badResumptionToken'
      ? 'the harvest\'s resumption token expired or is unknown; the harvest starts again from its last date'
      : 'arXiv\'s OAI-PMH server refused the request; check the set and dates asked for';
    throw new OaiError(code, `OAI-PMH error ${code}${msg ? `: ${msg}` : ''}`, { hint });
  }
  const list = kids(root, 'ListRecords')[0];
  if (list === undefined) throw new ParseError('OAI-PMH answer without ListRecords or an error', { hint: FORMAT_HINT });

  const page = empty(false);
  for (const rec of kids(list, 'record')) {
    const header = kids(rec, 'header')[0];
    const headerId = header ? text(header, 'identifier') : null;
    const datestamp = header ? text(header, 'datestamp') : null;
    if (header?.attribs.status === 'deleted') {
      const id = bareArxivId((headerId ?? '').replace(/^oai:arXiv\.org:/i, ''));
      if (id !== null) page.deleted.push(id);
      continue;
    }
    const meta = kids(rec, 'metadata')[0];
    const raw = meta ? kids(meta, 'arXivRaw')[0] : undefined;
    if (raw === undefined) throw new ParseError(`OAI-PMH record ${JSON.stringify(headerId ?? '')} without arXivRaw metadata`, { hint: 'papers asks for metadataPrefix=arXivRaw; the server answered another format' });
    const rawId = text(raw, 'id') ?? (headerId ?? '').replace(/^oai:arXiv\.org:/i, '');
    const id = bareArxivId(rawId);
    const title = text(raw, 'title');
    if (id === null || title === null) throw new ParseError(`OAI-PMH record without a recognisable id or title (${JSON.stringify(rawId.slice(0, 80))})`, { hint: FORMAT_HINT });
    const p = arxivPaper(id, title, 'arxiv-oai');
    p.summary = text(raw, 'abstract');
    p.authors = splitAuthors(text(raw, 'authors'));
    p.authorCount = p.authors.length > 0 ? p.authors.length : null;
    p.categories = splitCategories(text(raw, 'categories'));
    p.arxivComment = text(raw, 'comments');
    p.journalRef = text(raw, 'journal-ref');
    p.doi = text(raw, 'doi');
    const stated: ArxivVersion[] = [];
    for (const v of kids(raw, 'version')) {
      const n = versionNumber(v.attribs.version);
      const date = rfc2822Day(text(v, 'date'));
      if (n !== null && date !== null) stated.push(arxivVersion(n, date, text(v, 'size')));
    }
    const dates = versionDates(stated);
    p.versions = dates.versions;
    p.publishedAt = dates.publishedAt;
    p.updatedAt = dates.updatedAt;
    if (datestamp !== null) page.datestamps.set(id, datestamp);
    page.records.push(p);
  }
  const token = kids(list, 'resumptionToken')[0];
  if (token !== undefined) {
    page.resumptionToken = textOf(token);
    const num = (v: string | undefined): number | null => (v !== undefined && /^\d+$/.test(v.trim()) ? Number(v) : null);
    page.completeListSize = num(token.attribs.completeListSize);
    page.cursor = num(token.attribs.cursor);
  }
  return page;
}
