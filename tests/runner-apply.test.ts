// fabric apply against stand-in minikube, kubectl and docker (no cluster
// tool is needed): the commands of a fresh run in order, a second run that
// starts and creates nothing, a profile that fails to start and the run that
// resumes after it, and a health wait that times out.
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sshaMatches } from '../compiler/runner/htpasswd.ts';
import { applyWith as apply, REFERENCE_APPS as EXPECTED_APPS, standinAppDir } from './fixtures/runner/apply-harness.ts';
import { installStandins } from './fixtures/runner/standins.ts';
import { commitCount, referenceSpecPushingTo, sandbox } from './helpers/git-remote.ts';
import { requireTool } from './helpers/tools.ts';

/** Commands that change something; everything else only reads. */
const changes = (line: string) =>
  /^(minikube (start|addons enable|delete|-p \S+ image build)|docker network (create|rm)|kubectl --context \S+ (-n \S+ )?(create|apply|wait|rollout|patch))/.test(
    line,
  );

const start = (name: string, ip: string, cpus: number, mib: number) =>
  `minikube start -p ${name} --driver=docker --cpus=${cpus} --memory=${mib}m --kubernetes-version=v1.32.4 --network=fabric --static-ip=${ip} --cni=calico --keep-context --interactive=false`;

test('a fresh apply runs the plan in order, every kubectl with --context, every minikube with -p, secrets only on stdin', async () => {
  const s = await installStandins();
  const { code, text } = await apply(s);
  assert.is(code, 0, text);
  const out = join(s.dir, 'out');
  assert.equal(s.lines().filter(changes), [
    'docker network create --driver=bridge --subnet=192.168.200.0/24 --label=fabric.dev/fleet=lgtm fabric',
    start('control-cluster', '192.168.200.10', 2, 4096),
    'minikube addons enable ingress -p control-cluster',
    start('monitoring-cluster', '192.168.200.13', 4, 8192),
    'minikube addons enable ingress -p monitoring-cluster',
    start('prod-cluster', '192.168.200.12', 2, 3072),
    'minikube addons enable ingress -p prod-cluster',
    start('stage-cluster', '192.168.200.11', 2, 3072),
    'minikube addons enable ingress -p stage-cluster',
    'kubectl --context control-cluster create namespace argocd',
    'kubectl --context control-cluster apply -n argocd --server-side --force-conflicts -f https://raw.githubusercontent.com/argoproj/argo-cd/v3.5.1/manifests/install.yaml',
    'kubectl --context control-cluster wait --for=condition=Established crd/applications.argoproj.io crd/applicationsets.argoproj.io crd/appprojects.argoproj.io --timeout=120s',
    'kubectl --context control-cluster -n argocd patch configmap argocd-cmd-params-cm --type merge -p {"data":{"applicationsetcontroller.enable.policy.override":"true"}}',
    'kubectl --context control-cluster -n argocd rollout restart deployment/argocd-applicationset-controller',
    'kubectl --context control-cluster -n argocd wait --for=condition=Available deployment --all --timeout=600s',
    'kubectl --context control-cluster -n argocd rollout status deployment/argocd-applicationset-controller --timeout=600s',
    'kubectl --context control-cluster -n argocd rollout status statefulset/argocd-application-controller --timeout=600s',
    'kubectl --context control-cluster apply --server-side --field-manager=fabric --force-conflicts -f -',
    'kubectl --context control-cluster apply --server-side --field-manager=fabric --force-conflicts -f -',
    'kubectl --context control-cluster apply --server-side --field-manager=fabric --force-conflicts -f -',
    'kubectl --context monitoring-cluster create namespace monitoring',
    'kubectl --context monitoring-cluster create -f -',
    'kubectl --context prod-cluster create namespace observability',
    'kubectl --context prod-cluster apply --server-side --field-manager=fabric -f -',
    'kubectl --context stage-cluster create namespace observability',
    'kubectl --context stage-cluster apply --server-side --field-manager=fabric -f -',
    'kubectl --context monitoring-cluster apply --server-side --field-manager=fabric -f -',
    `minikube -p prod-cluster image build -t fabric/instrumented-app:0.1.0 -f runtime-app/Dockerfile ${standinAppDir(s)}`,
    `minikube -p stage-cluster image build -t fabric/instrumented-app:0.1.0 -f runtime-app/Dockerfile ${standinAppDir(s)}`,
    `kubectl --context control-cluster apply -k ${out}/gitops/argocd-apps`,
  ]);

  const calls = s.calls();
  for (const c of calls.filter((c) => c.tool === 'kubectl' && !['version', 'config'].includes(c.args[0])))
    assert.is(c.args[0], '--context', c.args.join(' '));
  for (const c of calls.filter((c) => c.tool === 'minikube' && c.args[0] !== 'version'))
    assert.ok(c.args.includes('-p'), c.args.join(' '));
  assert.not.ok(
    calls.some((c) => c.tool === 'kubectl' && c.args.includes('use-context')),
    'never changes the current context',
  );

  // Cluster Secrets: on stdin, labelled for the ApplicationSet selectors, built from the profile's certificates.
  assert.equal(
    calls.filter((c) => c.stdin?.kind === 'Secret' && c.stdin.namespace === 'argocd').map((c) => c.stdin!.name),
    ['cluster-monitoring-cluster', 'cluster-prod-cluster', 'cluster-stage-cluster'],
  );
  const stage = s.stored('control-cluster', 'Secret', 'argocd', 'cluster-stage-cluster');
  assert.equal(stage.metadata.labels, {
    'argocd.argoproj.io/secret-type': 'cluster',
    'app.kubernetes.io/managed-by': 'fabric',
    'fabric.dev/fleet': 'lgtm',
    'fabric.dev/role': 'member',
    'fabric.dev/environment': 'stage',
  });
  const decode = (v: string) => Buffer.from(v, 'base64').toString();
  assert.is(decode(stage.data.name), 'stage-cluster');
  assert.is(decode(stage.data.server), 'https://192.168.200.11:8443');
  const tls = JSON.parse(decode(stage.data.config)).tlsClientConfig;
  assert.equal(
    [decode(tls.caData), decode(tls.certData), decode(tls.keyData), tls.insecure],
    ['FAKE CA\n', 'FAKE CERT stage-cluster\n', 'FAKE KEY stage-cluster\n', false],
  );

  // The Grafana password: random, stored in the cluster, never on argv or in the output.
  const grafana = s.stored('monitoring-cluster', 'Secret', 'monitoring', 'grafana-admin');
  const password = decode(grafana.data['admin-password']);
  assert.ok(password.length >= 24);
  assert.is(decode(grafana.data['admin-user']), 'admin');
  assert.not.ok(
    s.lines().some((l) => l.includes(password) || l.includes(tls.keyData)),
    'no secret on a command line',
  );
  assert.not.ok(text.includes(password), 'the password is never printed');

  // The ingest credentials: one password per environment in its members, its {SSHA} line in the gateway's htpasswd.
  const ingest = (cluster: string) =>
    decode(s.stored(cluster, 'Secret', 'observability', 'ingest-credentials').data.password);
  const htpasswd = decode(s.stored('monitoring-cluster', 'Secret', 'monitoring', 'ingest-htpasswd').data['.htpasswd']);
  const lines = htpasswd.trim().split('\n');
  assert.equal(
    lines.map((l) => l.split(':')[0]),
    ['prod', 'stage'],
  );
  assert.ok(sshaMatches(lines[0], 'prod', ingest('prod-cluster')));
  assert.ok(sshaMatches(lines[1], 'stage', ingest('stage-cluster')));
  assert.is.not(ingest('prod-cluster'), ingest('stage-cluster'));
  assert.ok(ingest('stage-cluster').length >= 40);
  for (const pw of [ingest('prod-cluster'), ingest('stage-cluster')])
    assert.not.ok(
      text.includes(pw) || s.lines().some((l) => l.includes(pw)),
      'ingest passwords stay off argv and output',
    );
  assert.match(
    text,
    `Wait for ${EXPECTED_APPS.length} Applications to be Synced and Healthy at the pushed commit (timeout 15m): already done`,
  );
  assert.match(text, /· Push the tree to .*: skipped \(--no-push\)/);
});

