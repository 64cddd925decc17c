// The Grafana dashboards as `fabric compile` writes them: typed by @grafana/schema (the version of the
// pinned Grafana), every query parses, they read the OpenTelemetry HTTP server metric (not the demo app's own
// names), the environment/cluster/service variables select what they say, legends name labels the query
// keeps, two members of one environment stay two series (evaluated by promtool), app logs select the apps'
// streams, and a spec without apps gets the fleet view only.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { defaultDashboard } from '@grafana/schema';
import { GRAFANA_SCHEMA_VERSION, LABELS, METRICS, VERSIONS } from '../compiler/model/constants.ts';
import { queryError, substituteGrafanaVariables, type QueryLanguage } from '../compiler/verify/queries.ts';
import { SEMCONV_PROM_LABEL, SEMCONV_PROM_METRIC } from '../runtime-app/src/telemetry-names.ts';
import { edited, exits, fabric, tempDir, writeSpec } from './fault-catalog-helpers.ts';
import { GOLDEN_CASES, readTree } from './helpers/compile.ts';
import { fromRoot } from './helpers/paths.ts';
import { requireTool } from './helpers/tools.ts';

interface Grafana {
  /** dashboards by file name */
  dashboards: Map<string, any>;
  datasources: { name: string; uid: string; type: string }[];
  kustomization: any;
}

/** `fabric compile` of a spec file, and the Grafana overlay it wrote. */
function compiled(spec: string): Grafana {
  const out = join(tempDir('fabric-dashboards-'), 'out');
  exits(fabric(['compile', '--spec', spec, '--out', out]), 0);
  const overlay = /^gitops\/components\/monitoring\/grafana\/overlays\/[^/]+\/([^/]+)$/;
  const g: Grafana = { dashboards: new Map(), datasources: [], kustomization: undefined };
  for (const [path, text] of readTree(out)) {
    const file = overlay.exec(path)?.[1];
    if (!file) continue;
    if (file.endsWith('.json')) g.dashboards.set(file, JSON.parse(text));
    if (file === 'datasources.yaml') g.datasources = parse(text).datasources;
    if (file === 'kustomization.yaml') g.kustomization = parse(text);
  }
  return g;
}

const SPECS = ['spec/fabric.yaml', ...GOLDEN_CASES.map((c) => `tests/golden/${c}/fabric.yaml`)];
const NO_APPS = writeSpec(edited([['apps'], undefined]));
const trees = new Map([...SPECS, NO_APPS].map((s) => [s, compiled(s.startsWith('/') ? s : fromRoot(s))]));
const reference = trees.get('spec/fabric.yaml')!;

/** Every panel target of every dashboard of every compiled spec, with its language. */
function targets(): { where: string; language: QueryLanguage; expr: string; legend?: string }[] {
  const out = [];
  const languages: Record<string, QueryLanguage> = { prometheus: 'promql', loki: 'logql', tempo: 'traceql' };
  for (const [spec, g] of trees)
    for (const [file, d] of g.dashboards)
      for (const p of d.panels)
        for (const t of p.targets) {
          const type = t.datasource?.type ?? p.datasource?.type;
          const language = languages[type];
          assert.ok(language, `${file} ${p.title}: datasource type ${type}`);
          const expr = language === 'traceql' ? t.query : t.expr;
          out.push({ where: `${spec} ${file} "${p.title}" ${t.refId}`, language, expr, legend: t.legendFormat });
        }
  return out;
}

const variable = (d: any, name: string) => d.templating.list.find((v: any) => v.name === name);

/** What Grafana's scenes do with a datasource variable regex: /re/flags, matched against datasource names. */
const jsRegex = (text: string) => {
  const m = /^\/(.*)\/([a-z]*)$/.exec(text);
  assert.ok(m, `not a /regex/: ${text}`);
  return new RegExp(m[1], m[2]);
};
/** Grafana's regex interpolation of a single value (escapeRegex of @grafana/data). */
const escapeRegex = (s: string) => s.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');

