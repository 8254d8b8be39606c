/** Small pure helpers for cleaning text that comes from listings, and for matching what people type. */

/** Whitespace other than a lone inner space: what collapseWhitespace has to change. */
const UNCOLLAPSED = /[^\S ]| {2}|^ | $/;

/** Collapse every run of whitespace (hard wraps included) to one space and trim. */
export function collapseWhitespace(s: string): string {
  // Most text from listings is already collapsed: test before building a copy.
  if (!UNCOLLAPSED.test(s)) return s;
  return s.replace(/\s+/gu, ' ').trim();
}

/** A collapsed string, or null when it is empty or not a string. */
export function cleanText(s: unknown): string | null {
  if (typeof s !== 'string') return null;
  const t = collapseWhitespace(s);
  return t === '' ? null : t;
}

/**
 * The key that identifies a paper without an id: case, punctuation, whitespace and Unicode
 * forms folded, so that the same title from two listings gives the same key.
 */
export function normalizeTitle(title: string): string {
  return foldText(title)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The date part (YYYY-MM-DD) of an ISO timestamp, or null. */
export function isoDay(s: unknown): string | null {
  if (typeof s !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(s);
  return m ? m[1]! : null;
}

/** A non-negative integer from a number or a string like "1,234"; "-" (HF's zero) is 0. */
export function parseCount(s: unknown): number | null {
  if (typeof s === 'number') return Number.isFinite(s) ? Math.trunc(s) : null;
  if (typeof s !== 'string') return null;
  const t = s.trim();
  if (t === '-' || t === '—') return 0;
  const m = /^(\d[\d,]*)$/.exec(t);
  return m ? Number(m[1]!.replace(/,/g, '')) : null;
}

/** Lower case without diacritics: how names and words are compared. */
export function foldText(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

/**
 * Topic names in the order a reader expects: case and accents aside, then as
 * written. Not localeCompare: its first call loads ICU's collation data, ~15 ms of a short
 * command such as `papers topics`.
 */
export function compareNames(a: string, b: string): number {
  const x = foldText(a);
  const y = foldText(b);
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

// C0 and C1 controls (ESC starts CSI/OSC sequences), bidi overrides and isolates, zero-width
// characters: none of them may reach a terminal from a paper's text.
const UNSAFE_FOR_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/gu;

/** Text that is safe to print to a terminal: controls removed, whitespace collapsed. */
export function terminalSafe(s: string): string {
  return collapseWhitespace(s.replace(/[\t\n\r]/g, ' ').replace(UNSAFE_FOR_TERMINAL, ''));
}

const CHARACTER_REFERENCE = /&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7})|([a-zA-Z][a-zA-Z0-9]{1,31}));/g;

function decodeReference(whole: string, dec: string | undefined, hex: string | undefined, name: string | undefined): string {
  if (name !== undefined) return NAMED_ENTITIES[name] ?? whole;
  const cp = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? '', 16);
  if (!Number.isFinite(cp) || cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd';
  return String.fromCodePoint(cp);
}

/**
 * decodeEntities for long text (a listing page's hydration JSON: megabytes, hundreds of
 * thousands of `&quot;`): one pass over the UTF-8 bytes into one output buffer, which is
 * several times faster than replacing in the string and leaves far less garbage. (A lone
 * surrogate, which no decoded page holds, would come out as U+FFFD.)
 */
const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;

function decodeEntitiesLong(s: string): string {
  // Text within U+0000-U+00FF (most pages: Latin accents, other characters as references)
  // goes through latin1, which converts both ways without UTF-8 work.
  if (!BEYOND_LATIN1.test(s)) {
    const out = decodeBytes(Buffer.from(s, 'latin1'), 'latin1');
    if (out !== null) return out;
  }
  return decodeBytes(Buffer.from(s, 'utf8'), 'utf8')!;
}

/** The references in `src` (which it overwrites) decoded, as text in `encoding`; null when latin1 cannot hold one. */
function decodeBytes(src: Buffer, encoding: 'latin1' | 'utf8'): string | null {
  const n = src.length;
  // In place: the decoded text is never longer than its references (o <= i throughout).
  const out = src;
  const sticky = new RegExp(CHARACTER_REFERENCE.source, 'y');
  let o = 0;
  let i = 0;
  while (i < n) {
    const c = src[i]!;
    if (c !== 38 /* & */) {
      out[o++] = c;
      i++;
    } else if (src[i + 1] === 113 && src[i + 2] === 117 && src[i + 3] === 111 && src[i + 4] === 116 && src[i + 5] === 59) {
      out[o++] = 34; // &quot;
      i += 6;
    } else {
      // A reference is ASCII and at most 34 bytes long.
      sticky.lastIndex = 0;
      const m = sticky.exec(src.toString('latin1', i, Math.min(n, i + 40)));
      if (m) {
        const text = decodeReference(m[0], m[1], m[2], m[3]);
        if (encoding === 'latin1' && BEYOND_LATIN1.test(text)) return null;
        o += out.write(text, o, encoding);
        i += m[0].length;
      } else {
        out[o++] = c;
        i++;
      }
    }
  }
  return out.toString(encoding, 0, o);
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0',
};

/**
 * Decode the HTML character references that appear in attribute values and text:
 * `&quot; &amp; &lt; &gt; &apos; &nbsp;`, decimal `&#39;` and hex `&#x27;`. References need
 * their `;`; unknown named ones are left as they are. Invalid code points become U+FFFD.
 */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  if (s.length > 4096) return decodeEntitiesLong(s);
  // Fast path for the common references (hydration JSON holds thousands of &quot;). None of
  // the replacements contains "&", ";" or an alphanumeric, so no new reference can appear, and
  // &amp; is left to the single pass below (no double decoding of "&amp;quot;").
  s = s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  if (!s.includes('&')) return s;
  return s.replace(CHARACTER_REFERENCE, decodeReference);
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps) between two short strings. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate a mistyped word most likely meant: the same but for case, else the closest
 * within a third of its length; undefined when none is close.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  const sameCase = list.find((c) => c.toLowerCase() === word.toLowerCase());
  if (sameCase !== undefined) return sameCase;
  let best: string | undefined;
  let bestD = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const c of list) {
    const dist = editDistance(word.toLowerCase(), c.toLowerCase());
    if (dist < bestD) {
      best = c;
      bestD = dist;
    }
  }
  return best;
}
