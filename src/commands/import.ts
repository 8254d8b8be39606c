/** `papers import <file…>`: saved listings of every kind into the cache, one transaction per file. */
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { causeChain, PapersError, StoreError, UsageError } from '../errors.js';
import { isIsoDate } from '../dates.js';
import { messages } from '../output.js';
import { plural } from '../format/words.js';
import { type ImportOptions, decodeInput, recogniseListing, storeRecognised } from '../import.js';
import type { Store } from '../store/index.js';
import { openStore } from './common.js';

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

export async function run(opts: Record<string, unknown>, cmd: Command): Promise<void> {
  const files = cmd.args;
  if (files.length === 0) throw new UsageError('no file given', { hint: 'papers import <file…>, or - for stdin' });
  const asOf = typeof opts.asOf === 'string' ? opts.asOf.trim() : undefined;
  if (asOf !== undefined && !isIsoDate(asOf)) throw new UsageError(`--as-of: '${String(opts.asOf)}' is not a date`, { hint: 'use YYYY-MM-DD' });

  const store: Store = openStore(opts);
  let failed = 0;
  try {
    for (const file of files) {
      const name = file === '-' ? 'stdin' : file;
      try {
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
        if (!(err instanceof PapersError) || err instanceof StoreError) throw err;
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
