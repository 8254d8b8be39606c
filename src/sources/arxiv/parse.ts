/**
 * arXiv's two shapes, as pure functions from text to records: the Atom API answer
 * (`/api/query`) and the listing page (`/list/<cat>/new`, 2024+ layout, and the older one with
 * `span.list-identifier`). cheerio is loaded only when one of them is parsed, so both functions
 * are async.
 *
 * Decisions:
 * - publishedAt: the Atom `<published>` day (the first version's submission, UTC); updatedAt
 *   the Atom `<updated>` day (the latest version's), and the id's version suffix names that
 *   version (versions). A listing page gives no submission date: its day is when arXiv
 *   announced the paper (announcedAt) for new submissions and cross-lists whose id was given
 *   out in that month or the one before; replacements announce a new version, not the paper.
 * - Each listing entry's section becomes arxivAnnounce (new, cross, replace, replace-cross),
 *   and the listing's day goes with the paper (listedOn) so the latest listing's section wins.
 */
import type { AnyNode, Element } from 'domhandler';
import { ParseError } from '../../errors.js';
import { arxivAbsUrl, arxivPdfUrl, parseArxivId } from '../../ids.js';
import { emptyPaper, type Listing, type ParsedPaper } from '../../record.js';
import { cleanText, isoDay } from '../../text.js';
import { loadCheerio } from '../../deps.js';

export type ArxivSection = 'new' | 'cross' | 'replacement';

export interface AtomListing extends Listing {
  /** `opensearch:totalResults`: papers matching the query in all, over every page. */
  totalResults: number;
  /** `opensearch:startIndex`: the offset of this page's first entry. */
  startIndex: number;
}

export interface ArxivListingPage extends Listing {
  /** The papers again, each with the section of the page it was in. */
  entries: { paper: ParsedPaper; section: ArxivSection }[];
}

/**
 * arXiv's API refused the query (its error feed, sent with HTTP 400): the message is arXiv's.
 * A ParseError so that every caller that handles unreadable answers handles it too.
 */
export class ArxivApiError extends ParseError {}

const localName = (el: Element): string => el.name.replace(/^.*:/, '');

/** Categories with the primary first, each once. */
function orderCategories(primary: string | null, all: string[]): string[] {
  const out: string[] = [];
  for (const c of [primary, ...all]) if (c && !out.includes(c)) out.push(c);
  return out;
}

function withArxivLinks(p: ParsedPaper, id: string): ParsedPaper {
  p.id = id;
  p.arxivUrl = arxivAbsUrl(id);
  p.pdfUrl = arxivPdfUrl(id);
  return p;
}

/**
 * An Atom answer of the arXiv API. The error feed (one entry titled `Error`, sent with HTTP 400)
 * is a ParseError carrying arXiv's own message; zero results is an empty listing.
 */
