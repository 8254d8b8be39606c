/**
 * Pure parsers for Hugging Face Daily Papers: API JSON and HTML pages in, paper records out.
 * No network, no printing. The real captures of each shape are in fixtures/hf/. Every parser
 * fails loudly (ParseError) when the shape it relies on is gone, so that a redesign of the site
 * never silently stores an empty or wrong listing.
 *
 * Decisions:
 * - `organization` is the organization's display name (`fullname`, e.g. "Multimedia and Human
 *   Understanding Group"), falling back to its handle (`name`, e.g. "MHUGLab"). The paper's own
 *   organization wins over the submitting item's / page's organization.
 * - `dailyDate` is the date of the list the caller asked for when it passes one; otherwise the
 *   paper's `submittedOnDailyAt` (2025+), otherwise the item's own `publishedAt` (2024 shape,
 *   only when the item wraps a `paper`).
 * - An item without a string arXiv id or without a title fails the whole listing: a listing we
 *   only half understand is not stored.
 *
 * Kept whole past 400 lines: the API answer, the page's hydration data and its visible cards
 * are three readings of one item shape, and share its field rules.
 */
import { ParseError } from '../../errors.js';
import { arxivAbsUrl, arxivPdfUrl, bareArxivId, hfPaperUrl } from '../../ids.js';
import { emptyPaper, type Listing, type OriginKind, type ParsedPaper } from '../../record.js';
import { cleanText, collapseWhitespace, decodeEntities, isoDay, parseCount } from '../../text.js';
import { loadCheerio } from '../../deps.js';

type Rec = Record<string, unknown>;

const FORMAT_HINT = 'Hugging Face may have changed its format; try again later or report it';

