/** An Atom 1.0 feed of papers, for any feed reader (RFC 4287). */
import { arxivAbsUrl } from '../ids.js';
import type { Paper } from '../record.js';

/** XML-escape, dropping characters XML 1.0 does not allow. */
export function xml(s: string): string {
  return s
    .replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function entryId(p: Paper): string {
  return p.id ? `https://arxiv.org/abs/${p.id}` : `urn:papers:title:${encodeURIComponent(p.title.toLowerCase().replace(/\s+/g, ' ').slice(0, 200))}`;
}

function stamp(day: string | null, fallback: string): string {
  return day ? `${day}T00:00:00Z` : fallback;
}

export function atomEntry(p: Paper): string {
  const updated = p.lastSeenAt;
  const published = stamp(p.publishedAt, p.firstSeenAt);
  // RFC 4287 wants an alternate link on every entry that has no content: a search for an id-less one.
  const link = p.url ?? p.arxivUrl ?? (p.id ? arxivAbsUrl(p.id) : `https://huggingface.co/papers?q=${encodeURIComponent(p.title)}`);
  const lines = [
    '  <entry>',
    `    <id>${xml(entryId(p))}</id>`,
    `    <title type="text">${xml(p.title)}</title>`,
    `    <updated>${xml(updated)}</updated>`,
    `    <published>${xml(published)}</published>`,
    `    <link rel="alternate" type="text/html" href="${xml(link)}"/>`,
    ...(p.pdfUrl ? [`    <link rel="related" type="application/pdf" title="pdf" href="${xml(p.pdfUrl)}"/>`] : []),
    ...(p.authors.length ? p.authors.map((a) => `    <author><name>${xml(a)}</name></author>`) : [`    <author><name>${p.authorCount ? `${p.authorCount} authors` : 'unknown'}</name></author>`]),
    ...p.categories.map((c) => `    <category term="${xml(c)}"/>`),
    ...((p.aiSummary ?? p.summary) ? [`    <summary type="text">${xml((p.aiSummary ?? p.summary)!)}</summary>`] : []),
    '  </entry>',
  ];
  return lines.join('\n') + '\n';
}

/**
 * The feed streams: its <updated> must come first, so it is the time of the export (a
 * reader only compares it), and each entry carries its own updated time.
 */
export function* renderAtom(papers: Iterable<Paper>, opts: { title: string; id: string; now: string }): Generator<string> {
  yield `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n  <id>${xml(opts.id)}</id>\n  <title>${xml(opts.title)}</title>\n  <updated>${xml(opts.now)}</updated>\n  <generator uri="https://github.com/papers-cli/papers">papers</generator>\n  <author><name>papers</name></author>\n`;
  for (const p of papers) yield atomEntry(p);
  yield '</feed>\n';
}
