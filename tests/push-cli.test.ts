// `fabric push` and `fabric diff` through the bundled CLI on the reference
// spec: exit codes, the words users read, --json and --exit-code.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freshBundleBin } from './helpers/bundle.ts';
import { bareRepo, commitCount, remoteFiles, sandbox } from './helpers/git-remote.ts';
import { repoRoot } from './helpers/paths.ts';
import { requireTool } from './helpers/tools.ts';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function fabric(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [freshBundleBin(), ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 120_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('push and diff on the reference spec: exit codes and output', async () => {
  if (!requireTool('git', 'fabric push / diff CLI')) return;
  const sb = sandbox();
  try {
    const remote = await bareRepo(path.join(sb.root, 'remote.git'));
    process.env.FABRIC_CACHE_DIR = path.join(sb.root, 'cache');
    const at = ['--repo-url', remote, '--branch', 'main'];

    const missing = await fabric(['push', ...at]);
    assert.is(missing.status, 3, missing.stderr);
    assert.match(missing.stderr, "fabric: branch 'main' does not exist");
    assert.match(missing.stderr, 'fix: pass --create-branch');
    assert.match(missing.stderr, "the tree's ArgoCD Applications read https://github.com/you/fabric-gitops.git");

    const preview = await fabric(['diff', ...at, '--exit-code']);
    assert.is(preview.status, 4, preview.stderr);
    assert.match(preview.stdout, 'branch does not exist yet');
    assert.match(preview.stdout, /added +gitops\/argocd-apps\/kustomization\.yaml/);

    const created = await fabric(['push', ...at, '--create-branch']);
    assert.is(created.status, 0, created.stderr);
    assert.match(
      created.stdout,
      /^created the branch with [0-9a-f]{12} to .*remote\.git main: \d+ files in \d+ components\n/,
    );
    assert.match(created.stdout, /\n {2}components\/alloy-agent: \d+ added\n/);
    assert.ok((await remoteFiles(remote)).includes('.fabric/manifest.json'));

    const again = await fabric(['push', ...at]);
    assert.is(again.status, 0, again.stderr);
    assert.match(again.stdout, 'main: up to date');
    assert.is(await commitCount(remote), 1);

    const clean = await fabric(['diff', ...at, '--exit-code']);
    assert.is(clean.status, 0, clean.stderr);
    assert.match(clean.stdout, 'no changes');

    // The same tree under another path: all new, and the JSON says so.
    const json = await fabric(['diff', ...at, '--path', 'fleet', '--json']);
    assert.is(json.status, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.is(report.path, 'fleet');
    assert.ok(report.changes.files.length > 0);
    assert.ok(
      report.changes.files.every(
        (f: { kind: string; path: string }) => f.kind === 'added' && f.path.startsWith('fleet/'),
      ),
    );
    assert.ok(report.changes.components.some((c: { component: string }) => c.component === 'components/monitoring'));

    const badSpec = path.join(sb.root, 'bad.yaml');
    writeFileSync(badSpec, 'name: x\n');
    const invalid = await fabric(['push', '--spec', badSpec, ...at]);
    assert.is(invalid.status, 1, invalid.stderr);
  } finally {
    sb.restore();
  }
});

test.run();
