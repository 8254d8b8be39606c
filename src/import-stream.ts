/**
 * The large inputs of `papers import`, streamed: arXiv's metadata snapshot (JSON Lines) and
 * papers' own records (`papers export --format jsonl` or `--format json`, `show --json`), plain
 * or gzip, from a file or stdin. No printing, no SQL.
 *
 * Decisions:
 * - Recognised by content from the input's first bytes (a gzip stream decompressed as far as
 *   they go): the first line (or array item) says which it is. Anything else is read whole by
 *   the listing importers, as before.
 * - papers' own record is taken back as the record it is: every field of the contract is
 *   checked for its type, and a record that fails is a bad line or item (counted, named, never
 *   fatal). Personal marks are not paper data: `papers marks import` carries them. The kind of
 *   source each value came from is not in a record, so the record counts as arXiv's API when
 *   arXiv is among its sources, else as Hugging Face's API (the cache's rule for a record of
 *   unknown origin).
 */
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { ParseError } from './errors.js';
import { bareArxivId } from './ids.js';
import type { ArxivAnnounce, ParsedPaper, SourceName, Version } from './record.js';

/** What a streamed input holds. */
export type StreamKind = 'snapshot' | 'records-jsonl' | 'records-json';

/** How many bytes of an input are looked at to recognise it. */
export const SNIFF_BYTES = 256 * 1024;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A line of arXiv's metadata snapshot: an id and arXiv's `versions` (`created`) or `authors_parsed`. */
function isSnapshotObject(o: Record<string, unknown>): boolean {
  if (typeof o.id !== 'string') return false;
  const versions = o.versions;
  return (Array.isArray(versions) && versions.some((v) => isObject(v) && 'created' in v)) || Array.isArray(o.authors_parsed);
}

/** papers' own record: the contract's fields that only it has together. */
export function isPapersRecord(o: unknown): o is Record<string, unknown> {
  return isObject(o) && typeof o.title === 'string' && Array.isArray(o.sources) && Array.isArray(o.versions)
    && 'firstSeenAt' in o && 'arxivUrl' in o && 'dailyDate' in o;
}

/** The first item of a JSON array in `text` (the array may go on past it), or null. */
function firstArrayItem(text: string): string | null {
  let i = text.indexOf('[');
  if (i < 0) return null;
  let depth = 0;
  let start = -1;
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      if (start < 0) start = i;
      // Skip the string: to a quote preceded by an even number of backslashes.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
      if (depth === 0) return text.slice(start, i + 1);
      continue;
    }
    if (c === 123 || c === 91) {
      if (start < 0) start = i;
      depth++;
    } else if (c === 125 || c === 93) {
      if (depth === 0) return null;
      if (--depth === 0) return text.slice(start, i + 1);
    } else if (c > 32 && start < 0) return null;
  }
  return null;
}

/**
 * What the first bytes of an input say it is, when it is one of the streamed kinds; null for
 * everything else (read whole). `complete`: the bytes are the whole input.
 */
export function sniffStream(head: Buffer, complete: boolean): { kind: StreamKind; gzip: boolean } | null {
  let bytes = head;
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  if (gzip) {
    try {
      bytes = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch {
      return null;
    }
  }
  // UTF-16 and binary inputs are for the listing importers to refuse or read.
  if (bytes.length >= 2 && (bytes[0] === 0xff && bytes[1] === 0xfe || bytes[0] === 0xfe && bytes[1] === 0xff)) return null;
  const text = bytes.subarray(0, 4 * SNIFF_BYTES).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('{')) {
    const nl = text.indexOf('\n');
    // A first line longer than what was looked at: not a line of either kind.
    if (nl < 0 && !complete) return null;
    let first: unknown;
    try {
      first = JSON.parse(nl < 0 ? text : text.slice(0, nl));
    } catch {
      return null;
    }
    if (!isObject(first)) return null;
    if (isPapersRecord(first)) return { kind: 'records-jsonl', gzip };
    if (isSnapshotObject(first)) return { kind: 'snapshot', gzip };
    return null;
  }
  if (text.startsWith('[')) {
    const item = firstArrayItem(text);
    if (item === null) return null;
    try {
      return isPapersRecord(JSON.parse(item)) ? { kind: 'records-json', gzip } : null;
    } catch {
      return null;
    }
  }
  return null;
}

