// overrides.<component> and apps.<name> runtime settings through the real CLI:
// what lands in which overlay, the problems found only after render (targets,
// containers, DaemonSet replicas, resourcesDir) located in the spec, and a
// kustomize failure of a patch named with the override that caused it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromRoot } from './helpers/paths.ts';
import { requireTool } from './helpers/tools.ts';

const CASE = fromRoot('tests/golden/overrides');
const SPEC = readFileSync(join(CASE, 'fabric.yaml'), 'utf8');

/** The golden overrides case with `edit` applied, in a fresh directory (with its extra/ manifests). */
function specDir(edit: (text: string) => string = (t) => t): string {
  const dir = mkdtempSync(join(tmpdir(), 'fabric-overrides-'));
  cpSync(join(CASE, 'extra'), join(dir, 'extra'), { recursive: true });
  const text = edit(SPEC);
  writeFileSync(join(dir, 'fabric.yaml'), text);
  return dir;
}

function run(dir: string, ...args: string[]) {
  const r = spawnSync(
    process.execPath,
    [fromRoot('bin/fabric.cjs'), 'compile', '--spec', join(dir, 'fabric.yaml'), '--out', join(dir, 'out'), ...args],
    { encoding: 'utf8', timeout: 300_000 },
  );
  assert.not.match(r.stderr, /^ {4}at /m, 'no stack trace');
  return r;
}

/** The first diagnostic of a compile that must fail, with the spec line it points at. */
function firstError(dir: string) {
  const r = run(dir, '--json');
  assert.is(r.status, 1, r.stdout + r.stderr);
  const d = JSON.parse(r.stdout).diagnostics[0];
  const line = readFileSync(join(dir, 'fabric.yaml'), 'utf8').split('\n')[d.line - 1];
  return { ...d, text: line };
}

test('scoped overrides reach only their overlays; the app settings land in its base', () => {
  const dir = specDir();
  assert.is(run(dir).status, 0);
  const overlay = (p: string) => join(dir, 'out/gitops/components', p);
  assert.ok(existsSync(overlay('monitoring/mimir/overlays/prod/overrides/patch-2.yaml')));
  assert.not.ok(existsSync(overlay('monitoring/mimir/overlays/stage/overrides')), 'environments: [prod] only');
  assert.not.match(readFileSync(overlay('monitoring/mimir/overlays/stage/kustomization.yaml'), 'utf8'), /components:/);
  assert.ok(existsSync(overlay('alloy-agent/overlays/prod-cluster/overrides/env.yaml')));
  assert.not.ok(existsSync(overlay('alloy-agent/overlays/stage-cluster/overrides')), 'clusters: [prod-cluster] only');
  // alloy sets HOSTNAME from valueFrom: the patch must clear it or the pod would carry both.
  assert.match(
    readFileSync(overlay('alloy-agent/overlays/prod-cluster/overrides/env.yaml'), 'utf8'),
    /valueFrom: null/,
  );
  const deployment = readFileSync(overlay('checkout/base/deployment.yaml'), 'utf8');
  assert.match(deployment, /path: \/healthz\n\s+port: 8081/);
  assert.match(deployment, /runAsUser: 1000\n/);
  assert.match(deployment, /cpu: 100m\n\s+memory: 96Mi\n\s+limits:\n\s+memory: 512Mi/);
  assert.match(deployment, /- name: LOG_LEVEL\n\s+value: debug/);
});

test('a patch target that matches nothing is FAB244 at the target, naming the objects there', () => {
  const d = firstError(specDir((t) => t.replace('name: mimir-external }', 'name: mimir-prod }')));
  assert.is(d.code, 'FAB244');
  assert.match(d.text, /target: \{ kind: Service, name: mimir-prod \}/);
  assert.is(d.column, d.text.indexOf('{') + 1);
  assert.match(d.hint, /mimir, mimir-external/);
});

