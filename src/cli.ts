/**
 * The command layer: commander parses, each command's module (loaded only when it runs) does
 * the work, and one handler turns errors into the contract's one-line message and exit code.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { EXIT_FAILURE, EXIT_USAGE, PapersError } from './errors.js';
import { EXPORT_FORMATS, FORMATS, messages } from './output.js';


export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Options of every command that prints papers (../shared/CONTRACT.md). */
export function addPaperOptions(cmd: Command, formats: readonly string[] = FORMATS): Command {
  return cmd
    .option('--json', 'print one JSON array of paper records')
    .option('--jsonl', 'print one JSON record per line')
    .addOption(new Option('--format <f>', 'output format').choices(formats))
    .option('-n, --limit <n>', 'at most n papers')
    .addOption(new Option('--sort <key>', 'order (rising: upvotes gained over the last 7 days)').choices(['upvotes', 'date', 'title', 'relevance', 'rising']))
    .option('--author <name>', 'author name contains (case-insensitive)')
    .option('--since <date>', 'on or after a date (YYYY-MM-DD, or 7d, 2w)')
    .option('--until <date>', 'on or before a date (YYYY-MM-DD, or 7d, 2w)')
    .option('--min-upvotes <n>', 'at least n upvotes')
    .option('-q, --query <text>', 'full-text query over title, abstract, authors and keywords')
    .option('--topic <name>', 'only papers of a named topic (repeatable: any of them)', (v: string, prev: string[] = []) => [...prev, v]);
}

/** Options of every command: the cache file and diagnostics. */
export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--db <path>', 'the cache file (default: $PAPERS_DB or ~/.cache/papers/papers.db)')
    .option('-v, --verbose', 'diagnostics (requests, timings, causes of errors) on stderr');
}

/** Options of every command that makes requests. */
export function addNetworkOptions(cmd: Command): Command {
  return cmd
    .option('--offline', 'use the cache only, make no request')
    .option('--timeout <s>', 'give up on a request after s seconds', '30')
    .option('--retries <n>', 'retry a failed request (429, 5xx, network) up to n times', '3');
}

type Action = (opts: Record<string, unknown>, cmd: Command) => Promise<void>;

/** Run a command module's `run` when the command is invoked: heavy modules load only then. */
function lazy(load: () => Promise<{ run: Action }>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const opts = cmd.optsWithGlobals();
    messages.verbose = !!opts.verbose;
    const mod = await load();
    await mod.run(opts, cmd);
  };
}

