/**
 * The Hugging Face source: where its lists are and how to get them. Two ways in, the JSON API
 * and the listing page; when one fails the other is tried. Parsing lives in ./parse.ts.
 */
import type { Listing, ParsedPaper } from '../../record.js';
import { HttpError, ParseError, PapersError } from '../../errors.js';
import { type HttpClient, joinUrl } from '../../http/index.js';
import { daysOf } from '../../range.js';
import { isComplete, type FetchRangeRequest, type FetchSink, type Source } from '../types.js';
import { parseDailyPapersApi, parseHfPage, parseHfPaperApi } from './parse.js';
import { DEFAULT_PAPERS_PER_DAY, PAGE_SIZE, estimatePages, planRequests } from './plan.js';

type WayIn<T> = { name: string; get: () => Promise<T> };

/**
 * Try each way in until one gives a listing. When all fail: a page we could not recognise is
 * reported as such (the site changed: that must not look like a network blip); otherwise the
 * first request's error, with the others as its cause chain.
 */
async function firstThatWorks<T>(what: string, ways: WayIn<T>[], log: (m: string) => void): Promise<T> {
  const errors: unknown[] = [];
  for (const way of ways) {
    try {
      return await way.get();
    } catch (err) {
      if (!(err instanceof PapersError)) throw err;
      log(`${what} via ${way.name} failed: ${err.message}`);
      errors.push(err);
    }
  }
  const parseFailure = errors.find((e) => e instanceof ParseError) as ParseError | undefined;
  const cause = errors.reduceRight<unknown>((acc, e) => (acc ? new Error((e as Error).message, { cause: acc }) : e), undefined);
  if (parseFailure) {
    throw new ParseError(`Hugging Face answered, but not in a shape papers recognises: ${parseFailure.message}`, {
      cause,
      hint: 'the site may have changed; nothing was stored — please report it, with the output of --verbose',
    });
  }
  const first = errors[0] as HttpError;
  throw new HttpError(`could not get ${what} from Hugging Face: ${first.message}`, first.url, {
    status: first.status,
    cause,
    hint: first.hint ?? 'check your connection, or use --offline to read the cache',
  });
}

/** What asking for the current daily list gave: a listing, or "unchanged" (a 304 to a stored ETag). */
type Current = { listing: Listing; etag: string | null } | { notModified: true };

/**
 * The current daily list (`papers today`): the API without a date, else the /papers page. The
 * API is asked conditionally with the ETag of the latest stored list; unchanged, that list is
 * only marked as checked. A list is stored under the date it is for, whatever today's date is.
 */
async function fetchCurrentInto(http: HttpClient, base: string, sink: FetchSink): Promise<void> {
  const last = sink.latest();
  const what = 'the daily list';
  sink.progress(0, 1, what);
  const got = await firstThatWorks<Current>(what, [
    {
      name: 'the API',
      get: async () => {
        // One retry only, and half the time the command has left: when the API is down, the page
        // is the quicker way to the list.
        const left = http.timeLeft();
        const res = await http.get(joinUrl(base, '/api/daily_papers'), {
          accept: 'application/json', retries: 1, etag: last?.known.etag ?? null, ...(Number.isFinite(left) ? { withinMs: left / 2 } : {}),
        });
        return res.notModified ? { notModified: true } : { listing: parseDailyPapersApi(res.body), etag: res.etag };
      },
    },
    { name: 'the page', get: async () => ({ listing: await parseHfPage((await http.get(joinUrl(base, '/papers'), { accept: 'text/html' })).body), etag: null }) },
  ], sink.log);
  sink.progress(1, 1, what);
  if ('notModified' in got) {
    if (last) {
      sink.log(`${last.key}: unchanged since ${last.known.fetchedAt}`);
      sink.touchList(last.key);
    }
    return;
  }
  if (got.listing.date === null) {
    sink.log('Hugging Face has no daily list right now');
    return;
  }
  sink.saveList(got.listing.date, got.listing.papers, { etag: got.etag });
}

/**
 * Hugging Face's paper search: `GET /api/papers/search?q=…&limit=…` (a JSON list of items in
 * the daily-list shape), else the search page `/papers?q=…` (its `searchResults`). The result
 * is never one day's list: `date` is null and each paper keeps its own dates. `[]` from the API
 * means nothing matched (the page is not asked). A page that shows a daily list instead of
 * search results is a ParseError: HF ignored the query, and its list must not pass for results.
 */
