/**
 * The core of `papers fetch` and `papers sync`: run a source over a range of days into the
 * cache, count what changed, and keep the sync log (sync-lock.ts keeps two syncs from running
 * at once). Takes the store, the HTTP client and callbacks; never prints.
 */
import type { HttpClient } from './http/index.js';
import { addDays } from './dates.js';
import type { DayRange } from './range.js';
import type { Store } from './store/index.js';
import type { FetchSink, Source } from './sources/types.js';
import type { ParsedPaper } from './record.js';
import { harvestState, isNewVersion, latestVersions, saveHarvestPage, type LatestVersion } from './store/harvest-state.js';

export interface RunSummary extends DayRange {
  source: string;
  /** The categories fetched (arXiv), for the summary line. */
  categories: string[];
  /** Requests sent (retries and redirects included). */
  requests: number;
  /** Papers new to the cache, by rowid, in the order they were stored. */
  newRowids: number[];
  updated: number;
  /** Cached papers this run gave a new version (by id). */
  newVersionIds: string[];
  unchanged: number;
  /** Lists stored whole, and lists a conditional request found unchanged. */
  lists: number;
  notModified: number;
  /** The days the data stored or checked is for (the lists' own dates), in order. */
  days: string[];
  startedAt: string;
  endedAt: string;
  /** Why the run stopped early; what it stored before stays stored. */
  error: Error | null;
}

export interface RunOptions {
  refresh?: boolean;
  categories?: string[];
  /** Fetch the source's latest listing instead of the range (FetchRangeRequest.latest). */
  latest?: boolean;
  today: string;
  log?: (msg: string) => void;
  /** A request is about to be made / was made: made so far, expected in all, what for. */
  progress?: (done: number, planned: number, label: string) => void;
}

/** Fetch `range` of `source` into the store. Never throws for a failed run: see `error`. */
export async function fetchInto(store: Store, http: HttpClient, source: Source, range: DayRange, opts: RunOptions): Promise<RunSummary> {
  const log = opts.log ?? (() => undefined);
  const summary: RunSummary = {
    source: source.name, categories: opts.categories ?? [], from: range.from, to: range.to, requests: 0, newRowids: [], updated: 0, newVersionIds: [], unchanged: 0,
    lists: 0, notModified: 0, days: [], startedAt: new Date().toISOString(), endedAt: '', error: null,
  };
  const isNew = new Set<number>();
  const count = (r: { newRowids: number[]; updated: number; unchanged: number }) => {
    for (const id of r.newRowids) {
      if (isNew.has(id)) continue;
      isNew.add(id);
      summary.newRowids.push(id);
    }
    summary.updated += r.updated;
    summary.unchanged += r.unchanged;
  };
  const counter = versionCounter(store);
  const revised = new Set<string>();
  const counted = <R extends { newRowids: number[] }>(papers: ParsedPaper[], save: () => R): R => {
    const was = counter.before(papers);
    const r = save();
    for (const id of counter.after(was, r.newRowids)) revised.add(id);
    return r;
  };
  const days = new Set<string>();
  // A list's key starts with the day it is for (`2024-10-25`, `2024-10-25 cs.LG new`).
  const dayOf = (key: string) => days.add(key.slice(0, 10));
  const sink: FetchSink = {
    known: (key) => store.listInfo(source.name, key),
    latest: () => {
      const info = store.listInfo(source.name);
      return info ? { key: info.listDate, known: info } : null;
    },
    saveList: (key, papers, o) => {
      count(counted(papers, () => store.saveList(source.name, key, papers, { etag: o?.etag ?? null })));
      summary.lists++;
      dayOf(key);
    },
    touchList: (key) => {
      store.touchList(source.name, key);
      summary.notModified++;
      dayOf(key);
    },
    savePapers: (papers) => count(counted(papers, () => store.upsertPapers(papers))),
    papersPerList: () => store.papersPerList(source.name),
    progress: (done, planned, label) => opts.progress?.(done, planned, label),
    log,
  };
  const before = http.requests;
  try {
    await source.fetchRange(http, { ...range, today: opts.today, refresh: opts.refresh ?? false, categories: opts.categories ?? [], ...(opts.latest ? { latest: true } : {}) }, sink);
  } catch (err) {
    summary.error = err instanceof Error ? err : new Error(String(err));
  }
  summary.requests = http.requests - before;
  summary.newVersionIds = [...revised];
  summary.days = [...days].sort();
  // A latest listing is for the day it says, not the day it was fetched: the summary names that.
  if (opts.latest && summary.days.length > 0) {
    summary.from = summary.days[0]!;
    summary.to = summary.days[summary.days.length - 1]!;
  }
  summary.endedAt = new Date().toISOString();
  return summary;
}