test('the semantic-convention names are the ones the demo app records', () => {
  assert.equal(
    { bucket: METRICS.httpDurationBucket, count: METRICS.httpDurationCount, sum: METRICS.httpDurationSum },
    {
      bucket: SEMCONV_PROM_METRIC.requestDurationBucket,
      count: SEMCONV_PROM_METRIC.requestDurationCount,
      sum: SEMCONV_PROM_METRIC.requestDurationSum,
    },
  );
  assert.equal(
    { route: LABELS.route, method: LABELS.method, status: LABELS.status },
    { route: SEMCONV_PROM_LABEL.route, method: SEMCONV_PROM_LABEL.method, status: SEMCONV_PROM_LABEL.status },
  );
});

test('schemaVersion and @grafana/schema are those of the pinned Grafana', () => {
  const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8'));
  assert.is(pkg.devDependencies['@grafana/schema'], VERSIONS.grafana);
  assert.is(GRAFANA_SCHEMA_VERSION, defaultDashboard.schemaVersion);
  for (const g of trees.values()) for (const d of g.dashboards.values()) assert.is(d.schemaVersion, 42);
});

test('every dashboard written type-checks against @grafana/schema, and a broken one does not', () => {
  const dir = tempDir('fabric-dashboard-types-');
  const files: string[] = [];
  const emit = (name: string, json: unknown) => {
    const file = join(dir, `${name}.ts`);
    writeFileSync(
      file,
      `import type { Dashboard } from '@grafana/schema';\nexport const d = ${JSON.stringify(json, null, 1)} satisfies Dashboard;\n`,
    );
    files.push(file);
  };
  let n = 0;
  for (const g of trees.values()) for (const d of g.dashboards.values()) emit(`ok${n++}`, d);
  const broken = structuredClone(reference.dashboards.get('red.json'));
  broken.templating.list[0].hide = 7; // not a VariableHide
  broken.templating.list[1].type = 'datasources'; // not a VariableType
  broken.panels[0].titel = 'typo'; // not a Panel field
  emit('broken', broken);
  const schema = fromRoot('node_modules/@grafana/schema/dist/types/index.d.ts');
  const compilerOptions = {
    strict: true,
    noEmit: true,
    target: 'es2022',
    module: 'esnext',
    moduleResolution: 'bundler',
    skipLibCheck: true,
    types: [],
    paths: { '@grafana/schema': [schema] },
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }));
  const r = spawnSync(process.execPath, [fromRoot('node_modules/typescript/bin/tsc'), '-p', dir], {
    encoding: 'utf8',
  });
  const errors = r.stdout.split('\n').filter((l) => /error TS/.test(l));
  assert.ok(n >= SPECS.length + 1, `${n} dashboards`);
  assert.equal(
    errors.filter((l) => !/\bbroken\.ts\(/.test(l)),
    [],
    'generated dashboards fit the Dashboard type',
  );
  const brokenErrors = errors.filter((l) => /\bbroken\.ts\(/.test(l)).join('\n');
  assert.match(brokenErrors, /'7' is not assignable to type 'VariableHide'|Type '7' is not assignable/);
  assert.match(brokenErrors, /"datasources"/);
  assert.match(brokenErrors, /'"titel"' does not exist/);
});

test('every panel query parses (PromQL, LogQL, TraceQL), with Grafana variables substituted', () => {
  const all = targets();
  assert.ok(all.length > 50, `${all.length} targets`);
  assert.is(new Set(all.map((t) => t.language)).size, 3, 'PromQL, LogQL and TraceQL');
  // The check fails on a broken query of each language.
  for (const [language, broken] of [
    ['promql', 'sum by (job (x)'],
    ['logql', '{service_name=~"a"'],
    ['traceql', '{resource.service.name=~ && status = error}'],
  ] as const)
    assert.ok(queryError(language, broken), `${language}: ${broken}`);
  for (const t of all) {
    const error = queryError(t.language, substituteGrafanaVariables(t.expr));
    assert.is(error, undefined, `${t.where}: ${error} in ${t.expr}`);
  }
  // The query variables' series selectors are PromQL too (label_values(<selector>, <label>)).
  for (const g of trees.values())
    for (const d of g.dashboards.values())
      for (const v of d.templating.list.filter((v: any) => v.type === 'query')) {
        const m = /^label_values\((?:(.+), )?(\w+)\)$/.exec(v.query);
        assert.ok(m, `${d.uid} $${v.name}: ${v.query}`);
        if (m[1]) assert.is(queryError('promql', substituteGrafanaVariables(m[1])), undefined, v.query);
      }
});

