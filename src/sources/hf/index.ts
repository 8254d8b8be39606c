/**
 * The Hugging Face source: where its lists are and how to get them. Two ways in, the JSON API
 * and the listing page; when one fails the other is tried. Parsing lives in ./parse.ts.
 */
import type { Listing } from '../../record.js';
import { HttpError, ParseError, PapersError } from '../../errors.js';
import { type HttpClient, joinUrl } from '../../http.js';
import { parseDailyPapersApi, parseHfPage } from './parse.js';

type WayIn = { name: string; get: () => Promise<Listing> };

/**
 * Try each way in until one gives a listing. When all fail: a page we could not recognise is
 * reported as such (the site changed: that must not look like a network blip); otherwise the
 * first request's error, with the others as its cause chain.
 */
async function firstThatWorks(what: string, ways: WayIn[], log: (m: string) => void): Promise<Listing> {
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

/** The current daily list: the API without a date, else the /papers page. */
export function fetchCurrentList(http: HttpClient, base: string, log: (m: string) => void = () => {}): Promise<Listing> {
  return firstThatWorks('the daily list', [
    // One retry only: when the API is down, the page is the quicker way to the list.
    { name: 'the API', get: async () => parseDailyPapersApi((await http.get(joinUrl(base, '/api/daily_papers'), { accept: 'application/json', retries: 1 })).body) },
    { name: 'the page', get: async () => parseHfPage((await http.get(joinUrl(base, '/papers'), { accept: 'text/html' })).body) },
  ], log);
}
