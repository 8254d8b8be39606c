/**
 * The table people read: rank, upvotes, title, first author and count, id; fitted to a width.
 * Laid out here rather than with a table library: the columns are fixed and never wrap, and
 * cli-table3 cost ~15 ms of a start-up budget measured in tens of ms (`npm run bench`).
 */
import type { ChalkInstance } from 'chalk';
import type { Paper } from '../record.js';
import { terminalSafe } from '../text.js';

export interface TableOptions {
  /** The terminal width to fit. */
  width: number;
  /** A chalk instance when colour is on, else null (no escape codes at all). */
  color: ChalkInstance | null;
}

function authorsLabel(p: Paper): string {
  const count = p.authorCount ?? p.authors.length;
  const first = p.authors[0] ? terminalSafe(p.authors[0]) : null;
  if (first) return count > 1 ? `${first} +${count - 1}` : first;
  return count > 0 ? `${count} author${count === 1 ? '' : 's'}` : '';
}

/** Columns one code point takes: East Asian wide and emoji 2, combining marks and joiners 0. */
function charWidth(cp: number): number {
  if (cp < 0x300) return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ? 0 : 1;
  if (cp <= 0x36f || cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (cp < 0x1100) return 1;
  return (cp <= 0x115f) || cp === 0x2329 || cp === 0x232a
    || (cp >= 0x2e80 && cp <= 0x3247 && cp !== 0x303f) || (cp >= 0x3250 && cp <= 0x4dbf)
    || (cp >= 0x4e00 && cp <= 0xa4c6) || (cp >= 0xa960 && cp <= 0xa97c) || (cp >= 0xac00 && cp <= 0xd7a3)
    || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe10 && cp <= 0xfe19) || (cp >= 0xfe30 && cp <= 0xfe6b)
    || (cp >= 0xff01 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1b000 && cp <= 0x1b001)
    || (cp >= 0x1f200 && cp <= 0x1f251) || (cp >= 0x1f300 && cp <= 0x1f64f) || (cp >= 0x1f900 && cp <= 0x1f9ff)
    || (cp >= 0x20000 && cp <= 0x3fffd)
    ? 2 : 1;
}

const PLAIN = /^[\x20-\x7e]*$/;

/** How many terminal columns a (control-free) string takes. */
export function displayWidth(s: string): number {
  if (PLAIN.test(s)) return s.length;
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0)!);
  return w;
}

/** At most `width` columns, ending in … when cut. */
function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  if (displayWidth(s) <= width) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return out + '…';
}

/** Spaces that fill `text` (already fitted) out to `width` columns. */
function fill(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text)));
}

export function renderTable(papers: Paper[], opts: TableOptions): string {
  const c = opts.color;
  const rows = papers.map((p, i) => ({
    rank: String(i + 1),
    upvotes: p.upvotes === null ? '' : String(p.upvotes),
    title: terminalSafe(p.title),
    authors: authorsLabel(p),
    id: p.id ?? '',
  }));
  const w = (key: keyof (typeof rows)[number], head: string, cap: number) =>
    Math.min(cap, Math.max(head.length, ...rows.map((r) => displayWidth(r[key]))));
  const rankW = w('rank', '#', 5);
  const upW = w('upvotes', '▲', 6);
  const idW = w('id', 'ID', 18);
  let authW = w('authors', 'Authors', 28);
  // Columns are separated by two spaces; the title takes what is left, at least 20.
  const fixed = rankW + upW + idW + 4 * 2;
  let titleW = opts.width - fixed - authW;
  if (titleW < 20) {
    authW = Math.max(7, authW - (20 - titleW));
    titleW = Math.max(20, opts.width - fixed - authW);
  }
  titleW = Math.min(titleW, Math.max(5, ...rows.map((r) => displayWidth(r.title))));
  const widths = [rankW, upW, titleW, authW, idW];
  const right = [true, true, false, false, false];
  const paint: (((t: string) => string) | null)[] = c ? [c.dim, c.yellow, null, c.cyan, c.dim] : [null, null, null, null, null];
  // Cells are fitted, then coloured; the padding stays outside the escape codes.
  const line = (cells: string[], style: (((t: string) => string) | null)[]) =>
    cells.map((cell, i) => {
      const text = truncate(cell, widths[i]!);
      const pad = fill(text, widths[i]!);
      const shown = style[i] ? style[i]!(text) : text;
      return right[i] ? pad + shown : shown + pad;
    }).join('  ').trimEnd();
  const head = line(['#', '▲', 'Title', 'Authors', 'ID'], c ? [c.bold, c.bold, c.bold, c.bold, c.bold] : paint);
  return [head, ...rows.map((r) => line([r.rank, r.upvotes, r.title, r.authors, r.id], paint))].join('\n') + '\n';
}
