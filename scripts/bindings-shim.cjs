'use strict';
// Stands in for the `bindings` package inside the CLI bundle (scripts/bundle.js). `bindings`
// finds a native addon by walking up from the calling file and trying a dozen paths, which a
// bundle defeats and which costs milliseconds at every start. better-sqlite3's addon is in
// its build/Release; anywhere else (a debug build), the real `bindings` looks for it there.
const { dirname, join } = require('node:path');
const { createRequire } = require('node:module');

module.exports = function bindings(name) {
  const root = dirname(require.resolve('better-sqlite3/package.json'));
  try {
    return require(join(root, 'build', 'Release', name));
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND') throw err;
    return createRequire(join(root, 'package.json'))('bindings')({ bindings: name, module_root: root });
  }
};
