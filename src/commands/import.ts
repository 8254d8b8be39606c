/** `papers import <file…>`: saved listings of every kind into the cache, one transaction per file. */
import { readFileSync, statSync } from 'node:fs';
import { causeChain, PapersError, StoreError, UsageError } from '../errors.js';
import { isIsoDate } from '../dates.js';
import { messages } from '../output.js';
import { plural } from '../format/words.js';
import { type ImportOptions, decodeInput, importSnapshot, looksLikeArxivSnapshot, recogniseListing, storeRecognised } from '../import.js';
import { parseDateArg } from '../dates.js';
import type { Store } from '../store/index.js';
import { openStore } from './common.js';
import type { ImportCommandOptions } from '../cli/import.js';

/** The local calendar date of `d`: the day the user saw on the page they copied. */
function localDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

interface Input {
  name: string;
  bytes: Buffer;
  /** The file's modification date (local), or null for stdin. */
  mtimeDate: string | null;
}

async function readInput(file: string): Promise<Input> {
  if (file === '-') return { name: 'stdin', bytes: await readAll(process.stdin), mtimeDate: null };
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new PapersError('is a directory', { hint: 'give the saved files themselves' });
    return { name: file, bytes: readFileSync(file), mtimeDate: localDate(st.mtime) };
  } catch (err) {
    if (err instanceof PapersError) throw err;
    const e = err as NodeJS.ErrnoException;
    const what = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : `cannot read it: ${e.message}`;
    throw new PapersError(what, { hint: 'check the path', cause: err });
  }
}

function asOfFor(input: Input, given: string | undefined): ImportOptions {
  if (given !== undefined) return { asOf: given, asOfSource: 'from --as-of' };
  if (input.mtimeDate !== null) return { asOf: input.mtimeDate, asOfSource: "the file's modification date; set another with --as-of" };
  return { asOf: localDate(new Date()), asOfSource: 'today; set another with --as-of' };
}


/** One line for a file that failed (and its causes with --verbose). */
function reportFailure(name: string, err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  const hint = e instanceof PapersError && e.hint ? ` (${e.hint})` : '';
  process.stderr.write(`papers: ${name}: ${e.message}${hint}\n`);
  if (messages.verbose) for (const line of causeChain(e)) process.stderr.write(`  caused by: ${line}\n`);
}

export async function run(opts: ImportCommandOptions, files: string[]): Promise<void> {
  if (files.length === 0) throw new UsageError('no file given', { hint: 'papers import <file…>, or - for stdin' });
  const asOf = opts.asOf?.trim();
  if (asOf !== undefined && !isIsoDate(asOf)) throw new UsageError(`--as-of: '${opts.asOf}' is not a date`, { hint: 'use YYYY-MM-DD' });

  const categories = (opts.category ?? []).flatMap((c) => c.split(',')).map((c) => c.trim()).filter(Boolean);
  const snapshotOpts = {
    ...(categories.length > 0 ? { categories } : {}),
    ...(opts.since !== undefined ? { since: parseDateArg(opts.since, '--since') } : {}),
  };
  const store: Store = openStore(opts);
  let failed = 0;
  try {
    for (const file of files) {
      const name = file === '-' ? 'stdin' : file;
      try {
        if (file !== '-' && isFile(file) && looksLikeArxivSnapshot(file)) {
          await runSnapshot(store, file, snapshotOpts);
          continue;
        }
        if (snapshotOpts.categories || snapshotOpts.since) throw new UsageError('--category and --since apply to an arXiv metadata snapshot only', { hint: `${name} is not one` });
        const input = await readInput(file);
        const text = decodeInput(input.bytes);
        const rec = await recogniseListing(text, asOfFor(input, asOf));
        let result;
        try {
          result = storeRecognised(store, rec);
        } catch (err) {
          if (err instanceof PapersError) throw err;
          // Not this file's fault: the cache itself failed, so stop here.
          throw new StoreError(`${name}: cannot write to the cache ${store.path}: ${(err as Error).message}`, { cause: err, hint: 'nothing from this file was stored' });
        }
        const n = rec.listing.papers.length;
        const kept = result.listKept ? `; the cached list of ${rec.list?.date} has papers this file lacks, so it is kept as it was` : '';
        messages.info(`${name}: ${rec.what}: ${plural(n, 'paper')}, ${result.inserted} new, ${result.updated} updated${kept}`);
      } catch (err) {
        if (!(err instanceof PapersError) || err instanceof StoreError || err instanceof UsageError) throw err;
        failed++;
        reportFailure(name, err);
      }
    }
  } finally {
    store.close();
  }
  if (failed > 0) {
    // Each failure has been named above; the exit code says that the import did not all work.
    process.exitCode = 1;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** "1.2 GB" */
function bytesText(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.round(n / 1e3)} kB`;
}

/** An arXiv metadata snapshot, streamed: a progress bar on a terminal, one summary line. */
async function runSnapshot(store: Store, file: string, opts: { categories?: string[]; since?: string }): Promise<void> {
  const { createReadStream } = await import('node:fs');
  const { statusLine } = await import('../progress.js');
  const total = statSync(file).size;
  const line = statusLine(process.stderr, { enabled: !messages.verbose });
  const started = Date.now();
  let result;
  try {
    result = await importSnapshot(store, createReadStream(file, { highWaterMark: 1 << 20 }), {
      ...opts,
      onProgress: ({ bytes, papers }) => {
        const secs = (Date.now() - started) / 1000;
        const rate = secs > 0 ? papers / secs : 0;
        const width = 20;
        const filled = Math.round((Math.min(bytes, total) / Math.max(total, 1)) * width);
        const left = bytes > 0 && bytes < total ? ((total - bytes) / bytes) * secs : 0;
        line.update(`${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${bytesText(bytes)}/${bytesText(total)} · ${papers} papers · ${Math.round(rate)}/s${left > 0 ? ` · ${left >= 90 ? `${Math.round(left / 60)} min` : `${Math.round(left)} s`} left` : ''}`);
      },
    });
  } catch (err) {
    line.clear();
    if (err instanceof PapersError) throw err;
    throw new StoreError(`${file}: cannot write to the cache ${store.path}: ${(err as Error).message}`, { cause: err, hint: 'the batches stored before are kept; import the file again to complete it' });
  }
  line.clear();
  const secs = (Date.now() - started) / 1000;
  const filters = [opts.categories ? `categories ${opts.categories.join(',')}` : '', opts.since ? `since ${opts.since}` : ''].filter(Boolean).join(', ');
  const named = result.badLines.slice(0, 5).map((b) => b.line).join(', ');
  const skipped = result.skipped > 0 ? `; ${plural(result.skipped, 'bad line')} skipped (line${result.skipped === 1 ? '' : 's'} ${named}${result.skipped > 5 ? ', …' : ''})` : '; no bad lines';
  messages.info(`${file}: an arXiv metadata snapshot${result.gzip ? ' (gzip)' : ''}: ${plural(result.papers, 'paper')}, ${result.inserted} new, ${result.updated} updated${filters ? `; ${result.filtered} left out by ${filters}` : ''}${skipped} (${secs.toFixed(1)} s, ${Math.round(result.papers / Math.max(secs, 0.001))} papers/s)`);
  for (const b of result.badLines.slice(0, 5)) messages.debug(`${file}: line ${b.line}: ${b.reason}`);
}
