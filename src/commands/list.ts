/** `papers list`: query the local cache. Never touches the network. */
import { loadConfig } from '../config.js';
import { parseDateArg } from '../dates.js';
import { messages, printPapers } from '../output.js';
import type { ListOptions } from '../cli/list.js';
import { forYouOrder, leaveOutHidden, openStore, paperOptions, papersToShow } from './common.js';

export async function run(opts: ListOptions): Promise<void> {
  // The config's defaults ("defaults": {"limit", "sort"}); an option given always wins. Newest
  // first is the order with or without a text query, as arXiv's own listings read; --sort
  // relevance ranks by best match. Read once, for the topics too.
  const config = loadConfig();
  const { format, filter, forYou } = paperOptions(opts, undefined, config);
  leaveOutHidden(filter);
  const { defaults } = config;
  if (opts.limit === undefined && defaults.limit !== undefined) {
    if (forYou) forYou.limit = defaults.limit;
    else filter.limit = defaults.limit;
  }
  if (opts.sort === undefined && !forYou) filter.sort = defaults.sort ?? 'date';
  if (opts.source !== undefined) filter.source = opts.source;
  if (opts.updatedSince !== undefined) filter.updatedSince = parseDateArg(opts.updatedSince, '--updated-since');
  const store = openStore(opts, { readOnly: true });
  try {
    let count = 0;
    const { papers: shown, extra } = forYou ? { papers: await forYouOrder(store, store.query(filter), forYou.limit), extra: undefined } : papersToShow(store, filter, format);
    const papers = (function* () {
      for (const p of shown) {
        count++;
        yield p;
      }
    })();
    await printPapers(papers, format, { extra });
    if (count === 0) messages.info(store.count() === 0 ? 'the cache is empty (run papers today, papers fetch or papers import first)' : 'no papers match');
  } finally {
    store.close();
  }
}
