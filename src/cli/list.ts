/** `papers list`: the declaration; the work is in commands/list.ts. */
import { Command, Option } from '@commander-js/extra-typings';
import { begin, type Lazy } from './lazy.js';
import { examples, LIST_SOURCES, withCommonOptions, withPaperOptions, type OptionsOf } from './options.js';

/** The query language in brief, for the help of the commands that take one. */
export const QUERY_HELP = `
Query language (-q, topics):
  words are ANDed; "exact phrase"; OR between terms or (groups); NOT word or -word;
  prefix*; fields title: abstract: author: kw: cat: (e.g. cat:cs.LG);
  marks is:starred is:seen is:hidden tag:x has:note`;

export type ListOptions = OptionsOf<typeof listCommand>;

/** What `list` calls: commands/list.ts. */
export interface ListWork {
  run(opts: ListOptions): Promise<void>;
}

export function listCommand(work: Lazy<ListWork>) {
  const cmd = new Command('list')
    .description('query the local cache (never touches the network)')
    .addOption(new Option('--source <name>', 'only papers seen on this source').choices(LIST_SOURCES))
    .option('--updated-since <D>', 'only papers with a version of this day or later (YYYY-MM-DD, or relative: 7d)')
    .addHelpText('after', QUERY_HELP + '\n' + examples(
      'papers list --topic agents --since 7d --min-upvotes 10',
      `papers list -q 'title:"state space" -author:smith' --json`,
      "papers list -q 'diffusion (video OR audio) -survey' --sort upvotes",
      'papers list --format tsv --fields id,title,upvotes | fzf',
    ));
  return withCommonOptions(withPaperOptions(cmd)).action(async (opts) => {
    begin(opts);
    await (await work()).run(opts);
  });
}