test('the dashboards read the semantic-convention metric, never the demo app custom metrics', () => {
  const exprs = targets().map((t) => t.expr);
  for (const custom of [METRICS.requests, METRICS.errors, METRICS.durationBucket, METRICS.durationCount])
    assert.not.ok(
      exprs.some((e) => e.includes(custom)),
      custom,
    );
  const red = reference.dashboards.get('red.json');
  for (const title of ['Requests per second', 'Error ratio (5xx)', 'Latency p95 (exemplars link to traces)'])
    assert.match(
      red.panels.find((p: any) => p.title === title).targets[0].expr,
      /http_server_request_duration_seconds_/,
    );
});

test('environment variable: every Mimir datasource and nothing else; logs follow it to the same environment', () => {
  for (const [spec, g] of trees) {
    const byType = (type: string) => g.datasources.filter((ds) => ds.type === type);
    for (const d of g.dashboards.values()) {
      const env = variable(d, 'env');
      assert.is(env.type, 'datasource');
      assert.is(env.query, 'prometheus');
      const pick = jsRegex(env.regex);
      assert.equal(
        g.datasources.filter((ds) => pick.test(ds.name)).map((ds) => ds.uid),
        byType('prometheus').map((ds) => ds.uid),
        `${spec} ${d.uid}: the environment variable offers the Mimir datasources`,
      );
      assert.ok(byType('prometheus').some((ds) => ds.uid === env.current.value && ds.name === env.current.text));
      // Every metrics query and query variable asks the selected environment's Mimir.
      for (const p of d.panels.filter((p: any) => p.datasource.type === 'prometheus'))
        assert.is(p.datasource.uid, '${env}', `${d.uid} ${p.title}`);
      for (const [name, type, kind] of [
        ['logs', 'loki', 'Loki'],
        ['traces', 'tempo', 'Tempo'],
      ]) {
        const follower = variable(d, name);
        if (!follower) continue;
        assert.is(follower.hide, 2, 'hidden: it follows the environment');
        for (const mimir of byType('prometheus')) {
          const regex = jsRegex(follower.regex.replace('${env}', escapeRegex(mimir.uid)));
          const picked = byType(type).filter((ds) => regex.test(ds.name));
          const envName = / \((.+)\)$/.exec(mimir.name)![1];
          assert.equal(
            picked.map((ds) => ds.name),
            [`${kind} (${envName})`],
            `${spec}: with ${mimir.name} selected, $${name} is its ${kind}`,
          );
        }
        for (const p of d.panels.filter((p: any) => p.datasource.type === type))
          assert.is(p.datasource.uid, '${' + name + '}');
      }
    }
  }
});