test('a container the target does not have is FAB245 (kustomize would add one without an image)', () => {
  const d = firstError(
    specDir((t) =>
      t.replace(
        '{ spec: { template: { spec: { priorityClassName: observability } } } }',
        '{ spec: { template: { spec: { containers: [ { name: mimri, args: [] } ] } } } }',
      ),
    ),
  );
  assert.is(d.code, 'FAB245');
  assert.match(d.message, /container 'mimri' is not in StatefulSet\/mimir \(containers: mimir\)/);
});

test('replicas on the alloy DaemonSet is FAB246 at replicas', () => {
  const d = firstError(
    specDir((t) => t.replace('clusters: [prod-cluster]', 'clusters: [prod-cluster]\n    replicas: 2')),
  );
  assert.is(d.code, 'FAB246');
  assert.match(d.text, /^\s+replicas: 2$/);
  assert.match(d.message, /DaemonSet\/alloy/);
});

test('resourcesDir problems are FAB247 at resourcesDir: missing, a non-YAML file, a link, a document without a kind', () => {
  const cases: [string, (dir: string) => void, RegExp][] = [
    [
      'missing',
      (dir) => writeFileSync(join(dir, 'fabric.yaml'), SPEC.replace('extra/mimir', 'extra/nope')),
      /does not exist/,
    ],
    ['text file', (dir) => writeFileSync(join(dir, 'extra/mimir/README.md'), 'x'), /not a regular \.yaml file/],
    ['link', (dir) => symlinkSync('/etc/hostname', join(dir, 'extra/mimir/link.yaml')), /not a regular \.yaml file/],
    [
      'no kind',
      (dir) => writeFileSync(join(dir, 'extra/mimir/bad.yaml'), 'apiVersion: v1\nmetadata: { name: x }\n'),
      /apiVersion, kind and metadata\.name/,
    ],
  ];
  for (const [what, make, message] of cases) {
    const dir = specDir();
    make(dir);
    const d = firstError(dir);
    assert.is(d.code, 'FAB247', what);
    assert.match(d.text, /resourcesDir: extra\//, what);
    assert.match(d.message, message, what);
  }
});

test('an extra manifest that redefines an object of the base is refused', () => {
  const dir = specDir();
  mkdirSync(join(dir, 'extra/mimir'), { recursive: true });
  writeFileSync(join(dir, 'extra/mimir/svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: { name: mimir }\n');
  const d = firstError(dir);
  assert.is(d.code, 'FAB245');
  assert.match(d.message, /svc\.yaml defines Service\/mimir/);
});

test('compile --verify builds the overlays with the patches applied; a failing patch names its override', () => {
  if (!requireTool('kubectl', 'overrides verify', ['version', '--client'])) return;
  const good = specDir();
  // A cluster-scoped extra is admitted by the platform project by the name kustomize gives it (the suffix).
  writeFileSync(
    join(good, 'extra/mimir/reader.yaml'),
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: mimir-reader }\nrules: []\n',
  );
  const ok = run(good, '--verify');
  assert.is(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /verify: 0 errors \(.*project [1-9]/);
  const projects = readFileSync(join(good, 'out/gitops/argocd-apps/projects.yaml'), 'utf8');
  assert.match(projects, /kind: ClusterRole\n {6}name: mimir-reader-prod\n/);
  assert.match(projects, /kind: PriorityClass\n {6}name: observability-prod\n/);
  const bad = specDir((t) =>
    t.replace(
      'ops: [ { op: add, path: /metadata/annotations/team, value: obs } ]',
      'ops: [ { op: remove, path: /spec/nope } ]',
    ),
  );
  const r = run(bad, '--verify');
  assert.is.not(r.status, 0);
  assert.match(
    r.stderr,
    /mimir\/overlays\/prod: kubectl kustomize failed: .*nope.*overrides\.mimir from .*fabric\.yaml:\d+:3/,
  );
});

test.run();
