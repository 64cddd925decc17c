// Before apply changes anything: the preflight lists every problem at once and
// nothing runs; a second apply of the same fleet is refused by the run lock;
// a successful run ends with where things are; --json is one event per line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileSpec, type Compiled } from '../compiler/index.ts';
import { expectedApplications } from '../compiler/runner/applications.ts';
import { applyCommand, type ApplyOptions, type IO } from '../compiler/runner/commands.ts';
import { lockPath } from '../compiler/runner/lock.ts';
import { registeredClusters } from '../compiler/runner/steps.ts';
import { installStandins, type Standins } from './fixtures/runner/standins.ts';
import { bareRepo, referenceSpecPushingTo, remoteHead, sandbox } from './helpers/git-remote.ts';
import { fromRoot } from './helpers/paths.ts';
import { requireTool } from './helpers/tools.ts';

const SPEC = fromRoot('spec/fabric.yaml');
const compiled = compileSpec(SPEC) as Compiled;
const EXPECTED_APPS = expectedApplications(compiled.files, registeredClusters(compiled.model));

async function apply(s: Standins, fake: Record<string, string> = {}, opts: Partial<ApplyOptions> = {}) {
  const app = join(s.dir, 'runtime-app');
  mkdirSync(app, { recursive: true });
  mkdirSync(join(app, 'runtime-app'), { recursive: true });
  writeFileSync(join(app, 'runtime-app', 'Dockerfile'), 'FROM node:20-alpine\n');
  let text = '';
  const sink = { write: (t: string) => (text += t) };
  const io: IO = {
    out: sink,
    err: sink,
    env: s.env({ FAKE_APPS: EXPECTED_APPS.join(','), ...fake }),
    confirm: async () => true,
  };
  const code = await applyCommand(
    {
      spec: SPEC,
      out: join(s.dir, 'out'),
      timeout: '15m',
      push: false,
      parallel: 1,
      yes: true,
      pollMs: 20,
      appDir: app,
      ...opts,
    },
    io,
  );
  return { code, text };
}

const changes = (line: string) =>
  /^(minikube (start|addons enable|delete|-p \S+ image build)|docker network (create|rm)|kubectl --context \S+ (-n \S+ )?(create|apply|patch))/.test(
    line,
  );

test('every problem is listed at once, with its fix, and nothing is changed', async () => {
  if (!requireTool('git', 'the git preflight')) return;
  const sb = sandbox();
  try {
    const s = await installStandins();
    // An empty repository (no branch), a foreign out dir, too little memory, an old minikube.
    const remote = await bareRepo(join(sb.root, 'empty.git'));
    const spec = join(sb.root, 'fabric.yaml');
    writeFileSync(
      spec,
      readFileSync(SPEC, 'utf8').replace('https://github.com/you/fabric-gitops.git', `file://${remote}`),
    );
    const out = join(sb.root, 'mine');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'not fabric\n');
    const started = Date.now();
    const { code, text } = await apply(
      s,
      { FAKE_DOCKER_MEM: String(8 * 1024 ** 3), FABRIC_CACHE_DIR: join(sb.root, 'cache') },
      { spec, out, push: true },
    );
    assert.is(code, 3, text);
    assert.match(text, 'preflight: 3 problem(s)');
    assert.match(text, "more than the docker engine's memory (8192 MiB)");
    assert.match(text, `branch 'main' does not exist in file://${remote}`);
    assert.match(text, 'fix: run fabric apply --create-branch');
    assert.match(text, `${out} is not empty and fabric did not create it`);
    assert.match(text, 'nothing was changed');
    assert.not.ok(s.lines().some(changes), s.lines().filter(changes).join('\n'));
    assert.ok(Date.now() - started < 60_000, 'a safety net only: the preflight runs no step');
    // Every hint names only flags apply has.
    const { stdout: help } = spawnSync(
      process.execPath,
      ['--import', 'tsx', fromRoot('tests/fixtures/runner/run-cli.ts'), 'apply', '--help'],
      { encoding: 'utf8', cwd: fromRoot() },
    );
    for (const flag of text.match(/fabric apply (--[a-z-]+)/g) ?? []) assert.match(help, flag.split(' ')[2], flag);

    // --create-branch: the push creates the branch, and the run is done when ArgoCD runs that commit.
    const created = await apply(
      s,
      { FABRIC_CACHE_DIR: join(sb.root, 'cache'), FAKE_GIT_DIR: remote },
      { spec, out: join(sb.root, 'out'), push: true, createBranch: true },
    );
    assert.is(created.code, 0, created.text);
    assert.ok(await remoteHead(remote));
  } finally {
    sb.restore();
  }
});

