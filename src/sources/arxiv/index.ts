/**
 * The arXiv source: today's listing pages (`/list/<cat>/new`), and the Atom API (`/api/query`)
 * for date ranges (`submittedDate`) and ids (`id_list`), paged. Politeness (one request at a
 * time, at least 3 s apart, the User-Agent) is the HTTP client's rule for both arXiv hosts;
 * this module only ever makes its requests one after another.
 *
 * Lists in the cache: `<day> <cat>` for the papers submitted that day in a category (API), and
 * `<day> <cat> new` for a category's listing announced that day (new, cross-lists, replacements).
 */
import { HttpError, PapersError, ParseError } from '../../errors.js';
import { type HttpClient, joinUrl } from '../../http/index.js';
import { addDays } from '../../dates.js';
import type { ParsedPaper } from '../../record.js';
import { daysOf } from '../../range.js';
import type { FetchRangeRequest, FetchSink, KnownList, Source } from '../types.js';
import { parseArxivFeed, type ArxivFeed } from './feed.js';
import { ArxivApiError, parseArxivAtom, parseArxivListing, type ArxivListingPage, type AtomListing } from './parse.js';

/** The first day arXiv has papers for. */
export const ARXIV_START = '1991-08-01';
/** Entries per API page (the API allows 2000 a call; arXiv asks for moderate slices). */
export const API_PAGE_SIZE = 500;
/** The API serves at most 30 000 results of one query, however it is paged. */
export const API_MAX_RESULTS = 30_000;
/** Ids per `id_list` request: keeps the URL short. */
const IDS_PER_REQUEST = 100;
/**
 * A day's submissions reach the API when arXiv announces them: the next weekday evening (US
 * Eastern), after a weekend up to three days later. A day's list fetched less than this long
 * after the day ended (UTC) is fetched again.
 */
export const ARXIV_SETTLES_AFTER_MS = 4 * 86_400_000;

export function arxivSource(bases: { arxiv: string; arxivApi: string; arxivRss?: string }): Source {
  return {
    name: 'arxiv',
    label: 'arXiv',
    earliest: ARXIV_START,
    needsCategories: 'e.g. --category cs.LG (repeatable), or sources.arxiv.categories in the config',
    latestListing: true,
    syncLookbackDays: ARXIV_SETTLES_AFTER_MS / 86_400_000,
    fetchRange: (http, req, sink) => (req.latest ? fetchLatest(http, bases, req, sink) : fetchApiRange(http, bases.arxivApi, req, sink)),
  };
}

/** True when a list of `day` was fetched late enough that every paper of the day had been announced. */
export function arxivDaySettled(known: KnownList | null, day: string): boolean {
  if (!known) return false;
  const fetched = Date.parse(known.fetchedAt);
  return Number.isFinite(fetched) && fetched >= Date.parse(`${day}T00:00:00Z`) + 86_400_000 + ARXIV_SETTLES_AFTER_MS;
}

// ---- the listing page ------------------------------------------------------------------------

/** Today's listing of `category` (`/list/<cat>/new`): new submissions, cross-lists, replacements. */
export async function fetchArxivNew(http: HttpClient, base: string, category: string): Promise<ArxivListingPage> {
  const res = await http.get(joinUrl(base, `/list/${encodeURIComponent(category)}/new`), { accept: 'text/html' });
  return parseArxivListing(res.body);
}

// ---- the daily feeds -------------------------------------------------------------------------

/** The announcement feed of `categories` (`/atom/cs.LG+cs.CL`), parsed. */
export async function fetchArxivFeed(http: HttpClient, rssBase: string, categories: string[]): Promise<ArxivFeed> {
  const res = await http.get(joinUrl(rssBase, `/atom/${categories.map(encodeURIComponent).join('+')}`), { accept: 'application/atom+xml', retries: 1 });
  return parseArxivFeed(res.body);
}

/**
 * The papers of a feed as records: a version the item announces beyond the first is a version
 * known (its day is not: the announcement is not the submission), so a replacement shows as a
 * new version of a cached paper.
 */
export function feedPapers(feed: ArxivFeed): ParsedPaper[] {
  return feed.entries.map(({ paper, version }) => {
    const p: ParsedPaper = { ...paper };
    if (version !== null && version > 1 && !p.versions.some((v) => v.version === version)) p.versions = [...p.versions, { version, date: null }];
    return p;
  });
}

/**
 * Today's announcements of the categories: the feed first (one request for all of them, the
 * way arXiv asks to be read), the listing pages when the feed fails or cannot be read. An empty
 * feed (weekends, holidays) is an answer: no papers announced.
 */
