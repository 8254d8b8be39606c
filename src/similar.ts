/**
 * "Papers like this one" and "papers like the ones you keep", offline: a tf-idf vector per
 * paper over its title (counted twice), abstract and keywords, compared by cosine. Words are
 * folded like the full-text index folds them (case, diacritics, letters and digits) and
 * stemmed with the Porter stemmer the index uses, so the index's document counts per term
 * can stand in for counting the corpus; stop words are left out.
 */
import { foldText } from './text.js';

/** What the model reads of a paper. */
export interface SimilarDoc {
  id: string;
  title: string;
  summary: string | null;
  keywords: readonly string[];
}

/** How many documents hold each term: from the corpus (corpusStats) or the full-text index. */
export interface TermStats {
  docCount: number;
  df(term: string): number;
}

export interface SimilarHit {
  id: string;
  /** Cosine similarity, 0…1. */
  score: number;
  /** The terms that contributed most, as words of the paper (for --explain). */
  shared: string[];
  /** forYou only: the starred paper this one is closest to. */
  nearest?: string;
}

// English function words and the boilerplate of abstracts, which say nothing about a topic.
const STOP_WORDS = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below between both but by can could did do does doing down during each few for from further had has have having he her here hers herself him himself his how however i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours ourselves out over own same she should so some such than that the their theirs them themselves then there these they this those through to too under until up very via was we were what when where which while who whom why will with within without would you your yours yourself yourselves ' +
    'et al e g eg ie i e etc thus therefore hence moreover furthermore although though whereas whether yet upon among amongst across toward towards onto per ' +
    'paper papers propose proposed proposes present presents presented introduce introduces introduced show shows shown showed demonstrate demonstrates demonstrated ' +
    'approach approaches method methods result results novel new use uses used using based work works study existing significantly significant achieve achieves achieved ' +
    'state art extensive experiments experimental furthermore various several many much may might must one two three first second well'
  ).split(/\s+/),
);

// ---- The Porter stemmer (Porter 1980, with the C implementation's bli→ble and logi→log), as SQLite's porter tokenizer applies it.

const isVowelAt = (w: string, i: number): boolean => {
  const c = w[i];
  if (c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u') return true;
  return c === 'y' && i > 0 && !isVowelAt(w, i - 1);
};

/** Porter's m: the number of vowel-consonant sequences in `s`. */
function measure(s: string): number {
  let m = 0;
  let i = 0;
  const n = s.length;
  while (i < n && !isVowelAt(s, i)) i++;
  while (i < n) {
    while (i < n && isVowelAt(s, i)) i++;
    if (i >= n) break;
    while (i < n && !isVowelAt(s, i)) i++;
    m++;
  }
  return m;
}

const hasVowel = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) if (isVowelAt(s, i)) return true;
  return false;
};

const endsDoubleConsonant = (s: string): boolean => s.length >= 2 && s[s.length - 1] === s[s.length - 2] && !isVowelAt(s, s.length - 1);

/** *o: ends consonant-vowel-consonant, the last not w, x or y. */
function endsCvc(s: string): boolean {
  const n = s.length;
  if (n < 3) return false;
  if (isVowelAt(s, n - 1) || !isVowelAt(s, n - 2) || isVowelAt(s, n - 3)) return false;
  const c = s[n - 1];
  return c !== 'w' && c !== 'x' && c !== 'y';
}

/** The first rule whose suffix ends the word decides (whether or not its condition holds). */
function applyRules(w: string, rules: readonly (readonly [string, string])[], minM: number): string {
  for (const [suffix, replacement] of rules) {
    if (w.endsWith(suffix)) {
      const stem = w.slice(0, -suffix.length);
      return measure(stem) > minM ? stem + replacement : w;
    }
  }
  return w;
}