export function searchPapers(http: HttpClient, base: string, query: string, opts: { limit?: number; log?: (m: string) => void } = {}): Promise<Listing> {
  return firstThatWorks(`search results for "${query}"`, [
    {
      name: 'the API',
      get: async () => {
        const url = joinUrl(base, '/api/papers/search', { q: query, limit: opts.limit });
        return parseDailyPapersApi((await http.get(url, { accept: 'application/json', retries: 1 })).body, { dailyDate: null, format: 'hf-search' });
      },
    },
    {
      name: 'the page',
      get: async () => {
        const listing = await parseHfPage((await http.get(joinUrl(base, '/papers', { q: query }), { accept: 'text/html' })).body);
        if (listing.format !== 'hf-search-page') {
          throw new ParseError(`Hugging Face's search page gave no search results (a ${listing.format} listing instead)`);
        }
        return listing;
      },
    },
  ], opts.log ?? (() => {}));
}

/**
 * One paper from Hugging Face's paper API (`GET /api/papers/<id>`), or null when Hugging Face
 * does not know it (404: it has not indexed that arXiv paper, which is no error).
 */
export async function fetchHfPaper(http: HttpClient, base: string, id: string): Promise<ParsedPaper | null> {
  // Old-style ids keep their slash: it is part of the path HF serves them under.
  const res = await http.get(joinUrl(base, `/api/papers/${id.split('/').map(encodeURIComponent).join('/')}`), { accept: 'application/json', bodyOnStatus: [404] });
  if (res.status === 404) return null;
  return parseHfPaperApi(res.body);
}

// ---- date ranges (papers fetch / papers sync) ------------------------------------------------

/** The first day of Hugging Face Daily Papers. */
export const HF_ARCHIVE_START = '2023-05-04';
/** Requests in flight at once for a range; the HTTP client's per-host limit is the real cap. */
const PARALLEL_UNITS = 4;
/** Pages of one period asked for at once. */
const PAGES_AHEAD = 2;
/** A period answer longer than this many pages is not a daily list any more. */
const MAX_PAGES = 200;

/** Hugging Face as a `Source`: daily lists by date, ISO week or month from the JSON API. */
export function hfSource(base: string, opts: { strategy?: 'fewest' | 'daily' } = {}): Source {
  return {
    name: 'hf',
    label: 'Hugging Face',
    earliest: HF_ARCHIVE_START,
    fetchRange: (http, req, sink) => (req.latest ? fetchCurrentInto(http, base, sink) : fetchHfRange(http, base, req, sink, opts.strategy ?? 'fewest')),
  };
}