test('a failing `minikube version` is a preflight problem whose fix never deletes the default profile', async () => {
  const s = await installStandins();
  const r = await apply(s, { FAKE_FAIL: 'minikube version', FAKE_FAIL_EXIT: '1' });
  assert.is(r.code, 3, r.text);
  assert.match(r.text, '✗ minikube version --short exited with code 1');
  assert.match(r.text, "fix: minikube itself fails: run 'minikube version --short' to see why");
  assert.not.match(r.text, 'delete -p minikube');
});

test('a kube context that authenticates through an exec plugin is refused with the fix', async () => {
  const s = await installStandins();
  const spec = join(s.dir, 'existing.yaml');
  writeFileSync(spec, readFileSync(fromRoot('tests/fixtures/runner/mixed.yaml'), 'utf8'));
  const r = await apply(s, { FAKE_CONTEXTS: 'kind-monitoring,kind-stage', FAKE_EXEC_CONTEXTS: 'kind-stage' }, { spec });
  assert.is(r.code, 3, r.text);
  assert.match(r.text, 'context kind-stage (cluster stage-cluster) authenticates through an exec plugin');
  assert.match(
    r.text,
    'fix: give fabric a context for stage-cluster with a client certificate or a ServiceAccount token',
  );
  assert.not.ok(s.lines().some(changes));
});

test('a second apply of the same fleet while one runs is refused with a clear message', async () => {
  const s = await installStandins();
  const cache = join(s.dir, 'cache');
  const path = lockPath('lgtm', { FABRIC_CACHE_DIR: cache });
  mkdirSync(join(path, '..'), { recursive: true });
  // A live process holds it (this test's parent).
  writeFileSync(path, String(process.ppid));
  let err: Error | undefined;
  try {
    await apply(s, { FABRIC_CACHE_DIR: cache });
  } catch (e) {
    err = e as Error;
  }
  assert.match(String(err?.message), `another fabric apply (pid ${process.ppid}) is running for the fleet lgtm`);
  assert.is(s.lines().length, 0, 'nothing ran');
  // A lock whose owner is gone is taken over.
  writeFileSync(path, '999999');
  const r = await apply(s, { FABRIC_CACHE_DIR: cache });
  assert.is(r.code, 0, r.text);
});

test('a successful apply ends with the URLs, how to log in (never the password) and what to do next', async () => {
  const s = await installStandins();
  const { code, text } = await apply(s);
  assert.is(code, 0, text);
  assert.match(text, 'Grafana  http://192.168.200.13:30300');
  assert.match(text, 'password: kubectl --context monitoring-cluster -n monitoring get secret grafana-admin -o');
  assert.match(text, 'password: kubectl --context control-cluster -n argocd get secret argocd-initial-admin-secret');
  assert.match(text, /instrumented-app on stage-cluster\s+http:\/\/192\.168\.200\.11:30800/);
  assert.match(text, 'fabric status');
  assert.match(text, 'fabric verify');
  assert.match(text, 'fabric traffic');
  const grafana = s.stored('monitoring-cluster', 'Secret', 'monitoring', 'grafana-admin');
  assert.not.ok(text.includes(Buffer.from(grafana.data['admin-password'], 'base64').toString()));
});

