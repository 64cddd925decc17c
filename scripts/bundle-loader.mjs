// dist/fabric.mjs: runs the bundled CLI (fabric.cjs, one CommonJS file) with
// V8's code cache (fabric.cjs.cache, written by scripts/build.mjs after a
// compile of the reference spec), so a start does not compile again what a
// compile runs. V8 rejects a cache made by another Node version or for
// other source; the CLI then runs as it would without one.
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const file = fileURLToPath(new URL('./fabric.cjs', import.meta.url));
let cachedData;
try {
  cachedData = readFileSync(`${file}.cache`);
} catch {
  cachedData = undefined; // not built yet, or removed: run without it
}
const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), {
  filename: file,
  cachedData,
});
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));

export const { main } = module.exports;
/** Whether V8 took the cache (for scripts/build.mjs and the tests). */
export const codeCacheUsed = cachedData !== undefined && !script.cachedDataRejected;
/** The code cache of everything compiled so far (scripts/build.mjs writes it after a compile). */
export const createCachedData = () => script.createCachedData();
