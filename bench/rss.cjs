// Preloaded (`node --require bench/rss.cjs …`) into a measured process: at exit, its peak
// resident memory (kB, from getrusage) goes to the file named by PAPERS_BENCH_RSS_FILE.
'use strict';
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  if (process.env.PAPERS_BENCH_RSS_FILE) writeFileSync(process.env.PAPERS_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
