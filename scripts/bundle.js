/**
 * Bundle the CLI into one CommonJS file, dist/papers.cjs, which bin/papers.js runs.
 *
 * Why: a start-up of `papers` is measured against a bare `node -e 0` (`npm run bench`). Loading
 * ~20 ES modules from dist/ plus commander's files costs tens of ms; one CommonJS file costs a
 * few. The modules in src/ stay as they are (tsc still writes dist/*.js for the tests and
 * bench); this file is only a build artifact. Each command's code is still initialised only
 * when that command runs (esbuild turns `import()` of our modules into lazy initialisers).
 *
 * Kept out of the bundle: the large modules that only network and import commands load
 * (undici, cheerio): they stay in node_modules and load on demand, through src/deps.ts, the same
 * way as from dist/. better-sqlite3's JavaScript is bundled; its native addon stays in
 * node_modules and the store hands its path to better-sqlite3 (the `nativeBinding` option), so
 * the `bindings` package that better-sqlite3 would otherwise call is left out.
 * commander's eager `require('node:child_process')` (for executable subcommands, which papers
 * has none of) is made lazy (lazy-child-process.cjs), and cli-table3's string-width is our
 * displayWidth (table-width.cjs).
 */
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const lazyChildProcess = fileURLToPath(new URL('./lazy-child-process.cjs', import.meta.url));
const tableWidth = fileURLToPath(new URL('./table-width.cjs', import.meta.url));

await build({
  absWorkingDir: fileURLToPath(new URL('..', import.meta.url)),
  entryPoints: ['dist/main.js'],
  outfile: 'dist/papers.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // A third smaller, so a third less to read and parse at every start; names are kept, so
  // that a stack trace (--verbose) still says which function failed.
  minifyWhitespace: true,
  minifySyntax: true,
  external: ['undici', 'cheerio', 'cheerio/*', 'bindings'],
  // Any import() left becomes require(): a script run from V8's code cache (below) cannot
  // import() in Node 20 (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
  supported: { 'dynamic-import': false },
  // dist/papers.cjs sits beside dist/main.js, so URLs made from import.meta.url (../package.json)
  // resolve to the same files.
  define: { 'import.meta.url': '__papers_module_url' },
  banner: { js: "const __papers_module_url = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [{
    name: 'shims',
    setup(b) {
      b.onResolve({ filter: /^(node:)?child_process$/ }, (args) => (/[\\/]commander[\\/]/.test(args.importer) ? { path: lazyChildProcess } : undefined));
      // cli-table3 measures cells with our displayWidth (string-width's measure, without its
      // per-call cost for plain text: src/format/width.ts), so a table of 20 papers draws in
      // a few ms instead of tens.
      b.onResolve({ filter: /^string-width$/ }, (args) => (/[\\/]cli-table3[\\/]/.test(args.importer) ? { path: tableWidth } : undefined));
    },
  }],
  logLevel: 'warning',
});

// V8's code cache for the bundle, which bin/papers.js hands to V8 when it is as new as the
// bundle. V8 compiles a function when it first runs, and the cache holds what was compiled when
// it is made: so it is made after the bundle has declared every command and run the commands a
// day starts with (import, today --offline, list, show) on a small cache, quietly, here.
const bundle = fileURLToPath(new URL('../dist/papers.cjs', import.meta.url));
const { loadBundle } = createRequire(import.meta.url)('../bin/load-bundle.cjs');
const { exports: cli, script } = loadBundle(bundle);
const warm = mkdtempSync(join(tmpdir(), 'papers-warm-'));
const write = process.stdout.write;
const writeErr = process.stderr.write;
try {
  const db = join(warm, 'papers.db');
  const fixture = fileURLToPath(new URL('../fixtures/hf/daily-2024-08-01.html', import.meta.url));
  process.stdout.write = process.stderr.write = () => true;
  cli.buildProgram(['node', 'papers']);
  for (const args of [['import', fixture], ['today', '--offline'], ['list', '-n', '20'], ['show', '2407.21783']]) {
    await cli.main(['node', 'papers', ...args, '--db', db]);
  }
} finally {
  process.stdout.write = write;
  process.stderr.write = writeErr;
  process.exitCode = 0;
  rmSync(warm, { recursive: true, force: true });
}
writeFileSync(`${bundle}.cache`, script.createCachedData());
