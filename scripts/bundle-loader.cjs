// dist/loader.cjs: runs the bundled CLI (fabric.cjs, one CommonJS file) with
// V8's code cache (fabric.cjs.cache, written by scripts/build.mjs after a
// compile of the reference spec), so a start does not compile again what a
// compile runs. V8 rejects a cache made by another Node version or for
// other source; the CLI then runs as it would without one.
//
// A command line that the compile stamp answered before is answered again
// from its record without reading the bundle (replay.cjs, built from
// compiler/cli/replay.ts); the bundle loads on first need.
//
// CommonJS, as bin/fabric.cjs: Node starts a CommonJS entry ~9 ms sooner than
// an ES module (docs/performance.md).
'use strict';
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { recordNoop, replayNoop } = require('./replay.cjs');

const file = join(__dirname, 'fabric.cjs');
let script;

function load() {
  // Required here: a replayed answer never needs them.
  const Module = require('node:module');
  const vm = require('node:vm');
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    cachedData = undefined; // not built yet, or removed: run without it
  }
  // latin1: the build checks that the bundle is ASCII, so this is the UTF-8 text, decoded ~4 ms sooner here.
  script = new vm.Script(Module.wrap(readFileSync(file, 'latin1')), { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, Module.createRequire(file), module, file, dirname(file));
  return module.exports;
}

/** What a stream writes, kept while `run` runs (up to a limit: only a short answer is worth recording). */
async function capturing(run) {
  const printed = { stdout: '', stderr: '', complete: true };
  const restore = ['stdout', 'stderr'].map((name) => {
    const stream = process[name];
    const write = stream.write;
    stream.write = function (chunk, ...rest) {
      if (printed[name].length < 64 * 1024) printed[name] += typeof chunk === 'string' ? chunk : String(chunk);
      else printed.complete = false;
      return write.call(this, chunk, ...rest);
    };
    return () => (stream.write = write);
  });
  try {
    return { code: await run(), printed };
  } finally {
    for (const r of restore) r();
  }
}

/** Runs the command line (argv as in process.argv); returns the exit code. */
async function main(argv) {
  if (replayNoop(argv)) return 0;
  const cli = load();
  // Only a compile can be answered by the stamp: what other commands print is not kept.
  if (!argv.slice(2).includes('compile')) return cli.main(argv);
  const { code, printed } = await capturing(() => cli.main(argv));
  const answered = cli.stampAnswer();
  if (code === 0 && answered && printed.complete) recordNoop(argv, answered, printed);
  return code;
}

/** The code cache of everything compiled so far (scripts/build.mjs writes it after a compile). */
const createCachedData = () => script.createCachedData();

module.exports = { main, createCachedData };

// Run as a script (the tests' and the bench's builds have no bin/ beside them).
if (require.main === module) main(process.argv).then((code) => (process.exitCode = code));