test('cluster and service variables; the RED service variable lists exactly the spec apps', () => {
  const fleet = reference.dashboards.get('fleet.json');
  assert.is(variable(fleet, 'cluster').query, 'label_values(cluster)');
  const anyService = variable(fleet, 'service');
  assert.is(anyService.type, 'query', 'the fleet view lists every service that reports, listed in the spec or not');
  assert.match(
    anyService.query,
    /^label_values\(http_server_request_duration_seconds_count\{cluster=~"\$cluster"\}, job\)$/,
  );
  const three = trees.get('tests/golden/three-envs/fabric.yaml')!.dashboards.get('red.json');
  const apps = variable(three, 'service');
  assert.is(apps.type, 'custom');
  assert.equal(apps.query.split(',').sort(), ['cart', 'checkout']);
  assert.is(apps.allValue, undefined, '"All" expands to the apps, not to .+');
  for (const d of [fleet, three])
    for (const p of d.panels)
      for (const t of p.targets) {
        const q = t.expr ?? t.query;
        assert.match(
          q,
          /\b(cluster|k8s_cluster_name|k8s\.cluster\.name)=~"\$cluster"/,
          `${d.uid} ${p.title}: $cluster`,
        );
        if (!q.includes(METRICS.restarts) || d === three)
          assert.match(q, /(job|service_name|pod|service\.name)=~"\$service/, `${d.uid} ${p.title}: $service`);
      }
});

test('legends name only labels the query keeps (the fleet restarts legend was {{job}} on a by (pod) sum)', () => {
  for (const t of targets().filter((t) => t.legend)) {
    const legend = [...t.legend!.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]);
    const groupings = [...t.expr.matchAll(/\bby \(([^)]*)\)/g)].map((m) => m[1].split(/,\s*/));
    assert.ok(groupings.length > 0, `${t.where}: no by () in ${t.expr}`);
    for (const kept of groupings)
      for (const label of legend)
        assert.ok(kept.includes(label), `${t.where}: legend {{${label}}} not in by (${kept})`);
  }
  const restarts = reference.dashboards.get('fleet.json').panels.find((p: any) => p.title === 'Pod restarts (1h)');
  assert.match(restarts.targets[0].legendFormat, /\{\{pod\}\}/);
  assert.not.match(restarts.targets[0].legendFormat, /\{\{job\}\}/);
});

test("app logs select the apps' streams in the selected clusters, never every stream", () => {
  const three = trees.get('tests/golden/three-envs/fabric.yaml')!.dashboards.get('red.json');
  const logs = three.panels.find((p: any) => p.type === 'logs').targets[0].expr;
  // What Grafana sends with App = All and Cluster = All: the custom variable's values, the cluster's allValue.
  const sent = logs.replace('$service', '(cart|checkout)').replace('$cluster', '.+');
  assert.is(sent, '{service_name=~"(cart|checkout)", k8s_cluster_name=~".+"}');
  assert.is(queryError('logql', sent), undefined);
});

/** A panel query as Grafana sends it with every variable at "All" (the RED app list for $service). */
function asSent(expr: string, service: string): string {
  return expr.replaceAll('$__rate_interval', '2m').replaceAll('$cluster', '.+').replaceAll('$service', service);
}

