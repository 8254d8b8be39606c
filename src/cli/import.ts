/** `papers import`: the declaration; the work is in commands/import.ts. */
import { Command } from '@commander-js/extra-typings';
import { begin, type Lazy } from './lazy.js';
import { collect, examples, withCommonOptions, type OptionsOf } from './options.js';

export type ImportCommandOptions = OptionsOf<typeof importCommand>;

/** What `import` calls: commands/import.ts. */
export interface ImportWork {
  run(opts: ImportCommandOptions, files: string[]): Promise<void>;
}

export function importCommand(work: Lazy<ImportWork>) {
  const cmd = new Command('import')
    .argument('<file...>', 'saved listings; - reads stdin')
    .description('parse saved listings into the cache (the format is read from the content)')
    .option('--category <glob>', "arXiv snapshot, papers' own records: only papers in these categories, e.g. 'cs.*' (repeatable)", collect)
    .option('--since <D>', "arXiv snapshot, papers' own records: only papers whose first version is of this day or later")
    .option('--as-of <date>', "the capture date that year-less dates in copied text resolve against (default: the file's modification date; stdin: today)")
    .addHelpText('after', [
      '',
      'Formats (each file is one transaction: a file that cannot be read stores nothing):',
      '  Hugging Face pages: a daily, week, month or search listing page, a paper page',
      '  Hugging Face API answers: a daily list, search results, one paper (/api/papers/<id>)',
      '  arXiv: a listing page (/list/<cat>/new), an API answer (Atom XML)',
      '  arXiv: the metadata snapshot (arxiv-metadata-oai-snapshot.json, or .gz), streamed a batch per transaction',
      "  papers' own records: papers export --format jsonl or json (or .gz), streamed the same way; show --json",
      '  the copied text of a Hugging Face listing page (select all, copy, paste into a file)',
    ].join('\n') + examples(
      'papers import saved/daily-2024-08-01.html answer.json',
      'pbpaste | papers import - --as-of 2025-12-09',
      "papers import arxiv-metadata-oai-snapshot.json.gz --category 'cs.*' --since 2023-01-01",
      'ssh old-laptop papers export --format jsonl | papers import -',
    ));
  return withCommonOptions(cmd).action(async (files, opts) => {
    begin(opts);
    await (await work()).run(opts, files);
  });
}
