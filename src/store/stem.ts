/**
 * The stems the full-text index stores: SQLite's FTS5 `porter` tokenizer, which applies Porter's
 * algorithm (with the "logi" rule of its revised version) to each token's UTF-8 bytes. Tokens
 * shorter than 3 or longer than 64 bytes are kept as they are; any byte that is not an ASCII
 * vowel counts as a consonant. Stems are returned as latin1 strings of those bytes, so two
 * tokens have the same stem here exactly when the index gives them the same one.
 */

const MAX_TOKEN = 64;

function isVowel(c: number, yIsVowel: boolean): boolean {
  // a e i o u, and y after a consonant
  return c === 97 || c === 101 || c === 105 || c === 111 || c === 117 || (yIsVowel && c === 121);
}

/**
 * The length of the leading [C]VC of b[from..to) (a run of vowels after optional consonants, then
 * one consonant), or 0 when there is none. `prevCons`: whether the byte before `from` was a consonant.
 */
function vc(b: Uint8Array, from: number, to: number, prevCons: boolean): number {
  let cons = prevCons;
  let i = from;
  for (; i < to; i++) {
    cons = !isVowel(b[i]!, cons);
    if (!cons) break;
  }
  for (i++; i < to; i++) {
    cons = !isVowel(b[i]!, cons);
    if (cons) return i + 1 - from;
  }
  return 0;
}

/** m > 0 for the stem b[0..n). */
const mGt0 = (b: Uint8Array, n: number) => vc(b, 0, n, false) > 0;
/** m > 1 */
function mGt1(b: Uint8Array, n: number): boolean {
  const k = vc(b, 0, n, false);
  return k > 0 && vc(b, k, n, true) > 0;
}
/** m = 1 */
function mEq1(b: Uint8Array, n: number): boolean {
  const k = vc(b, 0, n, false);
  return k > 0 && vc(b, k, n, true) === 0;
}
/** *o: the stem ends consonant-vowel-consonant, the last not w, x or y. */
function oStar(b: Uint8Array, n: number): boolean {
  const last = b[n - 1];
  if (last === 119 || last === 120 || last === 121) return false;
  let mask = 0;
  let cons = false;
  for (let i = 0; i < n; i++) {
    cons = !isVowel(b[i]!, cons);
    mask = ((mask << 1) + (cons ? 1 : 0)) & 0xff;
  }
  return (mask & 7) === 5;
}
/** *v*: the stem holds a vowel. */
function hasVowel(b: Uint8Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (isVowel(b[i]!, i > 0)) return true;
  return false;
}

function endsWith(b: Uint8Array, n: number, s: string): boolean {
  if (n <= s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[n - s.length + i] !== s.charCodeAt(i)) return false;
  return true;
}

type Cond = (b: Uint8Array, n: number) => boolean;
/** [suffix, condition on what precedes it, replacement]: the first suffix that matches decides. */
type Rule = readonly [string, Cond, string];

const STEP2: readonly Rule[] = [
  ['ational', mGt0, 'ate'], ['tional', mGt0, 'tion'], ['enci', mGt0, 'ence'], ['anci', mGt0, 'ance'],
  ['izer', mGt0, 'ize'], ['logi', mGt0, 'log'], ['bli', mGt0, 'ble'], ['alli', mGt0, 'al'],
  ['entli', mGt0, 'ent'], ['eli', mGt0, 'e'], ['ousli', mGt0, 'ous'], ['ization', mGt0, 'ize'],
  ['ation', mGt0, 'ate'], ['ator', mGt0, 'ate'], ['alism', mGt0, 'al'], ['iveness', mGt0, 'ive'],
  ['fulness', mGt0, 'ful'], ['ousness', mGt0, 'ous'], ['aliti', mGt0, 'al'], ['iviti', mGt0, 'ive'],
  ['biliti', mGt0, 'ble'],
];
const STEP3: readonly Rule[] = [
  ['ical', mGt0, 'ic'], ['ness', mGt0, ''], ['icate', mGt0, 'ic'], ['iciti', mGt0, 'ic'],
  ['ful', mGt0, ''], ['ative', mGt0, ''], ['alize', mGt0, 'al'],
];
const sOrT: Cond = (b, n) => (b[n - 1] === 115 || b[n - 1] === 116) && mGt1(b, n);
const STEP4: readonly Rule[] = [
  ['al', mGt1, ''], ['ance', mGt1, ''], ['ence', mGt1, ''], ['er', mGt1, ''], ['ic', mGt1, ''],
  ['able', mGt1, ''], ['ible', mGt1, ''], ['ant', mGt1, ''], ['ement', mGt1, ''], ['ment', mGt1, ''],
  ['ent', mGt1, ''], ['ion', sOrT, ''], ['ou', mGt1, ''], ['ism', mGt1, ''], ['ate', mGt1, ''],
  ['iti', mGt1, ''], ['ous', mGt1, ''], ['ive', mGt1, ''], ['ize', mGt1, ''],
];

