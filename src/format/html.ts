/**
 * The HTML digest: one self-contained page that reads well in a browser and in a mail client.
 * Styles sit on the elements themselves (mail clients drop <style> blocks), the layout is plain
 * blocks with a max width, and nothing is loaded from elsewhere: no script, image, font or
 * stylesheet. Every piece of upstream text is escaped, and only http(s) URLs become links.
 */
import { arxivAbsUrl, arxivPdfUrl } from '../ids.js';
import type { Paper } from '../record.js';
import { abstractLead, authorsLabel, type Digest } from './digest.js';
import { plural } from './words.js';

// Controls (other than tab and line breaks), lone surrogates and non-characters have no place
// in an HTML document; the five significant characters become references.
const NOT_IN_HTML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text (or an attribute value) as HTML: escaped, with what HTML does not allow removed. */
export function escapeHtml(s: string): string {
  return s.replace(NOT_IN_HTML, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * The URL when it is an absolute http(s) URL, normalised; null for anything else
 * (`javascript:`, `data:`, relative paths, garbage), so that it never becomes a link.
 */
export function safeHttpUrl(u: string | null | undefined): string | null {
  if (typeof u !== 'string') return null;
  const t = u.trim();
  if (!/^https?:\/\//i.test(t)) return null;
  try {
    const url = new URL(t);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    if (!url.hostname) return null;
    return url.href;
  } catch {
    return null;
  }
}

/** Where a paper's title points: the Hugging Face page, else the arXiv abstract. */
export function titleLink(p: Paper): string | null {
  return safeHttpUrl(p.url) ?? safeHttpUrl(p.arxivUrl) ?? (p.id ? safeHttpUrl(arxivAbsUrl(p.id)) : null);
}

/** The secondary links of a paper, in the order they are shown; only safe http(s) URLs. */
export function paperLinks(p: Paper): { label: string; href: string }[] {
  const links: { label: string; href: string }[] = [];
  const add = (label: string, href: string | null) => {
    if (href && !links.some((l) => l.href === href)) links.push({ label, href });
  };
  add('arXiv', safeHttpUrl(p.arxivUrl) ?? (p.id ? safeHttpUrl(arxivAbsUrl(p.id)) : null));
  add('PDF', safeHttpUrl(p.pdfUrl) ?? (p.id ? safeHttpUrl(arxivPdfUrl(p.id)) : null));
  add('Code', safeHttpUrl(p.githubRepo));
  add('Project page', safeHttpUrl(p.projectPage));
  return links;
}

const FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
const S = {
  body: `margin:0; padding:0; background:#f6f6f4; color:#1f2328; font-family:${FONT}; font-size:16px; line-height:1.5;`,
  page: 'box-sizing:border-box; max-width:680px; margin:0 auto; padding:24px 16px; overflow-wrap:anywhere; word-break:break-word;',
  h1: 'font-size:24px; line-height:1.25; margin:0 0 4px 0;',
  meta: 'color:#59636e; font-size:14px; margin:0 0 24px 0;',
  group: 'margin:0 0 32px 0;',
  h2: 'font-size:20px; line-height:1.3; margin:0 0 2px 0; padding:0 0 0 0;',
  query: 'color:#59636e; font-size:14px; margin:0 0 12px 0; font-family:ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break:break-word;',
  paper: 'background:#ffffff; border:1px solid #d8dee4; border-radius:6px; padding:12px 16px; margin:0 0 12px 0;',
  title: 'font-size:17px; line-height:1.35; margin:0 0 4px 0; font-weight:600; word-break:break-word;',
  titleLink: 'color:#0550ae; text-decoration:none;',
  byline: 'color:#59636e; font-size:14px; margin:0 0 6px 0;',
  summary: 'margin:0 0 8px 0; font-size:15px;',
  links: 'font-size:14px; margin:0;',
  link: 'color:#0550ae;',
  empty: 'color:#59636e; font-style:italic; margin:0 0 12px 0;',
} as const;

function paperHtml(p: Paper): string {
  const href = titleLink(p);
  const title = escapeHtml(p.title);
  const heading = href
    ? `<a href="${escapeHtml(href)}" style="${S.titleLink}" rel="noopener noreferrer" class="title">${title}</a>`
    : `<span class="title">${title}</span>`;
  const by = [
    p.upvotes !== null ? `<span class="upvotes">▲ ${p.upvotes}</span>` : null,
    authorsLabel(p) !== null ? `<span class="authors">${escapeHtml(authorsLabel(p)!)}</span>` : null,
    p.id ? `<span class="id">arXiv:${escapeHtml(p.id)}</span>` : null,
  ].filter((b): b is string => b !== null);
  const summary = p.aiSummary ?? abstractLead(p.summary);
  const links = paperLinks(p).map((l) => `<a href="${escapeHtml(l.href)}" style="${S.link}" rel="noopener noreferrer">${escapeHtml(l.label)}</a>`);
  return [
    `<div class="paper" style="${S.paper}">`,
    `<p style="${S.title}">${heading}</p>`,
    ...(by.length ? [`<p class="byline" style="${S.byline}">${by.join(' · ')}</p>`] : []),
    ...(summary ? [`<p class="summary" style="${S.summary}">${escapeHtml(summary)}</p>`] : []),
    ...(links.length ? [`<p class="links" style="${S.links}">${links.join(' · ')}</p>`] : []),
    '</div>',
  ].join('\n');
}

/** "2026-12-01 20:41 UTC" from an ISO timestamp; the text itself when it is not one. */
function readableTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The whole page. */
export function renderDigestHtml(digest: Digest): string {
  const total = digest.groups.reduce((n, g) => n + g.papers.length, 0);
  const out: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Even if something slipped through the escaping, the page may run and load nothing.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">`,
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(digest.title)}</title>`,
    '</head>',
    `<body style="${S.body}">`,
    `<div class="digest" style="${S.page}">`,
    `<h1 style="${S.h1}">${escapeHtml(digest.title)}</h1>`,
    `<p class="meta" style="${S.meta}">${plural(total, 'paper')} · ${plural(digest.groups.length, 'watch', 'watches')} · ${escapeHtml(readableTime(digest.generatedAt))}</p>`,
  ];
  for (const g of digest.groups) {
    out.push(
      `<div class="group" style="${S.group}">`,
      `<h2 style="${S.h2}">${escapeHtml(g.watch.name)} <span style="color:#59636e; font-weight:normal;">(${g.papers.length})</span></h2>`,
      `<p class="query" style="${S.query}">${escapeHtml(g.watch.query)}</p>`,
    );
    if (g.papers.length === 0) out.push(`<p class="empty" style="${S.empty}">Nothing new.</p>`);
    for (const p of g.papers) out.push(paperHtml(p));
    out.push('</div>');
  }
  if (digest.groups.length === 0) out.push(`<p class="empty" style="${S.empty}">No watches.</p>`);
  out.push('</div>', '</body>', '</html>', '');
  return out.join('\n');
}
