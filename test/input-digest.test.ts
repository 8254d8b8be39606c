/**
 * The input digest tells a changed input from the same one (a paper taken again without a merge
 * rests on it): equal digests exactly when the inputs are equal as JSON, over random values,
 * near-misses of real records, and the confusions a careless encoding makes.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ParsedPaper } from '../src/record.js';
import { inputDigest } from '../src/store/input-digest.js';
import { fixturePath } from './helpers/server.js';

const digest = (v: unknown) => inputDigest(v as ParsedPaper);
const real = (JSON.parse(readFileSync(fixturePath('hf/api-daily-papers-2024-08-01.derived.json'), 'utf8')) as { paper: Record<string, unknown> }[]).map((e) => e.paper);

describe('inputDigest', () => {
  it('is 12 hex digits, and equal for equal values whatever their strings are made of', () => {
    const p = real[0]!;
    expect(digest(p)).toMatch(/^[0-9a-f]{12}$/);
    expect(digest(JSON.parse(JSON.stringify(p)))).toBe(digest(p));
    const title = String(p.title);
    expect(digest({ ...p, title: title.slice(0, 5) + title.slice(5) })).toBe(digest(p));
    expect(digest({ ...p, extra: undefined })).toBe(digest(p)); // no field, as in JSON
  });

  it('differs whenever the JSON differs: random values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(digest(a) === digest(b)).toBe(JSON.stringify(a) === JSON.stringify(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('differs after any one change to a real record: a flipped bit of any character, a number, an order, a type', () => {
    fc.assert(
      fc.property(fc.constantFrom(...real), fc.nat(), fc.integer({ min: 0, max: 15 }), (p, at, bit) => {
        const keys = Object.keys(p).filter((k) => typeof p[k] === 'string' && (p[k] as string).length > 0);
        const key = keys[at % keys.length]!;
        const s = p[key] as string;
        const i = at % s.length;
        const changed = { ...p, [key]: s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ (1 << bit)) + s.slice(i + 1) };
        expect(digest(changed)).not.toBe(digest(p));
      }),
      { numRuns: 3000 },
    );
    const p = real[1]!;
    const confusions: unknown[] = [
      { ...p, upvotes: Number(p.upvotes) + 1 },
      { ...p, upvotes: String(p.upvotes) },
      { ...p, authors: [...(p.authors as unknown[])].reverse() },
      { ...p, title: null },
      { ...p, title: 'null' },
      { ...p, title: '' },
      { ...p, summary: `${p.title}${p.summary}`, title: '' },
      { ...p, tags: ['ab', 'c'] },
      { ...p, tags: ['a', 'bc'] },
      { ...p, tags: [['a'], 'bc'] },
      { ...p, flag: true },
      { ...p, flag: false },
    ];
    const all = [p, ...confusions].map(digest);
    expect(new Set(all).size).toBe(all.length);
  });
});
