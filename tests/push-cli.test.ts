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
import { fromCommandLine } from '../compiler/cli/commands/push.ts';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function fabric(args: string[], cwd = repoRoot): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [freshBundleBin(), ...args], {
      cwd,
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

test("a relative --repo-url is a path from the working directory, not from fabric's cache clone", async () => {
  if (!requireTool('git', 'fabric push with a relative --repo-url')) return;
  const sb = sandbox();
  try {
    const remote = await bareRepo(path.join(sb.root, 'remote.git'));
    process.env.FABRIC_CACHE_DIR = path.join(sb.root, 'cache');
    const spec = path.join(repoRoot, 'spec/fabric.yaml');
    for (const spelling of ['remote.git', './remote.git']) {
      const r = await fabric(['push', spec, '--repo-url', spelling, '--branch', 'main', '--create-branch'], sb.root);
      assert.is(r.status, 0, r.stderr);
    }
    assert.is(await commitCount(remote, 'main'), 1, 'the first push committed; the second found nothing to change');
  } finally {
    sb.restore();
  }
});

test('--repo-url: URLs and scp-like addresses are kept as typed, local paths made absolute', () => {
  assert.is(fromCommandLine('https://github.com/you/x.git'), 'https://github.com/you/x.git');
  assert.is(fromCommandLine('file:///srv/x.git'), 'file:///srv/x.git');
  assert.is(fromCommandLine('git@github.com:you/x.git'), 'git@github.com:you/x.git');
  assert.is(fromCommandLine('../x.git'), path.resolve('../x.git'));
  assert.is(fromCommandLine('/srv/x.git'), '/srv/x.git');
});

test.run();
