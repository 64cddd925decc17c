// alerts.custom through the real CLI: validate locates a bad expression, an
// unknown environment and a bad test at their line:col; compile puts each rule
// into the environments it names and its tests into their promtool file; and
// compile --verify runs those tests, failing when an expectation is wrong.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { BUILTIN_ALERT_NAMES } from '../compiler/model/index.ts';
import { builtinAlertRules } from '../compiler/render/content/rules.ts';
import { locateWithin, loadSpecSource } from '../compiler/load.ts';
import { promqlSyntaxError, seriesSampleCount, seriesSelectorProblem } from '../compiler/validate/promql.ts';
import { compile } from './helpers/compile.ts';
import { fromRoot } from './helpers/paths.ts';
import { requireTool } from './helpers/tools.ts';

const CASE = 'tests/golden/custom-rules';
const SPEC = readFileSync(fromRoot(`${CASE}/fabric.yaml`), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'fabric-custom-rules-'));

function fabric(...args: string[]) {
  const r = spawnSync(process.execPath, [fromRoot('bin/fabric.cjs'), ...args], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.not.match(r.stderr, /^ {4}at /m, 'no stack trace');
  return { status: r.status, out: r.stdout + r.stderr };
}

/** The golden spec with one replacement (which must apply), written to a file of its own. */
function specWith(name: string, from: string, to: string): string {
  assert.ok(SPEC.includes(from), `the edit ${from} applies`);
  const file = join(tmp, `${name}.yaml`);
  writeFileSync(file, SPEC.replace(from, to));
  return file;
}

/** The line of `file` a diagnostic at `line:col` points into, from that column. */
const textAt = (file: string, line: number, col: number) =>
  readFileSync(file, 'utf8')
    .split('\n')
    [line - 1].slice(col - 1);

test('validate: a PromQL error is located where the expression stops parsing, with a fix', () => {
  const file = specWith(
    'bad-promql',
    'sum by (job) (queue_depth{job="worker"}) > 100',
    'sum by (job) (queue_depth{job="worker"}) > > 100',
  );
  const r = fabric('validate', '--spec', file);
  assert.is(r.status, 1, r.out);
  const m = /bad-promql\.yaml:(\d+):(\d+) error FAB271 alerts\.custom\.QueueBacklog\.expr is not valid PromQL/.exec(
    r.out,
  );
  assert.ok(m, r.out);
  assert.is(textAt(file, Number(m![1]), Number(m![2])), '> 100', 'the column of the second >');
  assert.match(r.out, /fix: fix the expression/);
});

test('validate: an error inside a multi-line (|) expression is on its own line', () => {
  const file = specWith('bad-block', '          > 0.5\n', '          > 0.5 )\n');
  const r = fabric('validate', '--spec', file);
  assert.is(r.status, 1, r.out);
  const m = /bad-block\.yaml:(\d+):(\d+) error FAB271/.exec(r.out);
  assert.ok(m, r.out);
  assert.is(textAt(file, Number(m![1]), Number(m![2])), ')');
});

test('validate: in a folded (>) expression, whose text is not the source, the value and the character are named', () => {
  const file = join(tmp, 'bad-folded.yaml');
  writeFileSync(
    file,
    SPEC.replace('      expr: |\n', '      expr: >\n').replace('          > 0.5\n', '          > 0.5 )\n'),
  );
  const r = fabric('validate', '--spec', file);
  assert.is(r.status, 1, r.out);
  const m = /bad-folded\.yaml:(\d+):(\d+) error FAB271 .* at character (\d+)/.exec(r.out);
  assert.ok(m, r.out);
  assert.ok(textAt(file, Number(m![1]), Number(m![2])).startsWith('>'), 'the folded value starts there');
});

test('validate: an unknown environment is located and the defined ones are listed', () => {
  const file = specWith('bad-env', 'environments: [prod]', 'environments: [prod, qa]');
  const r = fabric('validate', '--spec', file);
  assert.is(r.status, 1, r.out);
  const m = /bad-env\.yaml:(\d+):(\d+) error FAB201 custom alert 'QueueBacklog' names environment 'qa'/.exec(r.out);
  assert.ok(m, r.out);
  assert.is(textAt(file, Number(m![1]), Number(m![2])), 'qa]');
  assert.match(r.out, /the environments are stage, prod/);
});

test('validate: bad tests are located (values notation, time past the series, firesAt before for:)', () => {
  const cases: [string, string, string, RegExp, string][] = [
    [
      'values',
      "'150x20' }, firesAt",
      "'150 x 20' }, firesAt",
      /FAB272 test values '150 x 20'/,
      "'150 x 20' }, firesAt: 10m }",
    ],
    [
      'after',
      "'150x20' }, firesAt: 10m",
      "'150x8' }, firesAt: 10m",
      /FAB273 firesAt is 10m, after the last sample/,
      '10m }',
    ],
    [
      'before-for',
      "'150x20' }, firesAt: 10m",
      "'150x20' }, firesAt: 4m",
      /FAB273 firesAt is 4m, before the rule's for: 5m/,
      '4m }',
    ],
    [
      'set-label',
      "'150x20' }, firesAt: 10m }",
      "'150x20' }, firesAt: 10m, labels: { job: worker, severity: critical } }",
      /FAB273 test label 'severity' is one fabric sets[^\n]*\n[^]*remove 'severity' from the test's labels: the alert carries the rule's severity \(warning\)/,
      'severity: critical',
    ],
    [
      'both',
      'firesAt: 10m }',
      'firesAt: 10m, silentAt: 2m }',
      /FAB273 alerts\.custom\.QueueBacklog\.tests\[0\] gives both/,
      '{ series',
    ],
  ];
  for (const [name, from, to, message, at] of cases) {
    const file = specWith(`bad-test-${name}`, from, to);
    const r = fabric('validate', '--spec', file);
    assert.is(r.status, 1, r.out);
    assert.match(r.out, message);
    const m = new RegExp(`bad-test-${name}\\.yaml:(\\d+):(\\d+) error`).exec(r.out)!;
    assert.ok(textAt(file, Number(m[1]), Number(m[2])).startsWith(at), `${name}: ${r.out}`);
  }
});

test('the rule is in the PrometheusRule of the environments it names only; its tests are in theirs', () => {
  const files = compile(`${CASE}/fabric.yaml`).files;
  const read = (env: string, f: string) =>
    parse(files.find((x) => x.path === `gitops/components/alerting-rules/overlays/${env}/${f}`)!.contents);
  const custom = (env: string) =>
    read(env, 'rules.yaml')
      .spec.groups.filter((g: any) => g.name === `fabric-${env}-custom`)
      .flatMap((g: any) => g.rules.map((r: any) => r.alert));
  assert.equal(custom('prod'), ['JobsFailing', 'QueueBacklog']);
  assert.equal(custom('stage'), ['JobsFailing']);
  const prodRule = read('prod', 'rules.yaml').spec.groups[1].rules[1];
  assert.equal(prodRule.labels, { severity: 'warning', env: 'prod' });
  assert.equal(Object.keys(prodRule.annotations), ['summary', 'description', 'runbook_url']);
  const names = (env: string) => read(env, 'rules.promtool-test.yaml').tests.map((t: any) => t.name);
  assert.is(names('prod').filter((n: string) => n.startsWith('QueueBacklog')).length, 3);
  assert.is(names('stage').filter((n: string) => n.startsWith('QueueBacklog')).length, 0);
});

test('compile --verify runs the custom tests, and fails when an expectation is wrong', () => {
  if (!requireTool('promtool', 'custom rule tests')) return;
  const good = fabric('compile', '--spec', fromRoot(`${CASE}/fabric.yaml`), '--out', join(tmp, 'good'), '--verify');
  assert.is(good.status, 0, good.out);
  assert.match(good.out, /promtool \d+/);
  // The series stays below 100: the alert cannot fire at 10m.
  const fires = specWith('wrong-fires', "'150x20' }, firesAt", "'50x20' }, firesAt");
  const r1 = fabric('compile', '--spec', fires, '--out', join(tmp, 'wrong-fires'), '--verify');
  assert.is(r1.status, 3, r1.out);
  assert.match(r1.out, /prod\/rules\.promtool-test\.yaml: promtool test rules failed:.*QueueBacklog[\s\S]*got: nil/);
  // Above 100 throughout: the alert fires, so silentAt fails.
  const silent = specWith('wrong-silent', "'50x20' }, silentAt", "'150x20' }, silentAt");
  const r2 = fabric('compile', '--spec', silent, '--out', join(tmp, 'wrong-silent'), '--verify');
  assert.is(r2.status, 3, r2.out);
  assert.match(
    r2.out,
    /alertname: QueueBacklog, time: 10m,\s+exp:\[\],\s+got:\[\s*\d+:\s*Labels:\{alertname="QueueBacklog"/,
  );
  // labels: name the one alert expected; another label set fails.
  const labels = specWith(
    'wrong-labels',
    'labels: { job: worker, queue: mail }',
    'labels: { job: worker, queue: billing }',
  );
  const r3 = fabric('compile', '--spec', labels, '--out', join(tmp, 'wrong-labels'), '--verify');
  assert.is(r3.status, 3, r3.out);
  assert.match(r3.out, /queue="billing"/);
});

test('BUILTIN_ALERT_NAMES is exactly what the built-in rules generate (every alert on, in the reference spec)', () => {
  const model = compile('spec/fabric.yaml').model;
  const generated = new Set(model.environments.flatMap((e) => builtinAlertRules(model, e).map((r) => r.alert)));
  assert.equal([...generated].sort(), [...BUILTIN_ALERT_NAMES].sort());
});

test("promtool's values notation: the samples each form stands for, and what is not in it", () => {
  const table: [string, number | string][] = [
    ['150x20', 21],
    ['0+60x20', 21],
    ['10-1x4', 5],
    ['1 2 3', 3],
    ['_ _x3 stale 1', 6],
    ['-1.5e3 Inf NaN', 3],
    ['50x5 150x3 50x10', 21],
    ['150 times 20', 'times'],
    ['1+x3', '1+x3'],
  ];
  for (const [values, want] of table) {
    const got = seriesSampleCount(values);
    assert.equal('count' in got ? got.count : got.bad, want, values);
  }
  assert.is(seriesSelectorProblem('queue_depth{job="worker",queue="mail"}'), undefined);
  assert.is(seriesSelectorProblem('{__name__="up",job="a"}'), undefined);
  assert.match(seriesSelectorProblem('queue_depth{job!="worker"}')!, /not =/);
  assert.match(seriesSelectorProblem('rate(x[5m])')!, /not a series selector/);
  assert.match(seriesSelectorProblem('x{a="b"')!, /does not parse/);
});

test('an expression position inside a quoted scalar is exact; a folded one names the value', () => {
  const src = 'a:\n  q: "sum(x) > > 1"\n  f: >\n    sum(x)\n    > > 1\n';
  const { loaded } = loadSpecSource(src, 'x.yaml');
  const q = promqlSyntaxError('sum(x) > > 1')!;
  assert.equal(locateWithin(loaded!, ['a', 'q'], q.offset), { line: 2, column: 16, exact: true });
  assert.equal(locateWithin(loaded!, ['a', 'f'], 3), { line: 3, column: 6, exact: false });
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
