/**
 * The one place that decides how papers reach the user: format, colour, width, and writing to
 * stdout with backpressure. Messages go to stderr through `warn`/`info`.
 */
import type { Paper } from './record.js';
import type { TableOptions } from './format/table.js';
import { UsageError } from './errors.js';

export const FORMATS = ['table', 'json', 'jsonl', 'csv', 'tsv', 'md'] as const;
export type Format = (typeof FORMATS)[number];
/** What `papers export` writes: the machine formats, and the exports for other tools. */
export const EXPORT_FORMATS = ['json', 'jsonl', 'csv', 'tsv', 'md', 'bibtex', 'atom'] as const;

/** How papers are shown, beyond the format: the record fields of --fields (table, csv, tsv). */
export const display: { fields: readonly string[] | undefined } = { fields: undefined };

/** Pick the format from --json, --jsonl and --format; conflicting flags are a usage error. */
export function resolveFormat(opts: { json?: boolean; jsonl?: boolean; format?: string }, allowed: readonly string[] = FORMATS): string {
  const chosen = [opts.json ? 'json' : null, opts.jsonl ? 'jsonl' : null, opts.format ?? null].filter((f): f is string => f !== null);
  const unique = [...new Set(chosen)];
  if (unique.length > 1) throw new UsageError(`conflicting output formats: ${unique.join(', ')}`, { hint: 'pick one of --json, --jsonl, --format' });
  const format = unique[0] ?? 'table';
  if (!allowed.includes(format)) throw new UsageError(`unknown format '${format}'`, { hint: `use one of ${allowed.join(', ')}` });
  return format;
}

/** Colour on a TTY only; NO_COLOR turns it off, FORCE_COLOR turns it on, as everywhere. */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return !['0', 'false'].includes(env.FORCE_COLOR);
  return !!stream.isTTY && env.TERM !== 'dumb';
}

/** The width to fit: the terminal's, else $COLUMNS, else 100. */
export function outputWidth(stream: { columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): number {
  return stream.columns || Number(env.COLUMNS) || 100;
}

/** Write chunks to stdout, waiting for the pipe to drain; a closed pipe (`| head`) ends quietly. */
export async function writeChunks(chunks: Iterable<string>, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  let buffer = '';
  for (const chunk of chunks) {
    buffer += chunk;
    if (buffer.length < 64 * 1024) continue;
    if (!out.write(buffer)) await new Promise((resolve) => out.once('drain', resolve));
    buffer = '';
  }
  if (buffer) out.write(buffer);
}

/**
 * Print papers in the chosen format. `heading` labels the human formats (table, md); `extra`
 * is a table column after the upvotes (the gain of --sort rising).
 */
export async function printPapers(papers: Iterable<Paper>, format: string, opts: { heading?: string; extra?: TableOptions['extra'] } = {}): Promise<void> {
  switch (format) {
    case 'json':
      return writeChunks((await import('./format/records.js')).renderJson(papers));
    case 'jsonl':
      return writeChunks((await import('./format/records.js')).renderJsonl(papers));
    case 'csv':
      return writeChunks((await import('./format/records.js')).renderCsv(papers, display.fields));
    case 'tsv':
      return writeChunks((await import('./format/records.js')).renderTsv(papers, display.fields));
    case 'md':
      return writeChunks((await import('./format/markdown.js')).renderMarkdown(papers, opts.heading));
    default: {
      const [{ renderTable }, color] = await Promise.all([import('./format/table.js'), chalkFor(process.stdout)]);
      const list = [...papers];
      const heading = opts.heading ? (color ? color.bold(opts.heading) : opts.heading) + '\n' : '';
      const body = list.length ? renderTable(list, { width: outputWidth(), color, fields: display.fields, extra: opts.extra }) : '';
      process.stdout.write(heading + body);
    }
  }
}

async function chalkFor(stream: { isTTY?: boolean }) {
  if (!colorEnabled(stream)) return null;
  const { Chalk } = await import('chalk');
  return new Chalk({ level: 1 });
}

/** Messages for people, on stderr. */
export const messages = {
  verbose: false,
  warn(msg: string): void {
    const prefix = colorEnabled(process.stderr) ? '\x1b[33mpapers: warning:\x1b[39m' : 'papers: warning:';
    process.stderr.write(`${prefix} ${msg}\n`);
  },
  info(msg: string): void {
    process.stderr.write(`papers: ${msg}\n`);
  },
  debug(msg: string): void {
    if (messages.verbose) process.stderr.write(`papers: ${msg}\n`);
  },
};

export { ago } from './format/words.js';
