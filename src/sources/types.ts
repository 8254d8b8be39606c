/**
 * What a source (Hugging Face, arXiv, …) implements so that `papers fetch` and `papers sync`
 * can fill the cache from it: fetch a range of days into a sink. The source decides how to
 * ask (which requests, paging, conditional requests); the sink stores each list as it arrives,
 * in its own transaction, so a run that stops halfway keeps every list it completed.
 *
 * Adding a source is adding a folder with a `Source` and a line in ./index.ts.
 */
import type { HttpClient } from '../http/index.js';
import type { ParsedPaper, SourceName } from '../record.js';
import type { DayRange } from '../range.js';

/** What the cache knows about one stored list. */
export interface KnownList {
  fetchedAt: string;
  paperCount: number;
  etag: string | null;
}

export interface FetchRangeRequest extends DayRange {
  /** Today's date (UTC); `to` is never after it. */
  today: string;
  /** Fetch lists that are complete in the cache too (updates counts such as upvotes). */
  refresh: boolean;
  /** arXiv categories (`cs.LG`); empty for sources without categories. */
  categories: string[];
  /** Fetch the source's latest listing instead of the range (arXiv's /new, Hugging Face's current list). */
  latest?: boolean;
}

/** Where a source puts what it fetched: the cache, seen through a narrow window. */
export interface FetchSink {
  /**
   * The stored list under `key`: a date (`2024-08-01`), or for sources with several lists a
   * day a key of the source's choosing that keeps the date in it (e.g. `2024-08-01 cs.LG`).
   */
  known(key: string): KnownList | null;
  /** Store one whole list (one transaction): its papers in order, and that it was fetched. */
  saveList(key: string, papers: ParsedPaper[], opts?: { etag?: string | null }): void;
  /** A conditional request said the list is unchanged: record that it was checked now. */
  touchList(key: string): void;
  /** The most recent stored list with papers in it, and its key; null when none is stored. */
  latest(): { key: string; known: KnownList } | null;
  /** Store papers that belong to no list of the range. */
  savePapers(papers: ParsedPaper[]): void;
  /** Average papers per stored list of this source (recent ones), or null without history. */
  papersPerList(): number | null;
  /** A request is about to be made: `done` made so far of `planned` expected, and what for. */
  progress(done: number, planned: number, label: string): void;
  /** Diagnostics (shown with --verbose). */
  log(msg: string): void;
}

export interface Source {
  name: SourceName;
  /** For messages: "Hugging Face". */
  label: string;
  /** The first day the source has lists for (earlier days are a usage error). */
  earliest: string;
  /** Whether the source needs `categories` (arXiv) and what to tell a user who gave none. */
  needsCategories?: string;
  /** Whether `papers fetch` without a date fetches the source's latest listing (arXiv's /new). */
  latestListing?: boolean;
  /**
   * How many days before the last synced day `papers sync` looks again (default 1): a day's
   * list can still change that long after it (arXiv announces submissions days late).
   */
  syncLookbackDays?: number;
  /**
   * Fetch every list of the range into the sink. On failure (HttpError, ParseError) it throws
   * after the lists already saved stay saved; it makes no further requests once one has failed.
   */
  fetchRange(http: HttpClient, req: FetchRangeRequest, sink: FetchSink): Promise<void>;
}

/**
 * A day's list can still grow while the day lasts somewhere: a list fetched less than this long
 * after its day ended (in UTC) is fetched again; after that it is complete and not asked for
 * again (unless --refresh). 12 hours cover every time zone a site may date its lists in.
 */
export const LIST_SETTLES_AFTER_MS = 12 * 3600_000;

/** True when a list of `day` was fetched late enough that it no longer changes. */
export function isComplete(known: KnownList | null, day: string): boolean {
  if (!known) return false;
  const settles = Date.parse(`${day}T00:00:00Z`) + 86_400_000 + LIST_SETTLES_AFTER_MS;
  const fetched = Date.parse(known.fetchedAt);
  return Number.isFinite(fetched) && fetched >= settles;
}
