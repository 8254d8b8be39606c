/**
 * The query language of `--query` and topics (README, "Querying the cache"), parsed by a small
 * recursive-descent parser into an AST and compiled to an SQLite FTS5 expression. Every user
 * word reaches FTS5 only as a quoted string literal, so no input can be FTS or SQL syntax.
 *
 *   query   := or
 *   or      := and ('OR' and)*
 *   and     := unary+                      (words are ANDed)
 *   unary   := ('NOT' | '-') unary | primary
 *   primary := [field ':'] ( '(' or ')' | '"phrase"' | word['*'] )
 */
import { UsageError } from './errors.js';

export type QueryNode =
  | { kind: 'term'; text: string; prefix: boolean; phrase: boolean; field: Field | null }
  | { kind: 'and'; items: QueryNode[] }
  | { kind: 'or'; items: QueryNode[] }
  | { kind: 'not'; item: QueryNode }
  | MarkTerm;

/** A personal-mark term (`is:starred`, `tag:x`, `has:note`): matched by the store, not the index. */
export interface MarkTerm {
  kind: 'mark';
  mark: 'starred' | 'seen' | 'hidden' | 'note' | 'tag';
  /** The tag of `tag:x`, lower-cased (tags are kept so). */
  tag?: string;
}

/**
 * A query that holds mark terms, as a condition tree the store turns into SQL: full-text parts
 * (each an FTS5 expression) and mark terms combined with AND, OR and NOT as the user wrote them.
 */
export type QueryCond<T extends FtsTerm = FtsTerm> =
  | T
  | MarkTerm
  | { kind: 'and' | 'or'; items: QueryCond<T>[] }
  | { kind: 'not'; item: QueryCond<T> };

/** A full-text part of a condition tree (the store adds how it runs it: store/queries.ts). */
export interface FtsTerm {
  kind: 'fts';
  match: string;
}

/** Field prefixes and the index columns they search. */
const FIELDS = { title: 'title', abstract: 'summary', author: 'authors', kw: 'keywords', cat: 'categories' } as const;
export type Field = keyof typeof FIELDS;
/** Prefixes that are not fields but are not unknown either: personal marks, and ids pasted as arXiv:… */
const RESERVED_PREFIXES = ['is', 'tag', 'has', 'arxiv'];

export const MAX_QUERY_LENGTH = 1000;
/** Groups inside groups, at most: plenty for a person, and far from FTS5's parser stack. */
export const MAX_NESTING = 10;
/** FTS5's parser overflows near 32 right-nested parentheses; whatever is combined stays below. */
const MAX_FTS_DEPTH = 28;

type Token =
  | { type: 'word'; text: string; pos: number }
  | { type: 'phrase'; text: string; pos: number }
  | { type: 'field'; field: Field; pos: number }
  | { type: 'mark'; term: MarkTerm; pos: number }
  | { type: '(' | ')' | '-' | 'OR' | 'NOT'; pos: number };

function fail(option: string, input: string, pos: number, what: string): never {
  const excerpt = input.slice(pos, pos + 30);
  throw new UsageError(`${option}: ${what} at column ${pos + 1}${excerpt ? `: ${excerpt}` : ''}`, {
    hint: 'words are ANDed; use "quotes", OR, NOT or -word, (groups), title: abstract: author: kw: cat:',
  });
}

function tokenize(input: string, option: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ type: c, pos: i++ });
    } else if (c === '"') {
      const end = input.indexOf('"', i + 1);
      if (end < 0) fail(option, input, i, 'unbalanced quote');
      tokens.push({ type: 'phrase', text: input.slice(i + 1, end), pos: i });
      i = end + 1;
    } else if (c === '-' && (tokens.length === 0 || i === 0 || /[\s(]/.test(input[i - 1]!))) {
      tokens.push({ type: '-', pos: i++ });
    } else {
      const start = i;
      while (i < input.length && !/[\s()"]/.test(input[i]!)) {
        // `field:` ends a word when the part before the colon is a known field.
        if (input[i] === ':' && Object.hasOwn(FIELDS, input.slice(start, i).toLowerCase())) break;
        i++;
      }
      const text = input.slice(start, i);
      if (input[i] === ':' && Object.hasOwn(FIELDS, text.toLowerCase())) {
        tokens.push({ type: 'field', field: text.toLowerCase() as Field, pos: start });
        i++;
      } else if (/^(is|has|tag):/i.test(text)) {
        tokens.push({ type: 'mark', term: markTerm(text, input, start, option), pos: start });
      } else if (text === 'OR' || text === 'NOT') {
        tokens.push({ type: text, pos: start });
      } else if (text !== 'AND') {
        // `titel:framer` would silently match nothing: a prefix that looks like a field must be one.
        const prefix = /^([a-z]{2,12}):[^/:]/i.exec(text);
        if (prefix && !RESERVED_PREFIXES.includes(prefix[1]!.toLowerCase())) {
          throw new UsageError(`${option}: unknown field '${prefix[1]}:' at column ${start + 1}`, {
            hint: `fields: ${Object.keys(FIELDS).map((f) => `${f}:`).join(' ')}; quote the word ("${text}") to search for it as it is`,
          });
        }
        tokens.push({ type: 'word', text, pos: start });
      }
    }
  }
  return tokens;
}

