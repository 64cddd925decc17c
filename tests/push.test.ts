// fabric push against bare repositories on disk: ownership, pruning, a moved
// remote, hand edits, the cache clone's faults, identity.
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cacheRoot, cloneDirFor } from '../compiler/push/cache.ts';
import { pushTree, type PushTreeOptions } from '../compiler/push/index.ts';
import { requireTool } from './helpers/tools.ts';
import {
  bareRepo,
  commitCount,
  commitTo,
  git,
  remoteFile,
  remoteFiles,
  remoteHead,
  sandbox,
  subjects,
  tree,
  type Sandbox,
  pushError,
} from './helpers/git-remote.ts';

interface Ctx {
  sb: Sandbox;
  remote: string;
  cacheDir: string;
  push(files: ReturnType<typeof tree>, extra?: Partial<PushTreeOptions>): ReturnType<typeof pushTree>;
}

const test = suite<Ctx>('push');

test.before.each(async (ctx) => {
  ctx.sb = sandbox();
  ctx.remote = path.join(ctx.sb.root, 'remote.git');
  ctx.cacheDir = path.join(ctx.sb.root, 'cache');
  ctx.push = (files, extra = {}) =>
    pushTree({
      files,
      target: { repoURL: ctx.remote, branch: 'main', path: '' },
      specPath: 'spec/fabric.yaml',
      cacheDir: ctx.cacheDir,
      ...extra,
    });
});
test.after.each((ctx) => ctx.sb.restore());

const haveGit = (name: string) => requireTool('git', name);

const v1 = tree({
  'gitops/components/alloy-agent/base/config.alloy': 'logging { level = "info" }\n',
  'gitops/components/alloy-agent/base/kustomization.yaml': 'resources: []\n',
  'gitops/argocd-apps/agents.yaml': 'kind: ApplicationSet\n',
  'README.md': '# generated\n',
});

test('an empty repository: a missing branch is an error that names --create-branch; with it, the first push lands', async (ctx) => {
  if (!haveGit('push into an empty repository')) return;
  await bareRepo(ctx.remote);
  const err = await pushError(ctx.push(v1));
  assert.is(err.code, 'branch-missing');
  assert.match(err.hint ?? '', '--create-branch');
  assert.is(await remoteHead(ctx.remote), null);

  const result = await ctx.push(v1, { createBranch: true });
  assert.is(result.status, 'pushed');
  assert.ok(result.branchCreated);
  assert.is(await remoteHead(ctx.remote), result.commit);
  assert.equal(await remoteFiles(ctx.remote), [
    '.fabric/manifest.json',
    'README.md',
    'gitops/argocd-apps/agents.yaml',
    'gitops/components/alloy-agent/base/config.alloy',
    'gitops/components/alloy-agent/base/kustomization.yaml',
  ]);
  assert.is(await commitCount(ctx.remote), 1);
  const message = await git(ctx.remote, 'log', '-1', '--format=%B', 'main');
  assert.match(message, 'fabric: update the repository root from spec/fabric.yaml');
  assert.match(message, 'components/alloy-agent: 2 added');
  assert.match(message, 'argocd-apps: 1 added');
  assert.match(message, 'Fabric-Path: .');
});

test('a second push of the same tree makes no commit and says up to date', async (ctx) => {
  if (!haveGit('no-op push')) return;
  await bareRepo(ctx.remote, { 'README.md': 'hand-written\n' });
  const first = await ctx.push(v1, { force: true });
  assert.is(first.status, 'pushed');
  const again = await ctx.push(v1);
  assert.is(again.status, 'up-to-date');
  assert.is(again.commit, first.commit);
  assert.is(again.changes.files.length, 0);
  assert.is(await commitCount(ctx.remote), 2);
});

