/**
 * The copied text of a Hugging Face listing page: what a browser's select-all-and-copy gives
 * (fixtures/hf/search-listing-2025-12-09.copied-text.excerpt.txt). Pure: text in, records out.
 *
 * The text has no ids and no links. Each entry is a title line, an abstract line, then the
 * card's meta lines: `  • 3 authors`, `·`, a date (`Dec 23, 2017`, or `May 21` in the year of
 * the capture) optionally followed by the upvote count (`Jun 2, 2023 2`). An entry may lack its
 * meta lines (and, rarely, its abstract): entries are then told apart by their shape, since a
 * title is short and does not read as sentences, and an abstract does.
 *
 * Decisions:
 * - The card's date is the paper's arXiv date (search results show papers from 2017, before
 *   Daily Papers existed), so it is `publishedAt`; `dailyDate` stays null.
 * - A year-less date is the latest such date not after `asOf` (the capture date).
 * - An entry without an upvote count has `upvotes: null` (not shown is not zero); `-` is 0.
 * - Records have `id: null`, `authors: []` with `authorCount`, and `sources: ['import']`; the
 *   cache keys them by normalised title until a listing with an id brings the same title.
 */
import { ParseError } from '../../errors.js';
import { emptyPaper, type Listing, type ParsedPaper } from '../../record.js';
import { collapseWhitespace, parseCount } from '../../text.js';

export interface CopiedTextOptions {
  /** The capture date (YYYY-MM-DD) that year-less dates resolve against. */
  asOf: string;
}

export interface CopiedTextListing extends Listing {
  /** How many entries had a year-less date, resolved against `asOf`. */
  yearlessDates: number;
}

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5,
  jun: 6, june: 6, jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9,
  oct: 10, october: 10, nov: 11, november: 11, dec: 12, december: 12,
};

/** `Dec 23, 2017`, `May 21`, `Jun 2, 2023 2` (upvotes after the date), `Published on May 21`. */
const DATE_PART = /^(?:(?:published|submitted)(?:\s+on)?\s+)?([a-z]{3,9})\.?\s+(\d{1,2})(?:\s*,\s*(\d{4}))?(?:\s+(\d[\d,]*|-))?$/i;
const AUTHORS_PART = /^(\d[\d,]*)\s+authors?$/i;
const COUNT_PART = /^(?:\d[\d,]*|-)$/;

/**
 * Lines of the page's chrome (header, navigation, footer) that are never a paper. Matched whole,
 * ignoring case. The excerpt's header is `new`, `Get trending papers in your email inbox!`,
 * `Subscribe`, `Daily Papers`, `byAK and the research community`, then the page's date.
 */
const CHROME = new Set([
  'new', 'get trending papers in your email inbox!', 'get trending papers in your email inbox',
  'subscribe', 'daily papers', 'byak and the research community', 'papers', 'trending',
  'daily', 'weekly', 'monthly', 'previous', 'next', 'load more', 'view all', 'search',
  'submit', 'submit paper', 'submit a paper', 'hugging face', "hugging face's logo", 'models',
  'datasets', 'spaces', 'community', 'docs', 'enterprise', 'pricing', 'log in', 'login',
  'sign up', 'system theme', 'company', 'tos', 'privacy', 'about', 'careers', 'jobs', 'website',
  'blog', 'learn', 'discord', 'forum', 'github', 'status', 'posts',
]);

/** Header lines only a Hugging Face papers page has. */
const HEADER_MARKS = new Set(['byak and the research community', 'get trending papers in your email inbox!']);

interface Meta {
  authorCount?: number;
  month?: number;
  day?: number;
  year?: number | null;
  upvotes?: number;
}

/** The meta a line gives (`• 3 authors`, `·`, `Dec 23, 2017 2`, or all on one line), or null. */
function parseMetaLine(line: string): Meta | null {
  const parts = line.split(/[•·|]/u).map((s) => s.trim());
  const meta: Meta = {};
  let seen = false;
  for (const part of parts) {
    if (part === '') continue;
    let m = AUTHORS_PART.exec(part);
    if (m) {
      meta.authorCount = parseCount(m[1]) ?? undefined;
      seen = true;
      continue;
    }
    m = DATE_PART.exec(part);
    const month = m ? MONTHS[m[1]!.toLowerCase()] : undefined;
    if (m && month !== undefined) {
      meta.month = month;
      meta.day = Number(m[2]);
      meta.year = m[3] !== undefined ? Number(m[3]) : null;
      if (m[4] !== undefined) meta.upvotes = parseCount(m[4]) ?? undefined;
      seen = true;
      continue;
    }
    if (COUNT_PART.test(part) && (seen || parts.length === 1)) {
      meta.upvotes = parseCount(part) ?? undefined;
      seen = true;
      continue;
    }
    return null;
  }
  // A line of separators only (`·`) is part of the meta block too.
  return seen || parts.length > 1 ? meta : null;
}

