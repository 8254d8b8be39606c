/**
 * The arXiv source: date ranges through the Atom API (`submittedDate` ranges, paged), and
 * today's new listing pages (`/list/<cat>/new`). Politeness (one request at a time, 3 s apart)
 * is the HTTP client's; this module only makes its requests one after another.
 *
 * Lists in the cache: `<day> <cat>` for the papers submitted that day in a category (API), and
 * `<day> <cat> new` for a category's listing announced that day (new, cross-lists, replacements).
 */
import { HttpError, ParseError } from '../../errors.js';
import { type HttpClient, joinUrl } from '../../http.js';
import type { ParsedPaper } from '../../record.js';
import { daysOf } from '../../range.js';
import { isComplete, type FetchRangeRequest, type FetchSink, type Source } from '../types.js';
import { parseArxivAtom, parseArxivListing } from './parse.js';

/** The first day arXiv has papers for. */
export const ARXIV_START = '1991-08-01';
/** Entries per API page (the API allows 2000; smaller pages keep each answer quick). */
export const API_PAGE_SIZE = 200;
/** The API serves at most 30 000 results per query. */
const MAX_RESULTS = 30_000;

export function arxivSource(bases: { arxiv: string; arxivApi: string }): Source {
  return {
    name: 'arxiv',
    label: 'arXiv',
    earliest: ARXIV_START,
    needsCategories: 'e.g. --category cs.LG (repeatable), or sources.arxiv.categories in the config',
    latestListing: true,
    fetchRange: (http, req, sink) => (req.latest ? fetchListings(http, bases.arxiv, req, sink) : fetchApiRange(http, bases.arxivApi, req, sink)),
  };
}

/** The API's search query for papers submitted from `from` to `to` in any of `categories`. */
export function submittedQuery(categories: string[], from: string, to: string): string {
  const cats = categories.map((c) => `cat:${c}`);
  const catPart = cats.length === 1 ? cats[0]! : `(${cats.join(' OR ')})`;
  return `${catPart} AND submittedDate:[${from.replace(/-/g, '')}0000 TO ${to.replace(/-/g, '')}2359]`;
}

async function fetchApiRange(http: HttpClient, base: string, req: FetchRangeRequest, sink: FetchSink): Promise<void> {
  const days = daysOf(req);
  const key = (day: string, cat: string) => `${day} ${cat}`;
  const todo = req.refresh ? days : days.filter((d) => req.categories.some((c) => !isComplete(sink.known(key(d, c)), d)));
  if (todo.length < days.length) sink.log(`${days.length - todo.length} day(s) already complete in the cache for ${req.categories.join(', ')}, not fetched`);
  if (todo.length === 0) return;
  // One query over the days still to fetch (the first to the last of them), paged.
  const span = daysOf({ from: todo[0]!, to: todo[todo.length - 1]! });
  const searchQuery = submittedQuery(req.categories, span[0]!, span[span.length - 1]!);
  sink.log(`arXiv API query: ${searchQuery}`);

  const papers: ParsedPaper[] = [];
  const seen = new Set<string>();
  let planned = 1;
  for (let start = 0, page = 0; ; page++) {
    const label = `${span[0]}…${span[span.length - 1]}${page > 0 ? ` page ${page + 1}` : ''}`;
    sink.progress(page, planned, label);
    const url = joinUrl(base, '/api/query', {
      search_query: searchQuery, start, max_results: API_PAGE_SIZE, sortBy: 'submittedDate', sortOrder: 'ascending',
    });
    const res = await http.get(url, { accept: 'application/atom+xml', bodyOnStatus: [400] });
    const listing = await parseArxivAtom(res.body); // the error feed throws here, with arXiv's message
    if (res.status !== 200) throw new HttpError(`the arXiv API answered ${res.status} for ${searchQuery}`, res.url, { status: res.status });
    const total = Math.min(listing.totalResults, MAX_RESULTS);
    planned = Math.max(page + 1, Math.ceil(total / API_PAGE_SIZE));
    sink.progress(page + 1, planned, label);
    for (const p of listing.papers) {
      if (p.id === null || seen.has(p.id)) continue;
      seen.add(p.id);
      papers.push(p);
    }
    start += listing.papers.length;
    if (start >= total) break;
    if (listing.papers.length === 0) {
      throw new ParseError(`the arXiv API gave an empty page at ${start} of ${total} results`, { hint: 'the API sometimes does; nothing of this range was stored — try again' });
    }
  }

  // Each paper goes on the list of its submission day for each asked category it is in; one
  // that fits none (dated outside the span, or matched through an alias category) is kept too.
  const listed = new Set<ParsedPaper>();
  for (const day of span) {
    for (const cat of req.categories) {
      const list = papers.filter((p) => p.publishedAt === day && p.categories.includes(cat));
      for (const p of list) listed.add(p);
      sink.saveList(key(day, cat), list);
    }
  }
  const strays = papers.filter((p) => !listed.has(p));
  if (strays.length > 0) {
    sink.log(`${strays.length} paper(s) on no list of ${span[0]}…${span[span.length - 1]} ${req.categories.join(', ')}, stored without a list`);
    sink.savePapers(strays);
  }
}

async function fetchListings(http: HttpClient, base: string, req: FetchRangeRequest, sink: FetchSink): Promise<void> {
  const planned = req.categories.length;
  for (const [i, cat] of req.categories.entries()) {
    sink.progress(i, planned, `${cat} new`);
    const res = await http.get(joinUrl(base, `/list/${cat}/new`), { accept: 'text/html' });
    const listing = await parseArxivListing(res.body);
    sink.progress(i + 1, planned, `${cat} new`);
    const count = (s: string) => listing.entries.filter((e) => e.section === s).length;
    sink.log(`${cat}: ${count('new')} new, ${count('cross')} cross-lists, ${count('replacement')} replacements${listing.date ? ` (listing of ${listing.date})` : ''}`);
    sink.saveList(`${listing.date ?? req.today} ${cat} new`, listing.papers);
  }
}