export interface SyncTarget {
  source: Source;
  categories: string[];
}

/**
 * The range a sync of `source` covers: from the day before the last successful sync's last day
 * (that day and the one before may have been fetched while they could still change; the
 * planner skips what is complete) to today. First sync: the last 7 days.
 */
export function syncRange(store: Store, source: Source, today: string): DayRange & { since: string | null } {
  const last = store.syncs.last(source.name, 'ok');
  let from = last?.rangeTo ? addDays(last.rangeTo, -(source.syncLookbackDays ?? 1)) : addDays(today, -7);
  if (from > today) from = today;
  if (from < source.earliest) from = source.earliest;
  return { from, to: today, since: last?.endedAt ?? null };
}

export interface SyncResult extends RunSummary {
  /** When the previous successful sync of this source ended, if any. */
  since: string | null;
}

/** Sync each target in turn, each with its sync log entry. A failed source does not stop the others. */
export async function syncAll(
  store: Store,
  http: HttpClient,
  targets: SyncTarget[],
  opts: RunOptions & { onSyncStart?: (id: number) => void; onSyncEnd?: (id: number) => void },
): Promise<SyncResult[]> {
  const results: SyncResult[] = [];
  for (const { source, categories } of targets) {
    const range = syncRange(store, source, opts.today);
    const id = store.syncs.start(source.name, range);
    opts.onSyncStart?.(id);
    const run = await fetchInto(store, http, source, range, { ...opts, categories });
    store.syncs.finish(id, {
      outcome: run.error ? 'failed' : 'ok',
      requests: run.requests,
      papersNew: run.newRowids.length,
      papersUpdated: run.updated,
      error: run.error ? run.error.message : null,
      endedAt: run.endedAt,
    });
    opts.onSyncEnd?.(id);
    results.push({ ...run, since: range.since });
  }
  return results;
}

// ---- the OAI-PMH harvest of arXiv ------------------------------------------------------------

export interface HarvestRunOptions {
  /** The OAI-PMH set (`cs`, `math`, `physics:hep-th`); null for all of arXiv. */
  set: string | null;
  /** First modification day; without it a resumed or incremental run decides, else all. */
  from: string | null;
  log?: (msg: string) => void;
  /** After each stored page: pages and records so far, and records in the whole list when known. */
  onPage?: (p: { pages: number; records: number; completeListSize: number | null; cursor: number | null }) => void;
  /** Least time between an answer and the next request (arXiv's 3 s; tests never shorten the CLI's). */
  minIntervalMs?: number;
}

export interface HarvestSummary {
  source: 'arxiv';
  set: string | null;
  /** The `from` asked with (null: the whole set). */
  from: string | null;
  /** How the run began: a fresh list, resuming a stored token, or incrementally from the last harvest. */
  mode: 'full' | 'resumed' | 'incremental';
  pages: number;
  records: number;
  deleted: number;
  requests: number;
  newRowids: number[];
  updated: number;
  /** Cached papers this run gave a new version. */
  newVersionIds: string[];
  unchanged: number;
  startedAt: string;
  endedAt: string;
  error: Error | null;
}

/** The key a harvest's state is stored under: its endpoint and its set. */
export function harvestKey(endpoint: string, set: string | null): string {
  return `${endpoint} ${set ?? '*'}`;
}

/**
 * Counts what storing `papers` did: new rows, updated rows, and which cached papers got a new
 * version (compared with what the cache knew just before).
 */
