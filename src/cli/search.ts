/** `papers search`: the declaration; the work is in commands/search.ts. */
import { Command } from '@commander-js/extra-typings';
import { begin } from './lazy.js';
import { examples, withCommonOptions, withNetworkOptions, withPaperOptions, type OptionsOf } from './options.js';

export type SearchOptions = OptionsOf<typeof searchCommand>;

export function searchCommand() {
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
    await (await import('../commands/search.js')).run(opts, query);
  });
}
