/**
 * BibTeX: one entry per paper, with keys that are unique and do not change from one export to
 * the next, and text escaped so that BibTeX (0.99) and biber read the file without errors.
 * Text stays UTF-8 (biber reads it; BibTeX passes it through).
 */
import { arxivAbsUrl } from '../ids.js';
import { citationDate, type Paper } from '../record.js';
import { foldText, normalizeTitle, terminalSafe } from '../text.js';

const STOP = new Set(['a', 'an', 'the', 'on', 'of', 'for', 'to', 'in', 'and', 'with', 'towards', 'toward', 'via', 'is', 'are', 'do', 'does', 'can', 'how', 'what', 'why', 'when', 'from', 'by', 'at', 'as']);

/*
 * BibTeX counts every brace, escaped or not, to find where a field ends: `\{` alone would
 * unbalance the entry. So braces become text commands, and so does everything else that LaTeX
 * would read as markup. Each replacement ends in `{}` or is `\` + a symbol, so a letter after
 * it never runs into a command name.
 */
const LATEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\textbraceleft{}',
  '}': '\\textbraceright{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  // In LaTeX's default (OT1) font encoding these print as ¡ ¿ and a dash.
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '|': '\\textbar{}',
};

/** Text as a BibTeX field value: LaTeX specials escaped, braces always balanced, no controls. */
export function bibEscape(s: string): string {
  return terminalSafe(s).replace(/[\\{}&%$#_~^<>|]/g, (c) => LATEX_SPECIALS[c]!);
}

/**
 * A title with each word that has a capital after its first letter (LLaMA, GPT-4o, 3D)
 * braced, so styles that lower-case titles keep them as written.
 */
export function bibTitle(title: string): string {
  return bibEscape(title).replace(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu, (w) => (/\p{Lu}/u.test(w.slice(1)) ? `{${w}}` : w));
}

/*
 * BibTeX splits the author list at " and " and reads "Last, First" at a comma; a name that
 * holds either (or is "others") is braced so it stays one name, as written.
 */
function bibName(name: string): string {
  const escaped = bibEscape(name);
  return /,|\sand\s|^others$/i.test(escaped) ? `{${escaped}}` : escaped;
}

const FOLD_EXTRA: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/** Lower-case ASCII letters and digits only: what a key is made of. */
function keyPart(s: string): string {
  if (/^[a-z0-9]*$/i.test(s)) return s.toLowerCase();
  return foldText(s).replace(/[ßæœøłđðþı]/g, (c) => FOLD_EXTRA[c]!).replace(/[^a-z0-9]/g, '');
}

/** The first word of a title that says something ("the", "on", "a" do not). */
function firstSignificantWord(title: string): string {
  for (const m of title.matchAll(/[\p{L}\p{M}\p{N}]+/gu)) {
    const w = keyPart(m[0]);
    if (w.length > 1 && !STOP.has(w)) return w;
  }
  return 'paper';
}

const NAME_SUFFIX = /^(jr|sr|ii|iii|iv|phd)\.?$/i;

/** The surname of a name as listings give it ("Ada Lovelace", or "Lovelace, Ada"). */
function surname(name: string): string {
  const comma = name.indexOf(',');
  if (comma > 0 && !NAME_SUFFIX.test(name.slice(comma + 1).trim())) return keyPart(name.slice(0, comma));
  const words = name.replace(/,.*$/, '').split(/\s+/).filter((w) => w && !NAME_SUFFIX.test(w));
  for (let i = words.length - 1; i >= 0; i--) {
    const part = keyPart(words[i]!);
    if (part) return part;
  }
  return '';
}

/** What a key is made from; `ref` names the paper (its id, else its normalised title). */
export interface KeyStub {
  ref: string;
  firstAuthor: string | null;
  title: string;
  date: string | null;
}

export function paperRef(p: { id: string | null; title: string }): string {
  return p.id ?? `title:${normalizeTitle(p.title)}`;
}

export function keyStub(p: Paper): KeyStub {
  return { ref: paperRef(p), firstAuthor: p.authors[0] ?? null, title: p.title, date: citationDate(p) };
}

/** The base key: first author's surname, year, first significant title word (dubey2024llama). */
export function baseKey(s: KeyStub): string {
  const who = (s.firstAuthor && surname(s.firstAuthor)) || 'anon';
  const year = /^\d{4}/.exec(s.date ?? '')?.[0] ?? 'nd';
  return `${who}${year}${firstSignificantWord(s.title)}`;
}

/** a, b, … z, aa, ab, … */
function suffix(n: number): string {
  let s = '';
  for (let k = n; k > 0; k = Math.floor((k - 1) / 26)) s = String.fromCharCode(97 + ((k - 1) % 26)) + s;
  return s;
}

/**
 * Strings kept as 64-bit hashes in one typed array (with a small number each, when `withValues`):
 * 8 or 12 bytes a string, so the keys of a million papers take a few MB where a Set of strings
 * takes a hundred. Two strings with the same hash (about 1 in 10^7 at a million) read as one.
 */
class HashTable64 {
  private readonly stride: number;
  private slots: Uint32Array;
  private size = 0;

  constructor(withValues: boolean) {
    this.stride = withValues ? 3 : 2;
    this.slots = new Uint32Array(this.stride << 12);
  }

  private static hash(s: string): [number, number] {
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b) >>> 0;
    h2 = Math.imul(h2 ^ (h2 >>> 13), 0xc2b2ae35) >>> 0;
    // 0,0 marks an empty slot.
    return h1 === 0 && h2 === 0 ? [0, 1] : [h1, h2];
  }

  /** The slot holding h1,h2, or the empty slot where it would go (linear probing). */
  private find(h1: number, h2: number): number {
    const n = this.slots.length / this.stride;
    for (let i = h1 % n; ; i = (i + 1) % n) {
      const a = this.slots[this.stride * i]!;
      const b = this.slots[this.stride * i + 1]!;
      if ((a === 0 && b === 0) || (a === h1 && b === h2)) return this.stride * i;
    }
  }

  get(s: string): number | undefined {
    const [h1, h2] = HashTable64.hash(s);
    const at = this.find(h1, h2);
    return this.slots[at] === 0 && this.slots[at + 1] === 0 ? undefined : (this.slots[at + 2] ?? 0);
  }

  /** Add `s` (with `value`) unless it is there; false when it was. */
  add(s: string, value = 0): boolean {
    const [h1, h2] = HashTable64.hash(s);
    return this.insert(h1, h2, value);
  }

  private insert(h1: number, h2: number, value: number): boolean {
    // At most 3/4 full, so a probe finds its slot in a few steps.
    if ((this.size + 1) * 4 > (this.slots.length / this.stride) * 3) this.grow();
    const at = this.find(h1, h2);
    if (this.slots[at] !== 0 || this.slots[at + 1] !== 0) return false;
    this.slots[at] = h1;
    this.slots[at + 1] = h2;
    if (this.stride === 3) this.slots[at + 2] = value;
    this.size++;
    return true;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.size = 0;
    for (let i = 0; i < old.length; i += this.stride) if (old[i] !== 0 || old[i + 1] !== 0) this.insert(old[i]!, old[i + 1]!, this.stride === 3 ? old[i + 2]! : 0);
  }
}

/** Hands out keys: the base key if it is free, else the base with the first free suffix. */
export class KeyClaims {
  private readonly taken = new HashTable64(false);

  /** The key and its suffix number (0: none). */
  claim(base: string): { key: string; n: number } {
    let key = base;
    let n = 0;
    while (!this.taken.add(key)) key = base + suffix(++n);
    return { key, n };
  }
}

/**
 * Keys for a whole cache, given its papers in the order they arrived: each paper keeps the
 * key it got first, because a later paper can only take a key no earlier one holds. So a
 * paper's key is the same in every export, whatever the filter or order. Returns the key of a
 * paper; only the suffixes of the papers that needed one are remembered.
 */
export function assignKeys(stubsInArrivalOrder: Iterable<KeyStub>): (p: Paper) => string {
  const claims = new KeyClaims();
  const suffixes = new HashTable64(true);
  for (const s of stubsInArrivalOrder) {
    const { n } = claims.claim(baseKey(s));
    if (n > 0) suffixes.add(s.ref, n);
  }
  return (p) => baseKey(keyStub(p)) + suffix(suffixes.get(paperRef(p)) ?? 0);
}

/**
 * DOIs and URLs are verbatim fields (biblatex prints them as they are), so they are not
 * LaTeX-escaped: what could unbalance the field or split it (braces, backslash, whitespace, a
 * `%` that is not already an escape) is percent-encoded instead, which leaves the link the same.
 */
function verbatim(s: string): string {
  return s.replace(/[{}\\\s]|%(?![0-9A-Fa-f]{2})/g, encodeURIComponent);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** One entry: @article when a journal reference is known, else @misc (as arXiv's own export). */
export function bibEntry(p: Paper, key: string): string {
  const fields: [string, string][] = [['title', `{${bibTitle(p.title)}}`]];
  if (p.authors.length) fields.push(['author', `{${p.authors.map(bibName).join(' and ')}}`]);
  // BibTeX sorts by author, else by `key`: give the papers without names one.
  else fields.push(['key', `{${bibEscape(p.title)}}`]);
  if (p.journalRef) fields.push(['journal', `{${bibEscape(p.journalRef)}}`]);
  const date = citationDate(p);
  if (date && /^\d{4}-\d{2}/.test(date)) {
    fields.push(['year', `{${date.slice(0, 4)}}`]);
    const month = MONTHS[Number(date.slice(5, 7)) - 1];
    if (month) fields.push(['month', month]);
  }
  if (p.id) fields.push(['eprint', `{${bibEscape(p.id)}}`], ['archivePrefix', '{arXiv}']);
  if (p.id && p.categories[0]) fields.push(['primaryClass', `{${bibEscape(p.categories[0])}}`]);
  if (p.doi) fields.push(['doi', `{${verbatim(p.doi)}}`]);
  const url = p.arxivUrl ?? (p.id ? arxivAbsUrl(p.id) : p.url);
  if (url) fields.push(['url', `{${verbatim(url)}}`]);
  return `@${p.journalRef ? 'article' : 'misc'}{${key},\n${fields.map(([k, v]) => `  ${k} = ${v}`).join(',\n')}\n}\n\n`;
}

/**
 * The entries, streamed. `keyOf` gives each paper its key (see assignKeys); without it, keys
 * are made unique in the order the papers come.
 */
export function* renderBibtex(papers: Iterable<Paper>, keyOf?: (p: Paper) => string): Generator<string> {
  const claims = keyOf ? null : new KeyClaims();
  for (const p of papers) yield bibEntry(p, keyOf ? keyOf(p) : claims!.claim(baseKey(keyStub(p))).key);
}
