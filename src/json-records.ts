/**
 * Paper records streamed from JSON: one a line (JSON Lines) or the items of one array, plain or
 * gzip-compressed, with flat memory whatever the size. The text is split as it arrives, each
 * line or item parsed on its own by the caller's parser, and a bad one counted and named by its
 * number while the reading goes on. Both large inputs of `papers import` read through here:
 * arXiv's metadata snapshot (sources/arxiv/snapshot.ts) and papers' own records.
 */
import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, type Gunzip } from 'node:zlib';
import { ParseError } from './errors.js';
import type { ParsedPaper } from './record.js';

/** A line longer than this (in characters) is not a paper (the longest real ones are tens of KB). */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;
/** How many bad lines are named in the stats (all are counted). */
export const MAX_NAMED_BAD_LINES = 100;

export interface ReadOptions {
  /** Category globs (`cs.*`, `math.GT`, `*-ph`): a paper is kept when any of its categories matches any glob. */
  categories?: string[];
  /** Keep papers whose first version is on or after this day (YYYY-MM-DD); papers without a v1 date are left out. */
  since?: string;
  /** Keep papers whose latest version is on or after this day (YYYY-MM-DD). */
  updatedSince?: string;
  /** Called for each bad line, as it is met. */
  onBadLine?: (line: number, reason: string) => void;
}

export interface ReadStats {
  /** Bytes read from the input (compressed bytes for a gzip file: compare with its size). */
  bytes: number;
  /** Lines read (blank ones included). */
  lines: number;
  /** Records yielded. */
  papers: number;
  /** Good records left out by the filters. */
  filtered: number;
  /** Bad lines, counted. */
  skipped: number;
  /** The first MAX_NAMED_BAD_LINES bad lines: number and reason. */
  badLines: { line: number; reason: string }[];
  /** Whether the input was gzip-compressed. */
  gzip: boolean;
}

/** A category glob as a test: `*` any run of characters, `?` one; case as written. */
export function categoryMatcher(globs: string[]): (categories: string[]) => boolean {
  const res = globs.map((g) => new RegExp(`^${g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`));
  return (cats) => cats.some((c) => res.some((re) => re.test(c)));
}

/** How a JSON file holds its records: one a line (JSON Lines), or as the items of one array. */
export type JsonShape = 'lines' | 'array';

export interface JsonReadOptions<P extends ParsedPaper> extends ReadOptions {
  /** One line (or array item) as a record; throws ParseError for a bad one. */
  parse: (text: string) => P;
  shape: JsonShape;
  /**
   * The categories a raw line states, found without parsing it (null when it cannot tell):
   * lets the category filter reject most lines before JSON.parse.
   */
  peekCategories?: (line: string) => string[] | null;
}


/** Input bytes, gunzipped when they begin with gzip's magic bytes; counts the bytes read. */
async function* decompressed(input: AsyncIterable<Buffer | string>, stats: ReadStats): AsyncGenerator<Buffer> {
  let head: Buffer | null = Buffer.alloc(0);
  let gunzip: Gunzip | null = null;
  let gunzipError: unknown = null;
  const out: Buffer[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  const startGunzip = () => {
    const gz = createGunzip({ chunkSize: 1 << 20 });
    gz.on('data', (b: Buffer) => {
      out.push(b);
      wake?.();
    });
    gz.on('error', (err) => {
      gunzipError = err;
      wake?.();
    });
    gz.on('end', () => {
      ended = true;
      wake?.();
    });
    return gz;
  };
  // Drain what gunzip produced, then wait (backpressure: gunzip's write() return is honoured).
  async function* drain(wait: boolean): AsyncGenerator<Buffer> {
    for (;;) {
      while (out.length > 0) yield out.shift()!;
      if (gunzipError !== null) throw new ParseError(`the gzip stream is damaged (${gunzipError instanceof Error ? gunzipError.message : String(gunzipError)})`, { hint: 'the file is cut short or not gzip; download it again' });
      if (!wait || ended) return;
      await new Promise<void>((r) => (wake = r));
      wake = null;
    }
  }
  for await (const raw of input) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : (raw as Buffer);
    stats.bytes += chunk.length;
    let data = chunk;
    if (head !== null) {
      head = Buffer.concat([head, chunk]);
      if (head.length < 2) continue;
      stats.gzip = head[0] === 0x1f && head[1] === 0x8b;
      data = head;
      head = null;
      if (stats.gzip) gunzip = startGunzip();
    }
    if (gunzip === null) {
      yield data;
      continue;
    }
    const gz: Gunzip = gunzip;
    const ok = gz.write(data);
    yield* drain(false);
    if (!ok) {
      await Promise.race([once(gz, 'drain'), once(gz, 'error').catch(() => undefined)]);
      yield* drain(false);
    }
  }
  if (head !== null && head.length > 0) yield head;
  if (gunzip !== null) {
    gunzip.end();
    yield* drain(true);
  }
}

