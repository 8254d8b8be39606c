/**
 * The table people read: by default rank, upvotes, title, first author and count, id; or the
 * record fields asked for (--fields). cli-table3 draws it (borderless, two spaces between
 * columns, cells cut with …); which column gets the room is decided here: fixed columns take
 * what they need, the text columns share the rest, and the title always gets the most.
 */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { Paper } from '../record.js';
import { terminalSafe } from '../text.js';
import { displayWidth, truncate } from './width.js';
import { plural } from './words.js';

export { displayWidth } from './width.js';

export interface TableOptions {
  /** The terminal width to fit. */
  width: number;
  /** A chalk instance when colour is on, else null (no escape codes at all). */
  color: ChalkInstance | null;
  /** Record fields to show instead of the default columns. */
  fields?: readonly string[];
  /** An extra column after the upvotes, e.g. the gain `--sort rising` ordered by. */
  extra?: { head: string; value: (p: Paper) => string };
}

interface Column {
  head: string;
  cell: (p: Paper, i: number) => string;
  right?: boolean;
  /** Text that may be cut to fit; the rest always shows whole. */
  flexible?: boolean;
  /** At most this wide, even when there is room. */
  cap?: number;
  paint?: (c: ChalkInstance) => (t: string) => string;
}

function authorsLabel(p: Paper): string {
  const count = p.authorCount ?? p.authors.length;
  const first = p.authors[0] ? terminalSafe(p.authors[0]) : null;
  if (first) return count > 1 ? `${first} +${count - 1}` : first;
  return count > 0 ? plural(count, 'author') : '';
}

/** A record field as one line of text. */
export function fieldText(p: Paper, field: string): string {
  const v = (p as unknown as Record<string, unknown>)[field];
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return terminalSafe(v.map((x) => (typeof x === 'object' && x !== null ? JSON.stringify(x) : String(x))).join(', '));
  return terminalSafe(String(v));
}

const NUMERIC = new Set(['upvotes', 'comments', 'githubStars', 'authorCount']);
const TEXT = new Set(['title', 'summary', 'aiSummary', 'authors', 'keywords', 'note', 'organization', 'url', 'arxivUrl', 'pdfUrl', 'githubRepo', 'projectPage', 'categories', 'tags']);

/** `unseenDot`: on a terminal, a dot before the title of a paper not marked seen. */
function defaultColumns(extra: TableOptions['extra'], unseenDot = false): Column[] {
  return [
    { head: '#', cell: (_p, i) => String(i + 1), right: true, cap: 5, paint: (c) => c.dim },
    { head: '▲', cell: (p) => (p.upvotes === null ? '' : String(p.upvotes)), right: true, cap: 6, paint: (c) => c.yellow },
    ...(extra ? [{ head: extra.head, cell: extra.value, right: true, cap: 8, paint: (c: ChalkInstance) => c.green }] : []),
    { head: 'Title', cell: (p) => (unseenDot && p.seen === false ? '• ' : '') + terminalSafe(p.title), flexible: true },
    { head: 'Authors', cell: authorsLabel, flexible: true, cap: 28, paint: (c) => c.cyan },
    { head: 'ID', cell: (p) => p.id ?? '', cap: 18, paint: (c) => c.dim },
  ];
}

function fieldColumns(fields: readonly string[]): Column[] {
  return fields.map((f) => ({
    head: f,
    cell: (p: Paper) => fieldText(p, f),
    right: NUMERIC.has(f),
    flexible: TEXT.has(f),
    cap: f === 'title' ? undefined : TEXT.has(f) ? 40 : 24,
  }));
}

/**
 * Column widths: each column's natural width (its widest cell, within its cap); when they do
 * not fit, the flexible columns other than the title give up room first, never getting more
 * than the title; fixed columns stay whole.
 */
export function fitWidths(natural: number[], flexible: boolean[], titleIndex: number, width: number, gap = 2): number[] {
  const widths = [...natural];
  const total = () => widths.reduce((a, b) => a + b, 0) + gap * (widths.length - 1);
  if (total() <= width) return widths;
  const flex = widths.map((_, i) => i).filter((i) => flexible[i]);
  if (flex.length === 0) return widths;
  const fixed = widths.reduce((a, w, i) => a + (flexible[i] ? 0 : w), 0) + gap * (widths.length - 1);
  const room = Math.max(flex.length * 5, width - fixed);
  const others = flex.filter((i) => i !== titleIndex);
  // The title counts twice when sharing: it gets at least as much as any other text column.
  const share = Math.floor(room / (others.length + (titleIndex >= 0 ? 2 : 0)));
  let used = 0;
  for (const i of others) {
    widths[i] = Math.max(5, Math.min(natural[i]!, share));
    used += widths[i]!;
  }
  if (titleIndex >= 0) widths[titleIndex] = Math.max(5, Math.min(natural[titleIndex]!, room - used));
  // Room the title did not need goes back to the other text columns, in order.
  let spare = room - widths.reduce((a, w, i) => a + (flexible[i] ? w : 0), 0);
  for (const i of others) {
    const more = Math.min(spare, natural[i]! - widths[i]!);
    widths[i]! += more;
    spare -= more;
  }
  return widths;
}

const NO_BORDER = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
};

/** Rows drawn by one cli-table3 table (see renderTable). */
const TABLE_CHUNK = 8;

export function renderTable(papers: Paper[], opts: TableOptions): string {
  const c = opts.color;
  const columns = opts.fields?.length ? fieldColumns(opts.fields) : defaultColumns(opts.extra, c !== null);
  const cells = papers.map((p, i) => columns.map((col) => col.cell(p, i)));
  const natural = columns.map((col, j) => Math.min(col.cap ?? Infinity, Math.max(displayWidth(col.head), ...cells.map((r) => displayWidth(r[j]!)))));
  const titleIndex = columns.findIndex((col) => col.head === 'Title' || col.head === 'title');
  const widths = fitWidths(natural, columns.map((col) => !!col.flexible), titleIndex, opts.width);
  // Cells are cut to their width first, then coloured: the escape codes never count.
  const fitted = (text: string, j: number, style?: (t: string) => string) => {
    const t = truncate(text, widths[j]!);
    return style ? style(t) : t;
  };
  const rows = [columns.map((col, j) => fitted(col.head, j, c ? c.bold : undefined))];
  for (const row of cells) rows.push(row.map((text, j) => fitted(text, j, c && columns[j]!.paint ? columns[j]!.paint!(c) : undefined)));
  // cli-table3 lays a table out in time that grows with the square of its cells (each cell is
  // checked against every earlier one for spans, which these tables never have): the widths are
  // fixed above, so a few rows at a time draw the same lines in time that grows with the rows.
  let out = '';
  for (let i = 0; i < rows.length; i += TABLE_CHUNK) {
    const table = new Table({
      chars: NO_BORDER,
      style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [] },
      colWidths: widths,
      colAligns: columns.map((col) => (col.right ? 'right' : 'left')),
      wordWrap: false,
      truncate: '…',
    });
    table.push(...rows.slice(i, i + TABLE_CHUNK));
    out += table.toString().split('\n').map((l) => l.trimEnd()).join('\n') + '\n';
  }
  return out;
}