test('two members of one environment stay two series; probes, other apps and their pods are left out (promtool)', () => {
  if (!requireTool('promtool', 'dashboard queries under promtool')) return;
  const g = trees.get('tests/golden/two-members/fabric.yaml')!;
  const series = (labels: string, values: string) => ({ series: `${labels}`, values });
  const http = (cluster: string, job: string, route: string, status: string) =>
    `${METRICS.httpDurationCount}{cluster="${cluster}", env="prod", job="${job}", http_route="${route}", http_request_method="GET", http_response_status_code="${status}", otel_scope_name="s"}`;
  const bucket = (cluster: string, le: string) =>
    `${METRICS.httpDurationBucket}{cluster="${cluster}", env="prod", job="instrumented-app", http_route="/api/users", http_request_method="GET", http_response_status_code="200", le="${le}"}`;
  const restarts = (cluster: string, namespace: string, pod: string) =>
    `${METRICS.restarts}{cluster="${cluster}", env="prod", job="kube-state-metrics", namespace="${namespace}", pod="${pod}", container="app"}`;
  const APP_POD = 'instrumented-app-5d9f7c8b6-abcde';
  const OTHER_APP_POD = 'instrumented-app-x-5d9f7c8b6-abcde';
  // Per minute: prod-eu 54 ok + 6 failed + 600 probes, prod-us 120 ok, and a service the spec does not list.
  const input = [
    series(http('prod-eu', 'instrumented-app', '/api/users', '200'), '0+54x70'),
    series(http('prod-eu', 'instrumented-app', '/api/users', '500'), '0+6x70'),
    series(http('prod-eu', 'instrumented-app', '/health', '200'), '0+600x70'),
    series(http('prod-us', 'instrumented-app', '/api/users', '200'), '0+120x70'),
    series(http('prod-us', 'other-svc', '/orders', '200'), '0+60x70'),
    series(bucket('prod-eu', '0.1'), '0+0x70'),
    series(bucket('prod-eu', '0.25'), '0+60x70'),
    series(bucket('prod-eu', '+Inf'), '0+60x70'),
    series(bucket('prod-us', '0.1'), '0+120x70'),
    series(bucket('prod-us', '0.25'), '0+120x70'),
    series(bucket('prod-us', '+Inf'), '0+120x70'),
    series(restarts('prod-eu', 'apps', APP_POD), '0+1x70'),
    series(restarts('prod-eu', 'apps', OTHER_APP_POD), '0+1x70'),
    series(restarts('prod-us', 'observability', 'alloy-abcde'), '0+2x70'),
  ];
  const app = (cluster: string) => `{cluster="${cluster}", job="instrumented-app"}`;
  const expected: Record<string, Record<string, [string, number][]>> = {
    'red.json': {
      'Requests per second': [
        [app('prod-eu'), 1],
        [app('prod-us'), 2],
      ],
      'Error ratio (5xx)': [
        [app('prod-eu'), 0.1],
        [app('prod-us'), 0],
      ],
      'Latency p95 (exemplars link to traces)': [
        [app('prod-eu'), 0.2425],
        [app('prod-us'), 0.095],
      ],
      'Pod restarts (1h)': [[`{cluster="prod-eu", pod="${APP_POD}"}`, 60]],
    },
    'fleet.json': {
      'Requests per second': [
        [app('prod-eu'), 1],
        [app('prod-us'), 2],
        ['{cluster="prod-us", job="other-svc"}', 1],
      ],
      'Requests per second by cluster': [
        ['{cluster="prod-eu"}', 1],
        ['{cluster="prod-us"}', 3],
      ],
      'Error ratio (5xx)': [
        [app('prod-eu'), 0.1],
        [app('prod-us'), 0],
        ['{cluster="prod-us", job="other-svc"}', 0],
      ],
      'Pod restarts (1h)': [
        [`{cluster="prod-eu", namespace="apps", pod="${APP_POD}"}`, 60],
        [`{cluster="prod-eu", namespace="apps", pod="${OTHER_APP_POD}"}`, 60],
        ['{cluster="prod-us", namespace="observability", pod="alloy-abcde"}', 120],
      ],
    },
  };
  const exprTests = Object.entries(expected).flatMap(([file, panels]) =>
    Object.entries(panels).map(([title, samples]) => {
      const panel = g.dashboards.get(file).panels.find((p: any) => p.title === title);
      assert.ok(panel, `${file} has "${title}"`);
      const service = file === 'red.json' ? '(instrumented-app)' : '.+';
      return {
        expr: asSent(panel.targets[0].expr, service),
        eval_time: '70m',
        exp_samples: samples.map(([labels, value]) => ({ labels, value })),
      };
    }),
  );
  const dir = tempDir('fabric-dashboard-promtool-');
  const file = join(dir, 'dashboards.test.yaml');
  writeFileSync(
    file,
    JSON.stringify({
      rule_files: [],
      evaluation_interval: '1m',
      tests: [{ interval: '1m', input_series: input, promql_expr_test: exprTests }],
    }),
  );
  const r = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stdout + r.stderr);
});

test('no apps: the fleet view stays, no RED dashboard', () => {
  const g = trees.get(NO_APPS)!;
  assert.equal([...g.dashboards.keys()], ['fleet.json']);
  assert.equal(g.kustomization.configMapGenerator.find((c: any) => c.name === 'grafana-dashboards').files, [
    'fleet.json',
  ]);
  assert.ok(reference.dashboards.has('red.json') && reference.dashboards.has('fleet.json'));
});

test.run();
