// Fault catalog E (docs/reliability.md, E rows): git push. Real git against bare
// repositories on disk and servers on 127.0.0.1 (tests/helpers/git-remote.ts),
// with a throwaway HOME and git config; `fabric push` / `fabric diff` through
// the CLI where the behaviour is what the user sees.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gitEnv } from '../compiler/push/git.ts';
import { pushTree, PushError, type PushTreeOptions } from '../compiler/push/index.ts';
import {
  authRequiredServer,
  bareRepo,
  closedPort,
  commitCount,
  commitTo,
  git,
  remoteFile,
  remoteFiles,
  remoteHead,
  sandbox,
  silentServer,
  tree,
  type Sandbox,
  pushError,
} from './helpers/git-remote.ts';
import { requireTool } from './helpers/tools.ts';
import { exits, fabric, REFERENCE, writeSpec } from './fault-catalog-helpers.ts';

/** A sandboxed HOME and git config around one test; false when git is missing. */
async function withGit(name: string, body: (sb: Sandbox) => Promise<void>): Promise<void> {
  if (!requireTool('git', name)) return;
  const sb = sandbox();
  try {
    await body(sb);
  } finally {
    sb.restore();
  }
}

const v1 = tree({ 'gitops/argocd-apps/agents.yaml': 'kind: ApplicationSet\n', 'README.md': '# generated\n' });
const v2 = tree({ 'gitops/argocd-apps/agents.yaml': 'kind: ApplicationSet # v2\n', 'README.md': '# generated\n' });
const options = (sb: Sandbox, repoURL: string, extra: Partial<PushTreeOptions> = {}): PushTreeOptions => ({
  files: v1,
  target: { repoURL, branch: 'main', path: '' },
  specPath: 'spec/fabric.yaml',
  cacheDir: join(sb.root, 'cache'),
  ...extra,
});

const rejectingRemote = async (sb: Sandbox) => {
  const remote = await bareRepo(join(sb.root, 'remote.git'), { 'other.txt': 'x\n' });
  writeFileSync(join(remote, 'hooks', 'pre-receive'), '#!/bin/sh\necho "branch is protected" >&2\nexit 1\n', {
    mode: 0o755,
  });
  return remote;
};

test('E1: the remote and the ref are named on every push (no upstream needed); a push that fails after the commit says "committed locally as <sha>; not pushed" and exits 5 (any other failure: 3)', () =>
  withGit('E1', async (sb) => {
    const remote = await rejectingRemote(sb);
    const head = await remoteHead(remote);
    const env = { FABRIC_CACHE_DIR: join(sb.root, 'cache') };
    const refused = fabric(['push', '--repo-url', remote, '--branch', 'main'], { env });
    exits(refused, 5);
    assert.match(
      refused.stderr,
      /fabric: committed locally as [0-9a-f]{40}; not pushed to .*remote\.git main: [^]*pre-receive hook declined/,
    );
    assert.is(await remoteHead(remote), head);

    // The cache clone has no upstream: fabric pushes HEAD:refs/heads/main to the URL, so once the remote accepts, the next run lands.
    rmSync(join(remote, 'hooks', 'pre-receive'));
    const accepted = fabric(['push', '--repo-url', remote, '--branch', 'main'], { env });
    exits(accepted, 0);
    assert.match(accepted.stdout, /^pushed [0-9a-f]{12} to /);
    assert.is(await remoteFile(remote, 'other.txt'), 'x\n');

    const nowhere = fabric(['push', '--repo-url', join(sb.root, 'nope.git'), '--branch', 'main'], { env });
    exits(nowhere, 3);
    assert.match(nowhere.stderr, /fabric: cannot reach .*nope\.git/);
  }));

