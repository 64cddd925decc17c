// Every value the spec accepts for a built-in alert gives rules that promtool
// accepts and generated tests that pass: a sweep over each setting's range
// (minimum, maximum and values between, one environment each) through
// `fabric compile --verify`; and the values just outside are refused with
// their codes at their place.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse, parseDocument } from 'yaml';
import { diagnostics, exits, fabric, tempDir, validate, writeSpec } from './fault-catalog-helpers.ts';
import { fromRoot } from './helpers/paths.ts';
import { requireTool } from './helpers/tools.ts';
import { durationSeconds, promDuration } from '../compiler/units.ts';

/** Three environments (dev, stage, prod), apps in each. */
const BASE = readFileSync(fromRoot('tests/golden/three-envs/fabric.yaml'), 'utf8');

type Alerts = Record<string, Record<string, unknown>>;

/** Settings of every built-in alert at one point of its range. */
const POINTS: Record<string, Alerts> = {
  minimum: {
    errorRate: { threshold: 0.000001, for: '1m' },
    latencyP95: { threshold: '1ms', for: '1m' },
    lowRequestRate: { threshold: 0.001, for: '1m' },
    podRestarts: { threshold: 1, window: '2m' },
    serviceDown: { for: '1m' },
  },
  maximum: {
    errorRate: { threshold: 0.9999999999999999, for: '6h' },
    latencyP95: { threshold: '9999ms', for: '6h' },
    lowRequestRate: { threshold: 1000000, for: '6h' },
    podRestarts: { threshold: 10000, window: '7d' },
    serviceDown: { for: '6h' },
  },
  between: {
    errorRate: { threshold: 0.07, for: '90s' },
    latencyP95: { threshold: '700ms', for: '1h30m' },
    lowRequestRate: { threshold: 0.5, for: '5m' },
    podRestarts: { threshold: 3, window: '21m' },
    serviceDown: { for: '5m' },
  },
  between2: {
    errorRate: { threshold: 0.333, for: '4h' },
    latencyP95: { threshold: '2s', for: '10m' },
    lowRequestRate: { threshold: 17.5, for: '2h' },
    podRestarts: { threshold: 250, window: '1d' },
    serviceDown: { for: '30m' },
  },
};

/** The base spec with one point per environment. */
function sweepSpec(points: string[]): string {
  const doc = parseDocument(BASE);
  const envs = ['dev', 'stage', 'prod'];
  points.forEach((point, i) => doc.setIn(['environments', envs[i], 'alerts'], doc.createNode(POINTS[point])));
  return doc.toString();
}

