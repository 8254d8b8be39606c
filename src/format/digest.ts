/**
 * Digests: each watch's new matches, grouped by watch. The model is shared by every format;
 * Markdown and Atom reuse the export formatters, the HTML page lives in html.ts.
 */
import type { Paper } from '../record.js';
import { entryId, atomEntry, xml, renderAtom } from './atom.js';
import { renderDigestSection, mdEscape } from './markdown.js';
import { toRecord } from './records.js';
import { plural } from './words.js';

export interface DigestWatch {
  name: string;
  query: string;
}

export interface DigestGroup {
  watch: DigestWatch;
  /** The watch's matches to deliver, in the order to show them. */
  papers: Paper[];
}

export interface Digest {
  title: string;
  /** When the digest was made (ISO 8601). */
  generatedAt: string;
  groups: DigestGroup[];
}

/** How many authors are named before the rest are counted. */
export const AUTHORS_SHOWN = 6;

/** "A, B and C"; past six names the first six and how many more; "12 authors" without names. */
export function authorsLabel(p: Paper): string | null {
  const count = Math.max(p.authorCount ?? 0, p.authors.length);
  if (p.authors.length === 0) return count > 0 ? plural(count, 'author') : null;
  const named = p.authors.slice(0, AUTHORS_SHOWN);
  if (count > named.length) return `${named.join(', ')} and ${count - named.length} more`;
  if (p.authors.length === 1) return p.authors[0]!;
  return `${p.authors.slice(0, -1).join(', ')} and ${p.authors[p.authors.length - 1]}`;
}

/**
 * The first lines of an abstract: whole sentences while they fit in `max` characters (at least
 * one), else the text cut at a word boundary with an ellipsis.
 */
export function abstractLead(summary: string | null, max = 300): string | null {
  if (!summary) return null;
  const text = summary.replace(/\s+/g, ' ').trim();
  if (text === '') return null;
  if (text.length <= max) return text;
  // A sentence ends where the next one starts with a capital: "e.g. the" does not end one.
  const ends = [...text.matchAll(/[.!?](?=\s+[\p{Lu}"“(])/gu)].map((m) => m.index! + 1);
  const fitting = ends.filter((e) => e >= 20 && e <= max);
  if (fitting.length > 0) return text.slice(0, fitting[fitting.length - 1]);
  return text.slice(0, max - 1).replace(/\s+\S*$/, '') + '…';
}

/** The digest as Markdown: a heading, then one section per watch that has papers. */
export function* renderDigestMarkdown(digest: Digest): Generator<string> {
  const total = digest.groups.reduce((n, g) => n + g.papers.length, 0);
  yield `# ${mdEscape(digest.title)}\n\n`;
  yield `${plural(total, 'paper')} · ${mdEscape(digest.generatedAt)}\n\n`;
  let first = true;
  for (const g of digest.groups) {
    if (g.papers.length === 0) continue;
    yield* renderDigestSection(`${g.watch.name} (${g.watch.query})`, g.papers, first);
    first = false;
  }
}

/**
 * The digest as an Atom feed: one entry per paper (a paper two watches matched appears once,
 * as RFC 4287 wants ids unique), with a category per watch that matched it.
 */
export function* renderDigestAtom(digest: Digest): Generator<string> {
  const watchesOf = new Map<string, { paper: Paper; watches: string[] }>();
  for (const g of digest.groups) {
    for (const p of g.papers) {
      const key = entryId(p);
      const seen = watchesOf.get(key);
      if (seen) {
        if (!seen.watches.includes(g.watch.name)) seen.watches.push(g.watch.name);
      } else {
        watchesOf.set(key, { paper: p, watches: [g.watch.name] });
      }
    }
  }
  const names = digest.groups.map((g) => g.watch.name).sort();
  const feed = renderAtom([], {
    id: `urn:papers:digest:${names.map(encodeURIComponent).join(',') || 'none'}`,
    title: digest.title,
    updated: digest.generatedAt,
  });
  // renderAtom yields the head, then (no papers here) the closing tag.
  const head = feed.next().value as string;
  yield head;
  for (const { paper, watches } of watchesOf.values()) {
    const categories = watches.map((w) => `    <category term="${xml(w)}" scheme="urn:papers:watch" label="${xml(w)}"/>\n`).join('');
    yield atomEntry(paper).replace(/  <\/entry>\n$/, `${categories}  </entry>\n`);
  }
  yield '</feed>\n';
}

/**
 * The digest as one JSON object: `{ title, generatedAt, watches: [{ name, query, papers }] }`,
 * each paper the contract's record.
 */
export function* renderDigestJson(digest: Digest): Generator<string> {
  yield '{\n';
  yield `  "title": ${JSON.stringify(digest.title)},\n`;
  yield `  "generatedAt": ${JSON.stringify(digest.generatedAt)},\n`;
  yield '  "watches": [';
  let gi = 0;
  for (const g of digest.groups) {
    yield `${gi++ === 0 ? '' : ','}\n    { "name": ${JSON.stringify(g.watch.name)}, "query": ${JSON.stringify(g.watch.query)}, "papers": [`;
    let pi = 0;
    for (const p of g.papers) yield `${pi++ === 0 ? '' : ','}\n      ${JSON.stringify(toRecord(p))}`;
    yield pi === 0 ? '] }' : '\n    ] }';
  }
  yield gi === 0 ? ']\n}\n' : '\n  ]\n}\n';
}
