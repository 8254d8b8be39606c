/** `papers search`: the declaration; the work is in commands/search.ts. */
import { Command } from '@commander-js/extra-typings';
import { begin, type Lazy } from './lazy.js';
import { examples, withCommonOptions, withNetworkOptions, withPaperOptions, type OptionsOf } from './options.js';

export type SearchOptions = OptionsOf<typeof searchCommand>;

/** What `search` calls: commands/search.ts. */
export interface SearchWork {
  run(opts: SearchOptions, query: string[]): Promise<void>;
}

export function searchCommand(work: Lazy<SearchWork>) {
  const cmd = new Command('search')
    .argument('<query...>', 'words to search for (all of them)')
    .description("search Hugging Face's paper search, store the results, print them in HF's order")
    .addHelpText('after', examples(
      'papers search diffusion transformers',
      'papers search "state space models" -n 10 --json',
      'papers search llama --sort upvotes',
      'papers search llama --offline          # the cache only: every word must match',
    ));
  return withCommonOptions(withNetworkOptions(withPaperOptions(cmd))).action(async (query, opts) => {
    begin(opts);
    await (await work()).run(opts, query);
  });
}