/** `fabric compile --verify --json`: the compile result and the verify report. */
function compileVerify(spec: string) {
  const out = join(tempDir('fabric-sweep-'), 'out');
  const run = fabric(['compile', '--json', '--verify', '--spec', writeSpec(spec), '--out', out]);
  exits(run, 0);
  const [, report] = run.stdout.split(/\n(?=\{)/).map((t) => JSON.parse(t));
  return { out, report };
}

const rulesOf = (out: string, env: string) =>
  parse(readFileSync(join(out, 'gitops/components/alerting-rules/overlays', env, 'rules.yaml'), 'utf8')).spec.groups[0]
    .rules;

for (const points of [
  ['minimum', 'maximum', 'between'],
  ['between2', 'minimum', 'maximum'],
]) {
  test(`compile --verify passes with every alert at ${points.join(', ')} (dev, stage, prod)`, () => {
    if (!requireTool('promtool', 'alert sweep')) return;
    if (!requireTool('kubectl', 'alert sweep', ['version', '--client'])) return;
    if (!requireTool('amtool', 'alert sweep')) return;
    const { out, report } = compileVerify(sweepSpec(points));
    assert.equal(report.findings, []);
    assert.equal(report.skipped, []);
    // 3 PrometheusRules and 3 test files.
    assert.is(report.checked.promtool, 6);
    // The settings reached the rules (the sweep tested what it says).
    points.forEach((point, i) => {
      const env = ['dev', 'stage', 'prod'][i];
      const rules = rulesOf(out, env);
      const p = POINTS[point];
      const rule = (name: string) => rules.find((r: any) => r.alert === name);
      assert.match(rule('HighErrorRate').expr, new RegExp(`> ${String(p.errorRate.threshold).replace('.', '\\.')}$`));
      const window = promDuration(durationSeconds(String(p.podRestarts.window))); // 7d is written 1w
      assert.match(rule('PodRestarting').expr, `[${window}])) >= ${p.podRestarts.threshold}`);
      assert.is(rule('LowRequestRate').for, p.lowRequestRate.for);
      assert.is(rule('ServiceDown').for, p.serviceDown.for);
    });
  });
}

/** 1-based line and column of the value `rendered` of the first `key:` after `alert:`. */
function valueAt(text: string, alert: string, key: string, rendered: string) {
  const start = text.indexOf(`${alert}:`);
  const offset = text.indexOf(`${key}: ${rendered}`, start) + key.length + 2;
  assert.ok(start >= 0 && offset > start, `${alert}.${key}: ${rendered} not in the spec`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/** Values just outside each range, the code that refuses them, and the message. */
const OUTSIDE: [string, Alerts, string, RegExp][] = [
  ['errorRate', { errorRate: { threshold: 0.00000099 } }, 'FAB104', /must be >= 0\.000001/],
  ['errorRate', { errorRate: { threshold: 5e-324 } }, 'FAB104', /must be >= 0\.000001/],
  ['errorRate', { errorRate: { threshold: 1 } }, 'FAB104', /must be < 1/],
  ['errorRate', { errorRate: { for: '59s' } }, 'FAB260', /shorter than 1m/],
  ['errorRate', { errorRate: { for: '6h1s' } }, 'FAB261', /longer than 6h/],
  ['latencyP95', { latencyP95: { threshold: '10s' } }, 'FAB262', /not below 10s/],
  ['latencyP95', { latencyP95: { for: '59999ms' } }, 'FAB260', /shorter than 1m/],
  ['lowRequestRate', { lowRequestRate: { threshold: 0.00099 } }, 'FAB104', /must be >= 0\.001/],
  ['lowRequestRate', { lowRequestRate: { threshold: 1000001 } }, 'FAB104', /must be <= 1000000/],
  ['lowRequestRate', { lowRequestRate: { for: '361m' } }, 'FAB261', /longer than 6h/],
  ['podRestarts', { podRestarts: { window: '119s' } }, 'FAB260', /shorter than 2m/],
  ['podRestarts', { podRestarts: { window: '169h' } }, 'FAB261', /longer than 1w/],
  ['podRestarts', { podRestarts: { threshold: 0 } }, 'FAB104', /must be >= 1/],
  ['podRestarts', { podRestarts: { threshold: 10001 } }, 'FAB104', /must be <= 10000/],
  ['serviceDown', { serviceDown: { for: '30s' } }, 'FAB260', /shorter than 1m/],
  ['serviceDown', { serviceDown: { for: '1d' } }, 'FAB261', /longer than 6h/],
];

test('values just outside each range are refused with their code, at their place, in an environment too', () => {
  for (const [alert, alerts, code, message] of OUTSIDE) {
    const [key, value] = Object.entries(alerts[alert])[0];
    for (const where of [['alerts'], ['environments', 'prod', 'alerts']]) {
      const doc = parseDocument(BASE);
      doc.deleteIn(['alerts']);
      doc.deleteIn(['environments', 'prod', 'alerts']);
      doc.setIn(where, doc.createNode(alerts));
      const text = doc.toString();
      const run = validate(text);
      const ds = diagnostics(run);
      const label = `${where.join('.')}.${alert} ${JSON.stringify(alerts[alert])}`;
      assert.equal(
        ds.map((d) => d.code),
        [code],
        label,
      );
      assert.match(ds[0].message, message, label);
      const rendered = String(doc.createNode(value)).trim();
      assert.equal({ line: ds[0].line, column: ds[0].column }, valueAt(text, alert, key, rendered), label);
      assert.ok(ds[0].hint, `${label}: a hint`);
    }
  }
});

test.run();
