// Strict schema validation of single objects (no kubectl needed): unknown
// fields anywhere are errors, maps and free-form fields stay open, type errors
// name their path, and a kind without a schema says so.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CrdSchemas } from '../compiler/verify/crd-schemas.ts';
import { isCoveredKind, validateObject } from '../compiler/verify/schema.ts';

const deployment = (container: Record<string, unknown>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'app',
    labels: { 'app.kubernetes.io/name': 'app' },
    annotations: { 'fabric.dev/spec': 'fabric.yaml' },
  },
  spec: {
    selector: { matchLabels: { 'app.kubernetes.io/name': 'app' } },
    template: {
      metadata: { labels: { 'app.kubernetes.io/name': 'app' } },
      spec: { containers: [{ name: 'app', image: 'x:1', ...container }] },
    },
  },
});

async function errorsOf(object: Record<string, unknown>): Promise<string[]> {
  const result = await validateObject(object);
  assert.ok(result.covered, `no schema for ${String(object.kind)}`);
  return result.covered ? result.errors : [];
}

test('a valid Deployment with labels, annotations and resources passes', async () => {
  assert.equal(
    await errorsOf(
      deployment({ resources: { limits: { cpu: '100m', memory: '128Mi' } }, env: [{ name: 'A', value: 'b' }] }),
    ),
    [],
  );
});

test('an unknown field in a container is an error with its kubectl path', async () => {
  assert.equal(await errorsOf(deployment({ bogus: true })), ['unknown field "spec.template.spec.containers[0].bogus"']);
});

test('unknown fields at the top level and in metadata are errors too', async () => {
  const errors = await errorsOf({ ...deployment({}), extra: 1, metadata: { name: 'app', labelz: {} } });
  assert.equal(errors.sort(), ['unknown field "extra"', 'unknown field "metadata.labelz"']);
});

test('a wrong type names the field', async () => {
  const errors = await errorsOf(deployment({ ports: [{ containerPort: 'http' }] }));
  assert.equal(errors, ['spec.template.spec.containers[0].ports[0].containerPort: must be integer']);
});

test('ConfigMap data keys are a map, not fields', async () => {
  assert.equal(
    await errorsOf({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { 'config.alloy': 'x', 'any-key.json': '{}' },
    }),
    [],
  );
});

test('free-form fields stay open (Argo CD Helm valuesObject) while their siblings are closed', async () => {
  const app = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'a', namespace: 'argocd' },
    spec: {
      project: 'p',
      destination: { name: 'in-cluster', namespace: 'x' },
      source: {
        repoURL: 'https://example.invalid/r.git',
        chart: 'c',
        targetRevision: '1.0.0',
        helm: { valuesObject: { anything: { goes: [1] } } },
      },
    },
  };
  assert.equal(await errorsOf(app), []);
  const withTypo = { ...app, spec: { ...app.spec, syncPolicy: { automated: { prune: true, selfheal: true } } } };
  assert.equal(await errorsOf(withTypo), ['unknown field "spec.syncPolicy.automated.selfheal"']);
});

test('ApplicationSet goTemplate fields and PrometheusRule rules validate; an unknown rule field does not', async () => {
  const appSet = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: 's', namespace: 'argocd' },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ clusters: { selector: { matchLabels: { 'fabric.dev/role': 'member' } } } }],
      syncPolicy: { applicationsSync: 'create-update' },
      template: {
        metadata: { name: '{{.name}}' },
        spec: { project: 'p', source: { repoURL: 'r', path: 'p/{{.name}}' }, destination: { server: '{{.server}}' } },
      },
    },
  };
  assert.equal(await errorsOf(appSet), []);
  const rule = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'r' },
    spec: {
      groups: [
        {
          name: 'g',
          rules: [
            {
              alert: 'A',
              expr: 'up == 0',
              for: '5m',
              labels: { severity: 'x' },
              annotations: { summary: '{{ $labels.job }}' },
              severty: 'x',
            },
          ],
        },
      ],
    },
  };
  assert.equal(await errorsOf(rule), ['unknown field "spec.groups[0].rules[0].severty"']);
});

