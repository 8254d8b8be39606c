/**
 * The stems prefix checks rely on (src/store/stem.ts) must be the index's own: compared with
 * SQLite's FTS5 porter tokenizer on every word of the fixtures, on the bench generator's
 * vocabulary, and on generated words.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import BetterSqlite3 from 'better-sqlite3';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { porterStem, stemFloor } from '../src/store/stem.js';
import { wordsOf } from '../src/store/words.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** SQLite's stem of each word (a one-token document each), read back from the index's vocabulary. */
function sqliteStems(words: string[]): string[] {
  const db = new BetterSqlite3(':memory:');
  db.exec("CREATE VIRTUAL TABLE t USING fts5(w, tokenize='porter unicode61 remove_diacritics 2'); CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance');");
  const ins = db.prepare('INSERT INTO t (rowid, w) VALUES (?, ?)');
  db.transaction(() => words.forEach((w, i) => ins.run(i + 1, w)))();
  const out = new Array<string>(words.length);
  // The term comes back as a blob of its bytes: the stem module's latin1 strings are those bytes.
  for (const r of db.prepare('SELECT doc, CAST(term AS BLOB) AS term FROM v').all() as { doc: number; term: Buffer }[]) out[r.doc - 1] = r.term.toString('latin1');
  db.close();
  return out;
}

function fixtureWords(): string[] {
  const words = new Set<string>();
  for (const dir of ['hf', 'arxiv']) {
    for (const f of readdirSync(join(FIXTURES, dir))) for (const w of wordsOf(readFileSync(join(FIXTURES, dir, f), 'utf8'))) words.add(w);
  }
  return [...words];
}

const ENGLISH = ['caresses', 'ponies', 'ties', 'caress', 'cats', 'feed', 'agreed', 'plastered', 'bled', 'motoring', 'sing', 'conflated', 'troubled', 'sized',
  'hopping', 'tanned', 'falling', 'hissing', 'fizzed', 'failing', 'filing', 'happy', 'sky', 'relational', 'conditional', 'rational', 'valenci', 'hesitanci',
  'digitizer', 'conformabli', 'radicalli', 'differentli', 'vileli', 'analogousli', 'vietnamization', 'predication', 'operator', 'feudalism', 'decisiveness',
  'hopefulness', 'callousness', 'formaliti', 'sensitiviti', 'sensibiliti', 'triplicate', 'formative', 'formalize', 'electriciti', 'electrical', 'hopeful',
  'goodness', 'revival', 'allowance', 'inference', 'airliner', 'gyroscopic', 'adjustable', 'defensible', 'irritant', 'replacement', 'adjustment',
  'dependent', 'adoption', 'homologou', 'communism', 'activate', 'angulariti', 'homologous', 'effective', 'bowdlerize', 'probate', 'rate', 'cease',
  'controll', 'roll', 'optimal', 'optimizer', 'optimization', 'optimizing', 'hallucination', 'hallucinating', 'possibility', 'generalizations', 'ies',
  'sses', 'eed', 'ing', 'yyy', 'abed', 'oed', 'naïve', 'über', 'café', 'straße', 'x'.repeat(70), 'ab', 'a'];

describe('the stemmer', () => {
  it('gives the index\'s stem for every word of the fixtures and common English', () => {
    const words = [...new Set([...fixtureWords(), ...ENGLISH.flatMap((w) => wordsOf(w))])];
    expect(words.length).toBeGreaterThan(3000);
    const expected = sqliteStems(words);
    const wrong = words.map((w, i) => [w, porterStem(w), expected[i]]).filter(([, a, b]) => a !== b);
    expect(wrong).toEqual([]);
  });

  it('gives the index\'s stem for generated words', () => {
    const letters = fc.constantFrom(...'abcdefghilmnoprstuvyzéøß'.split(''));
    const suffix = fc.constantFrom('', 's', 'es', 'ies', 'ed', 'ing', 'ational', 'ization', 'iveness', 'biliti', 'ity', 'ly', 'ize', 'izer', 'ement', 'ness', 'ful', 'ical', 'll', 'e', 'y');
    fc.assert(fc.property(fc.array(fc.tuple(fc.string({ unit: letters, minLength: 1, maxLength: 9 }), suffix), { minLength: 1, maxLength: 200 }), (parts) => {
      // Folded as the tokenizer folds them (é is e to the index).
      const words = [...new Set(parts.flatMap(([a, b]) => wordsOf(a + b)))];
      const expected = sqliteStems(words);
      expect(words.map(porterStem)).toEqual(expected);
      for (const w of words) expect(w.startsWith(stemFloor(porterStem(w)))).toBe(true);
    }), { numRuns: 50 });
  });

  it('every word begins with the floor of its stem', () => {
    const words = [...fixtureWords(), ...ENGLISH];
    const bad = words.filter((w) => !w.startsWith(stemFloor(porterStem(w))));
    expect(bad).toEqual([]);
  });
});
