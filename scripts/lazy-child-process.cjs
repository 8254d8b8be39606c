'use strict';
// Stands in for node:child_process inside the CLI bundle, for commander only: commander loads it
// at start-up for executable subcommands, which papers has none of, and loading it costs
// several ms of every start. The real module loads on first use.
let real;
module.exports = new Proxy({}, {
  get: (_, key) => (real ??= require('node:child_process'))[key],
});