async function fetchHfRange(http: HttpClient, base: string, req: FetchRangeRequest, sink: FetchSink, strategy: 'fewest' | 'daily'): Promise<void> {
  const complete = new Set(req.refresh ? [] : daysOf(req).filter((d) => isComplete(sink.known(d), d)));
  const perDay = sink.papersPerList();
  const plan = planRequests({ from: req.from, to: req.to, today: req.today, earliest: HF_ARCHIVE_START, complete, strategy, ...(perDay !== null ? { papersPerDay: perDay } : {}) });
  if (plan.skipped.length > 0) sink.log(`${plan.skipped.length} day${plan.skipped.length === 1 ? '' : 's'} already complete in the cache, not fetched: ${plan.skipped.join(', ')}`);
  sink.log(`plan: ${plan.units.map((u) => `${u.kind}=${u.value}`).join(', ') || 'nothing to fetch'} (about ${plan.estimatedRequests} request${plan.estimatedRequests === 1 ? '' : 's'})`);
  let done = 0;
  let planned = plan.estimatedRequests;
  const perDayEstimate = perDay ?? DEFAULT_PAPERS_PER_DAY;
  const get = async (query: Record<string, string | number>, label: string, etag: string | null) => {
    sink.progress(done, planned, label);
    const res = await http.get(joinUrl(base, '/api/daily_papers', query), { accept: 'application/json', etag });
    done++;
    planned = Math.max(planned, done);
    sink.progress(done, planned, label);
    return res;
  };

  await inPool(plan.units, PARALLEL_UNITS, async (unit) => {
    const papers: ParsedPaper[] = [];
    const seen = new Set<string>();
    let firstId: string | null = null;
    let etag: string | null = null;
    let pages = 0;
    const expected = unit.kind === 'date' ? 1 : estimatePages(unit.days.length, perDayEstimate);
    const label = (p: number) => `${unit.kind === 'date' ? '' : `${unit.kind} `}${unit.value}${p > 0 ? ` page ${p + 1}` : ''}`;
    const known = unit.kind === 'date' ? sink.known(unit.value) : null;
    const first = await get({ [unit.kind]: unit.value, limit: PAGE_SIZE, p: 0 }, label(0), known?.etag ?? null);
    if (first.notModified) {
      sink.log(`${unit.value}: unchanged since ${known?.fetchedAt ?? 'the last fetch'}`);
      sink.touchList(unit.value);
      return;
    }
    // Page 1 first; once it is full, the next pages the estimate still expects are asked for
    // PAGES_AHEAD at a time (one at a time past the estimate), so a month's pages take half
    // of the round trips. Pages are read in order; reading stops at the first short one, and a
    // wave asks at most PAGES_AHEAD - 1 pages past the end.
    let res = first;
    const ahead: Promise<typeof first>[] = [];
    try {
      for (let p = 0; ; ) {
        pages++;
        etag = res.etag;
        const listing = parseDailyPapersApi(res.body, { dailyDate: unit.kind === 'date' ? unit.value : null });
        if (p > 0 && listing.papers.length > 0 && listing.papers[0]!.id === firstId) {
          throw new ParseError(`Hugging Face API answered page ${p + 1} of ${unit.kind}=${unit.value} with its first page again`, { hint: 'the API may ignore the page parameter; please report it' });
        }
        if (p === 0) firstId = listing.papers[0]?.id ?? null;
        for (const paper of listing.papers) {
          if (paper.id !== null && seen.has(paper.id)) continue;
          if (paper.id !== null) seen.add(paper.id);
          papers.push(paper);
        }
        const next = /<[^>]*>\s*;[^,]*rel="?next"?/i.test(res.headers.link ?? '');
        if (listing.papers.length === 0 || (!next && listing.papers.length < PAGE_SIZE)) break;
        p++;
        // Each page differed from the first (checked above), so the API did page: the list is
        // simply longer than any daily list, and nothing of it is stored.
        if (p >= MAX_PAGES) throw new ParseError(`Hugging Face API: more than ${MAX_PAGES} pages (${MAX_PAGES * PAGE_SIZE} papers) for ${unit.kind}=${unit.value}, longer than any daily list; nothing of it was stored`, { hint: 'the answer is not a daily list; please report it' });
        if (ahead.length === 0) {
          for (let q = p; q < p + Math.min(PAGES_AHEAD, Math.max(1, expected - p)); q++) {
            const page = get({ [unit.kind]: unit.value, limit: PAGE_SIZE, p: q }, label(q), null);
            page.catch(() => {}); // a page past the end may fail unread; one that is read throws below
            ahead.push(page);
          }
        }
        res = await ahead.shift()!;
      }
    } finally {
      // Pages asked for past the end: let them finish (nothing is read from them).
      await Promise.allSettled(ahead);
    }
    // Fewer pages than expected: the progress total shrinks to match.
    planned = Math.max(done, planned - Math.max(0, expected - pages));
    if (unit.kind === 'date') {
      sink.saveList(unit.value, papers, { etag: pages === 1 ? etag : null });
      return;
    }
    // A week or month answer: each paper carries the day it was on the list.
    const byDay = new Map<string, ParsedPaper[]>(unit.days.map((d) => [d, []]));
    const strays: ParsedPaper[] = [];
    for (const paper of papers) {
      const day = paper.dailyDate !== null ? byDay.get(paper.dailyDate) : undefined;
      if (day) day.push(paper);
      else strays.push(paper);
    }
    // Not one paper on any of its days: the answer does not say which day a paper was on (a
    // changed format), and storing its days as empty lists would call them done.
    if (papers.length > 0 && strays.length === papers.length) {
      throw new ParseError(`Hugging Face API: none of the ${papers.length} papers for ${unit.kind}=${unit.value} carries a day of it; nothing of it was stored`, { hint: 'the answer no longer says which day each paper was listed; please report it' });
    }
    for (const [day, list] of byDay) sink.saveList(day, list, { etag: null });
    if (strays.length > 0) {
      sink.log(`${unit.kind}=${unit.value}: ${strays.length} paper${strays.length === 1 ? '' : 's'} dated outside it, stored without a list`);
      sink.savePapers(strays);
    }
  });
}

/**
 * Run `task` over `items`, at most `limit` at once, in order. After the first failure no new
 * task starts; the running ones finish (their lists are saved), then that failure is thrown.
 */
export async function inPool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (failure === null && next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== null) throw (failure as { error: unknown }).error;
}
