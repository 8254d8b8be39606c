/** `papers open`, `papers get` and `papers similar`: declarations; the work is in commands/open.ts, get.ts and similar.ts. */
import { Command } from '@commander-js/extra-typings';
import { dbPathOf, requireCache } from '../paths.js';
import { begin, type Lazy } from './lazy.js';
import { examples, withCommonOptions, withPaperOptions, type OptionsOf } from './options.js';

export type OpenOptions = OptionsOf<typeof openCommand>;
export type GetOptions = OptionsOf<typeof getCommand>;
export type SimilarOptions = OptionsOf<typeof similarCommand>;

/** What `open`, `get` and `similar` call: commands/open.ts, get.ts and similar.ts. */
export interface OpenWork {
  run(opts: OpenOptions, id: string): Promise<void>;
}
export interface GetWork {
  run(opts: GetOptions, ids: string[]): Promise<void>;
}
export interface SimilarWork {
  run(opts: SimilarOptions, id: string): Promise<void>;
}

export function openCommand(work: Lazy<OpenWork>) {
  return withCommonOptions(new Command('open').argument('<id>', 'an arXiv id in any form, or the exact title of a cached paper')
    .description("open a paper in the browser ($BROWSER, else the platform's opener); off a terminal, print its URL")
    .option('--pdf', 'the PDF on arXiv')
    .option('--hf', 'the Hugging Face page (the default when it has one)')
    .option('--arxiv', 'the arXiv abstract page')
    .option('--code', 'the code repository the listing gave')
    .addHelpText('after', examples('papers open 2410.17243', 'papers open 2410.17243 --pdf', 'papers open 2410.17243 --code | xargs echo')))
    .action(async (id, opts) => {
      begin(opts);
      await (await work()).run(opts, id);
    });
}

export function getCommand(work: Lazy<GetWork>) {
  return withCommonOptions(new Command('get').argument('<id...>', 'arXiv ids in any form, with a version (2410.17243v2) or without')
    .description('download PDFs from arXiv, one at a time, 3 seconds apart; files already there are skipped')
    .option('--pdf', 'download the PDF (what get fetches)')
    .option('--dir <dir>', 'where the files go (default: ~/.cache/papers/pdf)')
    .addHelpText('after', examples('papers get 2410.17243 --pdf', 'papers get 2410.17243v2 2410.18978 --pdf --dir ~/papers', 'papers list --starred --format tsv --fields id | tail -n +2 | xargs papers get --pdf')))
    .action(async (ids, opts) => {
      begin(opts);
      await (await work()).run(opts, ids);
    });
}

export function similarCommand(work: Lazy<SimilarWork>) {
  const cmd = new Command('similar').argument('<id>', 'a cached paper: arXiv id in any form, or its exact title')
    .description('the cached papers closest to one paper, by the words of their titles, abstracts and keywords (offline)')
    .option('--explain', 'say why: the similarity and the terms each shares with the paper')
    .addHelpText('after', examples('papers similar 2410.17243', 'papers similar 2410.17243 -n 5 --explain', 'papers similar 2410.17243 --json | jq -r ".[].title"'));
  return withCommonOptions(withPaperOptions(cmd)).action(async (id, opts) => {
    begin(opts);
    requireCache(dbPathOf(opts));
    await (await work()).run(opts, id);
  });
}
