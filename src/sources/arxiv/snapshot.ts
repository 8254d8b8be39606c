/**
 * arXiv's metadata snapshot (Kaggle "Cornell-University/arxiv",
 * `arxiv-metadata-oai-snapshot.json`): JSON Lines, one paper a line, plain or gzip-compressed.
 *
 * Decisions:
 * - Dates come from `versions`: publishedAt is v1's `created` day, updatedAt the latest
 *   version's. `update_date` is the record's last metadata change (like OAI's datestamp) and
 *   is only a fallback for updatedAt when no version is dated.
 * - Authors from `authors_parsed` (`[last, first, suffix]`) when it is there, else from the
 *   `authors` string; TeX accents decoded either way.
 * - The reader streams (json-records.ts): memory stays flat whatever the file's size. A bad
 *   line (not JSON, no id or title, longer than MAX_LINE_CHARS) is counted and named by its
 *   line number, and the reading goes on.
 */
import { ParseError } from '../../errors.js';
import { readJsonRecords, type ReadOptions, type ReadStats } from '../../json-records.js';
import { bareArxivId } from '../../ids.js';
import { arxivPaper, arxivVersion, rfc2822Day, splitAuthors, splitCategories, texToUnicode, versionDates, versionNumber, type ArxivPaper, type ArxivVersion } from './oai.js';


const HINT = 'the line is not a record of arXiv\'s metadata snapshot';

const NEEDS_COLLAPSE = /[^\S ]| {2}/;

/**
 * cleanText for the snapshot's hot path: the same result (whitespace runs to one space,
 * trimmed, empty is null) in two cheap passes (other whitespace to spaces, then runs of spaces)
 * rather than one match per space, which costs more at millions of abstracts.
 */
function str(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = (NEEDS_COLLAPSE.test(v) ? v.replace(/[^\S ]+/g, ' ').replace(/ {2,}/g, ' ') : v).trim();
  return t === '' ? null : t;
}

/** `authors_parsed` is `[last, first, suffix]`; a name reads first, last, suffix. */
const NAME_ORDER = [1, 0, 2] as const;

function isBlankText(s: string): boolean {
  return s.trim() === '';
}

function authorsFromParsed(v: unknown): string[] | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  const out: string[] = [];
  for (const a of v) {
    if (!Array.isArray(a)) return null;
    // First, last, suffix, joined without building an array per author (millions of them).
    let joined = '';
    for (const i of NAME_ORDER) {
      const part: unknown = a[i];
      if (typeof part === 'string' && part !== '' && !isBlankText(part)) joined = joined === '' ? part : `${joined} ${part}`;
    }
    const name = str(texToUnicode(joined));
    if (name !== null) out.push(name);
  }
  return out.length > 0 ? out : null;
}

/**
 * One line of the snapshot as a record. Throws ParseError (naming what is wrong) when the
 * line is not JSON, not an object, or has no recognisable id or title.
 */
export function parseSnapshotLine(line: string): ArxivPaper {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (err) {
    throw new ParseError(`not JSON (${err instanceof Error ? err.message : String(err)})`, { hint: HINT });
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new ParseError('not a JSON object', { hint: HINT });
  const r = o as Record<string, unknown>;
  const id = typeof r.id === 'string' ? bareArxivId(r.id) : null;
  if (id === null) throw new ParseError(`no recognisable id (${typeof r.id === 'string' ? JSON.stringify(r.id.slice(0, 40)) : typeof r.id})`, { hint: HINT });
  const title = str(r.title);
  if (title === null) throw new ParseError(`paper ${id} has no title`, { hint: HINT });
  const p = arxivPaper(id, title, 'arxiv-snapshot');
  p.summary = str(r.abstract);
  p.authors = authorsFromParsed(r.authors_parsed) ?? splitAuthors(str(r.authors));
  p.authorCount = p.authors.length > 0 ? p.authors.length : null;
  p.categories = splitCategories(str(r.categories));
  p.arxivComment = str(r.comments);
  p.journalRef = str(r['journal-ref']);
  p.doi = str(r.doi);
  const stated: ArxivVersion[] = [];
  if (Array.isArray(r.versions)) {
    for (const v of r.versions as unknown[]) {
      if (typeof v !== 'object' || v === null) continue;
      const n = versionNumber((v as Record<string, unknown>).version);
      const date = rfc2822Day((v as Record<string, unknown>).created);
      const size = (v as Record<string, unknown>).size;
      if (n !== null && date !== null) stated.push(arxivVersion(n, date, size));
    }
  }
  const dates = versionDates(stated);
  p.versions = dates.versions;
  p.publishedAt = dates.publishedAt;
  p.updatedAt = dates.updatedAt ?? (typeof r.update_date === 'string' ? rfc2822Day(r.update_date) : null);
  return p;
}

// The snapshot writes `"categories": "cs.LG stat.ML"` with one space after the colon (Kaggle's
// files) or none; a line where this finds nothing is parsed in full and filtered after.
const CATEGORIES_FIELD = /"categories":\s?"([^"\\]*)"/;

/** The snapshot's categories straight from its line: a line the filter rejects is never parsed. */
function snapshotCategories(line: string): string[] | null {
  const m = CATEGORIES_FIELD.exec(line);
  return m ? splitCategories(m[1]!) : null;
}

/**
 * Read a snapshot (plain or gzip, told apart by the gzip magic bytes) line by line. `papers`
 * yields the records that pass the filters, `batches` the same a chunk at a time (consume one
 * of the two); `stats` is updated as it goes (for a progress bar) and is complete when the
 * iteration ends. A damaged gzip stream or a failing input ends the iteration with a
 * ParseError (gzip) or the input's error, after the records already yielded.
 */
export function readSnapshot(input: AsyncIterable<Buffer | string>, opts: ReadOptions = {}): { papers: AsyncGenerator<ArxivPaper, void, undefined>; batches: AsyncGenerator<ArxivPaper[], void, undefined>; stats: ReadStats } {
  return readJsonRecords(input, { ...opts, parse: parseSnapshotLine, shape: 'lines', peekCategories: snapshotCategories });
}