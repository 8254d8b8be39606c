/**
 * Prefix queries that match what was typed. The full-text index stems its words (porter), so
 * `hallucinat*` would look for stems beginning "hallucinat" while "hallucination" is stored as
 * "hallucin". The store keeps every word it has indexed, unstemmed and folded like the index's
 * tokenizer (the `words` table); a prefix term becomes the OR of the whole words that begin
 * with it, one word per stem, which the index then stems the way it stemmed the text.
 *
 * That finds every paper with such a word, and only those unless another stored word has the
 * same stem: `optimiz*` searches the stem "optim", which "optimal" has too. Such a prefix is
 * checked on the papers the index found (the row's own text: does a word in the searched
 * columns begin with it?), within the query's AND, OR and NOT, so that `x -optimiz*` still
 * keeps a paper that only says "optimal". Where no other word shares a stem, the index's
 * answer is already exact and nothing is checked.
 *
 * Kept whole past 400 lines: planning a query (which prefixes need a check) and checking a row
 * are the two halves of one rule, and must fold and split words exactly alike.
 */
import { foldText } from '../text.js';
import { porterStem, stemFloor } from './stem.js';

/** The words of a text as the index's tokenizer (unicode61, diacritics removed) sees them. */
export function wordsOf(text: string | null): string[] {
  if (!text) return [];
  // ASCII text folds to its lower case, and its word characters are letters and digits: the
  // same words without normalising (most text, and a sixth of a fresh ingest's time).
  if (ALL_ASCII.test(text)) return text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w !== '');
  return foldText(text).split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');
}

const ALL_ASCII = /^[\x00-\x7f]*$/;

/** More distinct stems than this for one prefix: its papers are found by reading every row. */
export const MAX_PREFIX_WORDS = 300;
/** At most this many stored words are read for one prefix, or to decide whether a stem is shared. */
export const MAX_WORDS_READ = 5000;

/** The index's columns, in order: a prefix check names the ones it searches by their place. */
export const FTS_COLUMN_NAMES = ['title', 'summary', 'authors', 'keywords', 'categories'] as const;

const WORD_CHAR = /[\p{L}\p{N}]/u;
const ASCII_WORD_CHAR = /[a-z0-9]/;
const isAscii = (s: string) => Buffer.byteLength(s, 'utf8') === s.length;

/** True when a word of `folded` (wordsOf's words) begins with `prefix`. */
function foldedHasWordBeginning(prefix: string, folded: string): boolean {
  for (let i = folded.indexOf(prefix); i >= 0; i = folded.indexOf(prefix, i + 1)) {
    if (i === 0) return true;
    const before = folded.charCodeAt(i - 1);
    const prev = before >= 0xdc00 && before <= 0xdfff && i >= 2 ? folded.slice(i - 2, i) : folded[i - 1]!;
    if (!WORD_CHAR.test(prev)) return true;
  }
  return false;
}

/** True when a word of `text` (as wordsOf splits and folds it) begins with `prefix`. */
function textHasWordBeginning(prefix: string, text: string, asciiPrefix: boolean): boolean {
  if (asciiPrefix) {
    // The lower case first: an ASCII prefix after the start or an ASCII separator is a word's
    // start in the folded text too, which only the rare text with other characters needs.
    const lower = text.toLowerCase();
    for (let i = lower.indexOf(prefix); i >= 0; i = lower.indexOf(prefix, i + 1)) {
      if (i === 0) return true;
      const prev = lower.charCodeAt(i - 1);
      if (prev < 128 && !ASCII_WORD_CHAR.test(lower[i - 1]!)) return true;
    }
    if (isAscii(text)) return false;
  }
  return foldedHasWordBeginning(prefix, foldText(text));
}

/** True when some word of the texts given (the searched columns of one row) begins with `prefix`. */
export function hasWordBeginning(prefix: string, texts: readonly unknown[]): boolean {
  const asciiPrefix = isAscii(prefix);
  for (const text of texts) if (typeof text === 'string' && textHasWordBeginning(prefix, text, asciiPrefix)) return true;
  return false;
}

// -- the FTS5 expressions the query module writes --------------------------------------------

/** An FTS5 expression as the query module writes it: quoted literals, column filters, AND/OR/NOT. */
type Expr =
  | { k: 'lit'; cols: string | null; text: string; prefix: boolean }
  | { k: 'and' | 'or'; items: Expr[] }
  | { k: 'not'; a: Expr; b: Expr };

