/** `papers today`: the latest daily list Hugging Face has published, via the cache. */
import type { Listing } from '../record.js';
import { HttpError, PapersError } from '../errors.js';
import { ago, messages, printPapers } from '../output.js';
import type { Store } from '../store/index.js';
import { httpOptions, openStore, paperOptions } from './common.js';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// Not toLocaleDateString: loading ICU's locale data costs ~40 ms, a third of a bare start.
function weekday(date: string): string {
  return WEEKDAYS[new Date(date + 'T00:00:00Z').getUTCDay()] ?? '';
}

async function fetchList(opts: Record<string, unknown>): Promise<Listing> {
  const [{ HttpClient, baseUrls }, { fetchCurrentList }] = await Promise.all([import('../http/index.js'), import('../sources/hf/index.js')]);
  const http = new HttpClient(httpOptions(opts));
  try {
    return await fetchCurrentList(http, baseUrls().hf, messages.debug);
  } finally {
    await http.close();
  }
}

export async function run(opts: Record<string, unknown>): Promise<void> {
  const { format, filter } = paperOptions(opts);
  httpOptions(opts); // validate before any work
  const store: Store = openStore(opts);
  try {
    let listDate: string | null = null;
    if (!opts.offline) {
      try {
        const listing = await fetchList(opts);
        if (listing.date === null) {
          messages.info('Hugging Face has no daily list right now');
          return;
        }
        const saved = store.saveList('hf', listing.date, listing.papers);
        messages.debug(`stored the list of ${listing.date}: ${saved.inserted} new, ${saved.updated} updated, ${saved.unchanged} unchanged`);
        listDate = listing.date;
      } catch (err) {
        // Only a failed request falls back to the cache; an unrecognised page is an error.
        if (!(err instanceof HttpError)) throw err;
        const cached = store.listInfo('hf');
        if (!cached) throw err;
        messages.warn(`${err.message}; showing the cached list of ${cached.listDate}, fetched ${ago(cached.fetchedAt)}`);
        listDate = cached.listDate;
      }
    } else {
      const cached = store.listInfo('hf');
      if (!cached) throw new PapersError('no daily list in the cache yet', { hint: 'run papers today without --offline first' });
      listDate = cached.listDate;
    }
    const papers = store.query({ ...filter, listDate, listSource: 'hf' });
    const count = store.listInfo('hf', listDate)?.paperCount ?? 0;
    const heading = `Hugging Face Daily Papers · ${weekday(listDate)}, ${listDate} · ${count} paper${count === 1 ? '' : 's'}`;
    await printPapers(papers, format, { heading });
  } finally {
    store.close();
  }
}
