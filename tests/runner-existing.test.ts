// Clusters with provider existing are registered and deployed to, never
// created, started, built into or deleted: apply and down against stand-ins
// on a fleet that mixes minikube profiles and existing kube contexts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../compiler/errors.ts';
import { applyCommand, downCommand, type IO } from '../compiler/runner/commands.ts';
import { installStandins, type Standins } from './fixtures/runner/standins.ts';
import { fromRoot } from './helpers/paths.ts';

const SPEC = fromRoot('tests/fixtures/runner/mixed.yaml');
const CONTEXTS = { FAKE_CONTEXTS: 'kind-monitoring,kind-stage' };

function io(s: Standins, sink: { text: string }): IO {
  const write = { write: (t: string) => (sink.text += t) };
  return { out: write, err: write, env: s.env(CONTEXTS), confirm: async () => true };
}

async function apply(s: Standins) {
  const app = join(s.dir, 'runtime-app');
  mkdirSync(app, { recursive: true });
  mkdirSync(join(app, 'runtime-app'), { recursive: true });
  writeFileSync(join(app, 'runtime-app', 'Dockerfile'), 'FROM node:20-alpine\n');
  const sink = { text: '' };
  // The fake ArgoCD reports no Applications; a zero timeout ends the run at the health wait.
  const code = await applyCommand(
    {
      spec: SPEC,
      out: join(s.dir, 'out'),
      timeout: '0s',
      push: false,
      parallel: 2,
      yes: true,
      pollMs: 20,
      appDir: app,
    },
    io(s, sink),
  );
  return { code, text: sink.text };
}

const touches = (line: string, cluster: string) => line.startsWith('minikube') && line.split(' ').includes(cluster);

test('apply registers and deploys to existing clusters and never creates them', async () => {
  const s = await installStandins();
  const { text } = await apply(s);
  assert.match(text, '✓ Apply the ApplicationSets to control-cluster', text);
  const lines = s.lines();
  assert.equal(
    lines
      .filter((l) => l.startsWith('minikube start'))
      .map((l) => l.split(' ')[3])
      .sort(),
    ['control-cluster', 'prod-cluster'],
  );
  assert.not.ok(
    lines.some((l) => touches(l, 'stage-cluster') || touches(l, 'monitoring-cluster')),
    'no minikube command names an existing cluster',
  );
  assert.ok(lines.includes('kubectl --context kind-stage get --raw /readyz'), 'the contexts are checked first');

  // Registration from the kubeconfig of the existing context, with the server the spec gives.
  assert.ok(lines.includes('kubectl config view --raw --minify --flatten --context kind-stage -o json'));
  const secret = s.stored('control-cluster', 'Secret', 'argocd', 'cluster-stage-cluster');
  const decode = (v: string) => Buffer.from(v, 'base64').toString();
  assert.is(decode(secret.data.server), 'https://10.0.0.11:6443');
  const tls = JSON.parse(decode(secret.data.config)).tlsClientConfig;
  assert.equal(
    [decode(tls.caData), decode(tls.certData), decode(tls.keyData)],
    ['CA OF kind-stage', 'CERT OF kind-stage', 'KEY OF kind-stage'],
  );
  assert.is(secret.metadata.labels['fabric.dev/environment'], 'stage');

  // The Grafana Secret goes to the existing monitoring cluster, through its context.
  assert.ok(s.stored('kind-monitoring', 'Secret', 'monitoring', 'grafana-admin'));
  // The demo image is built into minikube members only.
  assert.equal(
    lines.filter((l) => l.includes(' image build ')).map((l) => l.split(' ')[2]),
    ['prod-cluster'],
  );
});

test('down deletes only the minikube profiles and the network fabric made; existing clusters are left alone', async () => {
  const s = await installStandins();
  await apply(s);
  s.clearLog();
  const sink = { text: '' };
  assert.is(await downCommand({ spec: SPEC, yes: true }, io(s, sink)), 0, sink.text);
  const lines = s.lines();
  assert.equal(
    lines.filter((l) => l.startsWith('minikube delete')),
    ['minikube delete -p control-cluster', 'minikube delete -p prod-cluster'],
  );
  assert.not.ok(
    lines.some((l) => touches(l, 'stage-cluster') || touches(l, 'monitoring-cluster') || l.includes('kind-')),
  );
  assert.ok(lines.includes('docker network rm fabric'));
  assert.match(sink.text, '· monitoring-cluster: provider existing, left alone');
  assert.match(sink.text, '· stage-cluster: provider existing, left alone');
  assert.match(sink.text, '✓ deleted minikube profile prod-cluster');

  // A second down finds nothing to delete.
  s.clearLog();
  assert.is(await downCommand({ spec: SPEC, yes: true }, io(s, { text: '' })), 0);
  assert.not.ok(s.lines().some((l) => l.startsWith('minikube delete') || l.startsWith('docker network rm')));
});

test('down refuses without a terminal unless --yes', async () => {
  const s = await installStandins();
  try {
    await downCommand({ spec: SPEC }, io(s, { text: '' }));
    assert.unreachable('down ran without confirmation');
  } catch (e) {
    assert.instance(e, UsageError);
    assert.is((e as UsageError).exitCode, 2);
    assert.match((e as UsageError).message, 'will not do it without a confirmation');
  }
  // It may look (to name what it would delete: the fleet network's profiles), never change anything.
  assert.equal(
    s
      .lines()
      .filter((l) => !/^(docker network inspect|minikube profile list|kubectl --context \S+ (-n \S+ )?get) /.test(l)),
    [],
  );
});

test.run();
