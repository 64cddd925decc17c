// fabric apply is done only when ArgoCD runs what was pushed, and on podman as on docker:
// stand-in Applications report a revision (status.sync.revision), a stand-in podman
// answers in podman's formats.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  applyWith as apply,
  REFERENCE_APPS as EXPECTED_APPS,
  REFERENCE_SPEC as SPEC,
} from './fixtures/runner/apply-harness.ts';
import { installStandins } from './fixtures/runner/standins.ts';
import { referenceSpecPushingTo, remoteHead, sandbox } from './helpers/git-remote.ts';
import { requireTool } from './helpers/tools.ts';

test('after a spec change apply waits for every Application to report the new commit, and names the ones behind', async () => {
  if (!requireTool('git', 'the push step')) return;
  const sb = sandbox();
  try {
    const { spec, text: specText, remote } = await referenceSpecPushingTo(sb.root);
    const s = await installStandins();
    const env = { FABRIC_CACHE_DIR: join(sb.root, 'cache'), FAKE_GIT_DIR: remote };
    const first = await apply(s, env, { spec, push: true });
    assert.is(first.code, 0, first.text);
    const old = (await remoteHead(remote))!;
    assert.match(
      first.text,
      /Wait for \d+ Applications to be Synced and Healthy at the pushed commit .*: already done/,
    );

    // A NodePort changes: the push makes a new commit, ArgoCD still reports the old one.
    writeFileSync(spec, specText.replace('nodePort: 30300', 'nodePort: 30301'));
    assert.not.equal(readFileSync(spec, 'utf8'), specText, 'the spec changed');
    const behind = await apply(
      s,
      { ...env, FAKE_REVISION: old, FAKE_CONDITION: 'rpc error: authentication required' },
      { spec, push: true, timeout: '1s' },
    );
    const pushed = (await remoteHead(remote))!;
    assert.not.equal(pushed, old);
    assert.is(behind.code, 3, behind.text);
    assert.match(
      behind.text,
      `of ${EXPECTED_APPS.length} Applications are not Synced and Healthy at ${pushed.slice(0, 12)}`,
    );
    // Progress per Application, and the timeout's list: which are behind, at which commit, and why.
    assert.match(behind.text, `grafana: Synced/Healthy at ${old.slice(0, 12)}, not yet ${pushed.slice(0, 12)}`);
    assert.match(behind.text, `(${EXPECTED_APPS.length} still at an older revision)`);

    // Once ArgoCD reports the pushed commit, the re-run is done.
    const caught = await apply(s, env, { spec, push: true });
    assert.is(caught.code, 0, caught.text);
    assert.match(caught.text, /at the pushed commit .*: already done/);
  } finally {
    sb.restore();
  }
});

test('the timeout names why an Application is behind (its ArgoCD conditions)', async () => {
  const s = await installStandins();
  const { code, text } = await apply(
    s,
    { FAKE_UNHEALTHY: 'grafana', FAKE_CONDITION: 'Failed to load target state: authentication required' },
    { timeout: '1s' },
  );
  assert.is(code, 3);
  assert.match(
    text,
    'grafana: Synced/Progressing (ComparisonError: Failed to load target state: authentication required',
  );
});

test('driver podman: podman commands in podman formats (Host.MemTotal, exit 125 for a missing network, lower-case JSON)', async () => {
  const s = await installStandins();
  const spec = join(s.dir, 'podman.yaml');
  writeFileSync(spec, readFileSync(SPEC, 'utf8').replace('driver: docker', 'driver: podman'));
  const first = await apply(s, {}, { spec });
  assert.is(first.code, 0, first.text);
  const lines = s.lines();
  assert.ok(lines.includes('podman info --format {{.Host.MemTotal}}'), lines.join('\n'));
  assert.ok(lines.includes('podman network inspect fabric'));
  assert.ok(
    lines.includes(
      'podman network create --driver=bridge --subnet=192.168.200.0/24 --label=fabric.dev/fleet=lgtm fabric',
    ),
  );
  assert.not.ok(
    lines.some((l) => l.startsWith('docker ')),
    'no docker command with driver podman',
  );
  assert.ok(lines.some((l) => l.includes('--driver=podman')));
  s.clearLog();
  const again = await apply(s, {}, { spec });
  assert.is(again.code, 0, again.text);
  assert.not.ok(
    s.lines().some((l) => l.startsWith('podman network create')),
    'the network is found on a re-run',
  );

  // Too little memory, read from podman's field.
  const small = await installStandins();
  const tight = await apply(small, { FAKE_DOCKER_MEM: String(8 * 1024 ** 3) }, { spec });
  assert.is(tight.code, 3);
  assert.match(tight.text, "more than the podman engine's memory (8192 MiB)");
});

test.run();
