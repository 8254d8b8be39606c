/** `papers export`: the declaration; the work is in commands/export.ts. */
import { Command, Option } from '@commander-js/extra-typings';
import { begin, type Lazy } from './lazy.js';
import { EXPORT_FORMATS, EXPORT_GROUPS, LIST_SOURCES, withCommonOptions, withPaperOptions, type OptionsOf } from './options.js';

export type ExportOptions = OptionsOf<typeof exportCommand>;

/** What `export` calls: commands/export.ts. */
export interface ExportWork {
  run(opts: ExportOptions): Promise<void>;
}

export function exportCommand(work: Lazy<ExportWork>) {
  const cmd = new Command('export')
    .description('write the cache (or a filtered part) as json, jsonl, csv, tsv, md, bibtex or atom')
    .option('-o, --output <file>', 'write to a file (atomically: a reader never sees half of it); - is stdout')
    .addOption(new Option('--group <by>', 'md: group the digest by day or by topic (-n then counts per topic)').choices(EXPORT_GROUPS).default('day' as const))
    .addOption(new Option('--source <name>', 'only papers seen on this source').choices(LIST_SOURCES))
    .addHelpText('after', `
Formats (default json):
  json, jsonl, csv, tsv  the paper record, as papers list prints it
  md                a digest to paste into notes or chat: by day, or --group topic
  bibtex            one entry per paper; a paper's key (dubey2024llama) stays the same
                    from one export to the next, whatever the filter
  atom              a feed (Atom 1.0) for any feed reader, to subscribe to as a file

Examples:
  papers export --format bibtex --topic llm -o llm.bib
  papers export --format atom --topic agents --min-upvotes 10 -o ~/feeds/agents.xml
  papers export --format md --since 7d --group topic | pbcopy`);
  return withCommonOptions(withPaperOptions(cmd, EXPORT_FORMATS)).action(async (opts) => {
    begin(opts);
    await (await work()).run(opts);
  });
}
