/**
 * Prefix queries that match what was typed. The full-text index stems its words (porter), so
 * `hallucinat*` would look for stems beginning "hallucinat" while "hallucination" is stored as
 * "hallucin". The store keeps every word it has indexed, unstemmed and folded like the index's
 * tokenizer (the `words` table); a prefix term becomes the OR of the whole words that begin
 * with it, which the index then stems the way it stemmed the text.
 */
import { foldText } from '../text.js';

/** The words of a text as the index's tokenizer (unicode61, diacritics removed) sees them. */
export function wordsOf(text: string | null): string[] {
  if (!text) return [];
  return foldText(text).split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');
}

/** More words than this for one prefix: the prefix is searched as the index has it. */
export const MAX_PREFIX_WORDS = 300;

/**
 * Rewrite the prefix terms of a compiled FTS5 expression (`"word" *`, as the query module
 * writes them) into the OR of the stored words that begin with them. `lookup` answers the
 * words beginning with a prefix (at most MAX_PREFIX_WORDS + 1). A prefix of several words
 * (`"large lang" *`), or one with too many words, is left as it is.
 */
export function expandPrefixes(match: string, lookup: (prefix: string) => string[]): string {
  return match.replace(/"((?:[^"]|"")*)"(\s*\*)?/g, (whole: string, body: string, star: string | undefined) => {
    if (!star) return whole;
    const text = body.replace(/""/g, '"');
    const words = wordsOf(text);
    if (words.length !== 1) return whole;
    const found = lookup(words[0]!);
    if (found.length === 0 || found.length > MAX_PREFIX_WORDS) return whole;
    return `(${found.map((w) => `"${w}"`).join(' OR ')})`;
  });
}
