/** `papers show`: one paper in full, for a terminal, and the same as JSON. Pure. */
import type { Paper } from '../record.js';
import { terminalSafe } from '../text.js';
import { toRecord } from './records.js';
import { wrap } from './width.js';

export { wrap } from './width.js';

/** What the cache knows of a paper beyond its record: the daily lists it was on, its counts over time. */
export interface ShowExtra {
  lists: { source: string; listDate: string; rank: number }[];
  history: { seenAt: string; upvotes: number | null; comments: number | null }[];
}

/**
 * `show --json`: the record's fields, then what `show` prints beside them, under these keys:
 * `arxivComment`, `journalRef`, `doi` (arXiv's), `dailyLists` ([{source, date, rank}]) and
 * `countHistory` ([{seenAt, upvotes, comments}]), `versionSizes` ([{version, size}], each version
 * whose size arXiv stated, e.g. `"1204kb"`).
 */
export function showJson(p: Paper, extra: ShowExtra): Record<string, unknown> {
  return {
    ...toRecord(p),
    arxivComment: p.arxivComment ?? null,
    journalRef: p.journalRef ?? null,
    doi: p.doi ?? null,
    dailyLists: extra.lists.map((l) => ({ source: l.source, date: l.listDate, rank: l.rank })),
    countHistory: extra.history,
    versionSizes: p.versions.flatMap((v) => (v.size ? [{ version: v.version, size: v.size }] : [])),
  };
}

/** The paper for a terminal, wrapped at `width` columns (Infinity: not wrapped). */
export function renderShow(p: Paper, extra: ShowExtra, width: number, bold: (s: string) => string): string {
  const safe = (s: string | null | undefined) => (s ? terminalSafe(s) : '');
  const out: string[] = [bold(wrap(safe(p.title), width, '')), ''];
  // The longest label ("organization:") and a space.
  const pad = ' '.repeat(14);
  const field = (label: string, value: string | number | null | undefined) => {
    if (value === null || value === undefined || value === '') return;
    out.push((label + ':').padEnd(pad.length) + wrap(typeof value === 'string' ? safe(value) : String(value), width, pad).slice(pad.length));
  };
  field('id', p.id ? `arXiv:${p.id}` : '(none: known by its title)');
  const count = p.authorCount ?? p.authors.length;
  field('authors', p.authors.length ? p.authors.join(', ') : count ? `${count} authors` : null);
  field('published', p.publishedAt);
  field('updated', p.updatedAt !== null && p.updatedAt !== p.publishedAt ? p.updatedAt : null);
  field('versions', p.versions.length ? p.versions.map((v) => `v${v.version} ${v.date ?? '(day unknown)'}${v.size ? ` (${v.size})` : ''}`).join(', ') : null);
  field('announced', p.announcedAt !== null ? `${p.announcedAt}${p.arxivAnnounce ? ` (${p.arxivAnnounce})` : ''}` : null);
  field('daily list', p.dailyDate);
  field('upvotes', p.upvotes);
  field('comments', p.comments);
  field('organization', p.organization);
  field('categories', p.categories.join(', '));
  field('keywords', p.keywords.join(', '));
  field('journal', p.journalRef);
  field('note', p.arxivComment);
  field('doi', p.doi);
  field('sources', p.sources.join(', '));
  out.push('');
  field('hf page', p.url);
  field('arxiv', p.arxivUrl);
  field('pdf', p.pdfUrl);
  field('code', p.githubRepo ? `${p.githubRepo}${p.githubStars !== null ? ` (★ ${p.githubStars})` : ''}` : null);
  field('project', p.projectPage);
  if (p.aiSummary) out.push('', bold('AI summary'), wrap(safe(p.aiSummary), width));
  if (p.summary) out.push('', bold('Abstract'), wrap(safe(p.summary), width));
  if (extra.lists.length) out.push('', bold('Daily lists'), ...extra.lists.map((l) => `  ${l.listDate}  #${l.rank} on ${l.source === 'hf' ? 'Hugging Face' : l.source}`));
  if (extra.history.length > 1) out.push('', bold('Upvote history'), ...extra.history.map((h) => `  ${h.seenAt.slice(0, 16).replace('T', ' ')}  ▲ ${h.upvotes ?? '-'}  💬 ${h.comments ?? '-'}`));
  out.push('', `first seen ${p.firstSeenAt}, last seen ${p.lastSeenAt}`);
  return out.join('\n') + '\n';
}

