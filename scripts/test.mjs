// The test command: type-check, then every tests/**/*.test.ts under uvu, then
// one closing line `N passed, N failed[, N skipped]` that CI reads.
// Usage: npm test [-- <pattern>]   (pattern: a regex on test file paths)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const pattern = process.argv[2] ?? '\\.test\\.ts$';
let failedExtra = 0;
// The tests make their scratch directories under os.tmpdir(), and fabric its
// cache (push clones, compile stamps) under FABRIC_CACHE_DIR: both in one
// directory per run, removed at the end, so that no run leaves anything
// behind or reads what an earlier run left.
const scratch = mkdtempSync(join(tmpdir(), 'fabric-tests-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

function run(cmd, args, { capture } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
      env: { ...process.env, FORCE_COLOR: '0', TMPDIR: scratch, FABRIC_CACHE_DIR: join(scratch, 'cache') },
    });
    let out = '';
    if (capture) {
      child.stdout.on('data', (d) => {
        out += d;
        process.stdout.write(d);
      });
      child.stderr.on('data', (d) => {
        out += d;
        process.stderr.write(d);
      });
    }
    child.on('close', (code) => resolve({ code, out }));
  });
}

if (!process.env.FABRIC_SKIP_TYPECHECK) {
  const tsc = await run(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit']);
  if (tsc.code !== 0) {
    console.error('typecheck failed');
    failedExtra += 1;
  }
}

const uvu = await run(
  process.execPath,
  ['--import', 'tsx', 'node_modules/uvu/bin.js', 'tests', pattern, '--color', 'false'],
  { capture: true },
);
const num = (label) => Number((new RegExp(`${label}:\\s+(\\d+)`).exec(uvu.out) ?? [])[1] ?? NaN);
const total = num('Total');
const passedRaw = num('Passed');
// Tests that lack an external tool outside CI print `# skip <reason>` (tests/helpers/tools.ts).
const skipped = (uvu.out.match(/^# skip /gm) ?? []).length;
let passed;
let failed;
if (Number.isNaN(total) || Number.isNaN(passedRaw) || total === 0) {
  // uvu died before its summary (a test file failed to import), or nothing matched.
  passed = 0;
  failed = 1 + failedExtra;
} else {
  passed = passedRaw - skipped;
  failed = total - passedRaw + failedExtra + (uvu.code !== 0 && total === passedRaw ? 1 : 0);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 ? 1 : 0;
