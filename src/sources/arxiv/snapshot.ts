/**
 * arXiv's metadata snapshot (Kaggle "Cornell-University/arxiv",
 * `arxiv-metadata-oai-snapshot.json`): JSON Lines, one paper a line, plain or gzip-compressed.
 *
 * Decisions:
 * - Dates come from `versions`: publishedAt is v1's `created` day, updatedAt the latest
 *   version's. `update_date` is the record's last metadata change (like OAI's datestamp) and
 *   is only a fallback for updatedAt when no version is dated.
 * - Authors from `authors_parsed` (`[last, first, suffix]`) when it is there, else from the
 *   `authors` string; TeX accents decoded either way.
 * - The reader streams: memory stays flat whatever the file's size. A bad line (not JSON, no
 *   id or title, longer than MAX_LINE_CHARS) is counted and named by its line number, and the
 *   reading goes on.
 */
import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, type Gunzip } from 'node:zlib';
import { ParseError } from '../../errors.js';
import type { ParsedPaper } from '../../record.js';
import { bareArxivId } from '../../ids.js';
import { arxivPaper, arxivVersion, rfc2822Day, splitAuthors, splitCategories, texToUnicode, versionDates, versionNumber, type ArxivPaper, type ArxivVersion } from './oai.js';

/** A line longer than this (in characters) is not a paper (the longest real ones are tens of KB). */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;
/** How many bad lines are named in the stats (all are counted). */
export const MAX_NAMED_BAD_LINES = 100;

const HINT = 'the line is not a record of arXiv\'s metadata snapshot';

const NEEDS_COLLAPSE = /[^\S ]| {2}/;

/**
 * cleanText for the snapshot's hot path: the same result (whitespace runs to one space,
 * trimmed, empty is null) in two cheap passes (other whitespace to spaces, then runs of spaces)
 * rather than one match per space, which costs more at millions of abstracts.
 */
function str(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = (NEEDS_COLLAPSE.test(v) ? v.replace(/[^\S ]+/g, ' ').replace(/ {2,}/g, ' ') : v).trim();
  return t === '' ? null : t;
}

/** `authors_parsed` is `[last, first, suffix]`; a name reads first, last, suffix. */
const NAME_ORDER = [1, 0, 2] as const;

function isBlankText(s: string): boolean {
  return s.trim() === '';
}

function authorsFromParsed(v: unknown): string[] | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  const out: string[] = [];
  for (const a of v) {
    if (!Array.isArray(a)) return null;
    // First, last, suffix, joined without building an array per author (millions of them).
    let joined = '';
    for (const i of NAME_ORDER) {
      const part: unknown = a[i];
      if (typeof part === 'string' && part !== '' && !isBlankText(part)) joined = joined === '' ? part : `${joined} ${part}`;
    }
    const name = str(texToUnicode(joined));
    if (name !== null) out.push(name);
  }
  return out.length > 0 ? out : null;
}

/**
 * One line of the snapshot as a record. Throws ParseError (naming what is wrong) when the
 * line is not JSON, not an object, or has no recognisable id or title.
 */