type Tok = { t: 'str'; v: string } | { t: 'word'; v: string } | { t: '(' | ')' | '{' | '}' | ':' | '*' };

function lex(s: string): Tok[] | null {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\n') i++;
    else if (c === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= s.length) return null;
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            v += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += s[i++];
      }
      out.push({ t: 'str', v });
    } else if ('(){}:*'.includes(c)) {
      out.push({ t: c as '(' });
      i++;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i));
      if (!m) return null;
      out.push({ t: 'word', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

/**
 * Parse the expression back (FTS5's precedence: literals side by side bind tightest, then NOT,
 * AND, OR). Anything else (which the query module never writes) gives null: used as it is.
 */
function parseExpr(s: string): Expr | null {
  const lexed = lex(s);
  if (!lexed) return null;
  const toks: Tok[] = lexed;
  let k = 0;
  const isWord = (v: string) => toks[k]?.t === 'word' && (toks[k] as { v: string }).v === v;
  const startsPrimary = () => {
    const t = toks[k];
    return !!t && (t.t === 'str' || t.t === '(' || t.t === '{' || (t.t === 'word' && !['AND', 'OR', 'NOT'].includes(t.v)));
  };
  function or(): Expr {
    const items = [and()];
    while (isWord('OR')) {
      k++;
      items.push(and());
    }
    return items.length === 1 ? items[0]! : { k: 'or', items };
  }
  function and(): Expr {
    const items = [not()];
    while (isWord('AND')) {
      k++;
      items.push(not());
    }
    return items.length === 1 ? items[0]! : { k: 'and', items };
  }
  function not(): Expr {
    let a = seq();
    while (isWord('NOT')) {
      k++;
      a = { k: 'not', a, b: seq() };
    }
    return a;
  }
  function seq(): Expr {
    const items = [primary(null)];
    while (startsPrimary()) items.push(primary(null));
    return items.length === 1 ? items[0]! : { k: 'and', items };
  }
  function primary(cols: string | null): Expr {
    const t = toks[k++];
    if (!t) throw new Error('end');
    if (t.t === '(') {
      const e = or();
      if (toks[k++]?.t !== ')') throw new Error(')');
      return cols ? withCols(e, cols) : e;
    }
    if (t.t === 'str') {
      const prefix = toks[k]?.t === '*';
      if (prefix) k++;
      return { k: 'lit', cols, text: t.v, prefix };
    }
    if (cols) throw new Error('cols');
    let spec: string;
    if (t.t === 'word') spec = t.v;
    else if (t.t === '{') {
      const names: string[] = [];
      while (toks[k]?.t === 'word') names.push((toks[k++] as { v: string }).v);
      if (toks[k++]?.t !== '}' || names.length === 0) throw new Error('}');
      spec = `{${names.join(' ')}}`;
    } else throw new Error('token');
    if (toks[k++]?.t !== ':') throw new Error(':');
    return primary(spec);
  }
  try {
    const e = or();
    return k === toks.length ? e : null;
  } catch {
    return null;
  }
}

function withCols(e: Expr, cols: string): Expr {
  if (e.k === 'lit') return e.cols ? e : { ...e, cols };
  if (e.k === 'not') return { k: 'not', a: withCols(e.a, cols), b: withCols(e.b, cols) };
  return { k: e.k, items: e.items.map((x) => withCols(x, cols)) };
}

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

function render(e: Expr): string {
  switch (e.k) {
    case 'lit':
      return `${e.cols ? `${e.cols} : ` : ''}${quote(e.text)}${e.prefix ? ' *' : ''}`;
    case 'not':
      return `(${render(e.a)} NOT ${render(e.b)})`;
    default:
      return `(${e.items.map(render).join(e.k === 'and' ? ' AND ' : ' OR ')})`;
  }
}

/** The index's columns a column filter names, as a bit mask over FTS_COLUMN_NAMES (none: all). */
function columnMask(cols: string | null): number {
  if (!cols) return (1 << FTS_COLUMN_NAMES.length) - 1;
  let mask = 0;
  for (const name of cols.replace(/[{}]/g, ' ').split(/\s+/)) {
    const i = (FTS_COLUMN_NAMES as readonly string[]).indexOf(name);
    if (i >= 0) mask |= 1 << i;
  }
  return mask === 0 ? (1 << FTS_COLUMN_NAMES.length) - 1 : mask;
}

// -- planning: what the index answers, and what is checked on the rows ------------------------

/**
 * What is checked on a candidate row, as a tree the store turns into SQL: `fts` (the row
 * matches an expression the index answers exactly), `prefix` (a word of the columns begins
 * with `prefix`; `exact`: the words whose stems no other word has, which need no check;
 * `shared`: those whose stems another word has, which do; null: none, or for `shared`
 * too many words to search for, so every row is a candidate), AND, OR, NOT, and `true`.
 */
export type Check =
  | { k: 'fts'; match: string }
  | { k: 'prefix'; prefix: string; columns: number; exact: string | null; shared: string | null | 'all' }
  | { k: 'and' | 'or'; items: Check[] }
  | { k: 'not'; item: Check }
  | { k: 'true' };

/** A text query as the store runs it. */
export interface MatchPlan {
  /** The index's candidates (every paper of the answer is among them); null: every paper. */
  match: string | null;
  /** What the candidates must also pass; null: they are the answer. */
  check: Check | null;
}

/** Words beginning with a prefix, in order, at most `limit`. */
export type WordLookup = (prefix: string, limit: number) => string[];

/** A prefix term after the look-up: exact, or needing a check. */
type Planned =
  | { k: 'exact'; s: string }
  | { k: 'prefix'; prefix: string; columns: number; exact: string | null; shared: string | null | 'all' };
type PExpr = Planned | { k: 'and' | 'or'; items: PExpr[] } | { k: 'not'; a: PExpr; b: PExpr };

/** Plans a query's prefix terms, with the look-ups of one query cached. */
class Planner {
  private readonly stemOf = new Map<string, string>();
  private readonly sharedCache = new Map<string, Set<string> | 'all'>();

  constructor(private readonly lookup: WordLookup) {}

  private stem(w: string): string {
    let s = this.stemOf.get(w);
    if (s === undefined) this.stemOf.set(w, (s = porterStem(w)));
    return s;
  }

  /** The stems, among those of words beginning with `floor`, that words other than `prefix…` have. */
  private othersStems(floor: string, prefix: string): Set<string> | 'all' {
    const key = `${floor}\u0000${prefix}`;
    let out = this.sharedCache.get(key);
    if (out) return out;
    const words = this.lookup(floor, MAX_WORDS_READ + 1);
    if (words.length > MAX_WORDS_READ) out = 'all';
    else out = new Set(words.filter((w) => !w.startsWith(prefix)).map((w) => this.stem(w)));
    this.sharedCache.set(key, out);
    return out;
  }

  term(e: Extract<Expr, { k: 'lit' }>): Planned {
    if (!e.prefix) return { k: 'exact', s: render(e) };
    const words = wordsOf(e.text);
    // A prefix of several words ("large lang" *) stays the index's own.
    if (words.length !== 1) return { k: 'exact', s: render(e) };
    const prefix = words[0]!;
    const columns = columnMask(e.cols);
    const found = this.lookup(prefix, MAX_WORDS_READ + 1);
    const scan = { k: 'prefix' as const, prefix, columns, exact: null, shared: 'all' as const };
    if (found.length > MAX_WORDS_READ) return scan;
    // One word per stem: the index finds the same papers for each word of a stem.
    const byStem = new Map<string, string>();
    for (const w of found) if (!byStem.has(this.stem(w))) byStem.set(this.stem(w), w);
    if (byStem.size > MAX_PREFIX_WORDS) return scan;
    const exact: string[] = [];
    const shared: string[] = [];
    for (const [stem, word] of byStem) {
      const others = this.othersStems(stemFloor(stem), prefix);
      (others === 'all' || others.has(stem) ? shared : exact).push(word);
    }
    const group = (ws: string[]) => (ws.length === 0 ? null : `${e.cols ? `${e.cols} : ` : ''}(${ws.map(quote).join(' OR ')})`);
    // No stored word begins with it: the index's own prefix search, checked, finds what a word
    // stored since (none, unless the word list lags the index) would.
    if (found.length === 0) return { k: 'prefix', prefix, columns, exact: null, shared: render(e) };
    if (shared.length === 0) return { k: 'exact', s: group(exact)! };
    return { k: 'prefix', prefix, columns, exact: group(exact), shared: group(shared) };
  }

  plan(e: Expr): PExpr {
    if (e.k === 'lit') return this.term(e);
    if (e.k === 'not') return { k: 'not', a: this.plan(e.a), b: this.plan(e.b) };
    return { k: e.k, items: e.items.map((x) => this.plan(x)) };
  }
}

function isExact(p: PExpr): boolean {
  if (p.k === 'exact') return true;
  if (p.k === 'prefix') return false;
  if (p.k === 'not') return isExact(p.a) && isExact(p.b);
  return p.items.every(isExact);
}

function renderExact(p: PExpr): string {
  switch (p.k) {
    case 'exact':
      return p.s;
    case 'prefix':
      throw new Error('a checked prefix has no exact expression');
    case 'not':
      return `(${renderExact(p.a)} NOT ${renderExact(p.b)})`;
    default:
      return `(${p.items.map(renderExact).join(p.k === 'and' ? ' AND ' : ' OR ')})`;
  }
}

/** An expression every paper of `p` matches (null: every paper is a candidate). */
function superset(p: PExpr): string | null {
  if (isExact(p)) return renderExact(p);
  switch (p.k) {
    case 'prefix':
      if (p.shared === 'all') return null;
      return p.exact && p.shared ? `(${p.exact} OR ${p.shared})` : (p.exact ?? p.shared);
    case 'and': {
      const items = p.items.map(superset).filter((s): s is string => s !== null);
      return items.length === 0 ? null : items.length === 1 ? items[0]! : `(${items.join(' AND ')})`;
    }
    case 'or': {
      const items = p.items.map(superset);
      return items.some((s) => s === null) ? null : `(${items.join(' OR ')})`;
    }
    case 'not': {
      const a = superset(p.a);
      const b = subset(p.b);
      return a === null ? null : b === null ? a : `(${a} NOT ${b})`;
    }
    default:
      return null;
  }
}

/** An expression only papers of `p` match (null: none is known to). */
function subset(p: PExpr): string | null {
  if (isExact(p)) return renderExact(p);
  switch (p.k) {
    case 'prefix':
      return p.exact;
    case 'and': {
      const items = p.items.map(subset);
      return items.some((s) => s === null) ? null : `(${items.join(' AND ')})`;
    }
    case 'or': {
      const items = p.items.map(subset).filter((s): s is string => s !== null);
      return items.length === 0 ? null : items.length === 1 ? items[0]! : `(${items.join(' OR ')})`;
    }
    case 'not': {
      const a = subset(p.a);
      const b = superset(p.b);
      return a === null || b === null ? null : `(${a} NOT ${b})`;
    }
    default:
      return null;
  }
}

/** The whole of `p` as a check on one row. */
function fullCheck(p: PExpr): Check {
  if (isExact(p)) return { k: 'fts', match: renderExact(p) };
  switch (p.k) {
    case 'prefix':
      return { k: 'prefix', prefix: p.prefix, columns: p.columns, exact: p.exact, shared: p.shared };
    case 'not':
      return { k: 'and', items: [fullCheck(p.a), { k: 'not', item: fullCheck(p.b) }] };
    case 'and':
    case 'or':
      return { k: p.k, items: p.items.map(fullCheck) };
    default:
      throw new Error('unreachable');
  }
}

/**
 * `p` as a check on the rows of its superset: what the superset already ensures (the exact
 * parts of an AND, the left side of a NOT) is not checked again.
 */
function candidateCheck(p: PExpr): Check {
  if (isExact(p)) return { k: 'true' };
  switch (p.k) {
    case 'and': {
      const items = p.items.map(candidateCheck).filter((c) => c.k !== 'true');
      return items.length === 1 ? items[0]! : { k: 'and', items };
    }
    case 'not': {
      const a = candidateCheck(p.a);
      const notB: Check = { k: 'not', item: fullCheck(p.b) };
      return a.k === 'true' ? notB : { k: 'and', items: [a, notB] };
    }
    default:
      return fullCheck(p);
  }
}

/**
 * How the store runs a compiled text query: its prefix terms turned into the words that begin
 * with them, and a check on the rows where the index cannot be exact. An expression the query
 * module did not write is used as it is.
 */
export function planMatch(match: string, lookup: WordLookup): MatchPlan {
  const e = parseExpr(match);
  if (!e) return { match, check: null };
  const p = new Planner(lookup).plan(e);
  if (isExact(p)) return { match: renderExact(p), check: null };
  const candidates = superset(p);
  return { match: candidates, check: candidates === null ? fullCheck(p) : candidateCheck(p) };
}
