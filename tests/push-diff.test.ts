// fabric diff: what a push would change, per file and per component, with
// nothing committed or pushed; and the pure parts (components, messages).
import path from 'node:path';
import { suite, test as unit } from 'uvu';
import * as assert from 'uvu/assert';
import { changeSetFromNameStatus, commitMessage, componentOf } from '../compiler/push/changes.ts';
import { redactCredentials } from '../compiler/push/errors.ts';
import { diffTree, formatChangeSet, pushTree } from '../compiler/push/index.ts';
import { requireTool } from './helpers/tools.ts';
import { bareRepo, commitCount, commitTo, git, remoteHead, sandbox, tree, type Sandbox } from './helpers/git-remote.ts';

unit('components: the first two directories under gitops/, else the top directory', () => {
  assert.is(componentOf('gitops/components/alloy-agent/base/config.alloy'), 'components/alloy-agent');
  assert.is(
    componentOf('gitops/components/monitoring/mimir/overlays/prod/kustomization.yaml'),
    'components/monitoring',
  );
  assert.is(componentOf('gitops/argocd-apps/agents.yaml'), 'argocd-apps');
  assert.is(componentOf('gitops/kustomization.yaml'), 'gitops');
  assert.is(componentOf('.fabric/manifest.json'), '.fabric');
  assert.is(componentOf('README.md'), '(root)');
});

unit('git name-status output becomes a sorted change set, components counted under the target path', () => {
  const out = [
    'M',
    'deploy/gitops/argocd-apps/a.yaml',
    'A',
    'deploy/README.md',
    'D',
    'deploy/gitops/components/alloy-agent/base/x.yaml',
    'A',
    'deploy/gitops/components/alloy-agent/base/y.yaml',
    '',
  ].join('\0');
  const changes = changeSetFromNameStatus(out, 'deploy/');
  assert.equal(
    changes.files.map((f) => `${f.kind} ${f.path}`),
    [
      'added deploy/README.md',
      'changed deploy/gitops/argocd-apps/a.yaml',
      'removed deploy/gitops/components/alloy-agent/base/x.yaml',
      'added deploy/gitops/components/alloy-agent/base/y.yaml',
    ],
  );
  assert.equal(changes.components, [
    { component: '(root)', added: 1, changed: 0, removed: 0 },
    { component: 'argocd-apps', added: 0, changed: 1, removed: 0 },
    { component: 'components/alloy-agent', added: 1, changed: 0, removed: 1 },
  ]);
  const message = commitMessage({ specPath: 'spec/fabric.yaml', prefix: 'deploy/', specHash: 'abc', changes });
  assert.is(
    message,
    [
      'fabric: update deploy/ from spec/fabric.yaml',
      '',
      '4 files in 3 components:',
      '(root): 1 added',
      'argocd-apps: 1 changed',
      'components/alloy-agent: 1 added, 1 removed',
      '',
      'Fabric-Spec: spec/fabric.yaml',
      'Fabric-Spec-Hash: abc',
      'Fabric-Path: deploy',
      '',
    ].join('\n'),
  );
  assert.match(
    commitMessage({ specPath: 's', prefix: '', specHash: 'h', changes, subject: 'bump retention' }),
    /^bump retention\n\n4 files/,
  );
});

unit('credentials in URLs are redacted, ssh users are not secrets', () => {
  assert.is(
    redactCredentials("fatal: unable to access 'https://user:tok@github.com/x.git/'"),
    "fatal: unable to access 'https://***@github.com/x.git/'",
  );
  assert.is(redactCredentials('https://ghp_token@github.com/x.git'), 'https://***@github.com/x.git');
  assert.is(redactCredentials('ssh://git@github.com/x.git'), 'ssh://git@github.com/x.git');
  assert.is(redactCredentials('ssh://git:pw@host/x.git'), 'ssh://***@host/x.git');
});

unit.run();

interface Ctx {
  sb: Sandbox;
  remote: string;
  cacheDir: string;
}

const test = suite<Ctx>('diff');

test.before.each(async (ctx) => {
  ctx.sb = sandbox();
  ctx.remote = path.join(ctx.sb.root, 'remote.git');
  ctx.cacheDir = path.join(ctx.sb.root, 'cache');
});
test.after.each((ctx) => ctx.sb.restore());

const target = (ctx: Ctx) => ({ repoURL: ctx.remote, branch: 'main', path: '' });

const v1 = tree({
  'gitops/components/alloy-agent/base/config.alloy': 'v1\n',
  'gitops/components/alloy-agent/base/old.yaml': 'old\n',
  'gitops/argocd-apps/agents.yaml': 'kind: ApplicationSet\n',
});
const v2 = tree({
  'gitops/components/alloy-agent/base/config.alloy': 'v2\n',
  'gitops/argocd-apps/agents.yaml': 'kind: ApplicationSet\n',
  'gitops/components/monitoring/mimir/base/mimir.yaml': 'new\n',
});