export function parseSnapshotLine(line: string): ArxivPaper {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (err) {
    throw new ParseError(`not JSON (${err instanceof Error ? err.message : String(err)})`, { hint: HINT });
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new ParseError('not a JSON object', { hint: HINT });
  const r = o as Record<string, unknown>;
  const id = typeof r.id === 'string' ? bareArxivId(r.id) : null;
  if (id === null) throw new ParseError(`no recognisable id (${typeof r.id === 'string' ? JSON.stringify(r.id.slice(0, 40)) : typeof r.id})`, { hint: HINT });
  const title = str(r.title);
  if (title === null) throw new ParseError(`paper ${id} has no title`, { hint: HINT });
  const p = arxivPaper(id, title, 'arxiv-snapshot');
  p.summary = str(r.abstract);
  p.authors = authorsFromParsed(r.authors_parsed) ?? splitAuthors(str(r.authors));
  p.authorCount = p.authors.length > 0 ? p.authors.length : null;
  p.categories = splitCategories(str(r.categories));
  p.arxivComment = str(r.comments);
  p.journalRef = str(r['journal-ref']);
  p.doi = str(r.doi);
  const stated: ArxivVersion[] = [];
  if (Array.isArray(r.versions)) {
    for (const v of r.versions as unknown[]) {
      if (typeof v !== 'object' || v === null) continue;
      const n = versionNumber((v as Record<string, unknown>).version);
      const date = rfc2822Day((v as Record<string, unknown>).created);
      const size = (v as Record<string, unknown>).size;
      if (n !== null && date !== null) stated.push(arxivVersion(n, date, size));
    }
  }
  const dates = versionDates(stated);
  p.versions = dates.versions;
  p.publishedAt = dates.publishedAt;
  p.updatedAt = dates.updatedAt ?? (typeof r.update_date === 'string' ? rfc2822Day(r.update_date) : null);
  return p;
}

export interface SnapshotOptions {
  /** Category globs (`cs.*`, `math.GT`, `*-ph`): a paper is kept when any of its categories matches any glob. */
  categories?: string[];
  /** Keep papers whose first version is on or after this day (YYYY-MM-DD); papers without a v1 date are left out. */
  since?: string;
  /** Keep papers whose latest version is on or after this day (YYYY-MM-DD). */
  updatedSince?: string;
  /** Called for each bad line, as it is met. */
  onBadLine?: (line: number, reason: string) => void;
}

export interface SnapshotStats {
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

// The snapshot writes `"categories": "cs.LG stat.ML"` with one space after the colon (Kaggle's
// files) or none; a line where this finds nothing is parsed in full and filtered after.
const CATEGORIES_FIELD = /"categories":\s?"([^"\\]*)"/;

/** How a JSON file holds its records: one a line (JSON Lines), or as the items of one array. */
export type JsonShape = 'lines' | 'array';

export interface JsonReadOptions<P extends ParsedPaper> extends SnapshotOptions {
  /** One line (or array item) as a record; throws ParseError for a bad one. */
  parse: (text: string) => P;
  shape: JsonShape;
  /**
   * The categories a raw line states, found without parsing it (null when it cannot tell):
   * lets the category filter reject most lines before JSON.parse.
   */
  peekCategories?: (line: string) => string[] | null;
}

/** The snapshot's categories straight from its line: a line the filter rejects is never parsed. */
function snapshotCategories(line: string): string[] | null {
  const m = CATEGORIES_FIELD.exec(line);
  return m ? splitCategories(m[1]!) : null;
}

/**
 * Read a snapshot (plain or gzip, told apart by the gzip magic bytes) line by line. `papers`
 * yields the records that pass the filters, `batches` the same a chunk at a time (consume one
 * of the two); `stats` is updated as it goes (for a progress bar) and is complete when the
 * iteration ends. A damaged gzip stream or a failing input ends the iteration with a
 * ParseError (gzip) or the input's error, after the records already yielded.
 */
export function readSnapshot(input: AsyncIterable<Buffer | string>, opts: SnapshotOptions = {}): { papers: AsyncGenerator<ArxivPaper, void, undefined>; batches: AsyncGenerator<ArxivPaper[], void, undefined>; stats: SnapshotStats } {
  return readJsonRecords(input, { ...opts, parse: parseSnapshotLine, shape: 'lines', peekCategories: snapshotCategories });
}

/** Input bytes, gunzipped when they begin with gzip's magic bytes; counts the bytes read. */
async function* decompressed(input: AsyncIterable<Buffer | string>, stats: SnapshotStats): AsyncGenerator<Buffer> {
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
export function readJsonRecords<P extends ParsedPaper>(input: AsyncIterable<Buffer | string>, opts: JsonReadOptions<P>): { papers: AsyncGenerator<P, void, undefined>; batches: AsyncGenerator<P[], void, undefined>; stats: SnapshotStats } {
  const stats: SnapshotStats = { bytes: 0, lines: 0, papers: 0, filtered: 0, skipped: 0, badLines: [], gzip: false };
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
