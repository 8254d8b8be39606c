// cli-table3's `require('string-width')` in the bundle (scripts/bundle.js): the same measure,
// by way of src/format/width.ts, which skips string-width's per-call cost for plain text.
module.exports = require('../dist/format/width.js').displayWidth;
