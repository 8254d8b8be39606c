/** `papers show`: the declaration; the work is in commands/show.ts. */
import { Command } from '@commander-js/extra-typings';
import { begin, type Lazy } from './lazy.js';
import { examples, withCommonOptions, type OptionsOf } from './options.js';

export type ShowOptions = OptionsOf<typeof showCommand>;

/** What `show` calls: commands/show.ts. */
export interface ShowWork {
  run(opts: ShowOptions, ids: string[]): Promise<void>;
}

export function showCommand(work: Lazy<ShowWork>) {
  const cmd = new Command('show')
    .argument('<id...>', 'arXiv ids in any form (2410.17243v2, arXiv:…, abs/pdf/HF URLs), or one exact title')
    .description('papers in full, from the cache')
    .option('--json', 'print the records as JSON, with their daily lists, count history and arXiv details')
    .addHelpText('after', examples(
      'papers show 2410.17243',
      'papers show 2410.17243 https://huggingface.co/papers/2410.18978',
      'papers show 2410.17243 --json | jq .dailyLists',
    ));
  return withCommonOptions(cmd).action(async (ids, opts) => {
    begin(opts);
    await (await work()).run(opts, ids);
  });
}