/**
 * Apply the first rule whose suffix ends the word (the index's steps look a rule up by the
 * word's second-last letter, so only suffixes sharing it compete, in the order listed).
 */
function applyRules(b: Uint8Array, n: number, rules: readonly Rule[]): number {
  const key = b[n - 2];
  for (const [suffix, cond, out] of rules) {
    if (suffix.charCodeAt(suffix.length - 2) !== key) continue;
    if (!endsWith(b, n, suffix)) continue;
    const stem = n - suffix.length;
    if (!cond(b, stem)) return n;
    for (let i = 0; i < out.length; i++) b[stem + i] = out.charCodeAt(i);
    return stem + out.length;
  }
  return n;
}

/** The stem the index stores for a token (already folded by the tokenizer), as latin1 bytes. */
export function porterStem(token: string): string {
  const src = Buffer.from(token, 'utf8');
  if (src.length > MAX_TOKEN || src.length < 3) return src.toString('latin1');
  const b = new Uint8Array(src.length + 8);
  b.set(src);
  let n = src.length;

  // Step 1a: sses -> ss, ies -> i, ss -> ss, s -> ''.
  if (b[n - 1] === 115) {
    if (b[n - 2] === 101) {
      n = (n > 4 && b[n - 4] === 115 && b[n - 3] === 115) || (n > 3 && b[n - 3] === 105) ? n - 2 : n - 1;
    } else if (b[n - 2] !== 115) {
      n -= 1;
    }
  }

  // Step 1b: eed -> ee (m > 0); ed, ing -> '' (*v*), then at -> ate, bl -> ble, iz -> ize, or
  // a double consonant undoubled, or an e added to a short stem.
  let removed = false;
  if (b[n - 2] === 101) {
    if (endsWith(b, n, 'eed')) {
      if (mGt0(b, n - 3)) n -= 1;
    } else if (endsWith(b, n, 'ed') && hasVowel(b, n - 2)) {
      n -= 2;
      removed = true;
    }
  } else if (b[n - 2] === 110 && endsWith(b, n, 'ing') && hasVowel(b, n - 3)) {
    n -= 3;
    removed = true;
  }
  if (removed) {
    const k = b[n - 2];
    if ((k === 97 && endsWith(b, n, 'at')) || (k === 98 && endsWith(b, n, 'bl')) || (k === 105 && endsWith(b, n, 'iz'))) {
      b[n++] = 101;
    } else {
      const c = b[n - 1]!;
      if (!isVowel(c, false) && c !== 108 && c !== 115 && c !== 122 && c === b[n - 2]) n -= 1;
      else if (mEq1(b, n) && oStar(b, n)) b[n++] = 101;
    }
  }

  // Step 1c: y -> i when the stem holds a vowel.
  if (b[n - 1] === 121 && hasVowel(b, n - 1)) b[n - 1] = 105;

  n = applyRules(b, n, STEP2);
  n = applyRules(b, n, STEP3);
  n = applyRules(b, n, STEP4);

  // Step 5a: a final e goes when m > 1, or m = 1 and not *o.
  if (b[n - 1] === 101 && (mGt1(b, n - 1) || (mEq1(b, n - 1) && !oStar(b, n - 1)))) n -= 1;
  // Step 5b: ll -> l when m > 1.
  if (n > 1 && b[n - 1] === 108 && b[n - 2] === 108 && mGt1(b, n - 1)) n -= 1;

  return Buffer.from(b.subarray(0, n)).toString('latin1');
}

/**
 * The shortest start every word with stem `stem` has: the stemmer only ever replaces the end of
 * a word, and what it writes there that the word did not have is at most its last two letters
 * (the "le" of "ble" from "-bility", an "e" it adds, an "i" for a "y"). Checked against the
 * index's own stemmer by the tests. Returned as text (the stem is bytes).
 */
export function stemFloor(stem: string): string {
  const b = Buffer.from(stem, 'latin1');
  const last = b[b.length - 1];
  let end = Math.max(0, b.length - (last === 101 || last === 105 || last === 108 ? 2 : 1));
  // Back to the start of a character: the floor is looked up as text.
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end).toString('utf8');
}