test('a second apply with everything up starts, creates and applies nothing', async () => {
  const s = await installStandins();
  assert.is((await apply(s)).code, 0);
  s.clearLog();
  const { code, text } = await apply(s, {}, { json: true });
  assert.is(code, 0, text);
  assert.equal(s.lines().filter(changes), []);
  const events = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  // The preflight runs again (tools can change between runs); every step finds its work done.
  assert.equal(events.find((e) => e.type === 'preflight')?.problems, []);
  const ran = events.filter((e) => e.type === 'step-done').map((e) => e.id);
  assert.equal(ran, []);
  const skipped = events.filter((e) => e.type === 'step-skip');
  assert.is(skipped.length, events.find((e) => e.type === 'plan').steps.length);
  assert.ok(skipped.filter((e) => e.id !== 'push').every((e) => e.reason === 'already done'));
  assert.equal(events.at(-2), { ...events.at(-2), type: 'run-end', status: 'ok' });
  assert.is(events.at(-1).type, 'summary');
});

test('a profile that fails to start stops the run with the command, its output tail and a hint; the next run resumes', async () => {
  const s = await installStandins();
  const failed = await apply(s, { FAKE_FAIL: 'start -p prod-cluster', FAKE_FAIL_EXIT: '80' });
  assert.is(failed.code, 3);
  assert.match(failed.text, '✗ Start minikube profile prod-cluster');
  assert.match(failed.text, `command: ${start('prod-cluster', '192.168.200.12', 2, 3072)}  (exit code 80)`);
  assert.match(failed.text, 'output (last 20 lines):');
  assert.match(failed.text, 'stand-in minikube output line 11\n');
  assert.match(failed.text, 'stand-in minikube output line 30\n');
  assert.not.match(failed.text, 'output line 10\n');
  assert.match(failed.text, "hint: see 'minikube logs -p prod-cluster'");
  assert.match(failed.text, 'resume with: fabric apply --spec');
  assert.not.ok(
    s.lines().some((l) => l.startsWith('minikube start -p stage-cluster') || l.includes(' apply ')),
    'nothing after the failure runs',
  );

  s.clearLog();
  const resumed = await apply(s);
  assert.is(resumed.code, 0, resumed.text);
  assert.equal(
    s
      .lines()
      .filter((l) => l.startsWith('minikube start'))
      .map((l) => l.split(' ')[3]),
    ['prod-cluster', 'stage-cluster'],
  );
  assert.not.ok(s.lines().some((l) => l.startsWith('docker network create')));
});

