/**
 * Machine formats: pure functions from records to text chunks. They take iterables and yield
 * strings, so a cache of any size streams through them with flat memory.
 */
import { RECORD_FIELDS as PAPER_FIELDS, type Paper } from '../record.js';

/** The personal marks of a paper that has none (or was not read from the cache). */
const MARK_DEFAULTS = { seen: false, starred: false, hidden: false, tags: [] as string[], note: null };

/** The record with the contract's fields in the contract's order (and nothing else). */
export function toRecord(p: Paper): Paper {
  const out = {} as Record<string, unknown>;
  for (const k of PAPER_FIELDS) out[k] = p[k] ?? (k in MARK_DEFAULTS ? MARK_DEFAULTS[k as keyof typeof MARK_DEFAULTS] : null);
  return out as unknown as Paper;
}

/** Exactly one JSON array, one record per line inside it. */
export function* renderJson(papers: Iterable<Paper>): Generator<string> {
  let first = true;
  for (const p of papers) {
    yield (first ? '[\n  ' : ',\n  ') + JSON.stringify(toRecord(p));
    first = false;
  }
  yield first ? '[]\n' : '\n]\n';
}

/** One record per line. */
export function* renderJsonl(papers: Iterable<Paper>): Generator<string> {
  for (const p of papers) yield JSON.stringify(toRecord(p)) + '\n';
}

/**
 * RFC 4180: CRLF records, fields quoted when they hold a comma, quote or line break. A text
 * cell that a spreadsheet would run as a formula (= + - @, tab, CR) gets a leading apostrophe.
 */
function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join('; ') : String(v);
  if (typeof v !== 'number' && /^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A header row with the record's fields, then one row per paper; lists joined with "; ". */
export function* renderCsv(papers: Iterable<Paper>, fields: readonly string[] = PAPER_FIELDS): Generator<string> {
  yield fields.join(',') + '\r\n';
  for (const p of papers) yield fields.map((k) => csvCell(field(p, k))).join(',') + '\r\n';
}

const field = (p: Paper, k: string): unknown => (p as unknown as Record<string, unknown>)[k];

/** A TSV cell: tabs and line breaks (which would end the cell or row) become spaces. */
function tsvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join('; ') : String(v);
  return s.replace(/[\t\r\n]+/g, ' ');
}

/** Tab-separated values, for cut, fzf and spreadsheets: a header row, then one row per paper. */
export function* renderTsv(papers: Iterable<Paper>, fields: readonly string[] = PAPER_FIELDS): Generator<string> {
  yield fields.join('\t') + '\n';
  for (const p of papers) yield fields.map((k) => tsvCell(field(p, k))).join('\t') + '\n';
}