test('--json: one event per line, warnings included; an invalid spec is one line too', async () => {
  const s = await installStandins();
  const spec = join(s.dir, 'bad.yaml');
  writeFileSync(spec, readFileSync(SPEC, 'utf8').replace('name: lgtm', 'name: lgtm\nbogus: 1'));
  // The CLI layer prints an invalid spec (the command throws it), so this half runs the real CLI.
  const bad = spawnSync(
    process.execPath,
    ['--import', 'tsx', fromRoot('tests/fixtures/runner/run-cli.ts'), 'apply', '--spec', spec, '--json', '--dry-run'],
    { cwd: fromRoot(), encoding: 'utf8', env: s.env({}) },
  );
  assert.is(bad.status, 1, bad.stderr);
  const lines = bad.stdout.trim().split('\n');
  assert.is(lines.length, 1, bad.stdout);
  assert.is(JSON.parse(lines[0]).type, 'invalid-spec');
  assert.is(bad.stderr, '', 'nothing but the one JSON line');

  const warned = join(s.dir, 'warned.yaml');
  writeFileSync(
    warned,
    readFileSync(SPEC, 'utf8').replace('https://github.com/you/fabric-gitops.git', 'file:///srv/gitops.git'),
  );
  const ok = await apply(s, {}, { spec: warned, json: true });
  assert.is(ok.code, 0, ok.text);
  const events = ok.text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.ok(
    events.some((e) => e.type === 'diagnostic' && e.severity === 'warning'),
    ok.text.slice(0, 400),
  );
  assert.equal(events.map((e) => e.type).slice(-2), ['run-end', 'summary']);
});

test('git.credentials: the token reaches ArgoCD as a repository Secret on stdin, never on argv or in the output', async () => {
  const s = await installStandins();
  const spec = join(s.dir, 'private.yaml');
  writeFileSync(
    spec,
    readFileSync(SPEC, 'utf8').replace(
      'repoURL: https://github.com/you/fabric-gitops.git',
      'repoURL: https://github.com/you/fabric-gitops.git\n  credentials: { tokenEnv: GITOPS_TOKEN }',
    ),
  );
  const missing = await apply(s, {}, { spec });
  assert.is(missing.code, 3, missing.text);
  assert.match(missing.text, 'git.credentials.tokenEnv names $GITOPS_TOKEN, which is not set');
  assert.match(missing.text, 'fix: export GITOPS_TOKEN=');

  const token = 'ghp_secretvalue1234567890';
  const r = await apply(s, { GITOPS_TOKEN: token }, { spec });
  assert.is(r.code, 0, r.text);
  const repo = s.stored('control-cluster', 'Secret', 'argocd', 'repo-lgtm');
  assert.is(repo.metadata.labels['argocd.argoproj.io/secret-type'], 'repository');
  const decode = (v: string) => Buffer.from(v, 'base64').toString();
  assert.equal(
    [decode(repo.data.type), decode(repo.data.url), decode(repo.data.username), decode(repo.data.password)],
    ['git', 'https://github.com/you/fabric-gitops.git', 'git', token],
  );
  assert.not.ok(
    s.lines().some((l) => l.includes(token)),
    'not on argv',
  );
  assert.not.ok(r.text.includes(token), 'not in the output');
  s.clearLog();
  assert.is((await apply(s, { GITOPS_TOKEN: token }, { spec })).code, 0);
  assert.not.ok(
    s.lines().some((l) => l.includes('apply --server-side')),
    'a re-run finds it registered',
  );
});

test('validate warns when ArgoCD cannot reach git.repoURL from inside the cluster (file://, localhost)', () => {
  for (const url of ['file:///srv/gitops.git', 'http://localhost:3000/me/gitops.git', 'https://127.0.0.1/x.git']) {
    const dir = mkdtempSync(join(tmpdir(), 'fabric-reach-'));
    const spec = join(dir, 'fabric.yaml');
    writeFileSync(spec, readFileSync(SPEC, 'utf8').replace('https://github.com/you/fabric-gitops.git', url));
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', fromRoot('tests/fixtures/runner/run-cli.ts'), 'validate', '--spec', spec],
      { encoding: 'utf8', cwd: fromRoot() },
    );
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stderr, /warning.*FAB226|FAB226.*warning/i);
    assert.match(r.stderr, `ArgoCD in the control cluster cannot reach git.repoURL ${url}`);
    assert.match(r.stderr, /fabric\.yaml:\d+:\d+/);
  }
});

test.run();