async function fetchLatest(http: HttpClient, bases: { arxiv: string; arxivRss?: string }, req: FetchRangeRequest, sink: FetchSink): Promise<void> {
  if (bases.arxivRss !== undefined) {
    let feed: ArxivFeed | null = null;
    sink.progress(0, 1, `feed ${req.categories.join('+')}`);
    try {
      feed = await fetchArxivFeed(http, bases.arxivRss, req.categories);
    } catch (err) {
      if (!(err instanceof HttpError || err instanceof ParseError)) throw err;
      sink.log(`the arXiv feed failed (${err.message}); reading the listing pages instead`);
    }
    if (feed !== null) {
      sink.progress(1, 1, `feed ${req.categories.join('+')}`);
      const papers = feedPapers(feed);
      const day = feed.date ?? req.today;
      const count = (t: string) => papers.filter((p) => p.arxivAnnounce === t).length;
      sink.log(`feed of ${day}: ${papers.length} announcements (${count('new')} new, ${count('cross')} cross-lists, ${count('replace') + count('replace-cross')} replacements)`);
      for (const cat of req.categories) sink.saveList(`${day} ${cat} new`, papers.filter((p) => p.categories.includes(cat)));
      // An item listed under none of the categories asked for (an alias) is kept all the same.
      const strays = papers.filter((p) => !req.categories.some((c) => p.categories.includes(c)));
      if (strays.length > 0) sink.savePapers(strays);
      return;
    }
  }
  await fetchListings(http, bases.arxiv, req, sink);
}

async function fetchListings(http: HttpClient, base: string, req: FetchRangeRequest, sink: FetchSink): Promise<void> {
  const planned = req.categories.length;
  for (const [i, cat] of req.categories.entries()) {
    sink.progress(i, planned, `${cat} new`);
    const listing = await fetchArxivNew(http, base, cat);
    sink.progress(i + 1, planned, `${cat} new`);
    const count = (s: string) => listing.entries.filter((e) => e.section === s).length;
    sink.log(`${cat}: ${count('new')} new, ${count('cross')} cross-lists, ${count('replacement')} replacements${listing.date ? ` (listing of ${listing.date})` : ''}`);
    sink.saveList(`${listing.date ?? req.today} ${cat} new`, listing.papers);
  }
}

// ---- the Atom API ----------------------------------------------------------------------------

export interface ArxivQuery {
  /** `search_query`, e.g. `cat:cs.LG AND submittedDate:[202410250000 TO 202410252359]`. */
  searchQuery?: string;
  /** `id_list`: versionless or versioned ids. */
  ids?: string[];
  /** Sort by submission date, oldest first (for date ranges). */
  bySubmittedDate?: boolean;
}

/** One API request: its answer parsed; the error feed (HTTP 400) throws ArxivApiError with arXiv's message. */
async function getAtom(http: HttpClient, url: string): Promise<AtomListing> {
  const res = await http.get(url, { accept: 'application/atom+xml', bodyOnStatus: [400] });
  let listing: AtomListing;
  try {
    listing = await parseArxivAtom(res.body);
  } catch (err) {
    if (err instanceof ArxivApiError || res.status === 200) throw err;
    throw new HttpError(`the arXiv API answered ${res.status} for ${new URL(res.url).search}`, res.url, { status: res.status, cause: err, hint: 'check the categories, dates or ids asked for' });
  }
  if (res.status !== 200) throw new HttpError(`the arXiv API answered ${res.status} without saying why`, res.url, { status: res.status, hint: 'try again later' });
  return listing;
}

/**
 * The pages of one API query, in order, until its `totalResults` (at most 30 000) are read.
 * Papers are not deduplicated here. A page that comes back empty before the end is an error:
 * the API does that when it is overloaded, and the results would silently be cut short.
 */
export async function* arxivQueryPages(
  http: HttpClient,
  apiBase: string,
  query: ArxivQuery,
  opts: { pageSize?: number; onRequest?: (start: number, total: number | null) => void } = {},
): AsyncGenerator<AtomListing> {
  const pageSize = opts.pageSize ?? API_PAGE_SIZE;
  let total: number | null = null;
  for (let start = 0; ;) {
    opts.onRequest?.(start, total);
    const listing = await getAtom(http, joinUrl(apiBase, '/api/query', {
      ...(query.searchQuery !== undefined ? { search_query: query.searchQuery } : {}),
      ...(query.ids !== undefined ? { id_list: query.ids.join(',') } : {}),
      start,
      max_results: pageSize,
      ...(query.bySubmittedDate ? { sortBy: 'submittedDate', sortOrder: 'ascending' } : {}),
    }));
    total = Math.min(listing.totalResults, API_MAX_RESULTS);
    yield listing;
    start += listing.papers.length;
    if (start >= total) return;
    if (listing.papers.length === 0) {
      throw new ParseError(`the arXiv API gave an empty page at ${start} of ${total} results`, { hint: 'the API does that when it is busy; try again in a minute' });
    }
  }
}