/** `is:starred`, `is:seen`, `is:hidden`, `has:note`, `tag:x`; anything else of those prefixes is a usage error. */
function markTerm(text: string, input: string, pos: number, option: string): MarkTerm {
  const colon = text.indexOf(':');
  const prefix = text.slice(0, colon).toLowerCase();
  const value = text.slice(colon + 1);
  if (prefix === 'is' && ['starred', 'seen', 'hidden'].includes(value.toLowerCase())) return { kind: 'mark', mark: value.toLowerCase() as 'starred' | 'seen' | 'hidden' };
  if (prefix === 'has' && value.toLowerCase() === 'note') return { kind: 'mark', mark: 'note' };
  if (prefix === 'tag' && value !== '') return { kind: 'mark', mark: 'tag', tag: value.toLowerCase() };
  return fail(option, input, pos, prefix === 'tag' ? 'tag: needs a tag name' : `unknown mark '${text}' (is:starred, is:seen, is:hidden, has:note, tag:x)`);
}

/** Parse a query; a query that cannot be parsed is a UsageError pointing at the offending part. */
export function parseQuery(input: string, option = '--query'): QueryNode {
  if (input.length > MAX_QUERY_LENGTH) throw new UsageError(`${option}: the query is ${input.length} characters long (at most ${MAX_QUERY_LENGTH})`);
  // SQLite ends an FTS5 string at a NUL character ("unterminated string"): it separates words
  // like a space (same length, so error positions stay right).
  input = input.replace(/\0/g, ' ');
  const tokens = tokenize(input, option);
  let k = 0;
  let depth = 0;
  const peek = () => tokens[k];
  const at = () => peek()?.pos ?? input.length;

  function or(): QueryNode {
    const items = [and()];
    while (peek()?.type === 'OR') {
      k++;
      if (!peek() || peek()!.type === ')' || peek()!.type === 'OR') fail(option, input, at(), 'OR needs a term after it');
      items.push(and());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  function and(): QueryNode {
    const items: QueryNode[] = [];
    while (peek() && peek()!.type !== ')' && peek()!.type !== 'OR') items.push(unary(null));
    if (items.length === 0) fail(option, input, at(), peek()?.type === 'OR' ? 'OR needs a term before it' : 'expected a word');
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  function unary(field: Field | null): QueryNode {
    const t = peek();
    if (t && (t.type === 'NOT' || t.type === '-')) {
      k++;
      if (!peek() || peek()!.type === ')' || peek()!.type === 'OR') fail(option, input, t.pos, `${t.type} needs a term after it`);
      return { kind: 'not', item: unary(field) };
    }
    return primary(field);
  }

  function primary(field: Field | null): QueryNode {
    const t = peek();
    if (!t) fail(option, input, input.length, 'the query ends too early');
    k++;
    switch (t.type) {
      case 'field': {
        if (field) fail(option, input, t.pos, 'a field inside a field');
        if (!peek() || ['OR', ')'].includes(peek()!.type)) fail(option, input, t.pos, `${t.field}: needs a word, a "phrase" or a (group)`);
        return unary(t.field);
      }
      case '(': {
        if (peek()?.type === ')') fail(option, input, t.pos, 'empty parentheses');
        if (++depth > MAX_NESTING) fail(option, input, t.pos, `groups nested too deeply (at most ${MAX_NESTING})`);
        const inner = withField(or(), field);
        depth--;
        if (peek()?.type !== ')') fail(option, input, t.pos, 'unbalanced parenthesis');
        k++;
        return inner;
      }
      case ')':
        return fail(option, input, t.pos, 'unbalanced parenthesis');
      case 'mark':
        if (field) fail(option, input, t.pos, 'a mark inside a field');
        return t.term;
      case 'phrase':
        return { kind: 'term', text: t.text, prefix: false, phrase: true, field };
      case 'word': {
        const prefix = t.text.endsWith('*');
        return { kind: 'term', text: prefix ? t.text.slice(0, -1) : t.text, prefix, phrase: false, field };
      }
      default:
        return fail(option, input, t.pos, `unexpected ${t.type}`);
    }
  }

  if (tokens.length === 0) throw new UsageError(`${option}: the query is empty`);
  const node = or();
  if (k < tokens.length) fail(option, input, at(), 'unbalanced parenthesis');
  return node;
}

/** Push a field prefix down to every term of a group. */
function withField(node: QueryNode, field: Field | null): QueryNode {
  if (!field) return node;
  switch (node.kind) {
    case 'mark':
      return node;
    case 'term':
      return { ...node, field: node.field ?? field };
    case 'not':
      return { kind: 'not', item: withField(node.item, field) };
    default:
      return { kind: node.kind, items: node.items.map((n) => withField(n, field)) };
  }
}

/** True when a term has something the tokenizer indexes (letters or digits). */
function hasWords(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}

/**
 * Drop terms that hold no words (`^`, `;`): FTS5 would index nothing for them. Flatten an AND
 * inside an AND (and an OR inside an OR), so that `x (-a -b)`, or a topic ANDed with `-q '-a -b'`,
 * has its exclusions beside the terms they exclude from.
 */
function prune(node: QueryNode): QueryNode | null {
  switch (node.kind) {
    case 'mark':
      return node;
    case 'term':
      return hasWords(node.text) ? node : null;
    case 'not': {
      const item = prune(node.item);
      return item ? { kind: 'not', item } : null;
    }
    default: {
      const items = node.items.map(prune).filter((n): n is QueryNode => n !== null)
        .flatMap((n) => (n.kind === node.kind ? n.items : [n]));
      if (items.length === 0) return null;
      return items.length === 1 ? items[0]! : { kind: node.kind, items };
    }
  }
}

const literal = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * The columns a word without a field searches: title, abstract, authors and keywords (the
 * contract's scope of --query). Categories only through cat:, or `-q cv` would match every
 * cs.CV paper and `-q math` every math.* one.
 */
const DEFAULT_COLUMNS = `{${FIELDS.title} ${FIELDS.abstract} ${FIELDS.author} ${FIELDS.kw}}`;

function compileTerm(t: Extract<QueryNode, { kind: 'term' }>): string {
  // cat:cs.LG: the tokenizer splits the category into words; a phrase keeps them together.
  let s = literal(t.text);
  if (t.prefix) s += ' *';
  return `${t.field ? FIELDS[t.field] : DEFAULT_COLUMNS} : ${s}`;
}

function compile(node: QueryNode, option: string): string {
  switch (node.kind) {
    case 'mark':
      throw new Error('a mark term reached the full-text compiler');
    case 'term':
      return compileTerm(node);
    case 'or':
      return `(${node.items.map((n) => {
        if (n.kind === 'not') throw new UsageError(`${option}: NOT cannot stand alone on one side of OR`, { hint: 'write it as (word -other) OR …' });
        return compile(n, option);
      }).join(' OR ')})`;
    case 'not':
      throw new UsageError(`${option}: NOT needs something to exclude from`, { hint: 'e.g. diffusion -video' });
    case 'and': {
      const pos = node.items.filter((n) => n.kind !== 'not');
      const neg = node.items.filter((n): n is Extract<QueryNode, { kind: 'not' }> => n.kind === 'not').map((n) => n.item);
      if (pos.length === 0) throw new UsageError(`${option}: NOT needs something to exclude from`, { hint: 'e.g. diffusion -video' });
      const base = pos.length === 1 ? compile(pos[0]!, option) : `(${pos.map((n) => compile(n, option)).join(' AND ')})`;
      if (neg.length === 0) return base;
      const excluded = neg.length === 1 ? compile(neg[0]!, option) : `(${neg.map((n) => compile(n, option)).join(' OR ')})`;
      return `(${base} NOT ${excluded})`;
    }
  }
}

export interface CompiledQuery {
  /** Papers must match this FTS5 expression. */
  match?: string;
  /** Papers must not match this one (a query that only excludes, like `-smith`). */
  notMatch?: string;
  /**
   * A query with mark terms: the marks and what surrounds them as a condition tree, ANDed with
   * `match` when words stand beside them at the top (notMatch is then unset).
   */
  cond?: QueryCond;
}

function hasMark(node: QueryNode): boolean {
  if (node.kind === 'mark') return true;
  if (node.kind === 'term') return false;
  if (node.kind === 'not') return hasMark(node.item);
  return node.items.some(hasMark);
}

/** True when the query asks about hidden papers (`is:hidden` anywhere): they are then not left out by default. */
export function mentionsHidden(q: CompiledQuery): boolean {
  const walk = (c: QueryCond): boolean => (c.kind === 'mark' ? c.mark === 'hidden' : c.kind === 'fts' ? false : c.kind === 'not' ? walk(c.item) : c.items.some(walk));
  return q.cond ? walk(q.cond) : false;
}

/**
 * A query with mark terms as a condition tree. Each part without marks stays one FTS5
 * expression (the words of an AND together, their exclusions with them); marks, and the
 * AND/OR/NOT around them, keep the user's structure, so `is:starred OR diffusion` and
 * `-(tag:x OR is:seen)` mean what they say.
 */
function toCond(node: QueryNode, option: string): QueryCond {
  switch (node.kind) {
    case 'mark':
      return node;
    case 'term':
      return { kind: 'fts', match: compileTerm(node) };
    case 'not':
      return { kind: 'not', item: toCond(node.item, option) };
    case 'or':
      if (!hasMark(node) && node.items.every((n) => n.kind !== 'not')) return { kind: 'fts', match: compile(node, option) };
      return { kind: 'or', items: node.items.map((n) => toCond(n, option)) };
    case 'and': {
      const plain = node.items.filter((n) => !hasMark(n));
      const marked = node.items.filter(hasMark);
      const items: QueryCond[] = [];
      if (plain.some((n) => n.kind !== 'not')) items.push({ kind: 'fts', match: compile(plain.length === 1 ? plain[0]! : { kind: 'and', items: plain }, option) });
      else items.push(...plain.map((n) => toCond(n, option)));
      items.push(...marked.map((n) => toCond(n, option)));
      return items.length === 1 ? items[0]! : { kind: 'and', items };
    }
  }
}

/** Compile an AST to FTS5; a query with nothing positive at its top becomes an exclusion. */
export function compileQuery(node: QueryNode, option = '--query'): CompiledQuery {
  const pruned = prune(node);
  if (!pruned) throw new UsageError(`${option}: the query has no words to search for`);
  if (hasMark(pruned)) {
    const cond = toCond(pruned, option);
    if (cond.kind === 'fts') return { match: checkDepth(cond.match, option) };
    const walk = (c: QueryCond): void => (c.kind === 'fts' ? void checkDepth(c.match, option) : c.kind === 'mark' ? undefined : c.kind === 'not' ? walk(c.item) : c.items.forEach(walk));
    walk(cond);
    // Words ANDed with marks at the top (`video is:starred`) are the query's text: the index
    // finds them first, and --sort relevance ranks by them.
    const [first, ...rest] = cond.kind === 'and' ? cond.items : [];
    if (first?.kind === 'fts') return { match: first.match, cond: rest.length === 1 ? rest[0]! : { kind: 'and', items: rest } };
    return { cond };
  }
  const items = pruned.kind === 'and' ? pruned.items : [pruned];
  if (items.every((n) => n.kind === 'not')) {
    const negs = items.map((n) => (n as Extract<QueryNode, { kind: 'not' }>).item);
    return { notMatch: checkDepth(compile(negs.length === 1 ? negs[0]! : { kind: 'or', items: negs }, option), option) };
  }
  return { match: checkDepth(compile(pruned, option), option) };
}

/** Refuse an expression FTS5 could not parse for its depth (topics and -q combined, say). */
function checkDepth(fts: string, option: string): string {
  let depth = 0;
  let max = 0;
  let quoted = false;
  for (const c of fts) {
    if (c === '"') quoted = !quoted; // a doubled quote inside a literal toggles twice
    else if (!quoted && c === '(') max = Math.max(max, ++depth);
    else if (!quoted && c === ')') depth--;
  }
  if (max > MAX_FTS_DEPTH) throw new UsageError(`${option}: the query nests groups and exclusions too deeply`, { hint: 'write it with fewer parentheses' });
  return fts;
}

/** Parse and compile in one step. */
export function queryToFts(input: string, option = '--query'): CompiledQuery {
  return compileQuery(parseQuery(input, option), option);
}
