#!/usr/bin/env node
// Entry point: the bundled CLI built by `npm install` (scripts/build.mjs).
// CommonJS: Node starts it ~9 ms sooner than an ES module (docs/performance.md).
'use strict';
require('../dist/loader.cjs')
  .main(process.argv)
  .then((code) => (process.exitCode = code));
