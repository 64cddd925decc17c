// verifyTree end to end with the real kubectl and promtool on small trees.
//
// tests/fixtures/verify/good is a tree that passes every check. Each
// directory under tests/fixtures/verify/broken holds only the files that
// differ from it (same relative paths); a case copies the parts of the good
// tree it needs (so it builds only a few kustomizations), lays its files over
// them, and states the findings it must produce. Every finding of a broken
// tree must be one the case expects, so a case also proves that the rest of
// its tree stays clean.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyTree, type Finding, type VerifyTarget } from '../compiler/verify/index.ts';
import { fromRoot } from './helpers/paths.ts';
import { requireTool } from './helpers/tools.ts';

const GOOD = fromRoot('tests/fixtures/verify/good');
const TARGETS: VerifyTarget[] = [
  { path: 'gitops/argocd-apps', cluster: 'control' },
  { path: 'gitops/operators/crds', cluster: 'monitoring' },
  { path: 'gitops/components/app/overlays/stage', cluster: 'stage' },
  { path: 'gitops/components/alloy-agent/overlays/stage', cluster: 'stage' },
  { path: 'gitops/components/alerting-rules/overlays/stage', cluster: 'monitoring' },
  { path: 'gitops/components/backend/overlays/stage', cluster: 'monitoring' },
  { path: 'gitops/components/grafana/overlays/monitoring', cluster: 'monitoring' },
];

const haveKubectl = (name: string) => requireTool('kubectl', name, ['version', '--client']);
const havePromtool = (name: string) => requireTool('promtool', name);

test('the good tree gives no finding, and every check covered something', async () => {
  if (!haveKubectl('good tree') || !havePromtool('good tree')) return;
  const report = await verifyTree(GOOD, TARGETS);
  assert.equal(report.findings, []);
  assert.equal(report.skipped, []);
  // 12 kustomizations; 30 objects (a Widget checked against its CRD in the tree);
  // the agent config as a file and in its ConfigMap;
  // 3 rule and 3 panel PromQL queries, 2 LogQL; 1 PrometheusRule and 1 rule test.
  assert.equal(report.checked, {
    kustomize: 12,
    schema: 30,
    name: 30,
    collision: 30,
    alloy: 2,
    promql: 6,
    logql: 2,
    promtool: 2,
  });
});

interface Expected {
  check: Finding['check'];
  severity?: Finding['severity'];
  file: string | RegExp;
  message: RegExp;
}

interface BrokenCase {
  name: string;
  /** Directories of the good tree the case needs; the targets are TARGETS below them. */
  include: string[];
  extraTargets?: VerifyTarget[];
  needsPromtool?: boolean;
  expect: Expected[];
}

const APP = 'gitops/components/app/overlays/stage';
const RULES = 'gitops/components/alerting-rules/overlays/stage';
const GRAFANA = 'gitops/components/grafana/overlays/monitoring';

/** A temp tree holding the included parts of the good tree, with a broken case's files laid over them. */
function makeTree(include: string[], brokenCase?: string): { tree: string; targets: VerifyTarget[] } {
  const tree = mkdtempSync(join(tmpdir(), `fabric-verify-${brokenCase ?? 'good'}-`));
  for (const dir of include) cpSync(join(GOOD, dir), join(tree, dir), { recursive: true });
  if (brokenCase) cpSync(fromRoot('tests/fixtures/verify/broken', brokenCase), tree, { recursive: true });
  return {
    tree,
    targets: TARGETS.filter((t) => include.some((dir) => t.path.startsWith(`${dir}/`) || t.path === dir)),
  };
}

