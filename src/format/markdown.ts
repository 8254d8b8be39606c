/** Markdown: a list of linked titles people paste into notes or chat. */
import { arxivAbsUrl } from '../ids.js';
import { monthOfArxivId, paperDay, type Paper } from '../record.js';
import { terminalSafe } from '../text.js';
import { plural } from './words.js';

/** Escape the characters that would change the meaning of inline Markdown. */
export function mdEscape(s: string): string {
  // $ starts maths and ~ strikes through in the common dialects (GitHub, Obsidian).
  return terminalSafe(s).replace(/([\\`*_[\]<>|#$~])/g, '\\$1');
}

export function firstAuthorLabel(p: Paper): string | null {
  const count = p.authorCount ?? p.authors.length;
  const first = p.authors[0];
  if (first) return count > 1 ? `${first} et al.` : first;
  if (count > 0) return plural(count, 'author');
  return null;
}

/** A URL as a Markdown link target: spaces, parentheses and angle brackets would end it early. */
function mdUrl(url: string): string {
  return url.replace(/[\s()<>]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

/** The title, linked to the HF page (else arXiv) when there is one. */
function mdTitle(p: Paper): string {
  const link = p.url ?? p.arxivUrl ?? (p.id ? arxivAbsUrl(p.id) : null);
  return link ? `[${mdEscape(p.title)}](${mdUrl(link)})` : `**${mdEscape(p.title)}**`;
}

export function mdLine(p: Paper): string {
  const title = mdTitle(p);
  const bits = [
    p.upvotes !== null ? `▲ ${p.upvotes}` : null,
    firstAuthorLabel(p),
    p.id ? `arXiv:${p.id}` : null,
    // The personal marks, when the paper has any.
    p.starred ? '★ starred' : null,
    p.hidden ? 'hidden' : null,
    p.tags?.length ? p.tags.map((t) => `#${t}`).join(' ') : null,
  ].filter((b): b is string => b !== null).map(mdEscape);
  const summary = p.aiSummary ?? null;
  const note = p.note ? `\n  Note: ${mdEscape(p.note.replace(/\s+/g, ' '))}` : '';
  return `- ${title}${bits.length ? ' — ' + bits.join(' · ') : ''}${summary ? `\n  ${mdEscape(summary)}` : ''}${note}\n`;
}

export function* renderMarkdown(papers: Iterable<Paper>, heading?: string): Generator<string> {
  if (heading) yield `## ${mdEscape(heading)}\n\n`;
  for (const p of papers) yield mdLine(p);
}

/** The one-line summary of a digest: the AI summary, else the abstract's first sentence. */
function oneLine(p: Paper): string | null {
  if (p.aiSummary) return p.aiSummary;
  if (!p.summary) return null;
  // A sentence ends where the next one starts with a capital: "e.g. the" does not end one.
  const m = /^(.{20,}?[.!?])(?=\s+[\p{Lu}"“]|\s*$)/u.exec(p.summary);
  if (m && m[1]!.length <= 300) return m[1]!;
  return p.summary.length <= 200 ? p.summary : p.summary.slice(0, 200).replace(/\s+\S*$/, '') + '…';
}

function digestLine(p: Paper): string {
  const title = mdTitle(p);
  const bits = [p.upvotes !== null ? `▲ ${p.upvotes}` : null, firstAuthorLabel(p)].filter((b): b is string => b !== null).map(mdEscape);
  const summary = oneLine(p);
  return `- ${title}${bits.length ? ' — ' + bits.join(' · ') : ''}${summary ? `\n  ${mdEscape(summary)}` : ''}\n`;
}

/** A digest grouped by day (the daily list's date, else the arXiv date), papers in the order given. */
export function* renderDigestByDay(papers: Iterable<Paper>): Generator<string> {
  let current: string | undefined;
  for (const p of papers) {
    const day = paperDay(p) ?? monthOfArxivId(p.id) ?? 'undated';
    if (day !== current) {
      yield `${current === undefined ? '' : '\n'}## ${day}\n\n`;
      current = day;
    }
    yield digestLine(p);
  }
}

/** One section of a digest grouped by topic. */
export function* renderDigestSection(heading: string, papers: Iterable<Paper>, first: boolean): Generator<string> {
  let any = false;
  for (const p of papers) {
    if (!any) yield `${first ? '' : '\n'}## ${mdEscape(heading)}\n\n`;
    any = true;
    yield digestLine(p);
  }
}
