#!/usr/bin/env node
'use strict';
// CommonJS (see bin/package.json): it runs dist/papers.cjs, the one-file bundle that
// `npm run build` makes, which starts much faster than the ES modules of dist/. When the
// bundle is missing or older than the tsc output (tsc run alone), the ES modules run instead.
const { readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist');
const mtime = (file) => statSync(join(dist, file), { throwIfNoEntry: false })?.mtimeMs ?? -1;
const bundled = mtime('papers.cjs');

if (bundled >= 0 && bundled >= mtime('main.js')) {
  // With V8's compiled code for it (dist/papers.cjs.cache, made with the bundle) when as new;
  // V8 ignores a cache that does not fit (another Node, a damaged file).
  let cache;
  try {
    if (mtime('papers.cjs.cache') >= bundled) cache = readFileSync(join(dist, 'papers.cjs.cache'));
  } catch {}
  require('./load-bundle.cjs').loadBundle(join(dist, 'papers.cjs'), cache).exports.main();
} else import('../dist/main.js').then((m) => m.main());