const CASES: BrokenCase[] = [
  {
    name: 'kustomize-fails',
    include: ['gitops/components/app'],
    expect: [{ check: 'kustomize', file: APP, message: /kubectl kustomize failed: .*missing\.yaml/ }],
  },
  {
    name: 'unknown-field',
    include: ['gitops/components/app'],
    expect: [
      {
        check: 'schema',
        file: APP,
        message: /^Deployment shop\/checkout: unknown field "spec\.template\.spec\.containers\[0\]\.bogus"$/,
      },
    ],
  },
  {
    name: 'bad-service-name',
    include: ['gitops/components/app'],
    expect: [
      { check: 'name', file: APP, message: /^Service shop\/1svc: metadata\.name "1svc" must be a DNS-1035 label/ },
    ],
  },
  {
    name: 'collision',
    include: ['gitops/components/backend'],
    extraTargets: [{ path: 'gitops/components/extra', cluster: 'monitoring' }],
    expect: [
      {
        check: 'collision',
        severity: 'error',
        file: 'gitops/components/backend/overlays/stage',
        message:
          /Namespace monitoring .* cluster "monitoring" by 2 targets: gitops\/components\/backend\/overlays\/stage, gitops\/components\/extra/,
      },
    ],
  },
  {
    name: 'bad-promql',
    include: ['gitops/components/alerting-rules'],
    needsPromtool: true,
    expect: [
      {
        check: 'promql',
        file: RULES,
        message: /PrometheusRule monitoring\/app-alerts group "app-slo" alert ServiceDown: syntax error/,
      },
      { check: 'promtool', file: RULES, message: /promtool check rules failed: \.spec: .*ServiceDown/s },
      {
        check: 'promtool',
        file: 'gitops/components/alerting-rules/base/app-alerts.promtool-test.yaml',
        message: /promtool test rules failed/,
      },
    ],
  },
  {
    name: 'promtool-test-fails',
    include: ['gitops/components/alerting-rules'],
    needsPromtool: true,
    expect: [
      {
        check: 'promtool',
        file: 'gitops/components/alerting-rules/base/app-alerts.promtool-test.yaml',
        message: /promtool test rules failed:.*alertname: HighErrorRate/s,
      },
    ],
  },
  {
    name: 'broken-alloy',
    include: ['gitops/components/alloy-agent'],
    expect: [
      {
        check: 'alloy',
        file: 'gitops/components/alloy-agent/overlays/stage/config.alloy:38',
        message: /missing "," before the newline in the object opened on line 36/,
      },
      {
        check: 'alloy',
        file: 'gitops/components/alloy-agent/overlays/stage',
        message: /^ConfigMap alloy\/alloy-config-\w+ data\["config\.alloy"\] line 38: missing ","/,
      },
    ],
  },
  {
    name: 'bad-dashboard',
    include: ['gitops/components/grafana'],
    expect: [
      {
        check: 'promql',
        file: GRAFANA,
        message: /data\["red-stage\.json"\] panel "p95 latency" target A: syntax error/,
      },
      { check: 'logql', file: GRAFANA, message: /data\["red-stage\.json"\] panel "Error logs" target B: syntax error/ },
      {
        check: 'traceql',
        file: GRAFANA,
        message: /data\["red-stage\.json"\] panel "Failed requests" target B: syntax error at column 28/,
      },
    ],
  },
  {
    name: 'uncovered-kind',
    include: ['gitops/operators/crds'],
    expect: [
      {
        check: 'schema',
        severity: 'warning',
        file: 'gitops/operators/crds',
        message: /^Alloy alloy\/agent: no schema for collectors\.grafana\.com\/v1alpha1 Alloy/,
      },
    ],
  },
  {
    name: 'crd-field',
    include: ['gitops/operators/crds'],
    expect: [
      {
        check: 'schema',
        file: 'gitops/operators/crds',
        message: /^Widget monitoring\/first: spec\.size: must be integer$/,
      },
      {
        check: 'schema',
        file: 'gitops/operators/crds',
        message: /^Widget monitoring\/first: unknown field "spec\.colour"$/,
      },
    ],
  },
  {
    name: 'remote-base',
    include: ['gitops/components/app'],
    expect: [
      {
        check: 'kustomize',
        severity: 'warning',
        file: APP,
        message: /not built offline.*remote resource https:\/\/github\.com\/example/,
      },
    ],
  },
];

const matches = (f: Finding, e: Expected) =>
  f.check === e.check &&
  (e.severity ?? 'error') === f.severity &&
  (typeof e.file === 'string' ? f.file === e.file : e.file.test(f.file)) &&
  e.message.test(f.message);

for (const c of CASES) {
  test(`broken tree ${c.name}: ${c.expect.map((e) => e.check).join(', ')} finding`, async () => {
    if (!haveKubectl(c.name) || (c.needsPromtool && !havePromtool(c.name))) return;
    const { tree, targets } = makeTree(c.include, c.name);
    try {
      const { findings } = await verifyTree(tree, [...targets, ...(c.extraTargets ?? [])]);
      const shown = JSON.stringify(findings, null, 2);
      for (const e of c.expect)
        assert.ok(
          findings.some((f) => matches(f, e)),
          `expected ${e.check} ${e.message} in ${shown}`,
        );
      for (const f of findings)
        assert.ok(
          c.expect.some((e) => matches(f, e)),
          `unexpected finding ${JSON.stringify(f)}`,
        );
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });
}

test('promtool can be turned off, and says so', async () => {
  if (!haveKubectl('promtool off')) return;
  const { tree, targets } = makeTree(['gitops/components/alerting-rules']);
  try {
    const report = await verifyTree(tree, targets, { promtool: false });
    assert.equal(report.skipped, ['promtool: turned off by the caller']);
    assert.is(report.checked.promtool, undefined);
    assert.equal(report.findings, []);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});

test('without kubectl nothing is built, and the report says why instead of passing silently', async () => {
  const path = process.env.PATH;
  process.env.PATH = '';
  try {
    const report = await verifyTree(GOOD, TARGETS);
    assert.ok(
      report.skipped.some((s) => s.startsWith('kustomize: kubectl is not installed')),
      report.skipped.join('\n'),
    );
    assert.ok(
      report.skipped.some((s) => s.startsWith('promtool: not installed')),
      report.skipped.join('\n'),
    );
    assert.is(report.checked.schema, undefined);
    assert.is(report.checked.alloy, 1); // the .alloy file in the tree is still checked
  } finally {
    process.env.PATH = path;
  }
});

test('a target without a kustomization is an error', async () => {
  if (!haveKubectl('missing target')) return;
  const { tree } = makeTree(['gitops/operators/crds']);
  try {
    const report = await verifyTree(tree, [{ path: './gitops/components/nothing/overlays/stage/', cluster: 'stage' }], {
      promtool: false,
    });
    assert.equal(report.findings, [
      {
        check: 'kustomize',
        file: 'gitops/components/nothing/overlays/stage',
        severity: 'error',
        message: 'target has no kustomization file',
      },
    ]);
    assert.is(report.checked.kustomize, 1); // the CRD dir, built although no target names it
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});

test.run();
