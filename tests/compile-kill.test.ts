// The real CLI killed (SIGKILL) at random moments while it compiles a changed
// spec: once the next fabric run has looked at the out dir (here
// `compile --check`, which writes no tree of its own), it is exactly the old
// tree or exactly the new one, and the next compile completes.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freshBundleBin } from './helpers/bundle.ts';
import { readTree } from './helpers/compile.ts';
import { fromRoot, repoRoot } from './helpers/paths.ts';

const bin = () => freshBundleBin();
const compile = (spec: string, out: string) =>
  spawnSync(process.execPath, [bin(), 'compile', '--spec', spec, '--out', out], { cwd: repoRoot, encoding: 'utf8' });

/** A seeded PRNG, so a failing run can be repeated. */
function prng(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

test('SIGKILL at random moments of fabric compile leaves exactly the old tree or exactly the new one after the next run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fabric-kill-'));
  const source = readFileSync(fromRoot('spec/fabric.yaml'), 'utf8');
  const specA = join(dir, 'a.yaml');
  const specB = join(dir, 'b.yaml');
  writeFileSync(specA, source);
  // B changes many files: another retention, another Grafana host, one more environment's worth of alerts.
  writeFileSync(
    specB,
    source
      .replace(
        'retention: { metrics: 30d, logs: 14d, traces: 7d }',
        'retention: { metrics: 60d, logs: 28d, traces: 14d }',
      )
      .replace('host: grafana.monitoring.local', 'host: grafana.example.internal')
      .replace('errorRate: { threshold: 0.05, for: 2m }', 'errorRate: { threshold: 0.04, for: 3m }'),
  );

  // The two trees, written once each into their own dirs (specs are named the same way below).
  const outs = { a: join(dir, 'ref-a'), b: join(dir, 'ref-b') };
  assert.is(compile(specA, outs.a).status, 0);
  assert.is(compile(specB, outs.b).status, 0);
  const treeA = readTree(outs.a);
  const treeB = readTree(outs.b);
  assert.not.equal(treeA, treeB);

  // Measure one compile, then kill at random points across it.
  const out = join(dir, 'out');
  const seed = Number(process.env.FABRIC_KILL_SEED ?? 20261125);
  const random = prng(seed);
  const t0 = Date.now();
  assert.is(compile(specA, out).status, 0);
  const span = Date.now() - t0;
  let sawOld = 0;
  let sawNew = 0;
  for (let i = 0; i < 12; i++) {
    const [from, to] = i % 2 === 0 ? [specA, specB] : [specB, specA];
    const delay = Math.floor(random() * span * 1.2);
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, [bin(), 'compile', '--spec', to, '--out', out], {
        cwd: repoRoot,
        stdio: 'ignore',
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      child.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    // A kill after the update's journal was committed leaves a half-renamed
    // tree; every fabric command that reads the out dir finishes it first
    // (docs/reliability.md). --check is such a command and writes nothing else.
    const check = spawnSync(process.execPath, [bin(), 'compile', '--check', '--spec', to, '--out', out], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    assert.ok(check.status === 0 || check.status === 4, `--check after the kill: ${check.status} ${check.stderr}`);
    const now = readTree(out);
    const expectFrom = from === specA ? treeA : treeB;
    const expectTo = to === specA ? treeA : treeB;
    const same = (x: Map<string, string>, y: Map<string, string>) =>
      x.size === y.size && [...x].every(([k, v]) => y.get(k) === v);
    assert.ok(
      same(now, expectFrom) || same(now, expectTo),
      `seed ${seed}, run ${i}, kill after ${delay} ms: the out dir is neither the old nor the new tree`,
    );
    if (same(now, expectFrom)) sawOld += 1;
    else sawNew += 1;
    // Bring it to `to` for the next round.
    assert.is(compile(to, out).status, 0);
    assert.ok(same(readTree(out), expectTo));
  }
  assert.ok(sawOld + sawNew === 12, `old ${sawOld}, new ${sawNew}`);
});

test.run();