test('Applications that do not become Synced and Healthy in time are named, with why', async () => {
  const s = await installStandins();
  const { code, text } = await apply(
    s,
    {
      FAKE_APPS: EXPECTED_APPS.filter((n) => n !== 'grafana').join(','),
      FAKE_UNHEALTHY: 'instrumented-app-prod-cluster',
    },
    { timeout: '1s' },
  );
  assert.is(code, 3);
  assert.match(text, `timed out after 1s: 2 of ${EXPECTED_APPS.length} Applications are not Synced and Healthy`);
  assert.match(
    text,
    'instrumented-app-prod-cluster: Synced/Progressing (Deployment/instrumented-app-prod-cluster Progressing: Waiting for rollout',
  );
  assert.match(text, 'grafana: not created');
  assert.match(
    text,
    'hint: look closer with kubectl --context control-cluster -n argocd describe applications.argoproj.io instrumented-app-prod-cluster',
  );
});

test('a missing demo Dockerfile stops the image step with what to do', async () => {
  const s = await installStandins();
  const { code, text } = await apply(s, {}, { appDir: join(s.dir, 'nowhere') });
  assert.is(code, 3);
  assert.match(text, `${join(s.dir, 'nowhere', 'runtime-app', 'Dockerfile')} is missing`);
  assert.match(text, 'hint: the demo app image is built from runtime-app/Dockerfile');
});

test('too little memory in the container engine fails the preflight before anything starts', async () => {
  const s = await installStandins();
  const { code, text } = await apply(s, { FAKE_DOCKER_MEM: String(8 * 1024 ** 3) });
  assert.is(code, 3);
  assert.match(
    text,
    "the minikube profiles ask for 18432 MiB in all (control-cluster 4096, monitoring-cluster 8192, prod-cluster 3072, stage-cluster 3072), more than the docker engine's memory (8192 MiB)",
  );
  assert.not.ok(s.lines().some(changes));
});

test("with push, the compiled tree reaches the spec's repository; a re-run finds it up to date and commits nothing", async () => {
  if (!requireTool('git', 'fabric apply push step')) return;
  const sb = sandbox();
  try {
    const { spec, remote } = await referenceSpecPushingTo(sb.root);
    const s = await installStandins();
    const cache = { FABRIC_CACHE_DIR: join(sb.root, 'cache'), FAKE_GIT_DIR: remote };
    const first = await apply(s, cache, { spec, push: true });
    assert.is(first.code, 0, first.text);
    assert.match(first.text, /pushed [0-9a-f]{12}: /);
    assert.is(await commitCount(remote), 2);
    const again = await apply(s, cache, { spec, push: true });
    assert.is(again.code, 0, again.text);
    assert.match(again.text, /· Push the tree to file:\/\/.*: already done/);
    assert.is(await commitCount(remote), 2);
  } finally {
    sb.restore();
  }
});

test.run();
