/**
 * The OAI-PMH harvest of arXiv (`ListRecords`, `metadataPrefix=arXivRaw`): pages one after
 * another, following resumption tokens, politely, handing each page to the caller before
 * asking for the next.
 *
 * Decisions:
 * - One request at a time, each starting at least `minIntervalMs` (3 s, arXiv's terms) after
 *   the previous answer arrived: counted from the answer rather than the request, so the
 *   server sees the spacing however long a request takes to reach it.
 * - `503` is OAI-PMH's flow control: wait what `Retry-After` says (at least the interval),
 *   then ask again, up to `maxRetries` times in a row; a wait longer than `maxRetryAfterMs`
 *   is not waited out but fails, so that a harvest never hangs silently.
 * - `onPage` is awaited before the next request: the caller stores the page's records and its
 *   token together, so a harvest stopped at any point resumes after the last stored page
 *   (`resumptionToken`) without asking again for a finished one.
 * - A stored token can expire (arXiv keeps them about a day): when the first request of a
 *   resumed harvest answers `badResumptionToken`, the list is asked again from `from` (the
 *   records already stored merge again, harmlessly). A bad token later is an error.
 * - Incremental runs ask `from` the day of the previous harvest's last `responseDate`
 *   (incrementalFrom): OAI dates are inclusive, so nothing modified that day is missed.
 */
import { HttpError, StoreError } from '../../errors.js';
import { OaiError, parseOaiListRecords, type ArxivPaper } from './oai.js';

/** What the harvest needs from the HTTP layer: a GET that returns error statuses instead of throwing. */
export interface OaiFetcher {
  get(url: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>;
}

/** Time, injectable for tests. */
export interface HarvestClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: HarvestClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms))),
};

/** arXiv's terms: at least 3 s between requests. */
export const OAI_MIN_INTERVAL_MS = 3000;

export interface HarvestPage {
  records: ArxivPaper[];
  /** Ids arXiv marks deleted on this page. */
  deleted: string[];
  /** The token for the next page (store it with the records); null after the last page. */
  token: string | null;
  /** The server's responseDate of this page (ISO 8601): store it; incrementalFrom() reads it. */
  responseDate: string;
  completeListSize: number | null;
  cursor: number | null;
  /** 1 for the first page this run fetched. */
  page: number;
}

export interface HarvestOptions {
  fetcher: OaiFetcher;
  /** The OAI-PMH endpoint (PAPERS_ARXIV_OAI_URL), e.g. `https://oaipmh.arxiv.org/oai`. */
  baseUrl: string;
  /** The set, e.g. `cs`, `math`, `physics:hep-th`; omitted for all of arXiv. */
  set?: string | null;
  /** First modification day to harvest (YYYY-MM-DD, inclusive). */
  from?: string | null;
  /** Last modification day (YYYY-MM-DD, inclusive). */
  until?: string | null;
  /** Resume from this token (stored after the last finished page); null starts the list. */
  resumptionToken?: string | null;
  /** Awaited after each page, before the next request. */
  onPage: (page: HarvestPage) => void | Promise<void>;
  /** Diagnostics (--verbose): each request and each wait. */
  log?: (msg: string) => void;
  /** Least time from one answer to the next request. Default 3000; tests may shorten it. */
  minIntervalMs?: number;
  /** 503 answers in a row before giving up. Default 5. */
  maxRetries?: number;
  /** The longest Retry-After waited out. Default 10 minutes. */
  maxRetryAfterMs?: number;
  clock?: HarvestClock;
  /** Stops the harvest between requests (throws the signal's reason). */
  signal?: AbortSignal;
}

export interface HarvestResult {
  pages: number;
  records: number;
  deleted: number;
  /** The last page's responseDate (null when no page was fetched). */
  responseDate: string | null;
  /** True when the resumed token had expired and the list was asked again from `from`. */
  restarted: boolean;
}

/** The `from` of an incremental harvest: the day (UTC) of the previous harvest's last responseDate. */
export function incrementalFrom(lastResponseDate: string): string {
  const t = Date.parse(lastResponseDate);
  if (!Number.isFinite(t)) throw new StoreError(`not a responseDate: ${JSON.stringify(lastResponseDate)}`, { hint: 'the stored harvest state is damaged; harvest again with --from' });
  return new Date(t).toISOString().slice(0, 10);
}

