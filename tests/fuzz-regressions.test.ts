// Every input the fuzzer ever caught breaking an invariant (tests/fixtures/fuzz,
// one comment line naming the seed and what broke, then the input) is
// replayed through the same invariants, in process and through the CLI, so a
// bug it found stays fixed.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cliProblems, ensureBundle, verifyProblems } from '../scripts/fuzz/external.ts';
import { runCase, type Violation } from '../scripts/fuzz/pipeline.ts';
import { FIXTURE_DIR, fixtureInput } from '../scripts/fuzz/run.ts';
import { requireTool } from './helpers/tools.ts';

const FIXTURES = readdirSync(FIXTURE_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const show = (vs: Violation[]) => vs.map((v) => `${v.invariant}: ${v.detail}`).join('\n');

test('the fuzzer has saved fixtures to replay', () => {
  assert.ok(FIXTURES.length > 0, `no fixtures in ${FIXTURE_DIR}`);
});

test('every fuzz fixture states its seed and the invariant it broke', () => {
  for (const f of FIXTURES) {
    const header = readFileSync(join(FIXTURE_DIR, f), 'utf8').split('\n', 1)[0];
    assert.match(header, /^# fuzz seed [0-9]+ case [0-9]+ sub-seed [0-9]+ \(.+\): [a-z0-9.-]+: /, f);
  }
});

for (const f of FIXTURES) {
  test(`fuzz fixture ${f} keeps every invariant`, async () => {
    const file = readFileSync(join(FIXTURE_DIR, f));
    const bytes = fixtureInput(file);
    // A fixture has no seed directory: its relative paths resolve in an empty one, in process and through the CLI.
    const specDir = mkdtempSync(join(tmpdir(), 'fabric-fuzz-fixture-'));
    const r = runCase(bytes, specDir);
    assert.equal(show(r.violations), '', `in process (${file.toString('utf8').split('\n', 1)[0]})`);
    ensureBundle();
    assert.equal(show(cliProblems(bytes, r, specDir)), '', 'through the CLI');
    // A fixture saved for the verify stage is verified again (kubectl is slow: only those).
    if (
      /\): verify-/.test(file.toString('utf8').split('\n', 1)[0]) &&
      requireTool('kubectl', `verify ${f}`, ['version', '--client'])
    ) {
      assert.ok(r.valid && r.files && r.model, 'the fixture compiles');
      assert.equal(show(await verifyProblems(r.files!, r.model!, r.source)), '', 'verify');
    }
  });
}

test.run();
