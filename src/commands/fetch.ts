/** `papers fetch`: fetch the lists of a date range into the cache, with as few requests as possible. */
import { PapersError, ParseError, UsageError } from '../errors.js';
import { checkCategory } from '../categories.js';
import { loadConfig } from '../config.js';
import { parseDateArg, todayUtc } from '../dates.js';
import { messages, resolveFormat } from '../output.js';
import type { FetchOptions } from '../cli/fetch.js';
import { resolveRange } from '../range.js';
import { loadSource, type FetchSourceName } from '../sources/index.js';
import { fetchInto } from '../sync.js';
import { httpOptions, openStore, type HttpSettings } from './common.js';
import { describeRun, makeHttp, makeProgress, runJson } from './runs.js';
import { plural } from '../format/words.js';

/** `--category cs.LG --category cs.CL` or `--category cs.LG,cs.CL`. */
function categoriesOf(list: string[] = []): string[] {
  const out: string[] = [];
  for (const v of list.flatMap((x) => x.split(','))) {
    const c = v.trim();
    if (!c) continue;
    checkCategory(c);
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

/** The options of `papers fetch` by date, with the source it fetches from decided. */
export type FetchByDateOptions = FetchOptions & { source: FetchSourceName };

export async function run(opts: FetchByDateOptions): Promise<void> {
  const format = resolveFormat(opts, ['table', 'json']);
  const httpSettings = httpOptions(opts); // --timeout and --retries checked before any work
  const name = opts.source;
  if (opts.harvest || opts.set !== undefined) {
    if (!opts.harvest) throw new UsageError('--set applies to --harvest only', { hint: 'papers fetch --source arxiv --harvest --set cs' });
    if (name !== 'arxiv') throw new UsageError('--harvest applies to --source arxiv only', { hint: 'papers fetch --source arxiv --harvest --set cs' });
    for (const k of ['date', 'to', 'week', 'month', 'category', 'refresh'] as const) {
      if (opts[k] !== undefined) throw new UsageError(`--${k} does not apply to --harvest`, { hint: 'a harvest takes --set and --from (the first modification day)' });
    }
    const set = opts.set !== undefined ? checkSet(opts.set) : null;
    const from = opts.from !== undefined ? parseDateArg(opts.from, '--from') : null;
    await runHarvest(opts, httpSettings, format, set, from);
    return;
  }
  let categories = categoriesOf(opts.category);
  if (name === 'arxiv' && categories.length === 0) categories = loadConfig().sources.arxiv?.categories ?? [];
  if (name === 'hf' && categories.length > 0) throw new UsageError('--category applies to --source arxiv only', { hint: 'Hugging Face lists have no categories' });
  const source = await loadSource(name);
  if (source.needsCategories && categories.length === 0) throw new UsageError(`--source ${name} needs --category`, { hint: source.needsCategories });
  const today = todayUtc();
  // Without a date, a source with a latest listing (arXiv's /new) fetches that.
  const latest = !!source.latestListing && (['date', 'from', 'to', 'week', 'month'] as const).every((k) => opts[k] === undefined);
  const range = latest ? { from: today, to: today } : resolveRange(opts, { today, earliest: source.earliest, what: `${source.label}'s archive` });

  const store = openStore(opts);
  const http = await makeHttp(httpSettings);
  const { line, onProgress } = makeProgress(name);
  try {
    const result = await fetchInto(store, http, source, range, {
      today,
      refresh: !!opts.refresh,
      categories,
      latest,
      log: messages.debug,
      progress: onProgress,
    });
    line.clear();
    messages.info(describeRun(result, 'fetched'));
    if (format === 'json') process.stdout.write(JSON.stringify(runJson(result, store), null, 2) + '\n');
    if (result.error) {
      const e = result.error;
      throw new PapersError(e.message, {
        cause: e,
        // Asking again helps after a network failure, not when the answer was refused or unreadable.
        hint: e instanceof ParseError && e.hint ? e.hint : `${e instanceof PapersError && e.hint ? `${e.hint}; ` : ''}run the same command again to fetch the rest`,
      });
    }
  } finally {
    line.clear();
    await http.close();
    store.close();
  }
}

/** An OAI-PMH set spec as arXiv names them: `cs`, `math`, `physics:hep-th`. */
function checkSet(set: string): string {
  const s = set.trim();
  if (!/^[A-Za-z][A-Za-z0-9._-]*(?::[A-Za-z0-9._-]+)*$/.test(s)) throw new UsageError(`--set: '${set}' is not an OAI-PMH set`, { hint: 'e.g. cs, math, physics:hep-th' });
  return s;
}

/** "12 pages · 4 800 records · about 1 520 left (~6 min)" */
function harvestProgressText(p: { pages: number; records: number; completeListSize: number | null; cursor: number | null }, startedAt: number, now = Date.now()): string {
  let text = `arxiv harvest: ${plural(p.pages, 'page')} · ${p.records} records`;
  if (p.completeListSize !== null && p.cursor !== null) {
    // The cursor counts the list's records before this page; pages are of one size.
    const perPage = p.pages > 0 ? p.records / p.pages : 0;
    const done = Math.min(p.completeListSize, p.cursor + perPage);
    const left = Math.max(0, p.completeListSize - done);
    const pagesLeft = perPage > 0 ? Math.ceil(left / perPage) : 0;
    const secs = ((now - startedAt) / Math.max(1, p.pages)) * pagesLeft / 1000;
    text += ` · about ${Math.round(left)} left of ${p.completeListSize}${pagesLeft > 0 ? ` (~${secs >= 90 ? `${Math.round(secs / 60)} min` : `${Math.round(secs)} s`})` : ''}`;
  }
  return text;
}

async function runHarvest(opts: FetchOptions, httpSettings: HttpSettings, format: string, set: string | null, from: string | null): Promise<void> {
  const { baseUrls } = await import('../sources/sites.js');
  const { harvestInto } = await import('../sync.js');
  const { statusLine } = await import('../progress.js');
  const store = openStore(opts);
  const http = await makeHttp(httpSettings);
  const line = statusLine(process.stderr, { enabled: !messages.verbose });
  const started = Date.now();
  try {
    const r = await harvestInto(store, http, baseUrls().arxivOai, {
      set, from, log: messages.debug,
      onPage: (p) => line.update(harvestProgressText(p, started)),
    });
    line.clear();
    messages.info(describeHarvest(r));
    if (format === 'json') {
      process.stdout.write(JSON.stringify({
        source: 'arxiv', set: r.set, from: r.from, mode: r.mode, outcome: r.error ? 'failed' : 'ok', error: r.error ? r.error.message : null,
        requests: r.requests, pages: r.pages, records: r.records, deleted: r.deleted, new: r.newRowids.length, newVersions: r.newVersionIds.length,
        updated: r.updated, unchanged: r.unchanged, newIds: store.byRowids(r.newRowids).map((p) => p.id), newVersionIds: r.newVersionIds,
        startedAt: r.startedAt, endedAt: r.endedAt,
      }, null, 2) + '\n');
    }
    if (r.error) {
      const e = r.error;
      throw new PapersError(e.message, { cause: e, hint: e instanceof PapersError && e.hint ? e.hint : 'run the same command again: the harvest resumes after its last stored page' });
    }
  } finally {
    line.clear();
    await http.close();
    store.close();
  }
}

/** The one-line account of a harvest, for stderr. */
export function describeHarvest(r: import('../sync.js').HarvestSummary): string {
  const what = `arxiv harvest of ${r.set ?? 'all of arXiv'}${r.from ? ` from ${r.from}` : ''}${r.mode === 'resumed' ? ' (resumed)' : r.mode === 'incremental' ? ' (incremental)' : ''}`;
  const counts = `${plural(r.pages, 'page')}, ${r.records} records: ${r.newRowids.length} new, ${r.newVersionIds.length} with a new version, ${r.updated} updated${r.deleted ? `, ${r.deleted} deleted at arXiv (kept in the cache)` : ''}`;
  return r.error ? `${what} stopped after ${counts}; the pages stored are kept and the next run resumes` : `${what}: ${counts}`;
}
