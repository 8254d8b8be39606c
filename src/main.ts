/**
 * The entry point: each command is declared in src/cli/<name>.ts (its options typed there), its
 * work is in src/commands/<name>.ts, loaded only when it runs; this file joins the two, and one
 * handler turns errors into the contract's one-line message and exit code.
 */
import { VERSION } from './version.js';
import { Command, CommanderError } from '@commander-js/extra-typings';
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { EXIT_FAILURE, EXIT_USAGE, PapersError, causeChain } from './errors.js';
import { messages } from './output.js';
import { closest } from './text.js';
import { completionCommand } from './cli/completion.js';
import { configCommand } from './cli/config.js';
import { dbCommand } from './cli/db.js';
import { exportCommand } from './cli/export.js';
import { fetchCommand } from './cli/fetch.js';
import { importCommand } from './cli/import.js';
import { listCommand } from './cli/list.js';
import { searchCommand } from './cli/search.js';
import { showCommand } from './cli/show.js';
import { statsCommand, trendsCommand } from './cli/stats.js';
import { syncCommand } from './cli/sync.js';
import { todayCommand } from './cli/today.js';
import { topicsCommand } from './cli/topics.js';
import { MARK_COMMAND_NAMES, markCommands } from './cli/marks.js';
import { digestCommand, watchCommand } from './cli/watch.js';
import { getCommand, openCommand, similarCommand } from './cli/papers-tools.js';

/** A commander error, with the command it came from (for pointing at that command's help). */
interface PlacedError extends CommanderError {
  commandPath?: string;
  /** An argument given to a command that has subcommands but takes no argument itself. */
  unknownSubcommand?: { given: string; known: string[] };
}

/** The full name of a command: "papers topics add". */
function commandPath(cmd: CommandUnknownOpts): string {
  const names: string[] = [];
  for (let c: CommandUnknownOpts | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * What every command shares, set on the whole tree once it is assembled: errors thrown (not
 * printed) with the command they came from, suggestions after a typo, and defaults shown as
 * the user types them (`default: 30`, not `default: "30"`).
 */
function settle(cmd: CommandUnknownOpts): void {
  if (cmd.parent) cmd.copyInheritedSettings(cmd.parent);
  cmd.exitOverride((err: PlacedError) => {
    err.commandPath ??= commandPath(cmd);
    if (err.code === 'commander.excessArguments' && cmd.commands.length > 0 && cmd.registeredArguments.length === 0 && cmd.args[0] !== undefined) {
      err.unknownSubcommand ??= { given: cmd.args[0], known: cmd.commands.map((c) => c.name()) };
    }
    throw err;
  });
  for (const option of cmd.options) {
    if (typeof option.defaultValue === 'string' && option.defaultValueDescription === undefined) option.defaultValueDescription = option.defaultValue;
  }
  for (const sub of cmd.commands) settle(sub);
}

/**
 * Every command: its names, and how to declare it. Each declaration is handed the loader of
 * the module doing its work, imported only when the command runs, so start-up loads no store,
 * undici or cheerio.
 */
const COMMANDS: [names: readonly string[], declare: () => CommandUnknownOpts | CommandUnknownOpts[]][] = [
  [['today'], () => todayCommand(() => import('./commands/today.js'))],
  [['fetch'], () => fetchCommand({ byDate: () => import('./commands/fetch.js'), byIds: () => import('./commands/fetch-ids.js') })],
  [['sync'], () => syncCommand(() => import('./commands/sync.js'))],
  [['search'], () => searchCommand(() => import('./commands/search.js'))],
  [['import'], () => importCommand(() => import('./commands/import.js'))],
  [['list'], () => listCommand(() => import('./commands/list.js'))],
  [['show'], () => showCommand(() => import('./commands/show.js'))],
  [['topics'], () => topicsCommand(() => import('./commands/topics.js'))],
  [['export'], () => exportCommand(() => import('./commands/export.js'))],
  [['stats'], () => statsCommand(() => import('./commands/stats.js'))],
  [['trends'], () => trendsCommand(() => import('./commands/trends.js'))],
  [['config'], () => configCommand(() => import('./commands/config.js'))],
  // The completion script is made from the whole tree (below: every command is declared for it).
  [['completion'], () => completionCommand(() => import('./commands/completion.js'))],
  [['db'], () => dbCommand(() => import('./commands/db.js'))],
  [MARK_COMMAND_NAMES, () => markCommands(() => import('./commands/marks.js'))],
  [['watch'], () => watchCommand(() => import('./commands/watch.js'))],
  [['digest'], () => digestCommand(() => import('./commands/digest.js'))],
  [['open'], () => openCommand(() => import('./commands/open.js'))],
  [['get'], () => getCommand(() => import('./commands/get.js'))],
  [['similar'], () => similarCommand(() => import('./commands/similar.js'))],
];

/**
 * The program, with every command, or with only the command `argv` runs: declaring the ~30
 * commands' options is a tenth of a short command's start-up. Help, the version, a typo (for
 * its suggestion) and the completion script need them all.
 */
export function buildProgram(argv: readonly string[] = []): CommandUnknownOpts {
  const program = new Command('papers')
    .description('Hugging Face Daily Papers and arXiv listings in your terminal, cached locally')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError()
    .configureOutput({ outputError: () => undefined })
    .addHelpText('after', '\nRun papers <command> --help for a command\'s options and examples.\n\nExamples:\n  papers today\n  papers fetch --week 2024-W31\n  papers list --topic agents --since 7d\n  papers show 2410.17243');
  const first = argv[2];
  const only = first === 'completion' ? undefined : COMMANDS.find(([names]) => first !== undefined && names.includes(first));
  for (const [, declare] of only ? [only] : COMMANDS) {
    for (const cmd of [declare()].flat()) program.addCommand(cmd);
  }
  settle(program);
  return program;
}

/** Commander's message as one line: "unknown command 'todya' (did you mean today?; see papers --help)". */
function usageLine(err: PlacedError): string {
  if (err.unknownSubcommand) {
    const { given, known } = err.unknownSubcommand;
    const near = closest(given, known);
    return `unknown command '${err.commandPath} ${given}' (${near ? `did you mean ${near}?; ` : ''}see ${err.commandPath} --help)`;
  }
  const [first = '', ...rest] = err.message.replace(/^error:\s*/i, '').split('\n').map((l) => l.trim()).filter(Boolean);
  const hints = rest.map((l) => l.replace(/^\((.*)\)$/, '$1').replace(/^Did you mean/, 'did you mean'));
  hints.push(`see ${err.commandPath ?? 'papers'} --help`);
  return `${first} (${hints.join('; ')})`;
}

/** Turn any error into the contract's one line on stderr (and the cause chain with -v). */
export function reportError(err: unknown, verbose: boolean): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    process.stderr.write(`papers: ${usageLine(err)}\n`);
    return EXIT_USAGE;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const hint = e instanceof PapersError && e.hint ? ` (${e.hint})` : e instanceof PapersError ? '' : ' (run with --verbose for details)';
  process.stderr.write(`papers: ${e.message}${hint}\n`);
  if (verbose) {
    for (const line of causeChain(e)) process.stderr.write(`  caused by: ${line}\n`);
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
  const program = buildProgram(argv);
  // `papers` alone is a request for help: on stdout (so `papers | less` works), exit 0.
  if (argv.length <= 2) {
    program.outputHelp();
    return;
  }
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err, messages.verbose || argv.includes('--verbose') || argv.includes('-v'));
  }
}