test('files fabric no longer renders are pruned; the manifest follows', async (ctx) => {
  if (!haveGit('pruning')) return;
  await bareRepo(ctx.remote);
  await ctx.push(v1, { createBranch: true });
  const v2 = tree({ 'gitops/argocd-apps/agents.yaml': 'kind: ApplicationSet\n', 'README.md': '# generated, v2\n' });
  const result = await ctx.push(v2);
  assert.is(result.status, 'pushed');
  assert.equal(await remoteFiles(ctx.remote), ['.fabric/manifest.json', 'README.md', 'gitops/argocd-apps/agents.yaml']);
  assert.equal(
    result.changes.components.find((c) => c.component === 'components/alloy-agent'),
    { component: 'components/alloy-agent', added: 0, changed: 0, removed: 2 },
  );
  const manifest = JSON.parse(await remoteFile(ctx.remote, '.fabric/manifest.json'));
  assert.equal(manifest.files, ['.fabric/manifest.json', 'README.md', 'gitops/argocd-apps/agents.yaml']);
});

test('files fabric does not own are never touched, also beside its own and while pruning', async (ctx) => {
  if (!haveGit('unowned files')) return;
  const theirs = {
    'docs/runbook.md': 'ours, by hand\n',
    'gitops/components/custom/app.yaml': 'kind: ConfigMap\n',
    '.gitignore': '*.md\n',
  };
  await bareRepo(ctx.remote, theirs);
  await ctx.push(tree({ 'gitops/components/alloy-agent/base/a.yaml': 'a\n', 'gitops/x.yaml': 'x\n' }));
  await ctx.push(tree({ 'gitops/components/alloy-agent/base/a.yaml': 'a2\n', 'gitops/NOTES.md': 'n\n' }));
  // The repository's .gitignore matches *.md, but a file fabric renders is still committed.
  assert.is(await remoteFile(ctx.remote, 'gitops/NOTES.md'), 'n\n');
  for (const [file, contents] of Object.entries(theirs)) assert.is(await remoteFile(ctx.remote, file), contents, file);
  assert.not.ok((await remoteFiles(ctx.remote)).includes('gitops/x.yaml'));
});

test("rendered files that exist but were never fabric's stop the push; --force takes them over", async (ctx) => {
  if (!haveGit('unowned collision')) return;
  await bareRepo(ctx.remote, { 'README.md': 'hand-written\n', 'other.txt': 'keep\n' });
  const head = await remoteHead(ctx.remote);
  const err = await pushError(ctx.push(v1));
  assert.is(err.code, 'unowned-files');
  assert.equal(err.files, ['README.md']);
  assert.match(err.hint ?? '', '--force');
  assert.is(await remoteHead(ctx.remote), head);

  const forced = await ctx.push(v1, { force: true });
  assert.equal(forced.overwritten, ['README.md']);
  assert.is(await remoteFile(ctx.remote, 'README.md'), '# generated\n');
  assert.is(await remoteFile(ctx.remote, 'other.txt'), 'keep\n');
});

test("a diverged remote: another writer's commit on an unrelated file stays, fabric's commit lands on top", async (ctx) => {
  if (!haveGit('diverged remote')) return;
  await bareRepo(ctx.remote);
  await ctx.push(v1, { createBranch: true });
  const theirs = await commitTo(ctx.remote, 'main', { 'notes/ops.md': 'someone else\n' }, 'ops notes');
  const v2 = tree({
    ...Object.fromEntries(v1.filter((f) => !f.path.startsWith('.fabric')).map((f) => [f.path, f.contents])),
    'README.md': '# generated v2\n',
  });
  const result = await ctx.push(v2);
  assert.is(result.status, 'pushed');
  assert.is((await git(ctx.remote, 'rev-parse', 'main^')).trim(), theirs);
  assert.is(await remoteFile(ctx.remote, 'notes/ops.md'), 'someone else\n');
  assert.is(await remoteFile(ctx.remote, 'README.md'), '# generated v2\n');
});

