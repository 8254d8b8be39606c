/**
 * `papers import`'s core: recognise a saved listing from its content (never its file name),
 * parse it with the source's own parser, and store it in one transaction. No printing.
 *
 * Formats: Hugging Face pages (daily, week, month, search, one paper), Hugging Face API answers
 * (a daily list, search results or a week/month, one paper), arXiv listing pages, arXiv Atom
 * answers, and the copied text of a Hugging Face listing page.
 *
 * Decisions:
 * - A saved page or API answer imports to the records that fetching it gives: the records keep
 *   the source that made them (`hf`, `arxiv`); only copied text, which carries no source's
 *   identity, is `import`.
 * - A file that looks cut short stores nothing: JSON that does not parse, an HTML page without
 *   its closing `</html>`, an Atom feed without its `</feed>`, a gzip stream that ends early.
 * - A Hugging Face answer or page that is one day's list (every paper on the same daily list)
 *   is stored as that list, with ranks, as `papers today`/`fetch` store it; everything else
 *   (search results, week/month, one paper, copied text) is stored paper by paper.
 */
import { existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ParseError } from './errors.js';
import { isPapersRecord, paperFromRecord, parseRecordText, type StreamKind } from './import-stream.js';
import type { Listing, ParsedPaper, SourceName } from './record.js';
import type { Store, SupersetResult } from './store/index.js';
import type { ReadStats } from './json-records.js';
import { parseHfCopiedText } from './sources/hf/copied-text.js';
import { paperFromHfItem, parseDailyPapersApi, parseHfHydration, parseHfPage } from './sources/hf/parse.js';

export interface ImportOptions {
  /** The capture date (YYYY-MM-DD) that year-less dates in copied text resolve against. */
  asOf: string;
  /** Where asOf came from, for the report: "from --as-of", "the file's modification date", "today". */
  asOfSource: string;
}

export interface Recognised {
  listing: Listing;
  /** What the content was recognised as, in words for the user. */
  what: string;
  /** Set when the content is one whole daily list: it is stored as that list, with ranks. */
  list: { source: SourceName; date: string } | null;
}

const HINT = 'nothing from it was stored; see papers import --help for the formats it reads';

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The text of a file's bytes: UTF-8 (BOM or not), UTF-16 with a BOM, or gzip of either.
 * A binary file is refused rather than read as garbage.
 */
export function decodeInput(buf: Buffer): string {
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (err) {
      throw new ParseError('a gzip file that does not decompress (cut short?)', { hint: HINT, cause: err });
    }
  }
  // UTF-16 comes in pairs of bytes: an odd count is a file cut short, which stores nothing.
  if (buf.length >= 2 && (buf[0] === 0xff && buf[1] === 0xfe || buf[0] === 0xfe && buf[1] === 0xff) && buf.length % 2 === 1) {
    throw new ParseError('a UTF-16 file with an odd number of bytes (cut short?)', { hint: HINT });
  }
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    const swapped = Buffer.from(buf.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  if (buf.subarray(0, 8192).includes(0)) throw new ParseError('a binary file, not a listing', { hint: HINT });
  return buf.toString('utf8').replace(/^\uFEFF/, '');
}

/** The date every paper of a listing shares, or null (none, or several). */
function sharedDailyDate(papers: readonly ParsedPaper[]): string | null {
  const first = papers[0]?.dailyDate ?? null;
  if (first === null) return null;
  return papers.every((p) => p.dailyDate === first) ? first : null;
}

function fromHfJson(data: unknown, raw: string): Recognised {
  if (isPapersRecord(data) || (Array.isArray(data) && isPapersRecord(data[0]))) return fromRecords(data);
  if (Array.isArray(data)) {
    const listing = parseDailyPapersApi(raw, { format: 'hf-api' });
    const date = sharedDailyDate(listing.papers);
    if (date !== null) {
      return { listing: { ...listing, date }, what: `a Hugging Face API answer: the daily list of ${date}`, list: { source: 'hf', date } };
    }
    const what = listing.papers.length === 0
      ? 'an empty Hugging Face API answer'
      : 'a Hugging Face API answer: papers from several days (search results, a week or a month)';
    return { listing: { ...listing, date: null }, what, list: null };
  }
  if (isRecord(data)) {
    if (typeof data.error === 'string') throw new ParseError(`a Hugging Face error answer ("${data.error.slice(0, 80)}"), not papers`, { hint: HINT });
    if (typeof data.id === 'string' || isRecord(data.paper)) {
      const paper = paperFromHfItem(data);
      return { listing: { papers: [paper], date: null, format: 'hf-api-paper' }, what: 'a Hugging Face API answer: one paper', list: null };
    }
  }
  throw new ParseError('JSON, but not a Hugging Face API answer papers knows', { hint: HINT });
}

