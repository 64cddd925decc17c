// `fabric compile --push`: write the tree, then commit and push it as
// `fabric push` does, in one command.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freshBundleBin } from './helpers/bundle.ts';
import { bareRepo, commitCount, remoteFiles, sandbox } from './helpers/git-remote.ts';
import { fromRoot, repoRoot } from './helpers/paths.ts';
import { requireTool } from './helpers/tools.ts';

const fabric = (args: string[]) =>
  spawnSync(process.execPath, [freshBundleBin(), ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 120_000,
  });

test('compile --push writes the tree, pushes a change, and creates no commit when nothing changed', async () => {
  if (!requireTool('git', 'fabric compile --push')) return;
  const sb = sandbox();
  try {
    const remote = await bareRepo(path.join(sb.root, 'remote.git'));
    process.env.FABRIC_CACHE_DIR = path.join(sb.root, 'cache');
    const spec = path.join(sb.root, 'fabric.yaml');
    const source = readFileSync(fromRoot('spec/fabric.yaml'), 'utf8').replace(
      'https://github.com/you/fabric-gitops.git',
      `file://${remote}`,
    );
    writeFileSync(spec, source);
    const out = path.join(sb.root, 'out');

    const first = fabric(['push', '--spec', spec, '--create-branch']);
    assert.is(first.status, 0, first.stderr);
    assert.is(await commitCount(remote), 1);

    writeFileSync(
      spec,
      source.replace(
        'retention: { metrics: 30d, logs: 14d, traces: 7d }',
        'retention: { metrics: 60d, logs: 14d, traces: 7d }',
      ),
    );
    const changed = fabric(['compile', '--spec', spec, '--out', out, '--push']);
    assert.is(changed.status, 0, changed.stderr);
    assert.match(changed.stdout, /written/);
    assert.match(changed.stdout, /pushed [0-9a-f]{12} to /);
    assert.match(changed.stdout, /components\/monitoring: \d+ changed/);
    assert.is(await commitCount(remote), 2);
    assert.ok((await remoteFiles(remote)).includes('gitops/components/monitoring/mimir/overlays/prod/mimir.yaml'));
    assert.match(
      readFileSync(path.join(out, 'gitops/components/monitoring/mimir/overlays/prod/mimir.yaml'), 'utf8'),
      /compactor_blocks_retention_period: 60d/,
    );

    const again = fabric(['compile', '--spec', spec, '--out', out, '--push']);
    assert.is(again.status, 0, again.stderr);
    assert.match(again.stdout, /up to date/);
    assert.is(await commitCount(remote), 2);
  } finally {
    sb.restore();
  }
});

test.run();
