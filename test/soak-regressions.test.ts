/**
 * Every input the soak's fuzzing ever shrank to a failure (fixtures/regressions/*.json, written
 * by npm run soak) replayed through the same parser: each must now return or throw a typed
 * PapersError, never anything else. Reads the registry the soak uses, from the build.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: plain ESM module of the soak scripts, without types
import { PARSERS, check } from '../scripts/soak/parsers.mjs';

const DIR = fileURLToPath(new URL('../fixtures/regressions/', import.meta.url));
const cases = readdirSync(DIR).filter((f) => f.endsWith('.json')).map((f) => ({ file: f, ...JSON.parse(readFileSync(DIR + f, 'utf8')) as { parser: string; input: string; error: string } }));
const registry = PARSERS as { name: string; parse: (s: string) => unknown }[];

describe('fuzz regressions', () => {
  it('there are cases, and each names a parser of the registry', () => {
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) expect(registry.map((p) => p.name), c.file).toContain(c.parser);
  });
  for (const c of cases) {
    it(`${c.file}: once "${c.error}", now a result or a typed error`, async () => {
      const parser = registry.find((p) => p.name === c.parser)!;
      await expect((check as (p: unknown, i: string) => Promise<void>)(parser, c.input)).resolves.toBeUndefined();
    });
  }
});
