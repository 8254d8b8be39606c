'use strict';
// Runs dist/papers.cjs the way require() would, but compiled through V8's code cache when one
// is given: compiling the 270 kB bundle was a fifth of a start-up (7-11 ms of ~50 over a bare
// `node -e 0`). scripts/bundle.js makes the cache with this same function, so the source V8
// checks it against is the same text.
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname } = require('node:path');
const { Script } = require('node:vm');

/** Load the CommonJS file `file`; `cachedData` is a code cache made for it (or undefined). */
function loadBundle(file, cachedData) {
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`;
  // The bundle has no import(): scripts/bundle.js turns them into require().
  const script = new Script(source, { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return { exports: module.exports, script };
}

module.exports = { loadBundle };