/**
 * Records from JSON Lines or from one JSON array (plain or gzip), streamed with flat memory:
 * the text is split into lines (or the array into its items) as it arrives, each is parsed on
 * its own, and the records come out a chunk's worth at a time. A bad line or item is counted
 * and named by its number, and the reading goes on; an array cut short (no closing `]`) ends
 * the iteration with a ParseError after the records before it.
 */
export function readJsonRecords<P extends ParsedPaper>(input: AsyncIterable<Buffer | string>, opts: JsonReadOptions<P>): { papers: AsyncGenerator<P, void, undefined>; batches: AsyncGenerator<P[], void, undefined>; stats: ReadStats } {
  const stats: ReadStats = { bytes: 0, lines: 0, papers: 0, filtered: 0, skipped: 0, badLines: [], gzip: false };
  const match = opts.categories && opts.categories.length > 0 ? categoryMatcher(opts.categories) : null;
  const { parse, since, updatedSince } = opts;
  const peek = match !== null ? opts.peekCategories : undefined;
  const bad = (line: number, reason: string) => {
    stats.skipped++;
    if (stats.badLines.length < MAX_NAMED_BAD_LINES) stats.badLines.push({ line, reason });
    opts.onBadLine?.(line, reason);
  };
  /** One line or item into `out`, or counted as filtered or bad. */
  const handle = (text: string, out: P[]): void => {
    const n = ++stats.lines;
    if (opts.shape === 'lines' && isBlank(text)) return;
    if (peek !== undefined) {
      const cats = peek(text);
      // Cheap rejection before JSON.parse; a line it rejects would not have matched anyway.
      if (cats !== null && !match!(cats)) {
        stats.filtered++;
        return;
      }
    }
    let p: P;
    try {
      p = parse(text);
    } catch (err) {
      bad(n, err instanceof Error ? err.message : String(err));
      return;
    }
    if ((match !== null && !match(p.categories)) || (since !== undefined && (p.publishedAt === null || p.publishedAt < since)) || (updatedSince !== undefined && (p.updatedAt === null || p.updatedAt < updatedSince))) {
      stats.filtered++;
      return;
    }
    stats.papers++;
    out.push(p);
  };

  async function* lines(): AsyncGenerator<P[], void, undefined> {
    const decoder = new StringDecoder('utf8');
    let rest = '';
    let skipping = false; // inside an over-long line: drop text until its end
    for await (const chunk of decompressed(input, stats)) {
      const text = decoder.write(chunk);
      const out: P[] = [];
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        if (skipping) {
          skipping = false;
          rest = '';
        } else {
          handle(rest === '' ? text.slice(start, nl) : rest + text.slice(start, nl), out);
          rest = '';
        }
        start = nl + 1;
      }
      if (!skipping) {
        rest = rest === '' ? text.slice(start) : rest + text.slice(start);
        if (rest.length > MAX_LINE_CHARS) {
          stats.lines++;
          bad(stats.lines, `line longer than ${MAX_LINE_CHARS} characters`);
          skipping = true;
          rest = '';
        }
      }
      if (out.length > 0) yield out;
    }
    rest += decoder.end();
    const out: P[] = [];
    if (!skipping && rest !== '') handle(rest, out);
    if (out.length > 0) yield out;
  }

  async function* items(): AsyncGenerator<P[], void, undefined> {
    const decoder = new StringDecoder('utf8');
    const scan = new ArrayScanner();
    for await (const chunk of decompressed(input, stats)) {
      const out: P[] = [];
      scan.feed(decoder.write(chunk), (item) => handle(item, out));
      if (out.length > 0) yield out;
    }
    const out: P[] = [];
    scan.feed(decoder.end(), (item) => handle(item, out));
    if (out.length > 0) yield out;
    scan.end();
  }

  const batches = opts.shape === 'array' ? items() : lines();
  async function* papers(): AsyncGenerator<P, void, undefined> {
    for await (const b of batches) yield* b;
  }
  return { papers: papers(), batches, stats };
}