export function buildProgram(): Command {
  const program = new Command('papers')
    .description('Hugging Face Daily Papers and arXiv listings in your terminal, cached locally')
    .version(VERSION, '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ outputError: () => undefined });

  const today = program
    .command('today')
    .description("the latest daily list Hugging Face has published, labelled with its date")
    .addHelpText('after', '\nExamples:\n  papers today\n  papers today --json | jq ".[].title"\n  papers today --sort upvotes -n 10\n  papers today --offline');
  addCommonOptions(addNetworkOptions(addPaperOptions(today))).action(lazy(() => import('./commands/today.js')));

  // -- fetch / sync (issue 4) --
  const requestOptions = (cmd: Command) =>
    cmd
      .option('--timeout <s>', 'give up on a request after s seconds', '30')
      .option('--retries <n>', 'retry a failed request (429, 5xx, network) up to n times', '3');
  const fetchCmd = program
    .command('fetch')
    .description('fetch the lists of a day, a range, a week or a month into the cache, with as few requests as possible')
    .option('--date <D>', 'one day (YYYY-MM-DD, or relative: 3d)')
    .option('--from <D>', 'first day of a range (YYYY-MM-DD, or relative: 2w)')
    .option('--to <D>', 'last day of the range (default: today)')
    .option('--week <YYYY-Www>', 'an ISO week, e.g. 2024-W31')
    .option('--month <YYYY-MM>', 'a month, e.g. 2024-08')
    .addOption(new Option('--source <name>', 'where from').choices(['hf', 'arxiv']).default('hf'))
    .option('--category <cat>', 'arXiv category, e.g. cs.LG (repeatable; --source arxiv; default: sources.arxiv.categories of the config)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--refresh', 'fetch days already complete in the cache too (updates upvotes and comments)')
    .option('--json', 'print a summary object on stdout')
    .addHelpText('after', '\nDays already complete in the cache are skipped; today\'s list is never complete.\n\nExamples:\n  papers fetch --date 2024-08-01\n  papers fetch --from 2024-08-01 --to 2024-08-14\n  papers fetch --week 2024-W31\n  papers fetch --month 2024-08 --refresh\n  papers fetch --from 7d --json\n  papers fetch --source arxiv --category cs.LG            (today\'s new listing)\n  papers fetch --source arxiv --category cs.LG --date 3d  (submitted that day, via the arXiv API)');
  addCommonOptions(requestOptions(fetchCmd)).action(lazy(() => import('./commands/fetch.js')));

  const syncCmd = program
    .command('sync')
    .description('fetch everything published since the last successful sync (first run: the last 7 days); for cron')
    .option('--new', 'print the papers this run added to the cache (in any format)')
    .option('--json', 'print a summary object (with --new: the new papers as a JSON array)')
    .option('--jsonl', 'with --new: one JSON record per line')
    .addOption(new Option('--format <f>', 'with --new: output format').choices(['table', 'json', 'jsonl', 'csv', 'md']))
    .option('--wait <s>', 'when another sync is running, wait up to s seconds for it, then do nothing', '60')
    .addHelpText('after', '\nSources: Hugging Face, and arXiv when "sources.arxiv.categories" is set in the config.\nExit 0: synced (also when nothing was new, or another sync was running); 1: a source failed.\n\nExamples:\n  papers sync\n  papers sync --json | jq .new\n  papers sync --new --format md | mail -E -s "New papers" me@example.org');
  addCommonOptions(requestOptions(syncCmd)).action(lazy(() => import('./commands/sync.js')));

  // -- search / import (issue 5) --
  const search = program
    .command('search')
    .argument('<query...>', 'words to search for (all of them)')
    .description("search Hugging Face's paper search, store the results, print them in HF's order")
    .addHelpText('after', '\nExamples:\n  papers search diffusion transformers\n  papers search "state space models" -n 10 --json\n  papers search llama --sort upvotes\n  papers search llama --offline          # the cache only: every word must match');
  addCommonOptions(addNetworkOptions(addPaperOptions(search))).action(lazy(() => import('./commands/search.js')));

  const importCmd = program
    .command('import')
    .argument('<file...>', 'saved listings; - reads stdin')
    .description('parse saved listings into the cache (the format is read from the content)')
    .option('--as-of <date>', "the capture date that year-less dates in copied text resolve against (default: the file's modification date; stdin: today)")
    .addHelpText('after', [
      '',
      'Formats (each file is one transaction: a file that cannot be read stores nothing):',
      '  Hugging Face pages: a daily, week, month or search listing page, a paper page',
      '  Hugging Face API answers: a daily list, search results, one paper (/api/papers/<id>)',
      '  arXiv: a listing page (/list/<cat>/new), an API answer (Atom XML)',
      '  the copied text of a Hugging Face listing page (select all, copy, paste into a file)',
      '',
      'Examples:',
      '  papers import saved/daily-2024-08-01.html answer.json',
      '  pbpaste | papers import - --as-of 2025-12-09',
    ].join('\n'));
  addCommonOptions(importCmd).action(lazy(() => import('./commands/import.js')));

  // -- list / show / topics (issue 3) --
  const list = program
    .command('list')
    .description('query the local cache (never touches the network)')
    .addOption(new Option('--source <name>', 'only papers seen on this source').choices(['hf', 'arxiv', 'import']))
    .addHelpText('after', `
Examples:
  papers list --topic agents --since 7d --min-upvotes 10
  papers list -q 'title:"state space" -author:smith' --json
  papers list -q 'diffusion (video OR audio) -survey' --sort upvotes
Query language: words are ANDed; "exact phrase"; OR; NOT word or -word; (groups);
prefix*; fields title: abstract: author: kw: cat: (e.g. cat:cs.LG).`);
  addCommonOptions(addPaperOptions(list)).action(lazy(() => import('./commands/list.js')));

  const show = program
    .command('show')
    .argument('<id...>', 'an arXiv id in any form (2410.17243v2, arXiv:…, abs/pdf/HF URLs) or an exact title')
    .description('one paper in full, from the cache')
    .option('--json', 'print the record as JSON');
  addCommonOptions(show).action(lazy(() => import('./commands/show.js')));

  const topics = program.command('topics').description('list, show, add and remove named topics (queries)')
    .addHelpText('after', `
A topic is a named query (see papers list --help). A topic of yours replaces a built-in one of
the same name; removing yours brings the built-in back; a built-in cannot be removed.

Examples:
  papers topics                                  # every topic, with its number of cached papers
  papers topics show agents
  papers topics add ssm '"state space" OR mamba OR title:ssm*'
  papers list --topic ssm --since 7d
  papers topics remove ssm`);
  addCommonOptions(topics.option('--json', 'print as JSON')).action(lazy(async () => ({ run: (opts) => import('./commands/topics.js').then((m) => m.list(opts)) })));
  topics.command('show').argument('<name>').description('the query of a topic').option('--json', 'print as JSON')
    .action(lazy(async () => ({ run: (opts, cmd) => import('./commands/topics.js').then((m) => m.show(cmd.args[0]!, opts)) })));
  topics.command('add').argument('<name>').argument('<query...>').description('add or replace a topic in the config file (a query may start with -: papers topics add x -survey)')
    .allowUnknownOption()
    .action(lazy(async () => ({ run: (_opts, cmd) => import('./commands/topics.js').then((m) => m.add(cmd.args[0]!, cmd.args.slice(1))) })));
  topics.command('remove').argument('<name>').description('remove a topic from the config file')
    .action(lazy(async () => ({ run: (_opts, cmd) => import('./commands/topics.js').then((m) => m.remove(cmd.args[0]!)) })));

  // -- export / stats / trends (issue 7) --
  const exportCmd = program
    .command('export')
    .description('write the cache (or a filtered part) as json, jsonl, csv, md, bibtex or atom')
    .option('-o, --output <file>', 'write to a file (atomically: a reader never sees half of it); - is stdout')
    .addOption(new Option('--group <by>', 'md: group the digest by day or by topic (-n then counts per topic)').choices(['day', 'topic']).default('day'))
    .addOption(new Option('--source <name>', 'only papers seen on this source').choices(['hf', 'arxiv', 'import']))
    .addHelpText('after', `
Formats (default json):
  json, jsonl, csv  the paper record, as papers list prints it
  md                a digest to paste into notes or chat: by day, or --group topic
  bibtex            one entry per paper; a paper's key (dubey2024llama) stays the same
                    from one export to the next, whatever the filter
  atom              a feed (Atom 1.0) for any feed reader, to subscribe to as a file

Examples:
  papers export --format bibtex --topic llm -o llm.bib
  papers export --format atom --topic agents --min-upvotes 10 -o ~/feeds/agents.xml
  papers export --format md --since 7d --group topic | pbcopy`);
  addCommonOptions(addPaperOptions(exportCmd, EXPORT_FORMATS)).action(lazy(() => import('./commands/export.js')));

  const stats = program.command('stats').description('what is in the cache: papers by source and month, topics, last syncs, file size').option('--json', 'print as JSON');
  addCommonOptions(stats).action(lazy(() => import('./commands/stats.js')));

  const trends = program
    .command('trends')
    .argument('<topic-or-query...>', 'topic names or queries, one series each')
    .description('papers per day, week or month for topics or queries, as a bar chart')
    .addOption(new Option('--by <period>', 'one bar per').choices(['day', 'week', 'month']).default('week'))
    .option('--since <date>', 'from (default: 12 weeks, 30 days or 12 months back)')
    .option('--until <date>', 'to (default: today)')
    .option('--json', 'print the series as JSON')
    .addHelpText('after', '\nAn argument that names a topic (papers topics) is that topic; anything else is a query.\nA paper counts on the day of its daily list, else on its arXiv date.\n\nExamples:\n  papers trends agents reasoning\n  papers trends \'"state space" OR mamba\' --by month --since 1y\n  papers trends diffusion --by day --since 2w --json');
  addCommonOptions(trends).action(lazy(() => import('./commands/trends.js')));

  return program;
}

/** Turn any error into the contract's one line on stderr (and the cause chain with -v). */
export function reportError(err: unknown, verbose: boolean): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    const msg = err.message.replace(/^error:\s*/i, '');
    process.stderr.write(`papers: ${msg} (see papers --help)\n`);
    return EXIT_USAGE;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const hint = e instanceof PapersError && e.hint ? ` (${e.hint})` : e instanceof PapersError ? '' : ' (run with --verbose for details)';
  process.stderr.write(`papers: ${e.message}${hint}\n`);
  if (verbose) {
    let cause: unknown = e.cause;
    while (cause) {
      const c = cause instanceof Error ? cause : new Error(String(cause));
      process.stderr.write(`  caused by: ${c.message}${(c as NodeJS.ErrnoException).code ? ` [${(c as NodeJS.ErrnoException).code}]` : ''}\n`);
      cause = c.cause;
    }
    if (!(e instanceof PapersError) && e.stack) process.stderr.write(e.stack + '\n');
  }
  return e instanceof PapersError ? e.exitCode : EXIT_FAILURE;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  // A reader that stops early (`papers list | head`) closes the pipe: that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err, messages.verbose || argv.includes('--verbose') || argv.includes('-v'));
  }
}
