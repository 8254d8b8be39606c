import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { queryToFts } from '../src/query.js';
import { UsageError } from '../src/errors.js';
import { BUILTIN_TOPICS } from '../src/topics.js';

const compiles: [string, { match?: string; notMatch?: string }][] = [
  ['diffusion', { match: '"diffusion"' }],
  ['diffusion video', { match: '("diffusion" AND "video")' }],
  ['optim*', { match: '"optim" *' }],
  ['"state space"', { match: '"state space"' }],
  ['a OR b', { match: '("a" OR "b")' }],
  ['a b OR c', { match: '(("a" AND "b") OR "c")' }],
  ['a (b OR c)', { match: '("a" AND ("b" OR "c"))' }],
  ['diffusion -video', { match: '("diffusion" NOT "video")' }],
  ['diffusion NOT video NOT audio', { match: '("diffusion" NOT ("video" OR "audio"))' }],
  ['-smith', { notMatch: '"smith"' }],
  ['title:"state space" -author:smith', { match: '(title : "state space" NOT authors : "smith")' }],
  ['abstract:transformer kw:agents cat:cs.LG', { match: '(summary : "transformer" AND keywords : "agents" AND categories : "cs.LG")' }],
  ['title:(video OR audio)', { match: '(title : "video" OR title : "audio")' }],
  ['TITLE:Llama', { match: 'title : "Llama"' }],
  ['state-space models', { match: '("state-space" AND "models")' }],
  ['a AND b', { match: '("a" AND "b")' }],
  ['say "he said ""hi"""', { match: '("say" AND "he said " AND "hi" AND "")'.replace(' AND ""', '') }],
  ['NEAR(a b)', { match: '("NEAR" AND ("a" AND "b"))' }],
  ["'; DROP TABLE papers; --", { match: '("DROP" AND "TABLE" AND "papers;")' }],
  ['unknown:field', { match: '"unknown:field"' }],
  ['x ^ y', { match: '("x" AND "y")' }],
];

const errors: [string, RegExp][] = [
  ['title:"state space', /unbalanced quote at column 7/],
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