export async function parseArxivAtom(xml: string): Promise<AtomListing> {
  const { load } = loadCheerio();
  const $ = load(xml, { xml: true });
  const feed = $.root().children().filter((_, el) => el.type === 'tag' && localName(el) === 'feed').first();
  if (feed.length === 0) throw new ParseError('not an Atom feed (no <feed> element)', { hint: 'the arXiv API answered with something else; try again, or report it with --verbose' });
  const kids = (el: AnyNode, name: string): Element[] =>
    $(el).children().toArray().filter((c): c is Element => c.type === 'tag' && localName(c) === name);
  const text = (el: AnyNode, name: string): string | null => {
    const k = kids(el, name)[0];
    return k ? cleanText($(k).text()) : null;
  };
  const feedEl = feed.get(0)!;
  const entries = kids(feedEl, 'entry');

  // arXiv's error entry: titled `Error`, its id a link to /api/errors (never a paper's id).
  const error = entries.find((e) => text(e, 'title') === 'Error' && (/\/api\/errors/.test(text(e, 'id') ?? '') || parseArxivId(text(e, 'id') ?? '') === null));
  if (error) {
    throw new ArxivApiError(`arXiv API error: ${text(error, 'summary') ?? 'no message'}`, { hint: 'arXiv refused the query; check the categories, dates or ids asked for' });
  }
  const totalText = text(feedEl, 'totalResults');
  const total = totalText === null ? NaN : Number(totalText);
  if (!Number.isFinite(total)) throw new ParseError('arXiv API answer without opensearch:totalResults', { hint: 'the API format may have changed; please report it' });
  const start = Number(text(feedEl, 'startIndex') ?? 0);

  const papers: ParsedPaper[] = [];
  for (const e of entries) {
    const rawId = text(e, 'id') ?? '';
    const id = parseArxivId(rawId);
    const title = text(e, 'title');
    if (id === null || title === null) throw new ParseError(`arXiv API entry without a recognisable id or title (${JSON.stringify(rawId.slice(0, 80))})`, { hint: 'the API format may have changed; please report it' });
    const p = withArxivLinks(emptyPaper(title, 'arxiv'), id);
    p.summary = text(e, 'summary');
    p.authors = kids(e, 'author').map((a) => text(a, 'name')).filter((n): n is string => n !== null);
    p.authorCount = p.authors.length > 0 ? p.authors.length : null;
    p.publishedAt = isoDay(text(e, 'published'));
    p.updatedAt = isoDay(text(e, 'updated'));
    const version = /v(\d+)\s*$/.exec(rawId);
    if (version) {
      const n = Number(version[1]);
      p.versions = n === 1 ? [{ version: 1, date: p.publishedAt }] : [{ version: 1, date: p.publishedAt }, { version: n, date: p.updatedAt }];
    }
    p.origin = 'arxiv-api';
    const primary = kids(e, 'primary_category')[0]?.attribs.term ?? null;
    p.categories = orderCategories(primary, kids(e, 'category').map((c) => c.attribs.term ?? '').filter(Boolean));
    p.arxivComment = text(e, 'comment');
    p.journalRef = text(e, 'journal_ref');
    p.doi = text(e, 'doi');
    papers.push(p);
  }
  return { papers, date: null, format: 'arxiv-atom', totalResults: total, startIndex: Number.isFinite(start) ? start : 0 };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * The listing's date from its heading: "Showing new listings for Friday, 25 October 2024"
 * (2024+), or "New submissions for Fri, 27 Oct 23" (before 2024: a two-digit year).
 */
function listingDate(heading: string): string | null {
  const m = /\b(\d{1,2})\s+([A-Za-z]{3,})\.?\s+(\d{4}|\d{2})\b/.exec(heading);
  if (!m) return null;
  const month = MONTHS.indexOf(m[2]!.slice(0, 3).toLowerCase()) + 1;
  const day = Number(m[1]);
  if (month === 0 || day < 1 || day > 31) return null;
  const year = m[3]!.length === 2 ? `20${m[3]}` : m[3]!;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The listing's date as the day arXiv announced the paper: for new submissions and cross-lists
 * only (a replacement announces a new version), and only when the new-style id was given out in the
 * listing's month or the month before it (papers submitted at a month's end are announced in
 * the next one), so an old paper cross-listed late never gets a wrong date.
 */
function announcedOn(listing: string | null, id: string, section: ArxivSection): string | null {
  if (listing === null || section === 'replacement') return null;
  const m = /^(\d{2})(\d{2})\./.exec(id);
  if (!m) return null;
  const months = Number(listing.slice(2, 4)) * 12 + Number(listing.slice(5, 7)) - (Number(m[1]) * 12 + Number(m[2]));
  return months === 0 || months === 1 ? listing : null;
}

function sectionOf(heading: string): ArxivSection | null {
  const h = heading.toLowerCase();
  if (h.startsWith('new submission')) return 'new';
  if (h.startsWith('cross')) return 'cross';
  if (h.startsWith('replacement')) return 'replacement';
  return null;
}

/**
 * An arXiv listing page (`/list/<cat>/new`): `div#dlpage` with one `dl#articles` per section
 * (new submissions, cross-lists, replacements), each paper a `dt` + `dd` pair. "No updates for
 * this time period." is an empty listing.
 */
export async function parseArxivListing(html: string): Promise<ArxivListingPage> {
  const { load } = loadCheerio();
  const $ = load(html);
  const page = $('#dlpage');
  const hint = 'not an arXiv listing page papers recognises; the site may have changed — please report it with --verbose';
  if (page.length === 0) throw new ParseError('not an arXiv listing page (no div#dlpage)', { hint });
  const date = listingDate(page.find('h3').first().text());
  const entries: ArxivListingPage['entries'] = [];
  const dls = page.find('dl');
  if (dls.length === 0) {
    if (/No updates for this time period/i.test(page.text())) return { papers: [], entries, date, format: 'arxiv-listing' };
    throw new ParseError('an arXiv page without listings (no dl#articles)', { hint });
  }
  dls.each((_, dl) => {
    // The section heading sits inside the dl (arXiv's template) or just before it.
    const heading = $(dl).children('h3').first().text() || $(dl).prevAll('h3').first().text();
    const dlSection = sectionOf(cleanText(heading) ?? '');
    // A dl's own heading may carry its day: "New submissions for Fri, 27 Oct 23" (before 2024),
    // "Tue, 26 May 2026 (showing first 25 of 120 entries)" (/recent, one dl per day).
    const dlDate = listingDate(heading) ?? date;
    $(dl).children('dt').each((_, dt) => {
      const dd = $(dt).nextAll('dd').first();
      const link = $(dt).find('a[title="Abstract"]').first();
      const id = parseArxivId(cleanText(link.text()) ?? '') ?? parseArxivId(`https://arxiv.org${link.attr('href') ?? ''}`);
      const meta = dd.find('div.meta').first();
      const field = (cls: string): string | null => {
        const el = meta.find(`div.${cls}`).first().clone();
        el.find('span.descriptor').remove();
        return cleanText(el.text());
      };
      const title = field('list-title');
      if (id === null || title === null) throw new ParseError(`arXiv listing entry without a recognisable id or title (${JSON.stringify(cleanText($(dt).text())?.slice(0, 80) ?? '')})`, { hint });
      const p = withArxivLinks(emptyPaper(title, 'arxiv'), id);
      p.authors = meta.find('div.list-authors a').map((_, a) => cleanText($(a).text())).get().filter((n): n is string => n !== null);
      p.authorCount = p.authors.length > 0 ? p.authors.length : null;
      p.arxivComment = field('list-comments');
      p.journalRef = field('list-journal-ref');
      const code = (s: string): string | null => /\(([^()]+)\)\s*$/.exec(s.trim())?.[1] ?? null;
      const primary = code(meta.find('div.list-subjects span.primary-subject').first().text());
      const subjects = (field('list-subjects') ?? '').split(';').map(code).filter((c): c is string => c !== null);
      p.categories = orderCategories(primary, subjects);
      p.summary = cleanText(dd.find('p.mathjax').first().text());
      const dtText = $(dt).text();
      const section = dlSection ?? (/cross-list from/i.test(dtText) ? 'cross' : /\(replaced\)/i.test(dtText) ? 'replacement' : 'new');
      p.announcedAt = announcedOn(dlDate, id, section);
      const crossListed = /cross-list from/i.test(dtText);
      p.arxivAnnounce = section === 'new' ? 'new' : section === 'cross' ? 'cross' : crossListed ? 'replace-cross' : 'replace';
      p.listedOn = dlDate;
      p.origin = 'arxiv-listing';
      entries.push({ paper: p, section });
    });
  });
  return { papers: entries.map((e) => e.paper), entries, date, format: 'arxiv-listing' };
}
