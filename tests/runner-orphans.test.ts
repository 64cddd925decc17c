// The fleet shrinks: a cluster removed from the spec is planned for removal
// (its ArgoCD registration, then its profile), shown in --dry-run and done by
// apply; `fabric down` also removes profiles the spec dropped.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileSpec, type Compiled } from '../compiler/index.ts';
import { expectedApplications } from '../compiler/runner/applications.ts';
import { applyCommand, downCommand, type ApplyOptions, type IO } from '../compiler/runner/commands.ts';
import { registeredClusters } from '../compiler/runner/steps.ts';
import { installStandins, type Standins } from './fixtures/runner/standins.ts';
import { fromRoot } from './helpers/paths.ts';

const REFERENCE = readFileSync(fromRoot('spec/fabric.yaml'), 'utf8');
// The reference fleet with a second stage member.
const BIGGER = REFERENCE.replace(
  '  prod-cluster:\n',
  '  stage2-cluster:\n    role: member\n    environment: stage\n    ip: 192.168.200.14\n    cpus: 1\n    memory: 1g\n  prod-cluster:\n',
);

function io(s: Standins, spec: string, fake: Record<string, string> = {}) {
  const compiled = compileSpec(spec) as Compiled;
  const apps = expectedApplications(compiled.files, registeredClusters(compiled.model));
  let text = '';
  const sink = { write: (t: string) => (text += t) };
  const io: IO = {
    out: sink,
    err: sink,
    env: s.env({ FAKE_APPS: apps.join(','), ...fake }),
    confirm: async () => true,
  };
  return { io, text: () => text };
}

async function apply(s: Standins, spec: string, opts: Partial<ApplyOptions> = {}) {
  const app = join(s.dir, 'runtime-app');
  mkdirSync(app, { recursive: true });
  mkdirSync(join(app, 'runtime-app'), { recursive: true });
  writeFileSync(join(app, 'runtime-app', 'Dockerfile'), 'FROM node:20-alpine\n');
  const o = io(s, spec);
  const code = await applyCommand(
    {
      spec,
      out: join(s.dir, 'out'),
      timeout: '15m',
      push: false,
      parallel: 2,
      yes: true,
      pollMs: 20,
      appDir: app,
      ...opts,
    },
    o.io,
  );
  return { code, text: o.text() };
}

test('a cluster removed from the spec: --dry-run shows its removal, apply removes its registration and profile', async () => {
  const s = await installStandins();
  const spec = join(s.dir, 'fabric.yaml');
  writeFileSync(spec, BIGGER);
  const first = await apply(s, spec);
  assert.is(first.code, 0, first.text);
  assert.ok(s.world.profiles.has('stage2-cluster'));
  assert.ok(s.stored('control-cluster', 'Secret', 'argocd', 'cluster-stage2-cluster'));

  writeFileSync(spec, REFERENCE);
  s.clearLog();
  const plan = await apply(s, spec, { dryRun: true });
  assert.is(plan.code, 0, plan.text);
  assert.match(
    plan.text,
    'Remove what the spec no longer has: registration cluster-stage2-cluster, profile stage2-cluster',
  );
  assert.match(
    plan.text,
    '$ kubectl --context control-cluster -n argocd delete secret cluster-stage2-cluster --ignore-not-found',
  );
  assert.match(plan.text, '$ minikube delete -p stage2-cluster');
  assert.not.ok(
    s.lines().some((l) => l.includes(' delete')),
    'the dry run deletes nothing',
  );

  const shrunk = await apply(s, spec);
  assert.is(shrunk.code, 0, shrunk.text);
  const lines = s.lines();
  const unregister = lines.indexOf(
    'kubectl --context control-cluster -n argocd delete secret cluster-stage2-cluster --ignore-not-found',
  );
  assert.ok(unregister >= 0 && unregister < lines.indexOf('minikube delete -p stage2-cluster'), 'registration first');
  assert.not.ok(s.world.profiles.has('stage2-cluster'));
  assert.not.ok(s.stored('control-cluster', 'Secret', 'argocd', 'cluster-stage2-cluster'));
  assert.ok(s.world.profiles.has('stage-cluster'), 'the clusters the spec names stay');

  s.clearLog();
  const again = await apply(s, spec);
  assert.is(again.code, 0);
  assert.not.match(again.text, 'Remove what the spec no longer has');
});

test('fabric down removes the profiles the spec names, those it dropped, and the network', async () => {
  const s = await installStandins();
  const spec = join(s.dir, 'fabric.yaml');
  writeFileSync(spec, BIGGER);
  assert.is((await apply(s, spec)).code, 0);
  writeFileSync(spec, REFERENCE);
  const o = io(s, spec);
  const code = await downCommand({ spec, yes: true }, o.io);
  assert.is(code, 0, o.text());
  assert.match(o.text(), 'also stage2-cluster: no longer in the spec');
  assert.is(s.world.profiles.size, 0, o.text());
  assert.not.ok(s.world.networks.has('fabric'), o.text());
});

test.run();