test('E1: a stale refs/heads/<branch>.lock on the remote is reported with what git said, not as a remote that kept moving; exit 5', () =>
  withGit('E1 remote lock', async (sb) => {
    const remote = await bareRepo(join(sb.root, 'remote.git'), { 'other.txt': 'x\n' });
    writeFileSync(join(remote, 'refs', 'heads', 'main.lock'), '');
    const env = { FABRIC_CACHE_DIR: join(sb.root, 'cache') };
    const locked = fabric(['push', '--repo-url', remote, '--branch', 'main'], { env });
    exits(locked, 5);
    assert.match(locked.stderr, /not pushed: .*remote\.git could not lock main: .*refs\/heads\/main\.lock/);
    assert.not.match(locked.stderr, /kept moving/);
    assert.match(locked.stderr, /fix: if nothing else is pushing to main, a killed git left that \.lock file/);
  }));

test("E2: fabric's cache: a stale refs/remotes/origin/<branch>.lock left by a killed fetch is removed with a note; FABRIC_CACHE_DIR a file is a clear error (exit 3)", () =>
  withGit('E2 cache', async (sb) => {
    const remote = await bareRepo(join(sb.root, 'remote.git'), { 'other.txt': 'x\n' });
    const cache = join(sb.root, 'cache');
    const spec = writeSpec(REFERENCE);
    const at = ['--spec', spec, '--repo-url', remote, '--branch', 'main'];
    exits(fabric(['push', ...at], { env: { FABRIC_CACHE_DIR: cache } }), 0);
    const repos = join(cache, 'repos');
    const [clone] = (await import('node:fs')).readdirSync(repos).filter((e) => !e.endsWith('.lock'));
    mkdirSync(join(repos, clone, '.git', 'refs', 'remotes', 'origin'), { recursive: true });
    writeFileSync(join(repos, clone, '.git', 'refs', 'remotes', 'origin', 'main.lock'), '');
    const again = fabric(['push', ...at], { env: { FABRIC_CACHE_DIR: cache } });
    exits(again, 0);
    assert.match(again.stderr, /note: removed a stale \.git\/refs\/remotes\/origin\/main\.lock/);

    const file = join(sb.root, 'a-file');
    writeFileSync(file, 'not a directory\n');
    const bad = fabric(['push', ...at], { env: { FABRIC_CACHE_DIR: file } });
    exits(bad, 3);
    assert.match(bad.stderr, /fabric: cannot use fabric's cache directory .*: a path on the way is not a directory/);
    assert.match(bad.stderr, /fix: point FABRIC_CACHE_DIR at a writable directory/);
  }));

test('E2: git never prompts and never hangs: credentials wanted is auth-failed at once, silence is a timeout, a refused connection is unreachable; no token is printed', () =>
  withGit('E2', async (sb) => {
    const env = gitEnv(join(sb.root, 'clone'));
    assert.is(env.GIT_TERMINAL_PROMPT, '0');
    assert.match(env.GIT_SSH_COMMAND ?? '', /-o BatchMode=yes$/);

    const auth = await authRequiredServer();
    const silent = await silentServer();
    try {
      // A generous timeout: a prompt would turn into 'timeout', never into a hang.
      const err = await pushError(
        pushTree(
          options(sb, auth.url.replace('http://', 'http://robot:hunter2@') + 'fleet.git', { timeoutMs: 60_000 }),
        ),
      );
      assert.is(err.code, 'auth-failed');
      assert.not.match(`${err.message}\n${err.hint}`, 'hunter2');
      assert.match(err.message, 'http://***@127.0.0.1');

      const quiet = await pushError(
        pushTree(options(sb, `${silent.url}fleet.git`, { timeoutMs: 1500, cacheDir: join(sb.root, 'cache-2') })),
      );
      assert.is(quiet.code, 'timeout');

      const refused = await pushError(
        pushTree(
          options(sb, `git://127.0.0.1:${await closedPort()}/fleet.git`, { cacheDir: join(sb.root, 'cache-3') }),
        ),
      );
      assert.is(refused.code, 'remote-unreachable');
    } finally {
      await Promise.all([auth.close(), silent.close()]);
    }
  }));

test("E3: a remote that moved is fetched and fabric's tree is written again on top of it: the other commit stays, the push is fast-forward", () =>
  withGit('E3', async (sb) => {
    const remote = await bareRepo(join(sb.root, 'remote.git'));
    await pushTree(options(sb, remote, { createBranch: true }));
    const theirs = await commitTo(remote, 'main', { 'ops/notes.md': 'someone else\n' }, 'ops notes');
    const result = await pushTree(options(sb, remote, { files: v2 }));
    assert.is(result.status, 'pushed');
    assert.is((await git(remote, 'rev-parse', 'main^')).trim(), theirs, "fabric's commit sits on top of theirs");
    await git(remote, 'merge-base', '--is-ancestor', theirs, 'main');
    assert.is(await remoteFile(remote, 'ops/notes.md'), 'someone else\n');
    assert.is(await remoteFile(remote, 'gitops/argocd-apps/agents.yaml'), 'kind: ApplicationSet # v2\n');
  }));

test("E4: hand edits stop the push unless --force (still no force-push); only fabric's paths are staged; no identity is no failure; hook output reaches the user", () =>
  withGit('E4', async (sb) => {
    const remote = await bareRepo(join(sb.root, 'remote.git'));
    const first = await pushTree(options(sb, remote, { createBranch: true }));
    assert.is(
      (await git(remote, 'log', '-1', '--format=%an <%ae>', 'main')).trim(),
      'fabric <fabric@localhost>',
      'no user.email anywhere, and the commit still lands',
    );
    await commitTo(
      remote,
      'main',
      { 'gitops/argocd-apps/agents.yaml': 'kind: ApplicationSet # tuned by hand\n', 'unrelated.txt': 'fine\n' },
      'hand edit',
    );
    const edited = await remoteHead(remote);
    const stopped = await pushError(pushTree(options(sb, remote, { files: v2 })));
    assert.is(stopped.code, 'hand-edits');
    assert.equal(stopped.files, ['gitops/argocd-apps/agents.yaml']);
    assert.is(await remoteHead(remote), edited);

    writeFileSync(join(first.cloneDir, 'stray.txt'), 'left in the clone\n');
    const forced = await pushTree(options(sb, remote, { files: v2, force: true }));
    assert.is((await git(remote, 'rev-parse', 'main^')).trim(), edited, '--force overwrites the file, not the history');
    assert.equal(forced.overwritten, ['gitops/argocd-apps/agents.yaml']);
    assert.is(await remoteFile(remote, 'unrelated.txt'), 'fine\n');
    assert.not.ok((await remoteFiles(remote)).includes('stray.txt'), "only fabric's paths are staged");

    const hooks = join(sb.root, 'hooks');
    mkdirSync(hooks);
    writeFileSync(
      join(hooks, 'pre-commit'),
      '#!/bin/sh\necho "policy: every commit needs a ticket number" >&2\nexit 1\n',
      { mode: 0o755 },
    );
    sb.setGlobalConfig(`[core]\n\thooksPath = ${hooks}\n`);
    const hooked = await pushError(pushTree(options(sb, remote, { files: v1 })));
    assert.match(hooked.message, 'policy: every commit needs a ticket number');
  }));

test('E5: nothing changed, nothing committed: "up to date" and exit 0; diff --exit-code tells changes (4) from none (0)', () =>
  withGit('E5', async (sb) => {
    const remote = await bareRepo(join(sb.root, 'remote.git'));
    const env = { FABRIC_CACHE_DIR: join(sb.root, 'cache') };
    const spec = writeSpec(REFERENCE);
    const at = ['--spec', spec, '--repo-url', remote, '--branch', 'main'];
    exits(fabric(['push', ...at, '--create-branch'], { env }), 0);
    const again = fabric(['push', ...at], { env });
    exits(again, 0);
    assert.match(again.stdout, /main: up to date\n$/);
    assert.is(await commitCount(remote), 1);
    exits(fabric(['diff', ...at, '--exit-code'], { env }), 0);

    writeFileSync(spec, REFERENCE.replace('nodePort: 30300', 'nodePort: 30301'));
    const changed = fabric(['diff', ...at, '--exit-code'], { env });
    exits(changed, 4);
    assert.match(
      changed.stdout,
      /changed +gitops\/components\/monitoring\/grafana\/overlays\/monitoring-cluster\/kustomization\.yaml/,
    );
    assert.is(await commitCount(remote), 1, 'diff commits nothing');
  }));

test.run();