test('the remote moving between fetch and push: fabric regenerates on the new head and pushes fast-forward', async (ctx) => {
  if (!haveGit('remote moves mid-push')) return;
  await bareRepo(ctx.remote);
  await ctx.push(v1, { createBranch: true });
  // A pre-push hook (the first time only) lets another writer push, as a racing CI job would.
  const hooks = path.join(ctx.sb.root, 'hooks');
  await mkdir(hooks);
  const marker = path.join(ctx.sb.root, 'raced');
  const writer = path.join(ctx.sb.root, 'writer');
  await writeFile(
    path.join(hooks, 'pre-push'),
    [
      '#!/bin/sh',
      `[ -e '${marker}' ] && exit 0`,
      `touch '${marker}'`,
      `rm -rf '${writer}' && git clone -q '${ctx.remote}' '${writer}' && cd '${writer}' || exit 1`,
      'echo racer > racer.txt && git add racer.txt',
      'git -c user.name=Racer -c user.email=racer@example.test commit -q -m racer && git push -q origin HEAD:refs/heads/main',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  ctx.sb.setGlobalConfig(`[core]\n\thooksPath = ${hooks}\n`);

  const v2 = tree({ 'README.md': '# v2\n' });
  const result = await ctx.push(v2);
  assert.is(result.status, 'pushed');
  assert.is(result.attempts, 2);
  assert.equal((await subjects(ctx.remote)).slice(0, 2), [
    'fabric: update the repository root from spec/fabric.yaml',
    'racer',
  ]);
  assert.is(await remoteFile(ctx.remote, 'racer.txt'), 'racer\n');
  assert.is(await remoteFile(ctx.remote, 'README.md'), '# v2\n');
});

test('a hand edit of an owned file stops the push and names it; --force overwrites it without a force-push', async (ctx) => {
  if (!haveGit('hand edits')) return;
  await bareRepo(ctx.remote);
  await ctx.push(v1, { createBranch: true });
  await commitTo(
    ctx.remote,
    'main',
    { 'gitops/argocd-apps/agents.yaml': 'kind: ApplicationSet # tuned by hand\n', 'unrelated.txt': 'fine\n' },
    'hand edit',
  );
  const before = await remoteHead(ctx.remote);
  const v2 = tree({ 'README.md': '# v2\n', 'gitops/argocd-apps/agents.yaml': 'kind: ApplicationSet\n' });

  const err = await pushError(ctx.push(v2));
  assert.is(err.code, 'hand-edits');
  assert.equal(err.files, ['gitops/argocd-apps/agents.yaml']);
  assert.match(err.message, 'gitops/argocd-apps/agents.yaml');
  assert.is(await remoteHead(ctx.remote), before);

  const forced = await ctx.push(v2, { force: true });
  assert.is(forced.status, 'pushed');
  assert.equal(forced.overwritten, ['gitops/argocd-apps/agents.yaml']);
  assert.is((await git(ctx.remote, 'rev-parse', 'main^')).trim(), before);
  assert.is(await remoteFile(ctx.remote, 'gitops/argocd-apps/agents.yaml'), 'kind: ApplicationSet\n');
  assert.is(await remoteFile(ctx.remote, 'unrelated.txt'), 'fine\n');
  // fabric's commit is now the baseline: the next push has nothing to complain about.
  assert.is((await ctx.push(v2)).status, 'up-to-date');
});

test('a hand deletion of an owned file counts as a hand edit', async (ctx) => {
  if (!haveGit('hand deletion')) return;
  await bareRepo(ctx.remote);
  await ctx.push(v1, { createBranch: true });
  await commitTo(ctx.remote, 'main', { 'README.md': null }, 'drop the readme');
  const err = await pushError(ctx.push(v1));
  assert.is(err.code, 'hand-edits');
  assert.equal(err.files, ['README.md']);
});

test('a sub-path: the tree lives under it, the rest of the repository is untouched', async (ctx) => {
  if (!haveGit('sub-path')) return;
  await bareRepo(ctx.remote, { 'README.md': 'the repo\n', 'deploy/other/x.yaml': 'x\n' });
  const target = { repoURL: ctx.remote, branch: 'main', path: 'deploy/fabric/' };
  const result = await ctx.push(v1, { target });
  assert.is(result.status, 'pushed');
  const files = await remoteFiles(ctx.remote);
  assert.ok(files.includes('deploy/fabric/.fabric/manifest.json'));
  assert.ok(files.includes('deploy/fabric/gitops/argocd-apps/agents.yaml'));
  assert.is(await remoteFile(ctx.remote, 'README.md'), 'the repo\n');
  assert.is(await remoteFile(ctx.remote, 'deploy/other/x.yaml'), 'x\n');
  assert.ok(result.changes.files.every((f) => f.path.startsWith('deploy/fabric/')));
  assert.ok(result.changes.components.some((c) => c.component === 'components/alloy-agent'));
  assert.match(await git(ctx.remote, 'log', '-1', '--format=%B', 'main'), 'Fabric-Path: deploy/fabric');
  // Pruning stays inside the sub-path.
  await ctx.push(tree({ 'README.md': 'sub\n' }), { target });
  assert.equal(
    (await remoteFiles(ctx.remote)).filter((f) => f.startsWith('deploy/fabric/')),
    ['deploy/fabric/.fabric/manifest.json', 'deploy/fabric/README.md'],
  );
  assert.is(await remoteFile(ctx.remote, 'README.md'), 'the repo\n');
});

test('no git identity anywhere (clean HOME): commits as fabric <fabric@localhost>', async (ctx) => {
  if (!haveGit('missing identity')) return;
  await bareRepo(ctx.remote);
  await ctx.push(v1, { createBranch: true });
  assert.is(
    (await git(ctx.remote, 'log', '-1', '--format=%an <%ae> / %cn <%ce>', 'main')).trim(),
    'fabric <fabric@localhost> / fabric <fabric@localhost>',
  );
});

test('a configured git identity is used as author and committer', async (ctx) => {
  if (!haveGit('configured identity')) return;
  ctx.sb.setGlobalConfig('[user]\n\tname = Ada Ops\n\temail = ada@example.test\n');
  await bareRepo(ctx.remote);
  await ctx.push(v1, { createBranch: true });
  assert.is((await git(ctx.remote, 'log', '-1', '--format=%an <%ae>', 'main')).trim(), 'Ada Ops <ada@example.test>');
});

test('the cache clone: leftover changes and a stale index.lock are cleared, with a note', async (ctx) => {
  if (!haveGit('dirty cache clone')) return;
  await bareRepo(ctx.remote);
  const first = await ctx.push(v1, { createBranch: true });
  await writeFile(path.join(first.cloneDir, 'README.md'), 'scribbled\n');
  await writeFile(path.join(first.cloneDir, 'stray.txt'), 'stray\n');
  await writeFile(path.join(first.cloneDir, '.git', 'index.lock'), '');
  const again = await ctx.push(v1);
  assert.is(again.status, 'up-to-date');
  assert.ok(
    again.notes.some((n) => n.includes('index.lock')),
    again.notes.join('\n'),
  );
  assert.ok(
    again.notes.some((n) => n.includes('discarded leftover changes')),
    again.notes.join('\n'),
  );
  assert.not.ok(existsSync(path.join(first.cloneDir, 'stray.txt')));
  assert.not.ok((await remoteFiles(ctx.remote)).includes('stray.txt'));
});

test('a cache directory that holds a clone of another URL is reported, not reused', async (ctx) => {
  if (!haveGit('foreign cache clone')) return;
  await bareRepo(ctx.remote);
  const cloneDir = cloneDirFor(ctx.remote, cacheRoot(ctx.cacheDir));
  await mkdir(cloneDir, { recursive: true });
  await git(cloneDir, 'init', '--quiet');
  await git(cloneDir, 'remote', 'add', 'origin', 'https://robot:s3cret@example.test/other.git');
  const err = await pushError(ctx.push(v1, { createBranch: true }));
  assert.is(err.code, 'foreign-cache');
  assert.match(err.message, 'https://***@example.test/other.git');
  assert.not.match(err.message, 's3cret');
  assert.match(err.hint ?? '', cloneDir);
});

test('a remote that refuses the commit: "committed locally as <sha>; not pushed", and the remote is unchanged', async (ctx) => {
  if (!haveGit('remote refuses')) return;
  await bareRepo(ctx.remote, { 'other.txt': 'x\n' });
  await writeFile(
    path.join(ctx.remote, 'hooks', 'pre-receive'),
    '#!/bin/sh\necho "branch is protected" >&2\nexit 1\n',
    { mode: 0o755 },
  );
  const head = await remoteHead(ctx.remote);
  const err = await pushError(ctx.push(v1));
  assert.is(err.code, 'not-pushed');
  const sha = /committed locally as ([0-9a-f]{40}); not pushed/.exec(err.message)?.[1];
  assert.ok(sha, err.message);
  assert.match(err.message, 'pre-receive hook declined');
  assert.is(await remoteHead(ctx.remote), head);
  const cloneDir = cloneDirFor(ctx.remote, cacheRoot(ctx.cacheDir));
  assert.is((await git(cloneDir, 'cat-file', '-t', sha!)).trim(), 'commit');
});

test('an unreachable remote (a path that is not a repository) is a clear error', async (ctx) => {
  if (!haveGit('unreachable path')) return;
  const err = await pushError(
    ctx.push(v1, { target: { repoURL: path.join(ctx.sb.root, 'nope.git'), branch: 'main', path: '' } }),
  );
  assert.is(err.code, 'remote-unreachable');
  assert.match(err.message, 'nope.git');
  assert.match(err.hint ?? '', 'git ls-remote');
});

test('a symlink where fabric writes is refused; nothing is written through it', async (ctx) => {
  if (!haveGit('symlink in the repository')) return;
  await bareRepo(ctx.remote);
  const writer = path.join(ctx.sb.root, 'w');
  await mkdir(writer);
  await git(writer, 'init', '--quiet');
  await symlink('/tmp', path.join(writer, 'gitops'));
  await git(writer, 'add', 'gitops');
  await git(writer, '-c', 'user.name=x', '-c', 'user.email=x@x', 'commit', '--quiet', '-m', 'link');
  await git(writer, 'push', '--quiet', ctx.remote, 'HEAD:refs/heads/main');
  const err = await pushError(ctx.push(v1));
  assert.is(err.code, 'unsafe-path');
  assert.equal(err.files, ['gitops']);
  assert.not.ok(existsSync('/tmp/argocd-apps/agents.yaml'));
});

test('a manifest in the repository that lists paths outside the tree is refused; --force ignores it', async (ctx) => {
  if (!haveGit('hostile manifest')) return;
  const victim = path.join(ctx.sb.root, 'victim.txt');
  await writeFile(victim, 'precious\n');
  const hostile = {
    generator: 'fabric',
    spec: 'x',
    specHash: 'x',
    files: ['../../victim.txt', '.fabric/manifest.json'],
  };
  await bareRepo(ctx.remote, { '.fabric/manifest.json': JSON.stringify(hostile) });
  const err = await pushError(ctx.push(v1));
  assert.is(err.code, 'bad-manifest');
  assert.match(err.message, '../../victim.txt');
  const forced = await ctx.push(v1, { force: true });
  assert.is(forced.status, 'pushed');
  assert.ok(forced.notes.some((n) => n.includes('ignored the unreadable')));
  assert.is(await readFile(victim, 'utf8'), 'precious\n');
});

test('a malformed compiled tree is a bug report, before any git runs', async (ctx) => {
  const noManifest = v1.filter((f) => f.path !== '.fabric/manifest.json');
  assert.is((await pushError(ctx.push(noManifest))).code, 'bad-tree');
  const escaping = [...v1, { path: '../escape.yaml', contents: '' }];
  assert.is((await pushError(ctx.push(escaping))).code, 'bad-tree');
  const unlisted = [...v1, { path: 'extra.yaml', contents: '' }];
  assert.match((await pushError(ctx.push(unlisted))).message, 'unlisted: extra.yaml');
  assert.is(
    (await pushError(ctx.push(v1, { target: { repoURL: ctx.remote, branch: 'main', path: '../up' } }))).code,
    'bad-tree',
  );
  assert.is(
    (await pushError(ctx.push(v1, { target: { repoURL: ctx.remote, branch: 'bad..name', path: '' } }))).code,
    'git-failed',
  );
  assert.not.ok(existsSync(ctx.cacheDir));
});

test.run();
