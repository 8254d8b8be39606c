/**
 * The option lists commands share, and the allowed values of each choice option: one list
 * each, which feeds `.choices()`, the checks in the commands and the completion script.
 * Nothing here loads the store, undici or cheerio: every command is declared at start-up.
 */
import { Option, type Command, type OptionValues } from '@commander-js/extra-typings';
import { FORMATS } from '../output.js';

export { FORMATS, EXPORT_FORMATS } from '../output.js';

/** The orders of `--sort` (rising: upvotes gained over the last 7 days). */
export const SORT_KEYS = ['date', 'upvotes', 'title', 'rising', 'relevance', 'for-you'] as const;

/** Where `list`/`export --source` says a paper was seen. */
export const LIST_SOURCES = ['hf', 'arxiv', 'import'] as const;

/** What `fetch --source` fetches from. */
export const FETCH_SOURCES = ['hf', 'arxiv'] as const;

/** How `export --format md` groups its digest. */
export const EXPORT_GROUPS = ['day', 'topic'] as const;

/** What `digest --format` writes, and the orders of `digest --sort`. */
export const DIGEST_FORMATS = ['md', 'html', 'atom', 'json'] as const;
export const DIGEST_SORTS = ['date', 'upvotes', 'for-you'] as const;

/** The periods of `trends --by`. */
export const TREND_PERIODS = ['day', 'week', 'month'] as const;

/** The shells `papers completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/**
 * The options object a declaration hands its action, typed from the declaration itself: what
 * the work in src/commands/ takes (imported there with `import type`, so that nothing loads).
 */
export type OptionsOf<F extends (...args: never[]) => { opts(): OptionValues }> = ReturnType<ReturnType<F>['opts']>;

/** Collect a repeatable option's values. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** Options of every command that prints papers (see the contract). */
export function withPaperOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(cmd: Command<A, O, G>, formats: readonly string[] = FORMATS) {
  return cmd
    .option('--json', 'print one JSON array of paper records')
    .option('--jsonl', 'print one JSON record per line')
    .addOption(new Option('--format <f>', 'output format').choices(formats))
    .option('--fields <a,b,…>', 'the record fields to show, for table, csv and tsv (e.g. id,title,upvotes)')
    .option('-n, --limit <n>', 'at most n papers')
    .addOption(new Option('--sort <key>', 'order (list, export: newest first by default, a text query too; relevance: best match; rising: upvotes gained over the last 7 days; for-you: closeness to your starred papers)').choices(SORT_KEYS))
    .option('--author <name>', 'author name contains (ignoring case and accents)')
    .option('--since <date>', 'on or after a date (YYYY-MM-DD, or 7d, 2w)')
    .option('--until <date>', 'on or before a date (YYYY-MM-DD, or 7d, 2w)')
    .option('--min-upvotes <n>', 'at least n upvotes')
    .option('-q, --query <text>', 'full-text query over title, abstract, authors and keywords')
    .option('--topic <name>', 'only papers of a named topic (repeatable: any of them)', collect)
    .option('--unseen', 'only papers not marked seen')
    .option('--starred', 'only starred papers')
    .option('--hidden', 'only hidden papers (otherwise left out of list and today)')
    .option('--tag <t>', 'only papers with this tag (repeatable: any of them)', collect);
}

/** Options of every command: the cache file and diagnostics. */
export function withCommonOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(cmd: Command<A, O, G>) {
  return cmd
    .option('--db <path>', 'the cache file (default: $PAPERS_DB or ~/.cache/papers/papers.db)')
    .option('-v, --verbose', 'diagnostics (requests, timings, causes of errors) on stderr');
}

/** Options of every command that makes requests. */
export function withRequestOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(cmd: Command<A, O, G>) {
  return cmd
    .option('--timeout <s>', 'a deadline for the whole command, retries and waits included (default: none, 30 s an attempt; today with a cached list: 5 s)')
    .option('--retries <n>', 'retry a failed request (429, 5xx, network) up to n times', '3');
}

/** --offline and the request options. */
export function withNetworkOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(cmd: Command<A, O, G>) {
  return withRequestOptions(cmd.option('--offline', 'use the cache only, make no request'));
}

/** "Examples:" and its lines, for the end of a command's help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

/** The option groups above as typed objects, for the shared parse steps of src/commands/common.ts. */
export type PaperFlags = OptionsOf<typeof withPaperOptions<[], {}, {}>>;
export type CommonFlags = OptionsOf<typeof withCommonOptions<[], {}, {}>>;
export type RequestFlags = OptionsOf<typeof withRequestOptions<[], {}, {}>>;
