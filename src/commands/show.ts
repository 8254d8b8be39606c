/** `papers show <id>`: one paper in full, from the cache. */
import { PapersError } from '../errors.js';
import { parseArxivId } from '../ids.js';
import { colorEnabled, outputWidth, writeChunks } from '../output.js';
import type { Paper } from '../record.js';
import { terminalSafe } from '../text.js';
import { openStore } from './common.js';

/** Wrap text to `width` columns, indented. */
export function wrap(text: string, width: number, indent = '  '): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

export function renderShow(p: Paper, extra: { lists: { source: string; listDate: string; rank: number }[]; history: { seenAt: string; upvotes: number | null; comments: number | null }[] }, width: number, bold: (s: string) => string): string {
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

export async function run(opts: Record<string, unknown>, cmd: { args: string[] }): Promise<void> {
  const input = cmd.args.join(' ').trim();
  const store = openStore(opts);
  try {
    const id = parseArxivId(input);
    const paper = id ? store.getPaper(id) : store.findByTitle(input)[0] ?? null;
    if (!paper) {
      throw new PapersError(`${id ? `arXiv:${id}` : `"${terminalSafe(input).slice(0, 80)}"`} is not in the cache`, {
        hint: id ? `try papers fetch, or papers search ${id}` : 'give an arXiv id or the exact title; papers search finds papers on Hugging Face',
      });
    }
    if (opts.json) {
      const { toRecord } = await import('../format/records.js');
      await writeChunks([JSON.stringify(toRecord(paper), null, 2) + '\n']);
      return;
    }
    const color = colorEnabled(process.stdout);
    const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[22m` : s);
    const extra = paper.id ? { lists: store.listsOf(paper.id), history: store.countHistory(paper.id) } : { lists: [], history: [] };
    process.stdout.write(renderShow(paper, extra, Math.min(outputWidth(), 100), bold));
  } finally {
    store.close();
  }
}