const STEP2: readonly (readonly [string, string])[] = [
  ['ational', 'ate'], ['tional', 'tion'], ['enci', 'ence'], ['anci', 'ance'], ['izer', 'ize'], ['logi', 'log'],
  ['bli', 'ble'], ['alli', 'al'], ['entli', 'ent'], ['eli', 'e'], ['ousli', 'ous'], ['ization', 'ize'], ['ation', 'ate'],
  ['ator', 'ate'], ['alism', 'al'], ['iveness', 'ive'], ['fulness', 'ful'], ['ousness', 'ous'], ['aliti', 'al'],
  ['iviti', 'ive'], ['biliti', 'ble'],
];
const STEP3: readonly (readonly [string, string])[] = [
  ['icate', 'ic'], ['ative', ''], ['alize', 'al'], ['iciti', 'ic'], ['ical', 'ic'], ['ful', ''], ['ness', ''],
];
const STEP4 = ['al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent', 'ion', 'ou', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize'];

// Longest suffix first within each step, as the rules are looked up by ending.
const byLength = <T extends readonly [string, string]>(rules: readonly T[]): T[] => [...rules].sort((a, b) => b[0].length - a[0].length);
const STEP2_SORTED = byLength(STEP2);
const STEP3_SORTED = byLength(STEP3);
const STEP4_SORTED = [...STEP4].sort((a, b) => b.length - a.length);

/** The Porter stem of a folded word; words shorter than 3 or longer than 64 bytes are left as they are. */
export function stem(word: string): string {
  if (word.length < 3 || Buffer.byteLength(word) > 64) return word;
  let w = word;
  // Step 1a
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ies')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  // Step 1b
  if (w.endsWith('eed')) {
    if (measure(w.slice(0, -3)) > 0) w = w.slice(0, -1);
  } else {
    const suffix = w.endsWith('ed') ? 'ed' : w.endsWith('ing') ? 'ing' : null;
    if (suffix && hasVowel(w.slice(0, -suffix.length))) {
      w = w.slice(0, -suffix.length);
      if (w.endsWith('at') || w.endsWith('bl') || w.endsWith('iz')) w += 'e';
      else if (endsDoubleConsonant(w) && !/[lsz]$/.test(w)) w = w.slice(0, -1);
      else if (measure(w) === 1 && endsCvc(w)) w += 'e';
    }
  }
  // Step 1c
  if (w.endsWith('y') && hasVowel(w.slice(0, -1))) w = w.slice(0, -1) + 'i';
  // Steps 2 and 3
  w = applyRules(w, STEP2_SORTED, 0);
  w = applyRules(w, STEP3_SORTED, 0);
  // Step 4
  for (const suffix of STEP4_SORTED) {
    if (!w.endsWith(suffix)) continue;
    const s = w.slice(0, -suffix.length);
    if (suffix === 'ion' && !/[st]$/.test(s)) continue;
    if (measure(s) > 1) w = s;
    break;
  }
  // Step 5
  if (w.endsWith('e')) {
    const s = w.slice(0, -1);
    const m = measure(s);
    if (m > 1 || (m === 1 && !endsCvc(s))) w = s;
  }
  if (w.endsWith('ll') && measure(w) > 1) w = w.slice(0, -1);
  return w;
}

/** The words of a text as the full-text index splits them: folded, letters and digits. */
export function words(text: string): string[] {
  return foldText(text).split(/[^\p{L}\p{N}]+/u).filter((t) => t !== '');
}

/** Content words only: no stop words, no lone characters, no bare numbers. */
function contentWords(text: string): string[] {
  return words(text).filter((t) => t.length > 1 && !/^\d+$/.test(t) && !STOP_WORDS.has(t));
}

/** The stemmed content terms of a text, in order. */
export function tokenize(text: string): string[] {
  return contentWords(text).map(stem);
}

/** Term counts of a paper (title counted twice: it says most in fewest words), and a word to show per term. */
export function docTerms(doc: SimilarDoc): { tf: Map<string, number>; surface: Map<string, string> } {
  const tf = new Map<string, number>();
  const surface = new Map<string, string>();
  const add = (text: string, weight: number) => {
    for (const w of contentWords(text)) {
      const t = stem(w);
      tf.set(t, (tf.get(t) ?? 0) + weight);
      if (!surface.has(t)) surface.set(t, w);
    }
  };
  add(doc.title, 2);
  if (doc.summary) add(doc.summary, 1);
  for (const k of doc.keywords) add(k, 1);
  return { tf, surface };
}

/** Document counts per term over a corpus. */
export function corpusStats(corpus: Iterable<SimilarDoc>): TermStats {
  const df = new Map<string, number>();
  let docCount = 0;
  for (const doc of corpus) {
    docCount++;
    for (const t of docTerms(doc).tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  }
  return { docCount, df: (t) => df.get(t) ?? 0 };
}

interface Vector {
  id: string;
  weights: Map<string, number>;
  surface: Map<string, string>;
}

/** A unit tf-idf vector: sublinear tf, smoothed idf (a term unknown to the stats counts as in one document). */
export function vectorize(doc: SimilarDoc, stats: TermStats): Vector {
  const { tf, surface } = docTerms(doc);
  const weights = new Map<string, number>();
  let norm = 0;
  for (const [t, n] of tf) {
    const df = Math.max(stats.df(t), 1);
    const w = (1 + Math.log(n)) * (Math.log((stats.docCount + 1) / (df + 1)) + 1);
    weights.set(t, w);
    norm += w * w;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (const [t, w] of weights) weights.set(t, w / norm);
  return { id: doc.id, weights, surface };
}

/** Cosine of two unit vectors, and the terms that contributed most (as words of `a`). */
function compare(a: Vector, b: Vector, explain: number): { score: number; shared: string[] } {
  const [small, large] = a.weights.size <= b.weights.size ? [a.weights, b.weights] : [b.weights, a.weights];
  let score = 0;
  const parts: [string, number][] = [];
  for (const [t, w] of small) {
    const v = large.get(t);
    if (v === undefined) continue;
    score += w * v;
    parts.push([t, w * v]);
  }
  parts.sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
  return { score, shared: parts.slice(0, explain).map(([t]) => a.surface.get(t) ?? b.surface.get(t) ?? t) };
}

/** Keep the best `n` hits: highest score first, ties by id. */
function rank(hits: SimilarHit[], n: number): SimilarHit[] {
  return hits.sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)).slice(0, n);
}

export interface SimilarOptions {
  /** Document counts to weight terms by; default: counted over the corpus (which is then read twice). */
  stats?: TermStats;
  /** How many shared terms each hit explains itself with. Default 5. */
  explainTerms?: number;
}

function statsFor(corpus: Iterable<SimilarDoc>, opts: SimilarOptions): TermStats {
  if (opts.stats) return opts.stats;
  // A generator is its own iterator: counting would use it up before the ranking reads it.
  if (!Array.isArray(corpus) && corpus[Symbol.iterator]() === (corpus as unknown)) {
    throw new TypeError('similar: a one-shot iterator cannot be read twice; pass stats or an array');
  }
  return corpusStats(corpus);
}

/** The `n` papers of the corpus closest to `target` (which is never among them), closest first; papers sharing no term are left out. */
export function similar(target: SimilarDoc, corpus: Iterable<SimilarDoc>, n: number, opts: SimilarOptions = {}): SimilarHit[] {
  const stats = statsFor(corpus, opts);
  const t = vectorize(target, stats);
  const explain = opts.explainTerms ?? 5;
  const hits: SimilarHit[] = [];
  for (const doc of corpus) {
    if (doc.id === target.id) continue;
    const { score, shared } = compare(t, vectorize(doc, stats), explain);
    if (score > 0) {
      hits.push({ id: doc.id, score, shared });
      // Keep memory flat over a large corpus.
      if (hits.length > 4 * n + 64) hits.splice(0, hits.length, ...rank(hits, n));
    }
  }
  return rank(hits, n);
}

/**
 * The corpus ranked by closeness to the starred papers: each paper scores its similarity to the
 * nearest starred one (so several interests each count), and says which one that is. The
 * starred papers themselves are left out. Empty when nothing is starred: the caller says so.
 */
export function forYou(starred: readonly SimilarDoc[], corpus: Iterable<SimilarDoc>, opts: SimilarOptions & { n?: number } = {}): SimilarHit[] {
  if (starred.length === 0) return [];
  const stats = statsFor(corpus, opts);
  const stars = starred.map((s) => vectorize(s, stats));
  const starredIds = new Set(starred.map((s) => s.id));
  const explain = opts.explainTerms ?? 5;
  const n = opts.n ?? Number.POSITIVE_INFINITY;
  const hits: SimilarHit[] = [];
  for (const doc of corpus) {
    if (starredIds.has(doc.id)) continue;
    const v = vectorize(doc, stats);
    let best: SimilarHit = { id: doc.id, score: 0, shared: [] };
    for (const s of stars) {
      const { score, shared } = compare(v, s, explain);
      if (score > best.score) best = { id: doc.id, score, shared, nearest: s.id };
    }
    hits.push(best);
    if (Number.isFinite(n) && hits.length > 4 * n + 64) hits.splice(0, hits.length, ...rank(hits, n));
  }
  return rank(hits, n);
}
