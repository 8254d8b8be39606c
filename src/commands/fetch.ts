/** `papers fetch`: fetch the lists of a date range into the cache, with as few requests as possible. */
import { PapersError, ParseError, UsageError } from '../errors.js';
import { checkCategory } from '../categories.js';
import { loadConfig } from '../config.js';
import { todayUtc } from '../dates.js';
import { messages, resolveFormat } from '../output.js';
import { resolveRange } from '../range.js';
import { loadSource, type FetchSourceName } from '../sources/index.js';
import { fetchInto } from '../sync.js';
import { httpOptions, openStore } from './common.js';
import { describeRun, makeHttp, makeProgress, runJson, type OptionSources } from './runs.js';

/** `--category cs.LG --category cs.CL` or `--category cs.LG,cs.CL`. */
export function categoriesOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const out: string[] = [];
  for (const v of list.flatMap((x) => String(x).split(','))) {
    const c = v.trim();
    if (!c) continue;
    checkCategory(c);
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

export async function run(opts: Record<string, unknown>, cmd?: OptionSources): Promise<void> {
  const format = resolveFormat(opts as { json?: boolean }, ['table', 'json']);
  httpOptions(opts); // validate --timeout and --retries before any work
  const name = (opts.source ?? 'hf') as FetchSourceName;
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
  const http = await makeHttp(opts, cmd);
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
