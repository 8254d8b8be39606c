/** `papers fetch`: the declaration; the work is in commands/fetch.ts. */
import { Command, Option } from '@commander-js/extra-typings';
import { begin, type Lazy } from './lazy.js';
import { collect, examples, FETCH_SOURCES, FORMATS, withCommonOptions, withRequestOptions, type OptionsOf } from './options.js';
import { UsageError } from '../errors.js';

export type FetchOptions = OptionsOf<typeof fetchCommand>;

/** What `fetch` calls: commands/fetch.ts by date (the source decided), commands/fetch-ids.ts by id. */
export interface FetchWork {
  byDate: Lazy<{ run(opts: FetchOptions & { source: (typeof FETCH_SOURCES)[number] }): Promise<void> }>;
  byIds: Lazy<{ run(opts: FetchOptions, ids: string[]): Promise<void> }>;
}

export function fetchCommand(work: FetchWork) {
  const cmd = new Command('fetch')
    .argument('[ids...]', 'papers to fetch: arXiv ids or URLs in any form (2410.17243v2, arXiv:…, abs/pdf/HF URLs)')
    .description('fetch the lists of a day, a range, a week or a month into the cache, with as few requests as possible; or given papers by id')
    .option('--date <D>', 'one day (YYYY-MM-DD, or relative: 3d)')
    .option('--from <D>', 'first day of a range (YYYY-MM-DD, or relative: 2w)')
    .option('--to <D>', 'last day of the range (default: today)')
    .option('--week <YYYY-Www>', 'an ISO week, e.g. 2024-W31')
    .option('--month <YYYY-MM>', 'a month, e.g. 2024-08')
    .addOption(new Option('--source <name>', 'where from (default: hf; arxiv when --category is given)').choices(FETCH_SOURCES))
    .option('--category <cat>', 'arXiv category, e.g. cs.LG (repeatable; implies --source arxiv; default: sources.arxiv.categories of the config)', collect)
    .option('--harvest', 'arXiv: harvest the metadata of a whole set over OAI-PMH (resumes where it stopped; later runs fetch what changed)')
    .option('--set <set>', 'with --harvest: the OAI-PMH set, e.g. cs, math, physics:hep-th (default: all of arXiv)')
    .option('--refresh', 'fetch days already complete in the cache too (updates upvotes and comments)')
    .option('--json', 'print a summary object on stdout (with ids: the paper records, as one JSON array)')
    .option('--jsonl', 'with ids: print one JSON record per line')
    .addOption(new Option('--format <f>', 'with ids: output format').choices(FORMATS))
    .option('--fields <a,b,…>', 'with ids: the record fields to show, for table, csv and tsv (e.g. id,title,upvotes)')
    .option('--offline', 'with ids: print what the cache has, make no request')
    .addHelpText('after', "\nDays already complete in the cache are skipped; today's list is never complete.\n" + examples(
      'papers fetch --date 2024-08-01',
      'papers fetch --from 2024-08-01 --to 2024-08-14',
      'papers fetch --week 2024-W31',
      'papers fetch --month 2024-08 --refresh',
      'papers fetch --from 7d --json',
      "papers fetch --category cs.LG            (arXiv: today's new listing)",
      'papers fetch --category cs.LG --date 3d  (arXiv: submitted that day, via the arXiv API)',
      'papers fetch --source arxiv --harvest --set cs --from 2024-01-01',
      'papers fetch 2410.17243 https://huggingface.co/papers/2410.18978  (given papers, from Hugging Face and arXiv)',
    ));
  return withCommonOptions(withRequestOptions(cmd)).action(async (ids, opts) => {
    begin(opts);
    if (ids.length > 0) {
      await (await work.byIds()).run(opts, ids);
      return;
    }
    for (const flag of ['jsonl', 'format', 'fields', 'offline'] as const) {
      if (opts[flag] !== undefined) throw new UsageError(`--${flag} applies to papers fetch <id…> only`, { hint: 'give paper ids, or leave it out when fetching by date' });
    }
    // A category is an arXiv thing: without --source it means arXiv.
    const source = opts.source ?? (opts.category?.length || opts.harvest ? 'arxiv' : 'hf');
    await (await work.byDate()).run({ ...opts, source });
  });
}
