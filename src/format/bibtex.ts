/** BibTeX: one entry per paper, keys stable and unique, text escaped so BibTeX and biber accept it. */
import type { Paper } from '../record.js';
import { foldText } from '../text.js';

const STOP = new Set(['a', 'an', 'the', 'on', 'of', 'for', 'to', 'in', 'and', 'with', 'towards', 'toward', 'via', 'is', 'are', 'do', 'does', 'can', 'how', 'what', 'why', 'when', 'from', 'by', 'at', 'as']);

/** Escape LaTeX specials; braces become \{ \} so no title can unbalance an entry. Controls go. */
export function bibEscape(s: string): string {
  return s
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .replace(/[\\{}&%$#_~^]/g, (c) => ({ '\\': '\\textbackslash{}', '{': '\\{', '}': '\\}', '&': '\\&', '%': '\\%', '$': '\\$', '#': '\\#', _: '\\_', '~': '\\textasciitilde{}', '^': '\\textasciicircum{}' })[c]!)
    .replace(/\s+/g, ' ')
    .trim();
}

/** A title with its capitalised words protected, so styles that lower-case titles keep them. */
function bibTitle(title: string): string {
  return bibEscape(title).split(' ').map((w) => (/[A-Z]/.test(w.slice(1)) && !w.includes('\\') ? `{${w}}` : w)).join(' ');
}

function ascii(s: string): string {
  return foldText(s).replace(/[^a-z0-9]/g, '');
}

/** The base key: first author's surname, year, first significant title word. */
export function baseKey(p: Paper): string {
  const first = p.authors[0] ?? '';
  const surname = ascii(first.split(/\s+/).filter(Boolean).pop() ?? '') || 'anon';
  const year = (p.publishedAt ?? p.dailyDate ?? '').slice(0, 4) || 'nd';
  const word = foldText(p.title).split(/[^a-z0-9]+/).find((w) => w.length > 1 && !STOP.has(w)) ?? 'paper';
  return `${surname}${year}${ascii(word)}`;
}

function suffix(n: number): string {
  let s = '';
  for (let k = n; k > 0; k = Math.floor((k - 1) / 26)) s = String.fromCharCode(97 + ((k - 1) % 26)) + s;
  return s;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

export function bibEntry(p: Paper, key: string): string {
  const fields: [string, string][] = [['title', `{${bibTitle(p.title)}}`]];
  if (p.authors.length) fields.push(['author', `{${p.authors.map((a) => (/,/.test(a) ? `{${bibEscape(a)}}` : bibEscape(a))).join(' and ')}}`]);
  if (p.journalRef) fields.push(['journal', `{${bibEscape(p.journalRef)}}`]);
  if (p.publishedAt) {
    fields.push(['year', p.publishedAt.slice(0, 4)]);
    fields.push(['month', MONTHS[Number(p.publishedAt.slice(5, 7)) - 1] ?? '']);
  }
  if (p.id) fields.push(['eprint', `{${p.id}}`], ['archivePrefix', '{arXiv}']);
  if (p.categories[0]) fields.push(['primaryClass', `{${bibEscape(p.categories[0])}}`]);
  if (p.doi) fields.push(['doi', `{${bibEscape(p.doi)}}`]);
  const url = p.arxivUrl ?? p.url;
  if (url) fields.push(['url', `{${url.replace(/[{}\\%#\s]/g, encodeURIComponent)}}`]);
  return `@${p.journalRef ? 'article' : 'misc'}{${key},\n${fields.filter(([, v]) => v).map(([k, v]) => `  ${k} = ${v}`).join(',\n')}\n}\n\n`;
}

/** Keys are disambiguated in the order papers arrive (a, b, c …), so the same export gives the same keys. */
export function* renderBibtex(papers: Iterable<Paper>): Generator<string> {
  const used = new Map<string, number>();
  for (const p of papers) {
    const base = baseKey(p);
    const n = used.get(base) ?? 0;
    used.set(base, n + 1);
    yield bibEntry(p, n === 0 ? base : base + suffix(n));
  }
}
