// Clusters with provider existing are registered and deployed to, never
// created, started, built into or deleted: apply and down against stand-ins
// on a fleet that mixes minikube profiles and existing kube contexts.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../compiler/errors.ts';
import { applyCommand, downCommand, type IO } from '../compiler/runner/commands.ts';
import { installStandins, type Standins } from './fixtures/runner/standins.ts';
import { fromRoot } from './helpers/paths.ts';

const SPEC = fromRoot('tests/fixtures/runner/mixed.yaml');
const CONTEXTS = { FAKE_CONTEXTS: 'kind-monitoring,kind-stage' };

function io(s: Standins, sink: { text: string }, env: Record<string, string> = {}): IO {
  const write = { write: (t: string) => (sink.text += t) };
  return { out: write, err: write, env: s.env({ ...CONTEXTS, ...env }), confirm: async () => true };
}

/** mixed.yaml with `edit` applied, written next to the stand-ins. */
function variant(s: Standins, edit: (text: string) => string): string {
  const path = join(s.dir, 'fabric.yaml');
  writeFileSync(path, edit(readFileSync(SPEC, 'utf8')));
  return path;
}

async function apply(s: Standins, spec = SPEC, env: Record<string, string> = {}) {
  const app = join(s.dir, 'runtime-app');
  mkdirSync(app, { recursive: true });
  mkdirSync(join(app, 'runtime-app'), { recursive: true });
  writeFileSync(join(app, 'runtime-app', 'Dockerfile'), 'FROM node:20-alpine\n');
  const sink = { text: '' };
  // The fake ArgoCD reports no Applications; a zero timeout ends the run at the health wait.
  const code = await applyCommand(
    {
      spec,
      out: join(s.dir, 'out'),
      timeout: '0s',
      push: false,
      parallel: 2,
      yes: true,
      pollMs: 20,
      appDir: app,
    },
    io(s, sink, env),
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

const PUSHED = 'registry.example.com/fabric/fabric/instrumented-app:0.1.0';

test('with platform.registry apply builds the demo image and pushes it where the existing members pull it from', async () => {
  const s = await installStandins();
  const { text } = await apply(s);
  const lines = s.lines();
  const build = lines.indexOf(`docker build -t ${PUSHED} -f runtime-app/Dockerfile ${join(s.dir, 'runtime-app')}`);
  const push = lines.indexOf(`docker push ${PUSHED}`);
  assert.ok(build >= 0 && push > build, `build, then push:\n${lines.join('\n')}`);
  assert.ok(s.world.pushedImages.has(PUSHED));
  assert.match(text, `✓ Build fabric/instrumented-app:0.1.0 and push it to ${PUSHED}`);
  // The existing member's app overlay pulls exactly what was pushed; the minikube member's keeps the local image.
  const overlay = (c: string) =>
    readFileSync(join(s.dir, 'out/gitops/components/instrumented-app/overlays', c, 'kustomization.yaml'), 'utf8');
  assert.match(overlay('stage-cluster'), `newName: ${PUSHED.split(':')[0]}`);
  assert.not.match(overlay('prod-cluster'), 'registry.example.com');
});

test('a registry that refuses the push stops apply with the login command (docker exit 1, podman exit 125)', async () => {
  for (const engine of ['docker', 'podman']) {
    const s = await installStandins();
    const spec = variant(s, (t) => t.replace('  network: fabric\n', `  network: fabric\n  driver: ${engine}\n`));
    const { code, text } = await apply(s, spec, { FAKE_PUSH_DENIED: '1' });
    assert.is.not(code, 0, engine);
    assert.match(text, `registry.example.com refused the push of ${PUSHED}`, engine);
    assert.match(text, `${engine} login registry.example.com`, engine);
    assert.not.ok(s.world.pushedImages.size, engine);
    assert.not.match(text, 'Apply the ApplicationSets', `${engine}: nothing after the failed push`);
  }
});

test('preflight: the ingest TLS Secret must exist in an existing monitoring cluster before anything is created', async () => {
  const s = await installStandins();
  const spec = variant(s, (t) =>
    t.replace(
      '    ip: 10.0.0.13\n',
      '    ip: 10.0.0.13\n    ingest: { url: https://ingest.example.com, tls: { secret: ingest-tls } }\n',
    ),
  );
  const missing = await apply(s, spec);
  assert.is(missing.code, 3, missing.text);
  assert.match(
    missing.text,
    'the ingest TLS Secret monitoring/ingest-tls (clusters.monitoring-cluster.ingest.tls.secret) does not exist in monitoring-cluster',
  );
  assert.match(missing.text, 'kubectl --context kind-monitoring -n monitoring create secret tls ingest-tls --cert=');
  assert.not.ok(
    s.lines().some((l) => l.startsWith('minikube start') || l.includes(' apply ')),
    'nothing was created',
  );
  // A Secret of another type is named as such; a kubernetes.io/tls one passes.
  const put = (type: string) =>
    s.world.objects.set('kind-monitoring/Secret/monitoring/ingest-tls', {
      kind: 'Secret',
      type,
      metadata: { name: 'ingest-tls', namespace: 'monitoring' },
    });
  put('Opaque');
  assert.match((await apply(s, spec)).text, 'has type Opaque, not kubernetes.io/tls');
  put('kubernetes.io/tls');
  const ok = await apply(s, spec);
  assert.match(ok.text, 'ingest TLS Secret monitoring/ingest-tls');
  assert.not.match(ok.text, 'does not exist in monitoring-cluster');
  assert.match(ok.text, '✓ Apply the ApplicationSets to control-cluster');
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