test('properties the schema generator dropped (named "description") are still accepted where upstream has them', async () => {
  const project = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: 'p' },
    spec: { description: 'stage', sourceRepos: ['*'] },
  };
  assert.equal(await errorsOf(project), []);
  assert.equal(await errorsOf(deployment({ description: 'not a container field' })), [
    'unknown field "spec.template.spec.containers[0].description"',
  ]);
});

test('a CRD is checked by its envelope only', async () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.dev' },
    spec: { anything: true },
  };
  assert.equal(await errorsOf(crd), []);
  assert.equal(await errorsOf({ ...crd, metadata: { name: 'w', bogus: 1 }, extra: 1 }), [
    'unknown field "extra"',
    'unknown field "metadata.bogus"',
  ]);
});

test('a kind without a schema is reported as not covered', async () => {
  assert.equal(
    await validateObject({ apiVersion: 'collectors.grafana.com/v1alpha1', kind: 'Alloy', metadata: { name: 'a' } }),
    { covered: false },
  );
  assert.not.ok(isCoveredKind('collectors.grafana.com/v1alpha1', 'Alloy'));
  for (const kind of ['Namespace', 'ConfigMap', 'Secret', 'Service', 'ServiceAccount', 'PersistentVolumeClaim'])
    assert.ok(isCoveredKind('v1', kind), kind);
  for (const kind of ['Deployment', 'DaemonSet', 'StatefulSet']) assert.ok(isCoveredKind('apps/v1', kind), kind);
  for (const kind of ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'])
    assert.ok(isCoveredKind('rbac.authorization.k8s.io/v1', kind), kind);
  for (const kind of ['Ingress', 'NetworkPolicy']) assert.ok(isCoveredKind('networking.k8s.io/v1', kind), kind);
  assert.ok(isCoveredKind('policy/v1', 'PodDisruptionBudget'));
  for (const kind of ['Application', 'ApplicationSet', 'AppProject'])
    assert.ok(isCoveredKind('argoproj.io/v1alpha1', kind), kind);
  assert.ok(isCoveredKind('monitoring.coreos.com/v1', 'PrometheusRule'));
});

const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.dev' },
  spec: {
    group: 'example.dev',
    names: { kind: 'Widget', plural: 'widgets' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['size'],
                properties: {
                  size: { type: 'integer', format: 'int32' },
                  port: { 'x-kubernetes-int-or-string': true },
                  note: { type: 'string', nullable: true },
                  labels: { type: 'object', additionalProperties: { type: 'string' } },
                  values: {
                    type: 'object',
                    'x-kubernetes-preserve-unknown-fields': true,
                    properties: { known: { type: 'string' } },
                  },
                  items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
                },
              },
            },
          },
        },
      },
    ],
  },
};
const widget = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'example.dev/v1',
  kind: 'Widget',
  metadata: { name: 'w', namespace: 'n' },
  spec,
  ...extra,
});

test('a custom resource is validated strictly against its CRD from the tree', async () => {
  const crds = new CrdSchemas([widgetCrd]);
  const ok = await validateObject(
    widget({
      size: 1,
      port: 'http',
      note: null,
      labels: { any: 'x' },
      values: { known: 'a', free: { form: 1 } },
      items: [{ name: 'a' }],
    }),
    crds,
  );
  assert.equal(ok, { covered: true, errors: [] });
  const bad = await validateObject(
    widget({ size: '1', port: 1.5, items: [{ name: 'a', nmae: 'b' }], colour: 'blue' }, { extra: 1 }),
    crds,
  );
  assert.equal(bad, {
    covered: true,
    errors: [
      'spec.size: must be integer',
      'spec.port: must be integer; must be string; must match a schema in anyOf',
      'unknown field "extra"',
      'unknown field "spec.colour"',
      'unknown field "spec.items[0].nmae"',
    ],
  });
  assert.equal(await validateObject(widget({}), crds), {
    covered: true,
    errors: ["spec: must have required property 'size'"],
  });
  assert.equal(await validateObject({ ...widget({ size: 1 }), apiVersion: 'example.dev/v2' }, crds), {
    covered: false,
  });
});

test.run();