function isRecord(x: unknown): x is Rec {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A link as the listing gave it: a non-empty string, or null. */
function link(...candidates: unknown[]): string | null {
  for (const c of candidates) {
    const t = cleanText(c);
    if (t !== null) return t;
  }
  return null;
}

/** An organization's display name: `fullname`, else `name`; a bare string is taken as is. */
function orgName(org: unknown): string | null {
  if (typeof org === 'string') return cleanText(org);
  if (!isRecord(org)) return null;
  return cleanText(org.fullname) ?? cleanText(org.name);
}

function authorName(a: unknown): string | null {
  if (typeof a === 'string') return cleanText(a);
  if (!isRecord(a)) return null;
  return cleanText(a.name) ?? (isRecord(a.user) ? cleanText(a.user.fullname) : null);
}

function describe(x: unknown): string {
  if (x === undefined) return 'none';
  const s = JSON.stringify(x) ?? String(x);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * One Hugging Face item as a paper record. Accepts the daily-list / search item
 * (`{ paper: {...}, title, publishedAt, numComments, organization, ... }`, 2024 and 2026
 * shapes) and the flat paper object (`/api/papers/<id>`, the `paper` prop of a paper page).
 * Throws ParseError only when the item has no usable arXiv id or no title.
 */
export function paperFromHfItem(item: unknown, opts: { dailyDate?: string | null; origin?: OriginKind } = {}): ParsedPaper {
  if (!isRecord(item)) throw new ParseError(`Hugging Face paper item is not an object (${describe(item)})`, { hint: FORMAT_HINT });
  const wrapped = isRecord(item.paper);
  const paper: Rec = isRecord(item.paper) ? item.paper : item;
  const outer: Rec = wrapped ? item : {};

  const rawId = paper.id;
  if (typeof rawId !== 'string') {
    // A number would already have lost trailing zeros (2503.02130 -> 2503.0213): refuse it.
    throw new ParseError(`Hugging Face paper item has no arXiv id string (id: ${describe(rawId)})`, { hint: FORMAT_HINT });
  }
  const id = bareArxivId(rawId);
  if (id === null) throw new ParseError(`Hugging Face paper item has an id that is not an arXiv id (${describe(rawId)})`, { hint: FORMAT_HINT });

  const title = cleanText(outer.title) ?? cleanText(paper.title);
  if (title === null) throw new ParseError(`Hugging Face paper ${id} has no title`, { hint: FORMAT_HINT });

  const p = emptyPaper(title, 'hf');
  p.id = id;
  p.summary = cleanText(paper.summary) ?? cleanText(outer.summary);
  if (Array.isArray(paper.authors)) {
    p.authors = paper.authors.map(authorName).filter((n): n is string => n !== null);
    p.authorCount = paper.authors.length;
  }
  p.publishedAt = isoDay(paper.publishedAt);
  // A search answer's items carry dates too, but a search is no daily list: only lists set it.
  p.dailyDate = opts.origin === 'hf-search' ? null : (typeof opts.dailyDate === 'string' ? isoDay(opts.dailyDate) : null)
    ?? isoDay(paper.submittedOnDailyAt)
    ?? isoDay(outer.submittedOnDailyAt)
    ?? (wrapped ? isoDay(outer.publishedAt) : null);
  p.origin = opts.origin ?? 'hf-api';
  p.upvotes = parseCount(paper.upvotes) ?? parseCount(outer.upvotes);
  p.comments = parseCount(outer.numComments) ?? parseCount(paper.numComments);
  p.url = hfPaperUrl(id);
  p.arxivUrl = arxivAbsUrl(id);
  p.pdfUrl = arxivPdfUrl(id);
  p.githubRepo = link(paper.githubRepo, outer.githubRepo);
  p.projectPage = link(paper.projectPage, outer.projectPage);
  p.githubStars = parseCount(paper.githubStars) ?? parseCount(outer.githubStars);
  const kw = Array.isArray(paper.ai_keywords) ? paper.ai_keywords : Array.isArray(outer.ai_keywords) ? outer.ai_keywords : [];
  p.keywords = kw.map(cleanText).filter((k): k is string => k !== null);
  p.aiSummary = cleanText(paper.ai_summary) ?? cleanText(outer.ai_summary);
  p.organization = orgName(paper.organization) ?? orgName(outer.organization);
  return p;
}

/** Items to records; an item that fails names its position in the listing. */
function papersFromItems(items: readonly unknown[], what: string, dailyDate: string | null, origin: OriginKind): ParsedPaper[] {
  return items.map((item, i) => {
    try {
      return paperFromHfItem(item, { dailyDate, origin });
    } catch (err) {
      if (err instanceof ParseError) {
        throw new ParseError(`${what}, item ${i + 1}: ${err.message}`, { hint: err.hint, cause: err });
      }
      throw err;
    }
  });
}

/** The most common dailyDate of the papers (ties: the later date), or null. */
function commonDailyDate(papers: readonly ParsedPaper[]): string | null {
  const counts = new Map<string, number>();
  for (const p of papers) if (p.dailyDate !== null) counts.set(p.dailyDate, (counts.get(p.dailyDate) ?? 0) + 1);
  let best: string | null = null;
  let bestN = 0;
  for (const [d, n] of counts) {
    if (n > bestN || (n === bestN && best !== null && d > best)) {
      best = d;
      bestN = n;
    }
  }
  return best;
}

/**
 * The answer of `GET /api/daily_papers` (or of the search API: also a JSON array of items).
 * `opts.dailyDate`: the day that was asked for; it labels every paper and the listing. Left
 * undefined, the listing's date is the most common dailyDate of its papers; null means "not one
 * day's list" (week, month, search): the listing's date is null and each paper keeps its own.
 * `opts.format` labels the listing (default "hf-api").
 */
export function parseDailyPapersApi(json: string, opts: { dailyDate?: string | null; format?: string } = {}): Listing {
  let data: unknown;
  try {
    data = JSON.parse(json.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ParseError('Hugging Face API answer is not valid JSON', { hint: FORMAT_HINT, cause: err });
  }
  if (!Array.isArray(data)) {
    const error = isRecord(data) ? cleanText(data.error) : null;
    if (error !== null) throw new ParseError(`Hugging Face API answered with an error: ${error}`);
    throw new ParseError('Hugging Face API answer is not a JSON list of papers', { hint: FORMAT_HINT });
  }
  const papers = papersFromItems(data, 'Hugging Face API answer', opts.dailyDate ?? null, opts.format === 'hf-search' ? 'hf-search' : 'hf-api');
  const date = opts.dailyDate === undefined ? commonDailyDate(papers) : opts.dailyDate;
  return { papers, date, format: opts.format ?? 'hf-api' };
}

/**
 * The answer of `GET /api/papers/<id>`: one paper, flat (the daily item's `paper` object, no
 * wrapper), as Hugging Face API data.
 */
export function parseHfPaperApi(json: string): ParsedPaper {
  let data: unknown;
  try {
    data = JSON.parse(json.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ParseError('Hugging Face paper API answer is not valid JSON', { hint: FORMAT_HINT, cause: err });
  }
  if (!isRecord(data)) throw new ParseError('Hugging Face paper API answer is not a JSON object', { hint: FORMAT_HINT });
  const error = cleanText(data.error);
  if (error !== null && data.id === undefined) throw new ParseError(`Hugging Face API answered with an error: ${error}`);
  return paperFromHfItem(data, { origin: 'hf-api' });
}

// ---------------------------------------------------------------------------------------------
// HTML pages: a small forward tag scanner finds the hydration element without building a DOM.

/** Elements whose content is raw text (may contain "<" and attribute-like strings). */
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'noembed', 'noframes']);

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * The raw (undecoded) attributes of the first start tag, for each wanted `data-target` value.
 * Attribute order and quoting (double, single, none) do not matter; comments, closing tags and
 * the content of script/style elements are skipped. Stops once every target is found.
 */
function findHydrationTags(html: string, targets: readonly string[]): Map<string, Map<string, string>> {
  const found = new Map<string, Map<string, string>>();
  if (!html.includes('data-target')) return found;
  const n = html.length;
  let i = 0;
  while (i < n && found.size < targets.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    const c = html.charCodeAt(lt + 1);
    if (html.startsWith('<!--', lt)) {
      const e = html.indexOf('-->', lt + 4);
      i = e < 0 ? n : e + 3;
      continue;
    }
    if (c === 33 /* ! */ || c === 63 /* ? */ || c === 47 /* / */) {
      const e = html.indexOf('>', lt + 1);
      i = e < 0 ? n : e + 1;
      continue;
    }
    if (!isLetter(c)) {
      i = lt + 1;
      continue;
    }
    let j = lt + 1;
    while (j < n && !isSpace(html.charCodeAt(j)) && html[j] !== '>' && html[j] !== '/') j++;
    const name = html.slice(lt + 1, j).toLowerCase();
    const attrs = new Map<string, string>();
    for (;;) {
      while (j < n && (isSpace(html.charCodeAt(j)) || html[j] === '/')) j++;
      if (j >= n) break;
      if (html[j] === '>') {
        j++;
        break;
      }
      let k = j;
      while (k < n && !isSpace(html.charCodeAt(k)) && html[k] !== '=' && html[k] !== '>' && html[k] !== '/') k++;
      if (k === j) k = j + 1; // a stray "=": take it as a one-character name
      const attr = html.slice(j, k).toLowerCase();
      j = k;
      while (j < n && isSpace(html.charCodeAt(j))) j++;
      let value = '';
      if (html[j] === '=') {
        j++;
        while (j < n && isSpace(html.charCodeAt(j))) j++;
        const q = html[j];
        if (q === '"' || q === "'") {
          const e = html.indexOf(q, j + 1);
          const end = e < 0 ? n : e;
          value = html.slice(j + 1, end);
          j = end + 1;
        } else {
          let e = j;
          while (e < n && !isSpace(html.charCodeAt(e)) && html[e] !== '>') e++;
          value = html.slice(j, e);
          j = e;
        }
      }
      if (!attrs.has(attr)) attrs.set(attr, value);
    }
    const target = attrs.get('data-target');
    if (target !== undefined) {
      const t = decodeEntities(target).trim();
      if (targets.includes(t) && !found.has(t)) found.set(t, attrs);
    }
    if (RAW_TEXT.has(name)) {
      const close = indexOfCloseTag(html, name, j);
      i = close < 0 ? n : close;
    } else {
      i = j;
    }
  }
  return found;
}

/** Where `</name` starts at or after `from` (case-insensitive), or -1. */
function indexOfCloseTag(html: string, name: string, from: number): number {
  const re = new RegExp(`</${name}[\\s/>]`, 'gi');
  re.lastIndex = from;
  const m = re.exec(html);
  return m ? m.index : -1;
}

function readProps(attrs: Map<string, string>, target: string): Rec {
  const raw = attrs.get('data-props');
  if (raw === undefined) {
    throw new ParseError(`Hugging Face page has a ${target} element without its data-props`, { hint: FORMAT_HINT });
  }
  let props: unknown;
  try {
    props = JSON.parse(decodeEntities(raw));
  } catch (err) {
    throw new ParseError(`Hugging Face page's ${target} data is not valid JSON (truncated or changed page?)`, { hint: FORMAT_HINT, cause: err });
  }
  if (!isRecord(props)) throw new ParseError(`Hugging Face page's ${target} data is not a JSON object`, { hint: FORMAT_HINT });
  return props;
}

/** Listing from DailyPapers props; null when they hold no list we recognise. */
function listingFromDailyProps(props: Rec): Listing | null {
  const query = typeof props.query === 'string' ? props.query.trim() : '';
  if (Array.isArray(props.searchResults) && (query !== '' || !Array.isArray(props.dailyPapers))) {
    // Search page (shape inferred from scrapers): not one day's list.
    return { papers: papersFromItems(props.searchResults, 'Hugging Face search page', null, 'hf-search'), date: null, format: 'hf-search-page' };
  }
  if (!Array.isArray(props.dailyPapers)) return null;
  const period = typeof props.periodType === 'string' ? props.periodType.toLowerCase() : 'day';
  if (period !== 'day' && period !== 'daily') {
    // Week / month pages (inferred): each paper keeps its own list date.
    return { papers: papersFromItems(props.dailyPapers, 'Hugging Face page', null, 'hf-page'), date: null, format: 'hf-page' };
  }
  const date = isoDay(props.date);
  const papers = papersFromItems(props.dailyPapers, 'Hugging Face page', date, 'hf-page');
  return { papers, date: date ?? commonDailyDate(papers), format: 'hf-page' };
}

function listingFromPaperProps(props: Rec): Listing | null {
  if (!isRecord(props.paper)) return null;
  const item: Rec = { paper: props.paper };
  if (Array.isArray(props.comments)) {
    // The page's discussion thread (hidden comments included); the API's numComments is
    // thought to count the same thread.
    item.numComments = props.comments.filter((c) => !isRecord(c) || c.type === undefined || c.type === 'comment').length;
  }
  if (props.submitterOrganization !== undefined) item.organization = props.submitterOrganization;
  const paper = papersFromItems([item], 'Hugging Face paper page', null, 'hf-page');
  return { papers: paper, date: null, format: 'hf-paper-page' };
}

/**
 * The hydration JSON of a Hugging Face page, parsed without a DOM: a listing page
 * (`data-target="DailyPapers"`, format "hf-page", or "hf-search-page" for search results) or a
 * single paper page (`data-target="PaperContent"`, format "hf-paper-page").
 * Null when the page has no hydration data we recognise; ParseError when it has some that
 * does not parse.
 */
export function parseHfHydration(html: string): Listing | null {
  // One target at a time: the scan stops at the listing's element, near the top of the page,
  // instead of going on through every card to look for a paper page's element.
  const daily = findHydrationTags(html, ['DailyPapers']).get('DailyPapers');
  if (daily !== undefined) {
    const listing = listingFromDailyProps(readProps(daily, 'DailyPapers'));
    if (listing !== null) return listing;
  }
  const paper = findHydrationTags(html, ['PaperContent']).get('PaperContent');
  if (paper !== undefined) {
    const listing = listingFromPaperProps(readProps(paper, 'PaperContent'));
    if (listing !== null) return listing;
  }
  return null;
}

const DAY_MS = 86_400_000;

/** The page's own date from its prev/next day links, when they bracket exactly one day. */
function dateFromPrevNext(hrefs: readonly string[]): string | null {
  const days = new Set<string>();
  for (const h of hrefs) {
    const m = /\/papers(?:\/date\/|\?(?:[^#]*&)?date=)(\d{4}-\d{2}-\d{2})(?:$|[&#/?])/.exec(h);
    if (m) days.add(m[1]!);
  }
  if (days.size !== 2) return null;
  const [a, b] = [...days].sort() as [string, string];
  const ta = Date.parse(`${a}T00:00:00Z`);
  const tb = Date.parse(`${b}T00:00:00Z`);
  if (!Number.isFinite(ta) || tb - ta !== 2 * DAY_MS) return null;
  return new Date(ta + DAY_MS).toISOString().slice(0, 10);
}

/** The visible `<article>` cards: fewer fields (no authors' names, no abstract). */
async function parseHfCards(html: string): Promise<Listing | null> {
  const { load } = loadCheerio();
  const $ = load(html);
  const cardDate = ((): string | null => {
    const time = $('time[datetime]').filter((_, el) => $(el).closest('article').length === 0).first().attr('datetime');
    return isoDay(time) ?? dateFromPrevNext($('a[href*="date"]').map((_, el) => $(el).attr('href') ?? '').get());
  })();
  const papers: ParsedPaper[] = [];
  $('article').each((_, art) => {
    const a = $(art).find('h3 a[href*="/papers/"]').first();
    const href = a.attr('href');
    if (href === undefined) return;
    const m = /\/papers\/([^?#]+?)\/?(?:[?#].*)?$/.exec(href);
    const id = m ? bareArxivId(decodeURIComponent(m[1]!)) : null;
    const title = cleanText(a.text());
    if (id === null || title === null) return;
    const p = emptyPaper(title, 'hf');
    p.id = id;
    p.url = hfPaperUrl(id);
    p.arxivUrl = arxivAbsUrl(id);
    p.pdfUrl = arxivPdfUrl(id);
    p.dailyDate = cardDate;
    p.origin = 'hf-page';
    $(art).find('.leading-none').each((_, el) => {
      const n = parseCount($(el).text());
      if (n !== null) {
        p.upvotes = n;
        return false;
      }
      return undefined;
    });
    const community = $(art).find('a[href$="#community"]').first();
    if (community.length > 0) p.comments = parseCount(collapseWhitespace(community.text()));
    const count = /(\d[\d,]*)\s+authors?\b/i.exec(collapseWhitespace($(art).text()));
    if (count) p.authorCount = parseCount(count[1]);
    papers.push(p);
  });
  if (papers.length === 0) return null;
  return { papers, date: cardDate, format: 'hf-page-cards' };
}

/**
 * A saved or fetched Hugging Face page: the hydration JSON when present (fast path, no DOM),
 * else the visible paper cards (format "hf-page-cards"). Hydration data that is missing or
 * unreadable (an element without its data-props, cut-short JSON, items without ids) also falls
 * back to the cards. Only a page with neither usable data nor cards throws ParseError: that is
 * what a redesign of the site looks like, and the caller must store nothing.
 */
export async function parseHfPage(html: string): Promise<Listing> {
  let unreadable: ParseError | null = null;
  try {
    const hydrated = parseHfHydration(html);
    if (hydrated !== null) return hydrated;
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    unreadable = err;
  }
  const cards = await parseHfCards(html);
  if (cards !== null) return cards;
  if (unreadable !== null) throw new ParseError(`${unreadable.message}, and no paper cards to read instead`, { hint: unreadable.hint ?? FORMAT_HINT, cause: unreadable });
  throw new ParseError('not a Hugging Face papers page: no DailyPapers data and no paper cards found', { hint: FORMAT_HINT });
}
