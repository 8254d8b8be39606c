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
  // A version is { version, date } as the contract gives it; the sizes arXiv states stay in the
  // cache and in `show` (showJson's versionSizes).
  out.versions = p.versions.map((v) => ({ version: v.version, date: v.date }));
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

/** A list item as a cell shows it: a version as `v2 2024-10-30`. */
function itemText(v: unknown): string {
  if (v !== null && typeof v === 'object' && 'version' in v) {
    const { version, date } = v as { version: unknown; date: unknown };
    return `v${String(version)}${date ? ` ${String(date)}` : ''}`;
  }
  return String(v);
}

/**
 * C0 and C1 control characters (ESC, BEL, …): a CSV file is read by people too (`cat`, a
 * pager), where they would act on the terminal. Tab and line breaks stay (an abstract's
 * paragraphs; a quoted cell holds them); JSON and JSONL keep the text exact.
 */
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
export function withoutControls(s: string): string {
  return s.replace(CONTROLS, '');
}

/**
 * RFC 4180: CRLF records, fields quoted when they hold a comma, quote or line break. A text
 * cell that a spreadsheet would run as a formula (= + - @, tab, CR) gets a leading apostrophe.
 */
function csvCell(v: unknown): string {
  let s = withoutControls(v === null || v === undefined ? '' : Array.isArray(v) ? v.map(itemText).join('; ') : String(v));
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