/** papers' own records (`show --json`, a small export): every record must be whole. */
function fromRecords(data: unknown): Recognised {
  const items = Array.isArray(data) ? data : [data];
  const papers = items.map((item, i) => {
    try {
      return paperFromRecord(item);
    } catch (err) {
      if (!(err instanceof ParseError) || items.length === 1) throw err;
      throw new ParseError(`record ${i + 1}: ${err.message}`, { hint: HINT, cause: err });
    }
  });
  return { listing: { papers, date: null, format: 'papers-records' }, what: papers.length === 1 ? "papers' own record" : "papers' own records (a JSON array)", list: null };
}

function describeHfPage(listing: Listing): Recognised {
  switch (listing.format) {
    case 'hf-search-page':
      return { listing, what: 'a Hugging Face search page', list: null };
    case 'hf-paper-page':
      return { listing, what: 'a Hugging Face paper page', list: null };
    case 'hf-page-cards':
      return listing.date !== null
        ? { listing, what: `a Hugging Face daily list page of ${listing.date} (its cards: the page has no embedded data)`, list: { source: 'hf', date: listing.date } }
        : { listing, what: 'a Hugging Face listing page (its cards: the page has no embedded data)', list: null };
    default:
      return listing.date !== null
        ? { listing, what: `a Hugging Face daily list page of ${listing.date}`, list: { source: 'hf', date: listing.date } }
        : { listing, what: 'a Hugging Face listing page of several days (a week or a month)', list: null };
  }
}

async function fromMarkup(text: string): Promise<Recognised> {
  const head = text.slice(0, 4096);
  const isHtml = /<html[\s>]/i.test(head) || /<!doctype html/i.test(head);
  if (!isHtml && /<feed[\s>]/i.test(head)) return fromAtom(text);
  if (/<html[\s>]/i.test(text) && !/<\/html\s*>/i.test(text)) {
    throw new ParseError('an HTML page cut short: it ends before its closing </html>', { hint: HINT });
  }
  let hydrated;
  try {
    hydrated = parseHfHydration(text);
  } catch (err) {
    // Hydration data there but unreadable: the page's visible cards, else the page's error.
    if (!(err instanceof ParseError)) throw err;
    return describeHfPage(await parseHfPage(text));
  }
  if (hydrated !== null) return describeHfPage(hydrated);
  const arxiv = await fromArxivListing(text);
  if (arxiv !== null) return arxiv;
  try {
    return describeHfPage(await parseHfPage(text));
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    throw new ParseError('an HTML page, but neither a Hugging Face papers page nor an arXiv listing', { hint: HINT, cause: err });
  }
}

/**
 * An arXiv listing page (/list/<cat>/new or /recent): its `#dlpage` with `dl#articles` (the
 * layout since 2024) or entries in `span.list-identifier` (the layout before), or no entries.
 */
