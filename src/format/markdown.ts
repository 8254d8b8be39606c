/** Markdown: a list of linked titles people paste into notes or chat. */
import type { Paper } from '../record.js';
import { terminalSafe } from '../text.js';

/** Escape the characters that would change the meaning of inline Markdown. */
export function mdEscape(s: string): string {
  return terminalSafe(s).replace(/([\\`*_[\]<>|#])/g, '\\$1');
}

export function firstAuthorLabel(p: Paper): string | null {
  const count = p.authorCount ?? p.authors.length;
  const first = p.authors[0];
  if (first) return count > 1 ? `${first} et al.` : first;
  if (count > 0) return `${count} author${count === 1 ? '' : 's'}`;
  return null;
}

export function mdLine(p: Paper): string {
  const link = p.url ?? p.arxivUrl;
  const title = link ? `[${mdEscape(p.title)}](${link})` : `**${mdEscape(p.title)}**`;
  const bits = [
    p.upvotes !== null ? `▲ ${p.upvotes}` : null,
    firstAuthorLabel(p),
    p.id ? `arXiv:${p.id}` : null,
  ].filter((b): b is string => b !== null).map(mdEscape);
  const summary = p.aiSummary ?? null;
  return `- ${title}${bits.length ? ' — ' + bits.join(' · ') : ''}${summary ? `\n  ${mdEscape(summary)}` : ''}\n`;
}

export function* renderMarkdown(papers: Iterable<Paper>, heading?: string): Generator<string> {
  if (heading) yield `## ${mdEscape(heading)}\n\n`;
  for (const p of papers) yield mdLine(p);
}