const HINT = 'not a paper record as papers exports them';
const SOURCES: readonly SourceName[] = ['hf', 'arxiv', 'import'];
const ANNOUNCE: readonly ArxivAnnounce[] = ['new', 'cross', 'replace', 'replace-cross'];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function bad(field: string, v: unknown): ParseError {
  const shown = JSON.stringify(v) ?? String(v);
  return new ParseError(`"${field}" is ${shown.length > 40 ? `${shown.slice(0, 37)}...` : shown}`, { hint: HINT });
}

/** Field readers: the value, or a ParseError naming the field. */
function text(o: Record<string, unknown>, f: string): string | null {
  const v = o[f];
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw bad(f, v);
  return v === '' ? null : v;
}
function day(o: Record<string, unknown>, f: string): string | null {
  const v = text(o, f);
  if (v !== null && !DAY.test(v)) throw bad(f, v);
  return v;
}
function count(o: Record<string, unknown>, f: string): number | null {
  const v = o[f];
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw bad(f, v);
  return v;
}
function texts(o: Record<string, unknown>, f: string): string[] {
  const v = o[f];
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw bad(f, v);
  for (const x of v) if (typeof x !== 'string') throw bad(f, v);
  return v as string[];
}
function versions(o: Record<string, unknown>): Version[] {
  const v = o.versions;
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw bad('versions', v);
  return v.map((x: unknown): Version => {
    if (!isObject(x) || typeof x.version !== 'number' || !Number.isInteger(x.version) || x.version < 1) throw bad('versions', x);
    const date = x.date ?? null;
    if (date !== null && (typeof date !== 'string' || !DAY.test(date))) throw bad('versions', x);
    const size = x.size ?? null;
    if (size !== null && typeof size !== 'string') throw bad('versions', x);
    return size ? { version: x.version, date, size } : { version: x.version, date };
  });
}

/** One of papers' own records (as `papers export` writes it) as a parsed paper; ParseError names what is wrong. */
export function paperFromRecord(o: unknown): ParsedPaper {
  if (!isObject(o)) throw new ParseError('not a JSON object', { hint: HINT });
  const title = text(o, 'title');
  if (title === null) throw new ParseError('a record without a title', { hint: HINT });
  let id: string | null = null;
  if (o.id !== null && o.id !== undefined) {
    if (typeof o.id !== 'string' || (id = bareArxivId(o.id)) === null) throw bad('id', o.id);
  }
  const sources = texts(o, 'sources');
  for (const s of sources) if (!(SOURCES as readonly string[]).includes(s)) throw bad('sources', sources);
  if (sources.length === 0) throw bad('sources', sources);
  const announce = text(o, 'arxivAnnounce');
  if (announce !== null && !(ANNOUNCE as readonly string[]).includes(announce)) throw bad('arxivAnnounce', announce);
  const authors = texts(o, 'authors');
  return {
    id, title, summary: text(o, 'summary'), authors, authorCount: count(o, 'authorCount') ?? (authors.length > 0 ? authors.length : null),
    publishedAt: day(o, 'publishedAt'), announcedAt: day(o, 'announcedAt'), updatedAt: day(o, 'updatedAt'),
    arxivAnnounce: announce as ArxivAnnounce | null, versions: versions(o), dailyDate: day(o, 'dailyDate'),
    upvotes: count(o, 'upvotes'), comments: count(o, 'comments'), url: text(o, 'url'), arxivUrl: text(o, 'arxivUrl'), pdfUrl: text(o, 'pdfUrl'),
    githubRepo: text(o, 'githubRepo'), projectPage: text(o, 'projectPage'), githubStars: count(o, 'githubStars'),
    keywords: texts(o, 'keywords'), aiSummary: text(o, 'aiSummary'), organization: text(o, 'organization'),
    categories: texts(o, 'categories'), sources: sources as SourceName[],
    ...(o.journalRef !== undefined ? { journalRef: text(o, 'journalRef') } : {}),
    ...(o.arxivComment !== undefined ? { arxivComment: text(o, 'arxivComment') } : {}),
    ...(o.doi !== undefined ? { doi: text(o, 'doi') } : {}),
  };
}

/** One line (or array item) of papers' own records. */
export function parseRecordText(line: string): ParsedPaper {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (err) {
    throw new ParseError(`not JSON (${err instanceof Error ? err.message : String(err)})`, { hint: HINT });
  }
  return paperFromRecord(o);
}