function looksLikeArxivListing(html: string): boolean {
  return /\bid\s*=\s*["']?dlpage\b/i.test(html)
    && (/<dl\b[^>]*\bid\s*=\s*["']?articles\b/i.test(html) || /class\s*=\s*["']?list-identifier\b/i.test(html) || /No updates for this time period/i.test(html));
}

// The arXiv parsers live in src/sources/arxiv/parse.ts. Neither shape is stored as a list: an
// API answer is a query's results, and a listing page does not name its category.
async function fromAtom(text: string): Promise<Recognised> {
  const { parseArxivAtom } = await import('./sources/arxiv/parse.js');
  const listing = await parseArxivAtom(text);
  return { listing, what: `an arXiv API answer (${listing.papers.length} of ${listing.totalResults} results)`, list: null };
}

async function fromArxivListing(text: string): Promise<Recognised | null> {
  if (!looksLikeArxivListing(text)) return null;
  const { parseArxivListing } = await import('./sources/arxiv/parse.js');
  const listing = await parseArxivListing(text);
  return { listing, what: `an arXiv listing page${listing.date ? ` of ${listing.date}` : ''}`, list: null };
}

/**
 * Recognise and parse one file's text. Throws ParseError (naming what it saw) when the format
 * is unknown or the content is broken; nothing is stored by this function.
 */
export async function recogniseListing(text: string, opts: ImportOptions): Promise<Recognised> {
  const t = text.replace(/^\uFEFF/, '');
  const start = t.trimStart();
  if (start === '') throw new ParseError('the file is empty', { hint: HINT });
  const c = start[0];
  if (c === '[' || c === '{') {
    let data: unknown;
    try {
      data = JSON.parse(t);
    } catch (err) {
      // Copied text may begin with a bracketed title ("[Re] …"); anything else is broken JSON.
      const copied = fromCopiedText(t, opts);
      if (copied !== null) return copied;
      throw new ParseError('JSON that does not parse: the file is cut short or is not JSON', { hint: HINT, cause: err });
    }
    return fromHfJson(data, t);
  }
  if (c === '<' || /<html[\s>]/i.test(start.slice(0, 4096))) return fromMarkup(t);
  const copied = fromCopiedText(t, opts);
  if (copied !== null) return copied;
  throw new ParseError('not a format papers can import', { hint: 'see papers import --help for the formats it reads; nothing was stored' });
}

function fromCopiedText(text: string, opts: ImportOptions): Recognised | null {
  const listing = parseHfCopiedText(text, { asOf: opts.asOf });
  if (listing === null) return null;
  return { listing, what: `copied text of a Hugging Face listing (as of ${opts.asOf}, ${opts.asOfSource})`, list: null };
}

/** `listKept`: the content was a daily list, but the cache's list of that day has papers the file lacks. */
export type ImportResult = SupersetResult;

/** Store what was recognised: one transaction, all of it or nothing. */
export function storeRecognised(store: Store, rec: Recognised, opts: { now?: string } = {}): ImportResult {
  const { list, listing } = rec;
  if (list !== null) return store.saveListIfSuperset(list.source, list.date, listing.papers, opts);
  return { ...store.upsertPapers(listing.papers, opts), listKept: false };
}

// ---- streamed inputs: the arXiv metadata snapshot and papers' own records ---------------------

export interface StreamImportOptions {
  /** Category globs (`cs.*`). */
  categories?: string[];
  /** Papers whose first version is of this day or later. */
  since?: string;
  /** Papers per write transaction. */
  batchSize?: number;
  /** After each stored batch: bytes read, papers stored so far. */
  onProgress?: (p: { bytes: number; papers: number }) => void;
  /**
   * Read and parse in a worker thread while this one stores (when the built worker module is
   * there): worth its start-up for large inputs.
   */
  inWorker?: boolean;
}

export interface StreamImportResult {
  papers: number;
  inserted: number;
  updated: number;
  unchanged: number;
  filtered: number;
  skipped: number;
  /** The first bad lines (array items for a JSON array), by number, with what is wrong. */
  badLines: { line: number; reason: string }[];
  gzip: boolean;
  bytes: number;
}

/**
 * Stream a large input into the cache with flat memory: records are read a line (or array
 * item) at a time, filtered while reading, and stored a batch per transaction. A bad line is
 * counted and named, never fatal; a damaged gzip stream or an array cut short ends the import
 * with a ParseError that says how many papers before it were stored (they are kept).
 */
export async function importStream(store: Store, input: AsyncIterable<Buffer | string>, kind: StreamKind, opts: StreamImportOptions = {}): Promise<StreamImportResult> {
  const { readSnapshot } = await import('./sources/arxiv/snapshot.js');
  const { readJsonRecords } = await import('./json-records.js');
  const filters = { ...(opts.categories ? { categories: opts.categories } : {}), ...(opts.since ? { since: opts.since } : {}) };
  const { batches, stats } = (opts.inWorker ? await readInWorker(input, kind, filters) : null) ?? (kind === 'snapshot'
    ? readSnapshot(input, filters)
    : readJsonRecords(input, { ...filters, parse: parseRecordText, shape: kind === 'records-json' ? 'array' : 'lines' }));
  const size = opts.batchSize ?? 2000;
  const result: StreamImportResult = { papers: 0, inserted: 0, updated: 0, unchanged: 0, filtered: 0, skipped: 0, badLines: [], gzip: false, bytes: 0 };
  let batch: ParsedPaper[] = [];
  const flush = () => {
    if (batch.length === 0) return;
    const r = store.upsertPapers(batch, { digests: batch.map((p) => digestOf.get(p)) });
    result.papers += batch.length;
    result.inserted += r.inserted;
    result.updated += r.updated;
    result.unchanged += r.unchanged;
    batch = [];
    opts.onProgress?.({ bytes: stats.bytes, papers: result.papers });
  };
  try {
    for await (const papers of batches) {
      if (batch.length === 0 && papers.length >= size) batch = papers;
      else for (const p of papers) batch.push(p);
      if (batch.length >= size) flush();
    }
    flush();
  } catch (err) {
    // What was read before the failure is good: it is stored, then the failure is told.
    flush();
    if (err instanceof ParseError) throw new ParseError(`${err.message}, after ${result.papers} papers (stored)`, { hint: err.hint ?? 'import the file again once it is whole', cause: err });
    throw err;
  } finally {
    result.filtered = stats.filtered;
    result.skipped = stats.skipped;
    result.badLines = stats.badLines;
    result.gzip = stats.gzip;
    result.bytes = stats.bytes;
  }
  return result;
}

/**
 * The input digests the reading worker made (store/input-digest.ts), by paper: its batches are
 * regrouped into the store's, and a paper without one is hashed by the store.
 */
const digestOf = new WeakMap<ParsedPaper, string>();

/** The worker's young generation (V8 makes it of three semi-spaces: 32 MB each). */
const WORKER_YOUNG_MB = 96;

/** How many input chunks the worker may hold that it has not taken yet. */
const WORKER_AHEAD = 4;

type WorkerMessage =
  | { took: number }
  | { batch: ParsedPaper[]; digests: (string | undefined)[]; stats: ReadStats }
  | { done: true; stats: ReadStats }
  | { error: { message: string; hint: string | null; parse: boolean }; stats: ReadStats };

/**
 * The records of a streamed input, read and parsed in a worker thread (import-worker.ts) while
 * this thread stores: the same batches and stats as the readers give in this thread. Null when
 * the worker's module is not there (the sources run unbuilt): the caller reads here instead.
 * At most WORKER_AHEAD chunks wait in the worker and what it parsed waits here, so memory stays
 * flat however far the reading could run ahead of the store.
 */
async function readInWorker(input: AsyncIterable<Buffer | string>, kind: StreamKind, filters: { categories?: string[]; since?: string }): Promise<{ batches: AsyncGenerator<ParsedPaper[], void, undefined>; stats: ReadStats } | null> {
  const url = new URL('./import-worker.js', import.meta.url);
  if (url.protocol !== 'file:' || !existsSync(url)) return null;
  const { Worker } = await import('node:worker_threads');
  // A larger young generation than the default: a chunk's records outlive a few of its
  // collections, and with the default they are promoted and collected again at a higher cost
  // (measured: 32 MB semi-spaces read a sixth more records a CPU second for about 50 MB more;
  // 64 MB a third more for 90 MB). A fixed size: memory stays flat.
  const worker = new Worker(url, { workerData: { kind, ...filters }, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
  const stats: ReadStats = { bytes: 0, lines: 0, papers: 0, filtered: 0, skipped: 0, badLines: [], gzip: false };
  const inbox: WorkerMessage[] = [];
  let failed: unknown = null;
  let wake: (() => void) | null = null;
  let credit: (() => void) | null = null;
  let sent = 0;
  let taken = 0;
  let stopped = false;
  const poke = (f: (() => void) | null) => f?.();
  worker.on('message', (m: WorkerMessage) => {
    if ('took' in m) {
      taken++;
      poke(credit);
      return;
    }
    Object.assign(stats, m.stats);
    inbox.push(m);
    poke(wake);
  });
  worker.on('error', (err) => {
    failed ??= err;
    poke(wake);
  });
  worker.on('exit', () => {
    failed ??= new Error('the import worker stopped');
    poke(wake);
    poke(credit);
  });
  void (async () => {
    try {
      for await (const chunk of input) {
        while (sent - taken >= WORKER_AHEAD && !stopped) await new Promise<void>((r) => (credit = r));
        credit = null;
        if (stopped) return;
        // A copy of exactly the chunk's bytes, handed over (a chunk may view a larger pool).
        const copy = typeof chunk === 'string' ? Buffer.from(chunk) : new Uint8Array(chunk);
        worker.postMessage({ chunk: copy }, [copy.buffer as ArrayBuffer]);
        sent++;
      }
      if (!stopped) worker.postMessage({ end: true });
    } catch (err) {
      failed ??= err;
      poke(wake);
    }
  })();
  async function* batches(): AsyncGenerator<ParsedPaper[], void, undefined> {
    try {
      for (;;) {
        while (inbox.length > 0) {
          const m = inbox.shift()!;
          if ('batch' in m) {
            m.batch.forEach((p, i) => m.digests[i] !== undefined && digestOf.set(p, m.digests[i]!));
            yield m.batch;
          }
          else if ('done' in m) return;
          else if ('error' in m) throw m.error.parse ? new ParseError(m.error.message, m.error.hint !== null ? { hint: m.error.hint } : {}) : new Error(m.error.message);
        }
        if (failed !== null) throw failed;
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
    } finally {
      stopped = true;
      poke(credit);
      worker.removeAllListeners('exit');
      await worker.terminate();
    }
  }
  return { batches: batches(), stats };
}