/** Papers by id through `id_list`, in the order arXiv gives them; ids arXiv does not know are left out. */
export async function fetchArxivIds(http: HttpClient, apiBase: string, ids: string[]): Promise<ParsedPaper[]> {
  const out: ParsedPaper[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < ids.length; i += IDS_PER_REQUEST) {
    const chunk = ids.slice(i, i + IDS_PER_REQUEST);
    for await (const page of arxivQueryPages(http, apiBase, { ids: chunk }, { pageSize: chunk.length })) {
      for (const p of page.papers) {
        if (p.id === null || seen.has(p.id)) continue;
        seen.add(p.id);
        out.push(p);
      }
    }
  }
  return out;
}

/** The API's search query for papers submitted from `from` to `to` (UTC days) in any of `categories`. */
export function submittedQuery(categories: string[], from: string, to: string): string {
  const cats = categories.map((c) => `cat:${c}`);
  const catPart = cats.length === 1 ? cats[0]! : `(${cats.join(' OR ')})`;
  return `${catPart} AND submittedDate:[${from.replace(/-/g, '')}0000 TO ${to.replace(/-/g, '')}2359]`;
}

const listKey = (day: string, cat: string) => `${day} ${cat}`;

async function fetchApiRange(http: HttpClient, base: string, req: FetchRangeRequest, sink: FetchSink): Promise<void> {
  const days = daysOf(req);
  const todo = req.refresh ? days : days.filter((d) => req.categories.some((c) => !arxivDaySettled(sink.known(listKey(d, c)), d)));
  if (todo.length < days.length) sink.log(`${days.length - todo.length} day(s) already complete in the cache for ${req.categories.join(', ')}, not fetched`);
  if (todo.length === 0) return;
  // One query from the first to the last day still to fetch: one paged query is cheaper than several.
  const progress = { done: 0, planned: 1 };
  await fetchSpan(http, base, req.categories, todo[0]!, todo[todo.length - 1]!, sink, progress);
}

/**
 * One `submittedDate` query over `from`…`to`, paged, oldest first. Each day's lists are stored as
 * soon as a later day shows up (a run that stops keeps the days it completed). A span with more
 * results than the API serves is split in two.
 */
async function fetchSpan(http: HttpClient, base: string, categories: string[], from: string, to: string, sink: FetchSink, progress: { done: number; planned: number }): Promise<void> {
  const searchQuery = submittedQuery(categories, from, to);
  const span = daysOf({ from, to });
  const label = (start: number) => `${from === to ? from : `${from}…${to}`}${start > 0 ? ` from ${start}` : ''}`;
  sink.log(`arXiv API query: ${searchQuery}`);

  const papers: ParsedPaper[] = [];
  const seen = new Set<string>();
  const saved = new Set<string>();
  const dirty = new Set<string>();
  const saveDay = (day: string) => {
    for (const cat of categories) sink.saveList(listKey(day, cat), papers.filter((p) => p.publishedAt === day && p.categories.includes(cat)));
    saved.add(day);
    dirty.delete(day);
  };

  let first = true;
  for await (const page of arxivQueryPages(http, base, { searchQuery, bySubmittedDate: true }, {
    onRequest: (start) => sink.progress(progress.done, progress.planned, label(start)),
  })) {
    progress.done++;
    if (first) {
      first = false;
      if (page.totalResults > API_MAX_RESULTS) {
        if (span.length === 1) {
          throw new PapersError(`arXiv has ${page.totalResults} papers submitted on ${from} in ${categories.join(', ')}, more than its API serves (${API_MAX_RESULTS})`, { hint: 'ask for fewer categories at a time' });
        }
        sink.log(`${page.totalResults} results for ${from}…${to}: more than the API serves, split in two`);
        const mid = span[Math.floor(span.length / 2) - 1]!;
        progress.planned += 2;
        await fetchSpan(http, base, categories, from, mid, sink, progress);
        await fetchSpan(http, base, categories, addDays(mid, 1), to, sink, progress);
        return;
      }
      progress.planned += Math.max(1, Math.ceil(page.totalResults / API_PAGE_SIZE)) - 1;
    }
    sink.progress(progress.done, progress.planned, label(0));
    let latest = '';
    for (const p of page.papers) {
      if (p.id === null || seen.has(p.id)) continue;
      seen.add(p.id);
      papers.push(p);
      if (p.publishedAt !== null && saved.has(p.publishedAt)) dirty.add(p.publishedAt);
      if (p.publishedAt !== null && p.publishedAt > latest) latest = p.publishedAt;
    }
    // Oldest first: the days before the latest one seen are whole.
    for (const day of span) if (day < latest && !saved.has(day)) saveDay(day);
  }
  for (const day of span) if (!saved.has(day) || dirty.has(day)) saveDay(day);

  // A paper dated outside the span, or matched through an alias category, is on no list: kept all the same.
  const strays = papers.filter((p) => !(p.publishedAt !== null && span.includes(p.publishedAt) && categories.some((c) => p.categories.includes(c))));
  if (strays.length > 0) {
    sink.log(`${strays.length} paper(s) on no list of ${from}…${to} ${categories.join(', ')}, stored without a list`);
    sink.savePapers(strays);
  }
}
