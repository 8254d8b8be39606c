// Fuzz one parser of the registry: argv <name> <seed> <runs>. Prints one JSON line: the count,
// the time, and on failure the shrunk input (also written to fixtures/regressions/).
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { PARSERS, check } from './parsers.mjs';

const [name, seed, runs] = process.argv.slice(2);
const parser = PARSERS.find((p) => p.name === name);
if (!parser) throw new Error(`no parser named ${name}`);
const started = performance.now();
let count = 0;
const result = await fc.check(
  fc.asyncProperty(parser.inputs(), async (input) => {
    count++;
    await check(parser, input);
  }),
  { seed: Number(seed), numRuns: Number(runs), endOnFailure: false },
);
const out = { parser: name, seed: Number(seed), inputs: count, ms: Math.round(performance.now() - started), failed: result.failed };
if (result.failed) {
  const input = result.counterexample[0];
  const error = result.errorInstance instanceof Error ? `${result.errorInstance.name}: ${result.errorInstance.message}` : String(result.errorInstance);
  const dir = fileURLToPath(new URL('../../fixtures/regressions/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}${name}-${seed}.json`;
  writeFileSync(file, JSON.stringify({ parser: name, seed: Number(seed), path: result.counterexamplePath, error, input }, null, 2) + '\n');
  Object.assign(out, { error, input, file });
}
process.stdout.write(JSON.stringify(out) + '\n');
