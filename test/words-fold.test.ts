/** The words of a text as the index's tokenizer sees them (the ASCII shortcut splits as the general rule does), and names in a reader's order. */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { wordsOf } from '../src/store/words.js';
import { compareNames, foldText } from '../src/text.js';

const general = (text: string) => foldText(text).split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');

describe('wordsOf', () => {
  it('gives the words of the general rule for any text, ASCII or not', () => {
    const chars = fc.constantFrom('a', 'Z', '9', ' ', '-', '_', '.', '"', '\t', 'é', 'Å', 'ß', 'ﬁ', '２', '\u0301', 'Ω', '日', '\u00a0');
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: chars }), fc.string({ unit: 'grapheme-ascii' })), (text) => {
      expect(wordsOf(text)).toEqual(general(text));
    }), { numRuns: 2000 });
  });

  it('folds case and splits at every character that is neither a letter nor a digit', () => {
    expect(wordsOf('Large-Language_Models, GPT-4o (2024)')).toEqual(['large', 'language', 'models', 'gpt', '4o', '2024']);
    expect(wordsOf('Café Über-Straße')).toEqual(['cafe', 'uber', 'straße']);
  });
});

describe('compareNames', () => {
  it('orders names case and accents aside, then as written, and is a total order', () => {
    expect(['b', 'Ä', 'vision', 'a', 'B', 'ä', '3d', 'Émotion', 'llm'].sort(compareNames)).toEqual(['3d', 'a', 'Ä', 'ä', 'B', 'b', 'Émotion', 'llm', 'vision']);
    fc.assert(fc.property(fc.array(fc.string()), (names) => {
      const sorted = [...names].sort(compareNames);
      for (let i = 1; i < sorted.length; i++) expect(compareNames(sorted[i - 1]!, sorted[i]!)).toBeLessThanOrEqual(0);
      expect(compareNames('x', 'x')).toBe(0);
      // Equal only when the same text: no two names tie.
      for (const a of names) for (const b of names) expect(compareNames(a, b) === 0).toBe(a === b);
    }));
  });
});
