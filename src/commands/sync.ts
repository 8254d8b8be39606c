/**
 * `papers sync`: the cron command. Everything since the last successful sync of each configured
 * source, one sync at a time, logged in the cache; a summary line on stderr, `--json` for
 * scripts, `--new` for the papers this run added (the daily digest).
 */
import { PapersError, UsageError } from '../errors.js';
import type { HttpClient } from '../http/index.js';
import { loadConfig } from '../config.js';
import { todayUtc } from '../dates.js';
import { messages, printPapers, resolveFormat } from '../output.js';
import { loadSource } from '../sources/index.js';
import type { Store } from '../store/index.js';
import { harvestInto, syncAll, type HarvestSummary, type SyncResult, type SyncTarget } from '../sync.js';
import { acquireSyncLock, releaseSyncLock } from '../sync-lock.js';
import { describeHarvest } from './fetch.js';
import { httpOptions, openStore } from './common.js';
import { describeRun, makeHttp, makeProgress, runJson, shortTime } from './runs.js';
import type { SyncOptions } from '../cli/sync.js';
import { plural } from '../format/words.js';

/** --wait <s> (default 60) in ms. */
function waitMs(wait: string): number {
  const s = Number(wait);
  if (!Number.isFinite(s) || s < 0 || wait.trim() === '') {
    throw new UsageError(`--wait: '${wait}' is not a number of seconds`, { hint: 'e.g. --wait 0 to give up at once' });
  }
  return s * 1000;
}

/** The sources to sync: Hugging Face always, arXiv when categories are configured. */
async function targets(): Promise<{ targets: SyncTarget[]; unavailable: { name: string; error: Error }[] }> {
  const config = loadConfig();
  const out: SyncTarget[] = [{ source: await loadSource('hf'), categories: [] }];
  const unavailable: { name: string; error: Error }[] = [];
  const categories = config.sources.arxiv?.categories ?? [];
  if (categories.length > 0) {
    try {
      out.push({ source: await loadSource('arxiv'), categories });
    } catch (err) {
      // A configured source that cannot run is a failed part of the sync, not a reason to skip the others.
      unavailable.push({ name: 'arxiv', error: err as Error });
    }
  }
  return { targets: out, unavailable };
}