export function versionCounter(store: Store): { before(papers: ParsedPaper[]): Map<string, LatestVersion>; after(before: Map<string, LatestVersion>, newRowids: number[]): string[] } {
  return {
    before: (papers) => latestVersions(store, papers.flatMap((p) => (p.id ? [p.id] : []))),
    after: (before) => {
      const now = latestVersions(store, [...before.keys()]);
      const out: string[] = [];
      for (const [id, b] of before) {
        const a = now.get(id);
        if (a && isNewVersion(b, a)) out.push(id);
      }
      return out;
    },
  };
}

/**
 * Harvest arXiv's OAI-PMH list into the cache: each page's records with the token and the
 * responseDate in one transaction. A stored token resumes an interrupted harvest; without one,
 * a set harvested to the end before is asked from the day of that harvest's first answer.
 * Never throws for a failed run: see `error`; every page stored before stays stored.
 */
export async function harvestInto(store: Store, http: HttpClient, endpoint: string, opts: HarvestRunOptions): Promise<HarvestSummary> {
  const { harvest, incrementalFrom } = await import('./sources/arxiv/harvest.js');
  const key = harvestKey(endpoint, opts.set);
  const state = harvestState(store, key);
  let mode: HarvestSummary['mode'] = 'full';
  let from = opts.from;
  let token: string | null = null;
  if (state?.token && (opts.from === null || opts.from === state.fromDay)) {
    mode = 'resumed';
    token = state.token;
    from = state.fromDay;
  } else if (opts.from === null && state?.completeResponseDate) {
    mode = 'incremental';
    from = incrementalFrom(state.completeResponseDate);
  }
  const summary: HarvestSummary = {
    source: 'arxiv', set: opts.set, from, mode, pages: 0, records: 0, deleted: 0, requests: 0, newRowids: [], updated: 0,
    newVersionIds: [], unchanged: 0, startedAt: new Date().toISOString(), endedAt: '', error: null,
  };
  const log = opts.log ?? (() => undefined);
  if (mode === 'resumed') log(`resuming the harvest of ${opts.set ?? 'all of arXiv'} after page ${state!.pages} (${state!.records} records stored)`);
  if (mode === 'incremental') log(`harvesting ${opts.set ?? 'all of arXiv'} modified from ${from} (the last harvest ended ${state!.completeResponseDate})`);
  const counter = versionCounter(store);
  const newVersions = new Set<string>();
  let firstOfList = token === null;
  const before = http.requests;
  try {
    await harvest({
      fetcher: {
        get: async (url) => {
          // 503 is the harvest's flow control (Retry-After): it reads it instead of the client retrying.
          const res = await http.get(url, { accept: 'text/xml', bodyOnStatus: [503] });
          return { status: res.status, headers: res.headers, body: res.body };
        },
      },
      baseUrl: endpoint,
      set: opts.set,
      from,
      resumptionToken: token,
      log,
      ...(opts.minIntervalMs !== undefined ? { minIntervalMs: opts.minIntervalMs } : {}),
      onPage: (page) => {
        const papers: ParsedPaper[] = page.records;
        const was = counter.before(papers);
        // A token that expired restarts the list: its first page is the list's first again.
        const restarted = page.page === 1 && page.cursor === 0 && mode === 'resumed';
        const r = saveHarvestPage(store, key, { papers, token: page.token, responseDate: page.responseDate, fromDay: from, firstOfList: firstOfList || restarted });
        firstOfList = false;
        for (const id of counter.after(was, r.newRowids)) newVersions.add(id);
        summary.pages++;
        summary.records += papers.length;
        summary.deleted += page.deleted.length;
        summary.newRowids.push(...r.newRowids);
        summary.updated += r.updated;
        summary.unchanged += r.unchanged;
        log(`page ${summary.pages} stored: ${papers.length} records${page.deleted.length ? `, ${page.deleted.length} deleted at arXiv (kept in the cache)` : ''}${page.token ? '' : ', the last page'}`);
        opts.onPage?.({ pages: summary.pages, records: summary.records, completeListSize: page.completeListSize, cursor: page.cursor });
      },
    });
  } catch (err) {
    summary.error = err instanceof Error ? err : new Error(String(err));
  }
  summary.newVersionIds = [...newVersions];
  summary.requests = http.requests - before;
  summary.endedAt = new Date().toISOString();
  return summary;
}