test('every kind of change, per file and per component; nothing is committed or pushed', async (ctx) => {
  if (!requireTool('git', 'diff kinds')) return;
  await bareRepo(ctx.remote);
  await pushTree({
    files: v1,
    target: target(ctx),
    specPath: 'spec/fabric.yaml',
    cacheDir: ctx.cacheDir,
    createBranch: true,
  });
  const head = await remoteHead(ctx.remote);
  const result = await diffTree({
    files: v2,
    target: target(ctx),
    specPath: 'spec/fabric.yaml',
    cacheDir: ctx.cacheDir,
  });
  assert.is(result.base, head);
  assert.equal(
    result.changes.files.map((f) => `${f.kind} ${f.path}`),
    [
      'changed .fabric/manifest.json',
      'changed gitops/components/alloy-agent/base/config.alloy',
      'removed gitops/components/alloy-agent/base/old.yaml',
      'added gitops/components/monitoring/mimir/base/mimir.yaml',
    ],
  );
  assert.is(
    formatChangeSet(result.changes),
    [
      '4 files in 3 components would change:',
      '  .fabric: 1 changed',
      '  components/alloy-agent: 1 changed, 1 removed',
      '  components/monitoring: 1 added',
      '',
      '  changed  .fabric/manifest.json',
      '  changed  gitops/components/alloy-agent/base/config.alloy',
      '  removed  gitops/components/alloy-agent/base/old.yaml',
      '  added    gitops/components/monitoring/mimir/base/mimir.yaml',
      '',
    ].join('\n'),
  );
  assert.is(await remoteHead(ctx.remote), head);
  assert.is(await commitCount(ctx.remote), 1);
  // The cache clone is left clean: the next push reports no leftovers.
  const pushed = await pushTree({
    files: v2,
    target: target(ctx),
    specPath: 'spec/fabric.yaml',
    cacheDir: ctx.cacheDir,
  });
  assert.equal(pushed.notes, []);
  assert.equal(pushed.changes, result.changes);
});

test('no changes: an empty change set', async (ctx) => {
  if (!requireTool('git', 'diff no changes')) return;
  await bareRepo(ctx.remote);
  await pushTree({
    files: v1,
    target: target(ctx),
    specPath: 'spec/fabric.yaml',
    cacheDir: ctx.cacheDir,
    createBranch: true,
  });
  const result = await diffTree({
    files: v1,
    target: target(ctx),
    specPath: 'spec/fabric.yaml',
    cacheDir: ctx.cacheDir,
  });
  assert.is(result.changes.files.length, 0);
  assert.is(formatChangeSet(result.changes), 'no changes\n');
});

test('a branch that does not exist yet: everything would be added, no error', async (ctx) => {
  if (!requireTool('git', 'diff missing branch')) return;
  await bareRepo(ctx.remote);
  const result = await diffTree({
    files: v1,
    target: target(ctx),
    specPath: 'spec/fabric.yaml',
    cacheDir: ctx.cacheDir,
  });
  assert.is(result.base, null);
  assert.ok(result.changes.files.every((f) => f.kind === 'added'));
  assert.is(result.changes.files.length, v1.length);
  assert.is(await remoteHead(ctx.remote), null);
});

test('hand edits and unowned files are reported, not raised', async (ctx) => {
  if (!requireTool('git', 'diff ownership')) return;
  await bareRepo(ctx.remote);
  await pushTree({
    files: v1,
    target: target(ctx),
    specPath: 'spec/fabric.yaml',
    cacheDir: ctx.cacheDir,
    createBranch: true,
  });
  await commitTo(
    ctx.remote,
    'main',
    {
      'gitops/argocd-apps/agents.yaml': 'edited by hand\n',
      'gitops/components/monitoring/mimir/base/mimir.yaml': 'theirs\n',
    },
    'hand work',
  );
  const result = await diffTree({
    files: v2,
    target: target(ctx),
    specPath: 'spec/fabric.yaml',
    cacheDir: ctx.cacheDir,
  });
  assert.equal(result.handEdits, ['gitops/argocd-apps/agents.yaml']);
  assert.equal(result.unownedFiles, ['gitops/components/monitoring/mimir/base/mimir.yaml']);
  assert.ok(result.changes.files.some((f) => f.path === 'gitops/argocd-apps/agents.yaml' && f.kind === 'changed'));
  assert.is((await git(ctx.remote, 'log', '-1', '--format=%s', 'main')).trim(), 'hand work');
});

test.run();