export async function run(opts: SyncOptions): Promise<void> {
  const format = resolveFormat(opts);
  if (!opts.new && !['table', 'json'].includes(format)) {
    throw new UsageError(`--format ${format} needs --new`, { hint: 'papers sync --new --format md prints the new papers; --json alone prints the summary' });
  }
  const httpSettings = httpOptions(opts);
  const wait = waitMs(opts.wait);
  const { targets: list, unavailable } = await targets();

  const store = openStore(opts);
  let locked = false;
  let running: number | null = null;
  let http: HttpClient | undefined;
  const { line, onProgress } = makeProgress(list.map((t) => t.source.name).join('+'));
  // Ctrl-C or a kill from cron's timeout: close the log entry, give the lock back, then stop.
  const onSignal = (signal: NodeJS.Signals) => {
    line.clear();
    try {
      if (running !== null) store.syncs.finish(running, { outcome: 'interrupted', requests: http?.requests ?? 0, papersNew: 0, papersUpdated: 0, error: `stopped by ${signal}` });
      if (locked) releaseSyncLock(store);
      store.close();
    } finally {
      process.stderr.write(`papers: sync stopped by ${signal}; the lists stored so far are kept, the next run completes the rest\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const client = await makeHttp(httpSettings);
  http = client;
  try {
    const holder = await acquireSyncLock(store, { waitMs: wait, log: messages.debug });
    if (holder !== null) {
      messages.info(`another papers sync (pid ${holder.pid}${holder.host ? ` on ${holder.host}` : ''}) has been running since ${shortTime(holder.acquiredAt)}; nothing done`);
      if (format === 'json' && !opts.new) process.stdout.write(JSON.stringify({ ok: true, skipped: true, new: 0, updated: 0, requests: 0, newIds: [], sources: [] }, null, 2) + '\n');
      else if (opts.new && format === 'json') process.stdout.write('[]\n');
      return;
    }
    locked = true;
    // Every row this run writes (added or changed) carries a last-seen time from now on.
    const started = new Date().toISOString();
    const results = await syncAll(store, client, list, {
      today: todayUtc(),
      log: messages.debug,
      progress: onProgress,
      onSyncStart: (id) => (running = id),
      onSyncEnd: () => (running = null),
    });
    running = null;
    // The OAI-PMH harvest the config asks for: resumed, or incremental from the last one.
    const harvestCfg = loadConfig().sources.arxiv?.harvest;
    let harvested: HarvestSummary | null = null;
    if (harvestCfg) {
      const { baseUrls } = await import('../sources/sites.js');
      const id = store.syncs.start('arxiv-harvest', { from: harvestCfg.from, to: null });
      running = id;
      harvested = await harvestInto(store, client, baseUrls().arxivOai, {
        set: harvestCfg.set, from: harvestCfg.from, log: messages.debug,
        onPage: (p) => onProgress(p.pages, p.pages + 1, `harvest ${harvestCfg.set ?? 'arXiv'} · ${p.records} records`),
      });
      store.syncs.finish(id, { outcome: harvested.error ? 'failed' : 'ok', requests: harvested.requests, papersNew: harvested.newRowids.length, papersUpdated: harvested.updated, error: harvested.error?.message ?? null, endedAt: harvested.endedAt });
      running = null;
    }
    line.clear();
    for (const r of results) messages.info(describeRun(r, 'synced'));
    if (harvested) messages.info(describeHarvest(harvested));
    // The watches see what this run added or updated, right after it is stored.
    for (const [name, n] of Object.entries((await import('./watch.js')).matchWatches(store, started))) {
      if (n > 0) messages.info(`watch ${name}: ${plural(n, 'new match', 'new matches')}`);
    }
    for (const u of unavailable) {
      store.syncs.finish(store.syncs.start(u.name, { from: null, to: null }), { outcome: 'failed', requests: 0, papersNew: 0, papersUpdated: 0, error: u.error.message });
      messages.info(`sync of ${u.name} did not run`);
    }
    await report(store, results, format, !!opts.new, unavailable, harvested);
    const e = results.find((r) => r.error)?.error ?? harvested?.error ?? unavailable[0]?.error;
    if (e) {
      throw new PapersError(e.message, {
        cause: e,
        hint: `${e instanceof PapersError && e.hint ? `${e.hint}; ` : ''}the next sync fetches what is missing`,
      });
    }
  } finally {
    line.clear();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (locked) releaseSyncLock(store);
    await client.close();
    store.close();
  }
}

/** stdout: the new papers (--new, any format), or the summary object (--json). */
async function report(store: Store, results: SyncResult[], format: string, onlyNew: boolean, unavailable: { name: string; error: Error }[], harvested: HarvestSummary | null): Promise<void> {
  const newRowids = [...results.flatMap((r) => r.newRowids), ...(harvested?.newRowids ?? [])];
  const newSet = new Set(newRowids);
  const revisedIds = [...new Set([...results.flatMap((r) => r.newVersionIds), ...(harvested?.newVersionIds ?? [])])];
  if (onlyNew) {
    const papers = store.byRowids([...newSet]);
    // New versions of cached papers, told apart in the formats a person reads; JSON and JSONL
    // stay the new papers only (the summary's newVersionIds names the others).
    const revised = format === 'table' || format === 'md' ? revisedIds.map((id) => store.getPaper(id)).filter((p): p is NonNullable<typeof p> => p !== null) : [];
    // An empty digest prints nothing (`mail -E` then sends nothing); JSON stays a valid array.
    if (papers.length === 0 && revised.length === 0 && (format === 'table' || format === 'md')) return;
    const n = papers.length;
    if (papers.length > 0 || revised.length === 0) await printPapers(papers, format, { heading: `New papers · ${plural(n, 'paper')} · ${todayUtc()}` });
    if (revised.length > 0) await printPapers(revised, format, { heading: `Updated papers (a new version) · ${plural(revised.length, 'paper')} · ${todayUtc()}` });
    return;
  }
  if (format !== 'json') return;
  const sources = [
    ...results.map((r) => runJson(r, store)),
    ...(harvested ? [{
      source: 'arxiv-harvest', set: harvested.set, from: harvested.from, mode: harvested.mode, outcome: harvested.error ? 'failed' : 'ok', error: harvested.error?.message ?? null,
      requests: harvested.requests, pages: harvested.pages, records: harvested.records, new: harvested.newRowids.length, updated: harvested.updated,
      newVersions: harvested.newVersionIds.length, newVersionIds: harvested.newVersionIds, newIds: store.byRowids(harvested.newRowids).map((p) => p.id),
    }] : []),
    ...unavailable.map((u) => ({ source: u.name, outcome: 'failed', error: u.error.message, requests: 0, new: 0, updated: 0, newIds: [] })),
  ];
  const summary = {
    ok: sources.every((s) => s.outcome === 'ok'),
    skipped: false,
    new: newSet.size,
    updated: results.reduce((n, r) => n + r.updated, 0) + (harvested?.updated ?? 0),
    newVersions: revisedIds.length,
    newVersionIds: revisedIds,
    requests: results.reduce((n, r) => n + r.requests, 0) + (harvested?.requests ?? 0),
    newIds: sources.flatMap((s) => s.newIds as (string | null)[]),
    sources,
  };
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
}