/** The ListRecords URL: a token alone (OAI-PMH's rule), or the list's arguments. */
export function listRecordsUrl(baseUrl: string, args: { token?: string | null; set?: string | null; from?: string | null; until?: string | null }): string {
  const u = new URL(baseUrl);
  u.searchParams.set('verb', 'ListRecords');
  if (args.token) {
    u.searchParams.set('resumptionToken', args.token);
  } else {
    u.searchParams.set('metadataPrefix', 'arXivRaw');
    if (args.set) u.searchParams.set('set', args.set);
    if (args.from) u.searchParams.set('from', args.from);
    if (args.until) u.searchParams.set('until', args.until);
  }
  return u.href;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
  }
  return null;
}

/** Retry-After in milliseconds (seconds or an HTTP date), or null. */
export function retryAfterMs(value: string | null, now: number): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * Harvest the list page by page. Throws HttpError (network, a status other than 200/503,
 * 503 beyond the limits), OaiError (an OAI error other than noRecordsMatch) or ParseError;
 * every page handed to onPage before the failure stays handed.
 */
export async function harvest(opts: HarvestOptions): Promise<HarvestResult> {
  const clock = opts.clock ?? realClock;
  const interval = opts.minIntervalMs ?? OAI_MIN_INTERVAL_MS;
  const maxRetries = opts.maxRetries ?? 5;
  const maxRetryAfter = opts.maxRetryAfterMs ?? 600_000;
  const log = opts.log ?? (() => undefined);
  const result: HarvestResult = { pages: 0, records: 0, deleted: 0, responseDate: null, restarted: false };
  let token = opts.resumptionToken ?? null;
  let resumed = token !== null;
  let lastDone: number | null = null;

  const waitFor = async (ms: number, why: string) => {
    if (ms <= 0) return;
    if (why) log(`waiting ${(ms / 1000).toFixed(1)} s (${why})`);
    await clock.sleep(ms);
  };

  for (;;) {
    const url = listRecordsUrl(opts.baseUrl, { token, set: opts.set, from: opts.from, until: opts.until });
    let body: string | null = null;
    for (let attempt = 0; body === null; attempt++) {
      opts.signal?.throwIfAborted();
      if (lastDone !== null) await waitFor(lastDone + interval - clock.now(), '');
      opts.signal?.throwIfAborted();
      log(`GET ${url}`);
      let res: Awaited<ReturnType<OaiFetcher['get']>>;
      try {
        res = await opts.fetcher.get(url);
        lastDone = clock.now();
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw new HttpError(`OAI-PMH request failed: ${err instanceof Error ? err.message : String(err)}`, url, { cause: err, hint: 'check the network; the harvest resumes from its last page when run again' });
      }
      if (res.status === 200) {
        body = res.body;
        break;
      }
      if (res.status !== 503) {
        throw new HttpError(`OAI-PMH server answered HTTP ${res.status}`, url, { status: res.status, hint: 'the harvest resumes from its last page when run again' });
      }
      const after = retryAfterMs(header(res.headers, 'retry-after'), clock.now());
      if (attempt >= maxRetries) {
        throw new HttpError(`OAI-PMH server still busy (HTTP 503) after ${maxRetries + 1} tries`, url, { status: 503, hint: 'try again later; the harvest resumes from its last page' });
      }
      if (after !== null && after > maxRetryAfter) {
        throw new HttpError(`OAI-PMH server asks to wait ${Math.ceil(after / 1000)} s (HTTP 503 Retry-After)`, url, { status: 503, hint: 'try again later; the harvest resumes from its last page' });
      }
      // Without Retry-After, back off: 10 s, 20 s, 40 s, … (at least the interval).
      const wait = Math.max(after ?? 10_000 * 2 ** attempt, interval);
      await waitFor(wait - (clock.now() - lastDone), `HTTP 503, Retry-After ${after === null ? 'absent' : `${after / 1000} s`}`);
    }

    let page;
    try {
      page = await parseOaiListRecords(body);
    } catch (err) {
      if (err instanceof OaiError && err.code === 'badResumptionToken' && resumed) {
        log(`the stored resumption token is no longer valid; asking for the list again${opts.from ? ` from ${opts.from}` : ''}`);
        token = null;
        resumed = false;
        result.restarted = true;
        continue;
      }
      throw err;
    }
    resumed = false;
    result.pages++;
    result.records += page.records.length;
    result.deleted += page.deleted.length;
    result.responseDate = page.responseDate;
    await opts.onPage({
      records: page.records, deleted: page.deleted, token: page.resumptionToken, responseDate: page.responseDate,
      completeListSize: page.completeListSize, cursor: page.cursor, page: result.pages,
    });
    if (page.resumptionToken === null) return result;
    if (page.resumptionToken === token) throw new HttpError('OAI-PMH server gave the same resumption token twice', url, { hint: 'the server is looping; please report it with --verbose' });
    token = page.resumptionToken;
  }
}