/** True for a line of nothing but whitespace (cheaper than trim() on every line). */
function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10 && c !== 0xfeff) return false;
  }
  return true;
}

const ARRAY_HINT = 'the file is not one JSON array of records, or is cut short';

/**
 * Splits the text of one JSON array, fed in pieces, into the text of its items: it follows
 * strings (and their escapes) and nesting, so it never parses, and keeps only the item it is in.
 */
class ArrayScanner {
  /** Text from the start of the current item (or unscanned text before the array). */
  private buf = '';
  /** Where in buf scanning resumes. */
  private pos = 0;
  /** Where the current item starts in buf, or -1 between items. */
  private start = -1;
  /** 0 before the array, 1 inside it between items, more inside an item. */
  private depth = 0;
  private inString = false;
  private done = false;

  feed(text: string, item: (text: string) => void): void {
    if (text === '') return;
    let s = this.buf === '' ? text : this.buf + text;
    let i = this.pos;
    let depth = this.depth;
    let start = this.start;
    let inString = this.inString;
    const n = s.length;
    while (i < n) {
      if (inString) {
        // To the closing quote: one preceded by an even number of backslashes.
        let q = s.indexOf('"', i);
        for (;;) {
          if (q < 0) break;
          let b = q - 1;
          while (b >= 0 && s.charCodeAt(b) === 92) b--;
          if ((q - 1 - b) % 2 === 0) break;
          q = s.indexOf('"', q + 1);
        }
        if (q < 0) {
          // The string goes on in the next piece; its backslashes stay in buf, so an escape
          // split across pieces is still counted whole.
          i = n;
          break;
        }
        inString = false;
        i = q + 1;
        continue;
      }
      const c = s.charCodeAt(i);
      if (this.done) {
        if (c !== 32 && c !== 9 && c !== 10 && c !== 13) throw new ParseError('text after the end of the JSON array', { hint: ARRAY_HINT });
        i++;
        continue;
      }
      if (depth === 0) {
        if (c === 91) depth = 1;
        else if (!(c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff)) throw new ParseError('not a JSON array', { hint: ARRAY_HINT });
        i++;
        continue;
      }
      if (c === 34) {
        inString = true;
        if (depth === 1 && start < 0) start = i;
      } else if (c === 123 || c === 91) {
        if (depth === 1 && start < 0) start = i;
        depth++;
      } else if (c === 125 || c === 93) {
        if (depth === 1) {
          if (c !== 93) throw new ParseError('a JSON array with an unbalanced }', { hint: ARRAY_HINT });
          if (start >= 0) item(s.slice(start, i));
          start = -1;
          depth = 0;
          this.done = true;
        } else depth--;
      } else if (c === 44 && depth === 1) {
        item(start >= 0 ? s.slice(start, i) : '');
        start = -1;
      } else if (depth === 1 && start < 0 && !(c === 32 || c === 9 || c === 10 || c === 13)) start = i;
      i++;
    }
    // Keep only the current item's text (nothing between items).
    if (start >= 0) {
      if (i - start > MAX_LINE_CHARS) throw new ParseError(`an item longer than ${MAX_LINE_CHARS} characters`, { hint: ARRAY_HINT });
      s = s.slice(start);
      i -= start;
      start = 0;
    } else {
      s = '';
      i = 0;
    }
    this.buf = s;
    this.pos = i;
    this.depth = depth;
    this.start = start;
    this.inString = inString;
  }

  /** At the end of the input: a ParseError when the array never closed. */
  end(): void {
    if (!this.done) throw new ParseError(this.depth === 0 ? 'not a JSON array (empty)' : 'a JSON array cut short: it ends before its closing ]', { hint: ARRAY_HINT });
  }
}
