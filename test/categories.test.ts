/** arXiv's category taxonomy: what `fetch --category` and the config accept. */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARXIV_CATEGORIES, checkCategory, isArxivCategory } from '../src/categories.js';
import { fixturePath } from './helpers/server.js';

describe('arXiv categories', () => {
  it('knows every category the captured arXiv answers name', () => {
    const dir = fixturePath('arxiv');
    const named = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.xml'))) {
      for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/<category term="([^"]+)"/g)) named.add(m[1]!);
    }
    expect(named.size).toBeGreaterThan(5);
    expect([...named].filter((c) => !isArxivCategory(c))).toEqual([]);
  });

  it('has each archive with its subject classes, and the archives without any', () => {
    const byArchive = new Map<string, number>();
    for (const c of ARXIV_CATEGORIES) {
      const archive = c.includes('.') ? c.slice(0, c.indexOf('.')) : c;
      byArchive.set(archive, (byArchive.get(archive) ?? 0) + (c.includes('.') ? 1 : 0));
    }
    expect(Object.fromEntries(byArchive)).toEqual({
      'astro-ph': 6, 'cond-mat': 9, 'gr-qc': 0, 'hep-ex': 0, 'hep-lat': 0, 'hep-ph': 0, 'hep-th': 0, 'math-ph': 0, 'nucl-ex': 0, 'nucl-th': 0, 'quant-ph': 0,
      cs: 40, econ: 3, eess: 4, math: 32, nlin: 5, physics: 22, 'q-bio': 10, 'q-fin': 9, stat: 6,
    });
    expect(new Set(ARXIV_CATEGORIES).size).toBe(ARXIV_CATEGORIES.length);
  });

  it('is case-sensitive, with the right spelling suggested', () => {
    expect(checkCategory('cs.LG')).toBe('cs.LG');
    expect(checkCategory('cond-mat.str-el')).toBe('cond-mat.str-el');
    expect(() => checkCategory('cs.lg')).toThrow(/'cs\.lg' is not an arXiv category/);
    try {
      checkCategory('cs.lg');
    } catch (err) {
      expect((err as { hint?: string }).hint).toBe('did you mean cs.LG? (names are case-sensitive)');
    }
    expect(isArxivCategory('cs.XX')).toBe(false);
    expect(isArxivCategory('math.gt')).toBe(false);
  });
});
