// fabric push over the network: a `git daemon` on 127.0.0.1 (concurrent
// pushers, the cache lock), and remotes that refuse, want credentials, or
// never answer.
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { pushTree, type PushTreeOptions } from '../compiler/push/index.ts';
import { requireTool } from './helpers/tools.ts';
import {
  authRequiredServer,
  bareRepo,
  closedPort,
  commitCount,
  gitDaemon,
  remoteFile,
  remoteFiles,
  sandbox,
  silentServer,
  subjects,
  tree,
  type Sandbox,
  type Served,
  pushError,
} from './helpers/git-remote.ts';

interface Ctx {
  sb: Sandbox;
  servers: Served[];
}

const test = suite<Ctx>('push over the network');

test.before.each((ctx) => {
  ctx.sb = sandbox();
  ctx.servers = [];
});
test.after.each(async (ctx) => {
  await Promise.all(ctx.servers.map((s) => s.close()));
  ctx.sb.restore();
});

const haveGit = (name: string) => requireTool('git', name);

const files = tree({ 'gitops/argocd-apps/agents.yaml': 'kind: ApplicationSet\n', 'README.md': '# generated\n' });

function options(ctx: Ctx, repoURL: string, extra: Partial<PushTreeOptions> = {}): PushTreeOptions {
  return {
    files,
    target: { repoURL, branch: 'main', path: '' },
    specPath: 'spec/fabric.yaml',
    cacheDir: path.join(ctx.sb.root, 'cache'),
    ...extra,
  };
}

async function served(ctx: Ctx): Promise<{ bare: string; url: string }> {
  const base = path.join(ctx.sb.root, 'srv');
  const bare = await bareRepo(path.join(base, 'gitops.git'));
  const daemon = await gitDaemon(base);
  ctx.servers.push(daemon);
  return { bare, url: `${daemon.url}gitops.git` };
}

test('git daemon: create the branch, then a no-op push makes no commit', async (ctx) => {
  if (!haveGit('git daemon push')) return;
  const { bare, url } = await served(ctx);
  assert.is((await pushError(pushTree(options(ctx, url)))).code, 'branch-missing');
  const first = await pushTree(options(ctx, url, { createBranch: true }));
  assert.is(first.status, 'pushed');
  assert.equal(await remoteFiles(bare), ['.fabric/manifest.json', 'README.md', 'gitops/argocd-apps/agents.yaml']);
  const again = await pushTree(options(ctx, url));
  assert.is(again.status, 'up-to-date');
  assert.is(await commitCount(bare), 1);
});

test('concurrent pushers from separate clones: every commit lands, none is lost', async (ctx) => {
  if (!haveGit('concurrent pushers')) return;
  const { bare, url } = await served(ctx);
  await pushTree(options(ctx, url, { createBranch: true, target: { repoURL: url, branch: 'main', path: 'seed' } }));
  const pushers = [
    { path: 'a', readme: 'from pusher 1\n' },
    { path: 'a', readme: 'from pusher 2\n' },
    { path: 'b', readme: 'from pusher 3\n' },
    { path: 'c', readme: 'from pusher 4\n' },
  ].map((p, i) =>
    pushTree(
      options(ctx, url, {
        files: tree({ 'README.md': p.readme }),
        target: { repoURL: url, branch: 'main', path: p.path },
        cacheDir: path.join(ctx.sb.root, `cache-${i + 1}`),
        message: `pusher ${i + 1}`,
        maxAttempts: 10,
      }),
    ),
  );
  const results = await Promise.all(pushers);
  assert.ok(results.every((r) => r.status === 'pushed'));
  const history = await subjects(bare);
  for (let i = 1; i <= 4; i++) assert.ok(history.includes(`pusher ${i}`), `pusher ${i} in ${history.join(' | ')}`);
  assert.is(await commitCount(bare), 5);
  // The last pusher to 'a' wins that path; the others' paths are all there.
  const lastToA = history.find((s) => s === 'pusher 1' || s === 'pusher 2');
  assert.is(await remoteFile(bare, 'a/README.md'), `from ${lastToA}\n`);
  assert.is(await remoteFile(bare, 'b/README.md'), 'from pusher 3\n');
  assert.is(await remoteFile(bare, 'c/README.md'), 'from pusher 4\n');
  assert.is(await remoteFile(bare, 'seed/README.md'), '# generated\n');
});

test('two runs on one machine share the cache clone one after the other (the clone lock)', async (ctx) => {
  if (!haveGit('cache lock')) return;
  const { bare, url } = await served(ctx);
  await pushTree(options(ctx, url, { createBranch: true }));
  const [one, two] = await Promise.all([
    pushTree(
      options(ctx, url, {
        files: tree({ 'README.md': 'one\n' }),
        target: { repoURL: url, branch: 'main', path: 'one' },
      }),
    ),
    pushTree(
      options(ctx, url, {
        files: tree({ 'README.md': 'two\n' }),
        target: { repoURL: url, branch: 'main', path: 'two' },
      }),
    ),
  ]);
  assert.is(one.status, 'pushed');
  assert.is(two.status, 'pushed');
  assert.is(one.cloneDir, two.cloneDir);
  assert.is(await remoteFile(bare, 'one/README.md'), 'one\n');
  assert.is(await remoteFile(bare, 'two/README.md'), 'two\n');
});

test('a repository the daemon does not serve is a clear "cannot reach" error', async (ctx) => {
  if (!haveGit('missing remote repository')) return;
  const { url } = await served(ctx);
  const missing = url.replace('gitops.git', 'nothing-here.git');
  const err = await pushError(pushTree(options(ctx, missing)));
  assert.is(err.code, 'remote-unreachable');
  assert.match(err.message, `cannot reach ${missing}`);
});

test('connection refused is a clear "cannot reach" error', async (ctx) => {
  if (!haveGit('connection refused')) return;
  const url = `git://127.0.0.1:${await closedPort()}/gitops.git`;
  const err = await pushError(pushTree(options(ctx, url)));
  assert.is(err.code, 'remote-unreachable');
  assert.match(err.message, 'Connection refused');
});

test('a remote that wants credentials fails at once (no prompt) and the credentials in the URL are never printed', async (ctx) => {
  if (!haveGit('auth failure')) return;
  const server = await authRequiredServer();
  ctx.servers.push(server);
  const url = server.url.replace('http://', 'http://robot:hunter2@') + 'gitops.git';
  const err = await pushError(pushTree(options(ctx, url)));
  assert.is(err.code, 'auth-failed');
  assert.not.match(`${err.message}\n${err.hint}`, 'hunter2');
  assert.match(err.hint ?? '', 'credential helper');
  const anonymous = await pushError(
    pushTree(options(ctx, `${server.url}gitops.git`, { cacheDir: path.join(ctx.sb.root, 'cache-2') })),
  );
  assert.is(anonymous.code, 'auth-failed');
  assert.match(anonymous.message, 'terminal prompts disabled');
});

test('a remote that never answers is stopped by the timeout', async (ctx) => {
  if (!haveGit('silent remote')) return;
  const server = await silentServer();
  ctx.servers.push(server);
  const err = await pushError(pushTree(options(ctx, `${server.url}gitops.git`, { timeoutMs: 1500 })));
  assert.is(err.code, 'timeout');
  assert.match(err.hint ?? '', 'FABRIC_GIT_TIMEOUT');
});

test.run();
