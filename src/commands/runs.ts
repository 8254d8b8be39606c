/** What `papers fetch` and `papers sync` share: the HTTP client, progress, and how a run is told. */
import type { HttpClient } from '../http/index.js';
import { statusLine, progressText, type StatusLine } from '../progress.js';
import { messages } from '../output.js';
import type { RunSummary, SyncResult } from '../sync.js';
import type { Store } from '../store/index.js';
import type { HttpSettings } from './common.js';
import { plural } from '../format/words.js';

/**
 * The HTTP client of a command. `--timeout` given: a deadline for the whole command (every
 * attempt, retry, wait and fallback within it). Not given: each attempt may take the default
 * 30 s, and the run takes `deadlineMs` at most if the command sets one (today with a cached
 * list), else as long as its requests need (a month's backfill must not be cut at 30 s).
 */
export async function makeHttp(settings: HttpSettings, deflt: { deadlineMs?: number } = {}): Promise<HttpClient> {
  const { HttpClient } = await import('../http/index.js');
  const { explicitTimeout, ...base } = settings;
  const deadlineMs = explicitTimeout ? base.timeoutMs : deflt.deadlineMs;
  return new HttpClient({ ...base, ...(deadlineMs !== undefined ? { deadlineMs } : {}) });
}

/** A status line on a terminal (not with --verbose, whose lines would tear it), else nothing. */
export function makeProgress(source: string): { line: StatusLine; onProgress: (done: number, planned: number, label: string) => void } {
  const line = statusLine(process.stderr, { enabled: !messages.verbose });
  return { line, onProgress: (done, planned, label) => line.update(progressText(source, done, planned, label)) };
}

/** "2026-11-28 10:00 UTC" */
export function shortTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** What a run covered: the source, its categories, and the days the data is for. */
function span(r: RunSummary): string {
  const cats = r.categories.length > 0 ? `${r.categories.join(',')} ` : '';
  return `${cats}${r.from === r.to ? r.from : `${r.from}..${r.to}`}`;
}

/** The one-line account of a run, for stderr. */
export function describeRun(r: RunSummary | SyncResult, verb: 'fetched' | 'synced'): string {
  const revised = r.newVersionIds.length > 0 ? ` (${r.newVersionIds.length} with a new version)` : '';
  const counts = `${plural(r.requests, 'request')}, ${r.newRowids.length} new, ${r.updated} updated${revised}`;
  if (r.error) {
    const kept = r.lists > 0 ? `; ${plural(r.lists, 'list')} stored before it stopped are kept` : '';
    return `${verb === 'synced' ? 'sync' : 'fetch'} of ${r.source} ${span(r)} stopped after ${counts}${kept}`;
  }
  if (r.requests === 0) return `${r.source} ${span(r)}: every day is already complete in the cache, no request made${verb === 'fetched' ? ' (--refresh fetches again)' : ''}`;
  if (r.newRowids.length === 0) {
    const since = 'since' in r && r.since ? ` since ${shortTime(r.since)}` : '';
    return `${verb} ${r.source} ${span(r)}: no new papers${since} (${plural(r.requests, 'request')}, ${r.updated} updated${revised})`;
  }
  return `${verb} ${r.source} ${span(r)}: ${counts}`;
}

/** The summary object of `--json`. */
export function runJson(r: RunSummary | SyncResult, store: Store): Record<string, unknown> {
  return {
    source: r.source,
    from: r.from,
    to: r.to,
    ...('since' in r ? { since: r.since } : {}),
    outcome: r.error ? 'failed' : 'ok',
    error: r.error ? r.error.message : null,
    requests: r.requests,
    new: r.newRowids.length,
    updated: r.updated,
    newVersions: r.newVersionIds.length,
    newVersionIds: r.newVersionIds,
    unchanged: r.unchanged,
    lists: r.lists,
    notModified: r.notModified,
    newIds: store.byRowids(r.newRowids).map((p) => p.id),
    startedAt: r.startedAt,
    endedAt: r.endedAt,
  };
}