function isValidDay(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

function iso(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The latest `month day` not after `asOf` (Feb 29 goes back to the last leap year). */
export function resolveYearlessDate(month: number, day: number, asOf: string): string | null {
  const year = Number(asOf.slice(0, 4));
  for (let y = year; y > year - 8; y--) {
    if (!isValidDay(y, month, day)) continue;
    const d = iso(y, month, day);
    if (d <= asOf) return d;
  }
  return null;
}

/** Reads as an abstract (sentences) rather than a title. */
function isAbstractLike(line: string): boolean {
  if (line.length >= 300 || line.split(/\s+/).length >= 30) return true;
  const ends = /(?:[.!?。]["'”’)\]]?|…|\.\.\.)$/u.test(line);
  if (!ends) return false;
  if (/[.!?]["'”’)\]]?\s+["'“‘(]?\p{Lu}/u.test(line)) return true;
  return !line.endsWith('?') && line.split(/\s+/).length >= 6;
}

interface Entry {
  title: string;
  abstract: string[];
  meta: Meta | null;
}

function mergeMeta(into: Meta, m: Meta): void {
  // The first value wins: a second date in one meta block is not this card's.
  if (into.authorCount === undefined && m.authorCount !== undefined) into.authorCount = m.authorCount;
  if (into.month === undefined && m.month !== undefined) {
    into.month = m.month;
    into.day = m.day;
    into.year = m.year;
  }
  if (into.upvotes === undefined && m.upvotes !== undefined) into.upvotes = m.upvotes;
}

/**
 * Parse the copied text of a Hugging Face listing page. Null when the text does not look like
 * one (no Daily Papers header and no `N authors` line): the caller reports an unknown format.
 * Throws ParseError when it looks like one but an entry's date is impossible (`Feb 30`).
 */
export function parseHfCopiedText(text: string, opts: CopiedTextOptions): CopiedTextListing | null {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n|\u2028|\u2029/);
  // Everything up to the header's "byAK and the research community" line is page chrome.
  let start = 0;
  let hasHeader = false;
  for (let i = 0; i < lines.length; i++) {
    const t = collapseWhitespace(lines[i]!).toLowerCase();
    if (HEADER_MARKS.has(t)) hasHeader = true;
    if (t === 'byak and the research community') start = i + 1;
  }

  const entries: Entry[] = [];
  let cur: Entry | null = null;
  for (let i = start; i < lines.length; i++) {
    const t = collapseWhitespace(lines[i]!);
    if (t === '' || CHROME.has(t.toLowerCase()) || /^submitted by\b/i.test(t)) continue;
    const meta = parseMetaLine(t);
    if (meta !== null) {
      if (cur === null) continue; // the page's own date under the header
      cur.meta = cur.meta ?? {};
      mergeMeta(cur.meta, meta);
      continue;
    }
    if (cur !== null && cur.meta === null && isAbstractLike(t)) {
      cur.abstract.push(t);
      continue;
    }
    // A title: the first line after a card's meta, or a title-shaped line after an entry
    // that had no meta lines.
    cur = { title: t, abstract: [], meta: null };
    entries.push(cur);
  }

  // A bare line (no abstract, no meta) before the first or after the last real entry is page
  // chrome this parser does not know, not a paper.
  const bare = (e: Entry) => e.abstract.length === 0 && e.meta === null;
  while (entries.length > 0 && bare(entries[0]!)) entries.shift();
  while (entries.length > 0 && bare(entries[entries.length - 1]!)) entries.pop();

  if (!hasHeader && !entries.some((e) => e.meta?.authorCount !== undefined)) return null;

  let yearlessDates = 0;
  const papers: ParsedPaper[] = entries.map((e) => {
    const p = emptyPaper(e.title, 'import');
    p.origin = 'hf-copied';
    p.summary = e.abstract.length > 0 ? collapseWhitespace(e.abstract.join(' ')) : null;
    const m = e.meta ?? {};
    if (m.authorCount !== undefined) p.authorCount = m.authorCount;
    if (m.upvotes !== undefined) p.upvotes = m.upvotes;
    if (m.month !== undefined && m.day !== undefined) {
      let date: string | null;
      if (m.year === null || m.year === undefined) {
        date = resolveYearlessDate(m.month, m.day, opts.asOf);
        yearlessDates++;
      } else {
        date = isValidDay(m.year, m.month, m.day) ? iso(m.year, m.month, m.day) : null;
      }
      if (date === null) {
        throw new ParseError(`the entry "${e.title.slice(0, 60)}" has an impossible date`, {
          hint: 'is the text cut or edited? nothing was stored',
        });
      }
      p.publishedAt = date;
    }
    return p;
  });
  return { papers, date: null, format: 'hf-copied-text', yearlessDates };
}
