/** `papers today`: the latest daily list Hugging Face has published, via the cache. */
import { PapersError } from '../errors.js';
import { todayUtc } from '../dates.js';
import { ago, messages, printPapers } from '../output.js';
import type { Store } from '../store/index.js';
import type { RunSummary } from '../sync.js';
import { loadConfig } from '../config.js';
import { paperKey } from '../store/index.js';
import type { Paper } from '../record.js';
import { forYouOrder, httpOptions, leaveOutHidden, openStore, paperOptions, papersToShow, type HttpSettings } from './common.js';
import { makeHttp, makeProgress } from './runs.js';
import type { TodayOptions } from '../cli/today.js';
import { plural } from '../format/words.js';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// Not toLocaleDateString: loading ICU's locale data costs ~40 ms, a third of a bare start.
function weekday(date: string): string {
  return WEEKDAYS[new Date(date + 'T00:00:00Z').getUTCDay()] ?? '';
}

/**
 * With the day's list already cached, the site gets this long by default (every attempt, retry
 * and the page fallback included) before the cached list is shown: a person waiting at a
 * terminal is better served by yesterday's answer in 5 s than by today's in a minute.
 * `--timeout` replaces it.
 */
export const CACHED_DEADLINE_MS = 5000;

/** Ask Hugging Face for its current list, through the same run as `papers fetch` (ETag, counting, progress). */
async function fetchCurrent(store: Store, httpSettings: HttpSettings, cached: boolean): Promise<RunSummary> {
  const [{ fetchInto }, { hfSource }, { baseUrls }] = await Promise.all([import('../sync.js'), import('../sources/hf/index.js'), import('../sources/sites.js')]);
  const http = await makeHttp(httpSettings, cached ? { deadlineMs: CACHED_DEADLINE_MS } : {});
  const { line, onProgress } = makeProgress('hf');
  try {
    const today = todayUtc();
    const run = await fetchInto(store, http, hfSource(baseUrls().hf), { from: today, to: today }, { today, latest: true, log: messages.debug, progress: onProgress });
    messages.debug(`${plural(run.requests, 'request')}: ${run.newRowids.length} new, ${run.updated} updated, ${run.unchanged} unchanged`);
    return run;
  } finally {
    line.clear();
    await http.close();
  }
}

export async function run(opts: TodayOptions): Promise<void> {
  const { format, filter, forYou } = paperOptions(opts);
  leaveOutHidden(filter);
  const httpSettings = httpOptions(opts); // checked before any work
  // --mark-seen, or the config's defaults.markSeen (--no-mark-seen overrides it).
  const markSeen = opts.markSeen ?? loadConfig().defaults.markSeen ?? false;
  const store: Store = openStore(opts);
  try {
    let listDate: string | null = null;
    if (!opts.offline) {
      const cached = store.listInfo('hf');
      const fetched = await fetchCurrent(store, httpSettings, cached !== null);
      const err = fetched.error;
      if (err) {
        // The one place the cache stands in for the site: whenever the site gave no usable
        // answer (no answer, an error, or one papers cannot read), a cached list is shown with a
        // warning. papers fetch and sync still fail on an unreadable answer, so cron notices.
        if (!cached || !(err instanceof PapersError)) throw err;
        messages.warn(`${err.message}; showing the cached list of ${cached.listDate}, fetched ${ago(cached.fetchedAt)}`);
        listDate = cached.listDate;
      } else {
        listDate = fetched.days.at(-1) ?? null;
        if (listDate === null) {
          messages.info('Hugging Face has no daily list right now');
          return;
        }
      }
    } else {
      const cached = store.listInfo('hf');
      if (!cached) throw new PapersError('no daily list in the cache yet', { hint: 'run papers today without --offline first' });
      listDate = cached.listDate;
    }
    const listFilter = { ...filter, listDate, listSource: 'hf' as const };
    const { papers, extra } = forYou ? { papers: await forYouOrder(store, store.query(listFilter), forYou.limit), extra: undefined } : papersToShow(store, listFilter, format);
    const count = store.listInfo('hf', listDate)?.paperCount ?? 0;
    const heading = `Hugging Face Daily Papers · ${weekday(listDate)}, ${listDate} · ${plural(count, 'paper')}`;
    const printed: Paper[] = [];
    await printPapers((function* () {
      for (const p of papers) {
        printed.push(p);
        yield p;
      }
    })(), format, { heading, extra });
    // Only what reached stdout: a closed pipe exits before this line.
    if (markSeen && printed.length > 0) store.marks.markSeen(printed.map((p) => ({ key: paperKey(p.id, p.title), title: p.title })));
  } finally {
    store.close();
  }
}
