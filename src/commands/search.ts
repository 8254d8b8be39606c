/**
 * `papers search <query…>`: Hugging Face's own paper search (the API, else the search page),
 * its results stored in the cache like any listing and printed in HF's order.
 *
 * Decisions:
 * - A failed request is an error (exit 1), not a fall back to the cache: the cache cannot know
 *   what HF's search would have answered. `--offline` searches the cache instead (every word
 *   must match, over title, abstract, authors, keywords and categories), best match first.
 * - `--limit` alone is passed to HF; with `--sort` or a filter, all of HF's results are asked
 *   for, stored, then filtered, sorted and cut here, so that `-n 5 --sort upvotes` is the top 5.
 */
import { UsageError } from '../errors.js';
import { messages, printPapers } from '../output.js';
import type { Store } from '../store/index.js';
import type { SearchOptions } from '../cli/search.js';
import { httpOptions, openStore, paperOptions, type HttpSettings } from './common.js';
import { plural } from '../format/words.js';

/** HF's search answers about 120 results at most. */
const HF_MAX_RESULTS = 120;

/** An FTS5 expression that ANDs the words, each quoted: no user text is read as syntax. */
function wordsMatch(words: string[]): string {
  return words.map((w) => `"${w.replace(/"/g, '""')}"`).join(' ');
}

/** Nothing to show: the machine formats still print their frame (`[]`, the CSV header). */
async function printEmpty(format: string): Promise<void> {
  if (format === 'json' || format === 'jsonl' || format === 'csv') await printPapers([], format);
}

async function searchHf(httpSettings: HttpSettings, query: string, limit: number | undefined) {
  const [{ HttpClient, baseUrls }, { searchPapers }] = await Promise.all([import('../http/index.js'), import('../sources/hf/index.js')]);
  const http = new HttpClient(httpSettings);
  try {
    return await searchPapers(http, baseUrls().hf, query, { limit, log: messages.debug });
  } finally {
    await http.close();
  }
}

export async function run(opts: SearchOptions, args: string[]): Promise<void> {
  const { format, filter } = paperOptions(opts);
  const httpSettings = httpOptions(opts); // checked before any work
  const words = args.flatMap((a) => a.split(/\s+/u)).filter((w) => w !== '');
  if (words.length === 0) throw new UsageError('empty search query', { hint: 'papers search <words…>' });
  const query = words.join(' ');

  const store: Store = openStore(opts);
  try {
    if (opts.offline) {
      const papers = [...store.query({ ...filter, match: wordsMatch(words) })];
      if (papers.length === 0) {
        messages.info(`no cached papers match "${query}"`);
        await printEmpty(format);
        return;
      }
      await printPapers(papers, format, { heading: `Cached papers matching "${query}" · ${plural(papers.length, 'paper')}` });
      return;
    }

    const filtered = filter.sort !== undefined || filter.author !== undefined || filter.since !== undefined
      || filter.until !== undefined || filter.minUpvotes !== undefined;
    const hfLimit = !filtered && filter.limit !== undefined ? Math.min(filter.limit, HF_MAX_RESULTS) : undefined;
    const listing = await searchHf(httpSettings, query, hfLimit);
    if (listing.papers.length === 0) {
      messages.info(`Hugging Face found no papers for "${query}"`);
      await printEmpty(format);
      return;
    }
    const saved = store.upsertPapers(listing.papers);
    messages.debug(`stored ${plural(listing.papers.length, 'paper')} from ${listing.format}: ${saved.inserted} new, ${saved.updated} updated, ${saved.unchanged} unchanged`);
    // Read back through the cache's own query, so the filters mean what they mean everywhere;
    // without --sort the order is HF's.
    const rowids = [...new Set(saved.rowids)];
    const shown = [...store.query({ ...filter, rowids })];
    if (shown.length === 0) {
      messages.info(`none of the ${plural(rowids.length, 'paper')} Hugging Face found for "${query}" pass the filters`);
      await printEmpty(format);
      return;
    }
    const of = shown.length < rowids.length ? ` of ${rowids.length}` : '';
    await printPapers(shown, format, { heading: `Hugging Face search "${query}" · ${shown.length}${of} paper${rowids.length === 1 ? '' : 's'}` });
  } finally {
    store.close();
  }
}
