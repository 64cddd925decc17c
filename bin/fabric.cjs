#!/usr/bin/env node
// Entry point: the bundled CLI built by `npm install` (scripts/build.mjs).
// CommonJS: Node starts it ~9 ms sooner than an ES module (docs/performance.md).
'use strict';
let loader;
try {
  loader = require('../dist/loader.cjs');
} catch (e) {
  if (e.code !== 'MODULE_NOT_FOUND' || !String(e.message).includes('loader.cjs')) throw e;
  const root = require('node:path').resolve(__dirname, '..');
  process.stderr.write(
    `fabric: the CLI is not built in ${root} (no dist/)\nhint: run npm install there, or npm run build\n`,
  );
  process.exit(3); // EXIT.toolFailure: a file fabric needs cannot be read
}
loader.main(process.argv).then((code) => (process.exitCode = code));
