// Name rules per kind, label rules, and collisions between targets of one
// cluster, as tables of objects and the problem each must (or must not) give.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findCollisions } from '../compiler/verify/collision.ts';
import { nameProblems } from '../compiler/verify/names.ts';

const obj = (apiVersion: string, kind: string, metadata: Record<string, unknown>, spec?: Record<string, unknown>) => ({
  apiVersion,
  kind,
  metadata,
  ...(spec ? { spec } : {}),
});

const valid: [string, Record<string, unknown>][] = [
  ['Service as a DNS-1035 label', obj('v1', 'Service', { name: 'svc-1' })],
  ['Namespace as a DNS-1123 label', obj('v1', 'Namespace', { name: '1-monitoring' })],
  ['ConfigMap as a DNS-1123 subdomain', obj('v1', 'ConfigMap', { name: 'grafana.dashboards-7h2k' })],
  [
    'ClusterRole with a colon (path segment)',
    obj('rbac.authorization.k8s.io/v1', 'ClusterRole', { name: 'fabric:alloy' }),
  ],
  [
    'CRD plural.group',
    obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', { name: 'prometheusrules.monitoring.coreos.com' }),
  ],
  [
    'labels with prefix, empty value and 63 characters',
    obj('v1', 'ConfigMap', {
      name: 'c',
      labels: { 'app.kubernetes.io/name': 'a', 'fabric.dev/empty': '', x: 'a'.repeat(63) },
    }),
  ],
];

for (const [name, o] of valid) {
  test(`valid: ${name}`, () => assert.equal(nameProblems(o), []));
}

const invalid: [string, Record<string, unknown>, RegExp][] = [
  [
    'Service starting with a digit',
    obj('v1', 'Service', { name: '1svc' }),
    /metadata\.name "1svc" must be a DNS-1035 label/,
  ],
  [
    'Namespace with a dot',
    obj('v1', 'Namespace', { name: 'team.a' }),
    /metadata\.name "team\.a" must be a DNS-1123 label/,
  ],
  ['Namespace longer than 63', obj('v1', 'Namespace', { name: 'n'.repeat(64) }), /at most 63 characters/],
  ['Deployment with upper case', obj('apps/v1', 'Deployment', { name: 'Checkout' }), /must be a DNS-1123 subdomain/],
  ['Role with a slash', obj('rbac.authorization.k8s.io/v1', 'Role', { name: 'a/b' }), /may not contain "\/" or "%"/],
  ['missing name', obj('v1', 'ConfigMap', {}), /metadata\.name is missing/],
  [
    'bad namespace',
    obj('v1', 'ConfigMap', { name: 'c', namespace: 'Prod_EU' }),
    /metadata\.namespace "Prod_EU" must be a DNS-1123 label/,
  ],
  [
    'label value over 63 characters',
    obj('v1', 'ConfigMap', { name: 'c', labels: { env: 'x'.repeat(64) } }),
    /metadata\.labels\["env"\] value .* is 64 characters/,
  ],
  [
    'label value with a space',
    obj('v1', 'ConfigMap', { name: 'c', labels: { env: 'prod eu' } }),
    /must be empty or letters, digits/,
  ],
  [
    'label value that is not a string',
    obj('v1', 'ConfigMap', { name: 'c', labels: { replicas: 3 } }),
    /must be a string/,
  ],
  [
    'label key with a bad prefix',
    obj('v1', 'ConfigMap', { name: 'c', labels: { 'Fabric.Dev/x': 'y' } }),
    /prefix "Fabric\.Dev"/,
  ],
  [
    'annotation key with two slashes',
    obj('v1', 'ConfigMap', { name: 'c', annotations: { 'a/b/c': 'y' } }),
    /metadata\.annotations key "a\/b\/c"/,
  ],
  [
    'pod template label',
    obj('apps/v1', 'Deployment', { name: 'd' }, { template: { metadata: { labels: { app: '-x' } } } }),
    /spec\.template\.metadata\.labels\["app"\]/,
  ],
  [
    'Service selector value',
    obj('v1', 'Service', { name: 's' }, { selector: { app: 'a b' } }),
    /spec\.selector\["app"\]/,
  ],
];

for (const [name, o, message] of invalid) {
  test(`invalid: ${name}`, () => {
    const problems = nameProblems(o);
    assert.is(problems.length, 1, JSON.stringify(problems));
    assert.match(problems[0], message);
  });
}

const target = (path: string, cluster: string) => ({ path, cluster });

test('the same namespaced object from two targets on one cluster collides', () => {
  const cm = obj('v1', 'ConfigMap', { name: 'shared', namespace: 'monitoring' });
  const findings = findCollisions([
    { target: target('a/overlays/x', 'monitoring'), object: cm },
    { target: target('b/overlays/x', 'monitoring'), object: { ...cm } },
  ]);
  assert.is(findings.length, 1);
  assert.is(findings[0].severity, 'error');
  assert.match(
    findings[0].message,
    /ConfigMap monitoring\/shared .* cluster "monitoring" by 2 targets: a\/overlays\/x, b\/overlays\/x/,
  );
});

test('cluster-scoped objects collide whatever namespace they claim; other clusters, kinds and groups do not', () => {
  const ns = obj('v1', 'Namespace', { name: 'alloy' });
  assert.is(
    findCollisions([
      { target: target('a', 'stage'), object: ns },
      { target: target('b', 'stage'), object: obj('v1', 'Namespace', { name: 'alloy', namespace: 'x' }) },
    ]).length,
    1,
  );
  assert.equal(
    findCollisions([
      { target: target('a', 'stage'), object: ns },
      { target: target('b', 'prod'), object: ns },
    ]),
    [],
  );
  assert.equal(
    findCollisions([
      { target: target('a', 'stage'), object: ns },
      { target: target('b', 'stage'), object: obj('v1', 'ConfigMap', { name: 'alloy' }) },
    ]),
    [],
  );
  assert.equal(
    findCollisions([
      { target: target('a', 'stage'), object: obj('networking.k8s.io/v1', 'Ingress', { name: 'x', namespace: 'n' }) },
      { target: target('b', 'stage'), object: obj('extensions/v1beta1', 'Ingress', { name: 'x', namespace: 'n' }) },
    ]),
    [],
  );
});

test('without a namespace the collision is only possible, so it is a warning', () => {
  const cm = obj('v1', 'ConfigMap', { name: 'shared' });
  const findings = findCollisions([
    { target: target('a', 'm'), object: cm },
    { target: target('b', 'm'), object: cm },
  ]);
  assert.is(findings.length, 1);
  assert.is(findings[0].severity, 'warning');
});

test.run();
