/** An Atom 1.0 feed of papers (RFC 4287) that any feed reader can subscribe to as a file. */
import { arxivAbsUrl } from '../ids.js';
import { citationDate, type Paper } from '../record.js';
import { normalizeTitle } from '../text.js';

/** XML-escape, dropping what XML 1.0 does not allow (controls, lone surrogates, U+FFFE/F). */
export function xml(s: string): string {
  return s
    .replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Stable: the arXiv abstract URL, else a URN from the normalised title (how the cache keys it). */
export function entryId(p: Paper): string {
  return p.id ? arxivAbsUrl(p.id) : `urn:papers:title:${encodeURIComponent([...normalizeTitle(p.title)].slice(0, 200).join('').replace(/ /g, '-')) || 'untitled'}`;
}

/** A day as an RFC 3339 timestamp (midnight UTC); timestamps of the cache pass through. */
function stamp(day: string | null, fallback: string): string {
  if (day && /^\d{4}-\d{2}$/.test(day)) return `${day}-01T00:00:00Z`; // only the month is known (from the id)
  return day && /^\d{4}-\d{2}-\d{2}$/.test(day) ? `${day}T00:00:00Z` : fallback;
}

export function atomEntry(p: Paper): string {
  // RFC 4287 wants an alternate link on an entry without content: the HF page, else arXiv,
  // else (a record known only by its title) HF's search for the title.
  const link = p.url ?? p.arxivUrl ?? (p.id ? arxivAbsUrl(p.id) : `https://huggingface.co/papers?q=${encodeURIComponent(p.title)}`);
  const summary = p.aiSummary ?? p.summary;
  const lines = [
    '  <entry>',
    `    <id>${xml(entryId(p))}</id>`,
    `    <title type="text">${xml(p.title)}</title>`,
    `    <updated>${xml(p.lastSeenAt)}</updated>`,
    `    <published>${xml(stamp(citationDate(p), p.firstSeenAt))}</published>`,
    `    <link rel="alternate" type="text/html" href="${xml(link)}"/>`,
    ...(p.arxivUrl && p.arxivUrl !== link ? [`    <link rel="related" type="text/html" title="arXiv" href="${xml(p.arxivUrl)}"/>`] : []),
    ...(p.pdfUrl ? [`    <link rel="related" type="application/pdf" title="PDF" href="${xml(p.pdfUrl)}"/>`] : []),
    // An entry without names falls back to the feed's author, as RFC 4287 allows.
    ...p.authors.map((a) => `    <author><name>${xml(a)}</name></author>`),
    ...p.categories.map((c) => `    <category term="${xml(c)}"/>`),
    ...p.keywords.map((k) => `    <category term="${xml(k)}" scheme="https://huggingface.co/papers#keywords"/>`),
    ...(summary ? [`    <summary type="text">${xml(summary)}</summary>`] : []),
    // The AI summary is the short one; the abstract then goes in the content.
    ...(p.aiSummary && p.summary ? [`    <content type="text">${xml(p.summary)}</content>`] : []),
    '  </entry>',
  ];
  return lines.join('\n') + '\n';
}

export interface FeedInfo {
  /** A stable id for the feed (the same export, the same id). */
  id: string;
  title: string;
  /** The latest change among the entries (RFC 3339). */
  updated: string;
  /** Where the feed itself lives (rel="self"), when it is written to a file. */
  self?: string;
}

/** The feed, streamed: its head, then one entry per paper. */
export function* renderAtom(papers: Iterable<Paper>, feed: FeedInfo): Generator<string> {
  yield [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${xml(feed.id)}</id>`,
    `  <title type="text">${xml(feed.title)}</title>`,
    `  <updated>${xml(feed.updated)}</updated>`,
    '  <link rel="alternate" type="text/html" href="https://huggingface.co/papers"/>',
    ...(feed.self ? [`  <link rel="self" type="application/atom+xml" href="${xml(feed.self)}"/>`] : []),
    '  <author><name>papers</name></author>',
    '  <generator uri="https://github.com/papers-cli/papers">papers</generator>',
    '',
  ].join('\n');
  for (const p of papers) yield atomEntry(p);
  yield '</feed>\n';
}
