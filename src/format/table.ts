/** The table people read: rank, upvotes, title, first author and count, id; fitted to a width. */
import Table from 'cli-table3';
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

function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  return s.length <= width ? s : s.slice(0, Math.max(0, width - 1)) + '…';
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
    Math.min(cap, Math.max(head.length, ...rows.map((r) => r[key].length)));
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
  titleW = Math.min(titleW, Math.max(5, ...rows.map((r) => r.title.length)));
  const table = new Table({
    head: ['#', '▲', 'Title', 'Authors', 'ID'].map((h) => (c ? c.bold(h) : h)),
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '',
      'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '',
      right: '', 'right-mid': '', middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    colAligns: ['right', 'right', 'left', 'left', 'left'],
    colWidths: [rankW, upW, titleW, authW, idW],
  });
  for (const r of rows) {
    table.push([
      c ? c.dim(r.rank) : r.rank,
      c ? c.yellow(r.upvotes) : r.upvotes,
      truncate(r.title, titleW),
      c ? c.cyan(truncate(r.authors, authW)) : truncate(r.authors, authW),
      c ? c.dim(r.id) : r.id,
    ]);
  }
  return table.toString().split('\n').map((l) => l.trimEnd()).join('\n') + '\n';
}
