import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { compileQuery, parseQuery, queryToFts } from '../src/query.js';
import { UsageError } from '../src/errors.js';
import { BUILTIN_TOPICS } from '../src/topics.js';

/** An unfielded word searches title, abstract, authors and keywords (not categories). */
const w = (literal: string) => `{title summary authors keywords} : ${literal}`;

const compiles: [string, { match?: string; notMatch?: string }][] = [
  ['diffusion', { match: w('"diffusion"') }],
  ['diffusion video', { match: `(${w('"diffusion"')} AND ${w('"video"')})` }],
  ['optim*', { match: w('"optim" *') }],
  ['"state space"', { match: w('"state space"') }],
  ['a OR b', { match: `(${w('"a"')} OR ${w('"b"')})` }],
  ['a b OR c', { match: `((${w('"a"')} AND ${w('"b"')}) OR ${w('"c"')})` }],
  ['a (b OR c)', { match: `(${w('"a"')} AND (${w('"b"')} OR ${w('"c"')}))` }],
  ['(a OR (b OR c)) d', { match: `((${w('"a"')} OR ${w('"b"')} OR ${w('"c"')}) AND ${w('"d"')})` }],
  ['diffusion -video', { match: `(${w('"diffusion"')} NOT ${w('"video"')})` }],
  ['diffusion NOT video NOT audio', { match: `(${w('"diffusion"')} NOT (${w('"video"')} OR ${w('"audio"')}))` }],
  ['x (-a -b)', { match: `(${w('"x"')} NOT (${w('"a"')} OR ${w('"b"')}))` }],
  ['x -(a b)', { match: `(${w('"x"')} NOT (${w('"a"')} AND ${w('"b"')}))` }],
  ['a OR (b -c)', { match: `(${w('"a"')} OR (${w('"b"')} NOT ${w('"c"')}))` }],
  ['-smith', { notMatch: w('"smith"') }],
  ['-smith -jones', { notMatch: `(${w('"smith"')} OR ${w('"jones"')})` }],
  ['title:"state space" -author:smith', { match: '(title : "state space" NOT authors : "smith")' }],
  ['abstract:transformer kw:agents cat:cs.LG', { match: '(summary : "transformer" AND keywords : "agents" AND categories : "cs.LG")' }],
  ['title:(video OR audio)', { match: '(title : "video" OR title : "audio")' }],
  ['title:(video -audio)', { match: '(title : "video" NOT title : "audio")' }],
  ['TITLE:Llama', { match: 'title : "Llama"' }],
  ['author:Núñez', { match: 'authors : "Núñez"' }],
  ['state-space models', { match: `(${w('"state-space"')} AND ${w('"models"')})` }],
  ['a AND b', { match: `(${w('"a"')} AND ${w('"b"')})` }],
  ['say "he said ""hi"""', { match: `(${w('"say"')} AND ${w('"he said "')} AND ${w('"hi"')})` }],
  ['NEAR(a b)', { match: `(${w('"NEAR"')} AND ${w('"a"')} AND ${w('"b"')})` }],
  ["'; DROP TABLE papers; --", { match: `(${w('"DROP"')} AND ${w('"TABLE"')} AND ${w('"papers;"')})` }],
  ['{title}: x', { match: `(${w('"{title}:"')} AND ${w('"x"')})` }],
  ['"unknown:field"', { match: w('"unknown:field"') }],
  ['x ^ y', { match: `(${w('"x"')} AND ${w('"y"')})` }],
];

const errors: [string, RegExp][] = [
  ['unknown:field', /unknown field 'unknown:' at column 1/],
  ['diffusion titel:framer', /unknown field 'titel:' at column 11/],
  ['title:"state space', /unbalanced quote at column 7: "state space/],
  ['x"); DROP TABLE papers', /unbalanced quote at column 2/],
  ['(a OR b', /unbalanced parenthesis at column 1/],
  ['a OR b)', /unbalanced parenthesis at column 7/],
  ['OR a', /OR needs a term before it/],
  ['a OR', /OR needs a term after it/],
  ['NOT', /NOT needs a term after it/],
  ['-', /- needs a term after it/],
  ['title:', /title: needs a word/],
  ['()', /empty parentheses/],
  ['', /empty/],
  ['   ', /empty/],
  ['^ * ;', /no words/],
  ['a OR -b', /NOT cannot stand alone on one side of OR/],
  ['x'.repeat(1001), /at most 1000/],
  ['('.repeat(11) + 'x' + ')'.repeat(11), /groups nested too deeply \(at most 10\) at column 11/],
  [Array.from({ length: 40 }, (_, i) => `a${i} OR (b${i} (`).join('') + 'x' + '))'.repeat(40), /groups nested too deeply/],
];

describe('query language → FTS5', () => {
  for (const [input, expected] of compiles) {
    it(`compiles ${JSON.stringify(input.slice(0, 40))}`, () => {
      expect(queryToFts(input)).toEqual(expected);
    });
  }
  for (const [input, message] of errors) {
    it(`rejects ${JSON.stringify(input.slice(0, 40))}`, () => {
      let err: unknown;
      try {
        queryToFts(input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
    });
  }

  it('every built-in topic compiles', () => {
    for (const [name, q] of Object.entries(BUILTIN_TOPICS)) expect(queryToFts(q, name).match, name).toBeTruthy();
  });

  it('the deepest query the parser allows, inside two topics and -q, is one SQLite accepts', () => {
    const db = new Database(':memory:');
    db.exec("CREATE VIRTUAL TABLE f USING fts5(title, summary, authors, keywords, categories, tokenize='porter unicode61 remove_diacritics 2')");
    const deep = [(x: string, i: number) => `(a${i} OR (b${i} c${i} -d${i} ${x}))`, (x: string, i: number) => `(a${i} b${i} -c${i} (d${i} OR ${x}))`].map((f) => {
      let s = 'x';
      for (let i = 0; i < 5; i++) s = f(s, i);
      return parseQuery(s);
    });
    const c = compileQuery({ kind: 'and', items: [{ kind: 'or', items: deep }, deep[0]!] });
    expect(() => db.prepare('SELECT count(*) FROM f WHERE f MATCH ?').get(c.match)).not.toThrow();
  });

  it('any input compiles to an expression SQLite accepts, or is a usage error (never a crash)', () => {
    const db = new Database(':memory:');
    db.exec("CREATE VIRTUAL TABLE f USING fts5(title, summary, authors, keywords, categories, tokenize='porter unicode61 remove_diacritics 2'); INSERT INTO f VALUES ('a b', 'c', 'd', 'e', 'cs.LG')");
    const q = db.prepare('SELECT count(*) FROM f WHERE f MATCH ?');
    const alphabet = fc.constantFrom(...'ab "()-*:OR NOT AND title:cat:kw:^{}[];\'\\é'.split(''), 'OR', 'NOT', 'title:', '"', '(', ')', '-');
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.array(alphabet, { maxLength: 30 }).map((a) => a.join(''))), (s) => {
      try {
        const c = queryToFts(s);
        for (const e of [c.match, c.notMatch]) if (e) q.get(e);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
      }
    }), { numRuns: 2000 });
  });
});
