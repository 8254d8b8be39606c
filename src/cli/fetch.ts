/** `papers fetch`: the declaration; the work is in commands/fetch.ts. */
import { Command, Option } from '@commander-js/extra-typings';
import { begin } from './lazy.js';
import { collect, examples, FETCH_SOURCES, withCommonOptions, withRequestOptions } from './options.js';

export function fetchCommand() {
  const cmd = new Command('fetch')
    .description('fetch the lists of a day, a range, a week or a month into the cache, with as few requests as possible')
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
    .option('--json', 'print a summary object on stdout')
    .addHelpText('after', "\nDays already complete in the cache are skipped; today's list is never complete.\n" + examples(
      'papers fetch --date 2024-08-01',
      'papers fetch --from 2024-08-01 --to 2024-08-14',
      'papers fetch --week 2024-W31',
      'papers fetch --month 2024-08 --refresh',
      'papers fetch --from 7d --json',
      "papers fetch --category cs.LG            (arXiv: today's new listing)",
      'papers fetch --category cs.LG --date 3d  (arXiv: submitted that day, via the arXiv API)',
      'papers fetch --source arxiv --harvest --set cs --from 2024-01-01',
    ));
  return withCommonOptions(withRequestOptions(cmd)).action(async (opts) => {
    begin(opts);
    // A category is an arXiv thing: without --source it means arXiv.
    const source = opts.source ?? (opts.category?.length || opts.harvest ? 'arxiv' : 'hf');
    await (await import('../commands/fetch.js')).run({ ...opts, source });
  });
}
