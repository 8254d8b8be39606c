/**
 * `papers import <file…>`: saved listings of every kind into the cache, one transaction per file;
 * the large inputs (the arXiv snapshot, papers' own records) streamed a batch per transaction.
 */
import { createReadStream, openSync, statSync } from 'node:fs';
import { causeChain, PapersError, StoreError, UsageError } from '../errors.js';
import { isIsoDate } from '../dates.js';
import { messages } from '../output.js';
import { plural } from '../format/words.js';
import { type ImportOptions, decodeInput, importStream, recogniseListing, storeRecognised } from '../import.js';
import { SNIFF_BYTES, sniffStream, type StreamKind } from '../import-stream.js';
import { parseDateArg } from '../dates.js';
import type { Store } from '../store/index.js';
import { openStore } from './common.js';
import type { ImportCommandOptions } from '../cli/import.js';

/** The local calendar date of `d`: the day the user saw on the page they copied. */
function localDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

interface Input {
  name: string;
  bytes: Buffer;
  /** The file's modification date (local), or null for stdin. */
  mtimeDate: string | null;
}

/** An input opened for reading: its bytes as they come, and what is known of it beforehand. */
interface Opened {
  name: string;
  chunks: AsyncIterator<Buffer | string>;
  /** The file's size in bytes, or null for stdin. */
  size: number | null;
  mtimeDate: string | null;
}

function openInput(file: string): Opened {
  if (file === '-') return { name: 'stdin', chunks: process.stdin[Symbol.asyncIterator](), size: null, mtimeDate: null };
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new PapersError('is a directory', { hint: 'give the saved files themselves' });
    // Opened here, so that a file that cannot be read fails now, with its reason.
    const fd = openSync(file, 'r');
    const stream = createReadStream('', { fd, highWaterMark: 1 << 20 });
    return { name: file, chunks: stream[Symbol.asyncIterator](), size: st.size, mtimeDate: localDate(st.mtime) };
  } catch (err) {
    if (err instanceof PapersError) throw err;
    const e = err as NodeJS.ErrnoException;
    const what = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : `cannot read it: ${e.message}`;
    throw new PapersError(what, { hint: 'check the path', cause: err });
  }
}

const toBuffer = (c: Buffer | string): Buffer => (typeof c === 'string' ? Buffer.from(c) : c);

/** The input's first bytes (at least `min`, or all of a shorter input), read before deciding how to read it. */
async function readHead(input: Opened, min: number): Promise<{ chunks: Buffer[]; bytes: Buffer; ended: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  while (size < min) {
    let r: IteratorResult<Buffer | string>;
    try {
      r = await input.chunks.next();
    } catch (err) {
      throw new PapersError(`cannot read it: ${(err as Error).message}`, { hint: 'check the path', cause: err });
    }
    if (r.done) return { chunks, bytes: Buffer.concat(chunks), ended: true };
    const b = toBuffer(r.value);
    chunks.push(b);
    size += b.length;
  }
  return { chunks, bytes: Buffer.concat(chunks), ended: false };
}

/** The whole input: its first bytes, then the rest. */
async function* replay(input: Opened, head: { chunks: Buffer[]; ended: boolean }): AsyncGenerator<Buffer> {
  yield* head.chunks;
  if (head.ended) return;
  for (let r = await input.chunks.next(); !r.done; r = await input.chunks.next()) yield toBuffer(r.value);
}

/** The input whole, for the listing importers (pages and answers: megabytes at most). */
async function readRest(input: Opened, head: { chunks: Buffer[]; ended: boolean }): Promise<Input> {
  const chunks: Buffer[] = [];
  for await (const c of replay(input, head)) chunks.push(c);
  return { name: input.name, bytes: Buffer.concat(chunks), mtimeDate: input.mtimeDate };
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
        const opened = openInput(file);
        const head = await readHead(opened, SNIFF_BYTES);
        const streamed = sniffStream(head.bytes, head.ended);
        if (streamed !== null) {
          await runStream(store, name, streamed.kind, replay(opened, head), opened.size, snapshotOpts);
          continue;
        }
        if (snapshotOpts.categories || snapshotOpts.since) {
          await opened.chunks.return?.();
          throw new UsageError("--category and --since apply to an arXiv metadata snapshot or papers' own records only", { hint: `${name} is neither` });
        }
        const input = await readRest(opened, head);
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

/** "1.2 GB" */
function bytesText(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.round(n / 1e3)} kB`;
}

const STREAM_WHAT: Record<StreamKind, string> = {
  snapshot: 'an arXiv metadata snapshot',
  'records-jsonl': "papers' own records (JSON Lines)",
  'records-json': "papers' own records (a JSON array)",
};

/** A streamed input (the snapshot, papers' own records): a progress bar on a terminal, one summary line. */
async function runStream(store: Store, name: string, kind: StreamKind, input: AsyncIterable<Buffer>, total: number | null, opts: { categories?: string[]; since?: string }): Promise<void> {
  const { statusLine } = await import('../progress.js');
  const line = statusLine(process.stderr, { enabled: !messages.verbose });
  const started = Date.now();
  let result;
  try {
    result = await importStream(store, input, kind, {
      ...opts,
      // A worker reads and parses while this thread stores; for a small file its start costs more.
      inWorker: total === null || total > 8_000_000,
      onProgress: ({ bytes, papers }) => {
        const secs = (Date.now() - started) / 1000;
        const rate = secs > 0 ? papers / secs : 0;
        if (total === null) {
          // stdin: no size known beforehand, so no bar and no time left.
          line.update(`${bytesText(bytes)} · ${papers} papers · ${Math.round(rate)}/s`);
          return;
        }
        const width = 20;
        const filled = Math.round((Math.min(bytes, total) / Math.max(total, 1)) * width);
        const left = bytes > 0 && bytes < total ? ((total - bytes) / bytes) * secs : 0;
        line.update(`${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${bytesText(bytes)}/${bytesText(total)} · ${papers} papers · ${Math.round(rate)}/s${left > 0 ? ` · ${left >= 90 ? `${Math.round(left / 60)} min` : `${Math.round(left)} s`} left` : ''}`);
      },
    });
  } catch (err) {
    line.clear();
    if (err instanceof PapersError) throw err;
    throw new StoreError(`${name}: cannot write to the cache ${store.path}: ${(err as Error).message}`, { cause: err, hint: 'the batches stored before are kept; import the file again to complete it' });
  }
  line.clear();
  const secs = (Date.now() - started) / 1000;
  const unit = kind === 'records-json' ? 'item' : 'line';
  const filters = [opts.categories ? `categories ${opts.categories.join(',')}` : '', opts.since ? `since ${opts.since}` : ''].filter(Boolean).join(', ');
  const named = result.badLines.slice(0, 5).map((b) => b.line).join(', ');
  const skipped = result.skipped > 0 ? `; ${plural(result.skipped, `bad ${unit}`)} skipped (${unit}${result.skipped === 1 ? '' : 's'} ${named}${result.skipped > 5 ? ', …' : ''})` : `; no bad ${unit}s`;
  messages.info(`${name}: ${STREAM_WHAT[kind]}${result.gzip ? ' (gzip)' : ''}: ${plural(result.papers, 'paper')}, ${result.inserted} new, ${result.updated} updated${filters ? `; ${result.filtered} left out by ${filters}` : ''}${skipped} (${secs.toFixed(1)} s, ${Math.round(result.papers / Math.max(secs, 0.001))} papers/s)`);
  for (const b of result.badLines.slice(0, 5)) messages.debug(`${name}: ${unit} ${b.line}: ${b.reason}`);
}
