// The built-in alert rules as a user meets them through `fabric compile`: they
// read the OpenTelemetry semantic-convention metric with the names the demo app
// emits, follow the rule conventions (summary, description, runbook_url into
// the README, cluster kept), are absent for an environment without apps, and
// their promtool tests run in place with plain promtool as the README says.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse, parseDocument } from 'yaml';
import { LABELS, METRICS, SEMCONV_LARGEST_BUCKET_SECONDS } from '../compiler/model/constants.ts';
import {
  PROM_METRIC,
  SEMCONV_DURATION_BUCKETS_SECONDS,
  SEMCONV_PROM_LABEL,
  SEMCONV_PROM_METRIC,
} from '../runtime-app/src/telemetry-names.ts';
import { runRuleTests } from '../compiler/verify/promtool.ts';
import { exits, fabric, REFERENCE, tempDir, writeSpec } from './fault-catalog-helpers.ts';
import { fromRoot } from './helpers/paths.ts';
import { requireTool } from './helpers/tools.ts';

const RULES_DIR = 'gitops/components/alerting-rules/overlays';

function compileTo(specText: string): string {
  const out = join(tempDir('fabric-rules-'), 'out');
  exits(fabric(['compile', '--spec', writeSpec(specText), '--out', out]), 0);
  return out;
}

const rulesOf = (out: string, env: string) => parse(readFileSync(join(out, RULES_DIR, env, 'rules.yaml'), 'utf8'));

test('the alerts read the semconv metric under the names the demo app emits', () => {
  assert.equal(
    [METRICS.httpDurationBucket, METRICS.httpDurationCount, METRICS.httpDurationSum],
    [
      SEMCONV_PROM_METRIC.requestDurationBucket,
      SEMCONV_PROM_METRIC.requestDurationCount,
      SEMCONV_PROM_METRIC.requestDurationSum,
    ],
  );
  assert.equal(
    [LABELS.route, LABELS.method, LABELS.status],
    [SEMCONV_PROM_LABEL.route, SEMCONV_PROM_LABEL.method, SEMCONV_PROM_LABEL.status],
  );
  assert.equal([METRICS.requests, METRICS.targetInfo], [PROM_METRIC.requests, PROM_METRIC.targetInfo]);
  assert.is(SEMCONV_LARGEST_BUCKET_SECONDS, Math.max(...SEMCONV_DURATION_BUCKETS_SECONDS));

  const out = compileTo(REFERENCE);
  for (const env of ['stage', 'prod']) {
    const exprs: string[] = rulesOf(out, env).spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.expr));
    const all = exprs.join('\n');
    assert.not.match(all, /app_requests_total|app_request_duration|app_errors_total/, 'the demo-only metrics');
    assert.match(all, /http_server_request_duration_seconds_count\{/);
    assert.match(all, /http_server_request_duration_seconds_bucket\{/);
  }
});

test('every built-in rule has summary, description and a runbook_url into its README section, and keeps cluster', () => {
  const out = compileTo(REFERENCE);
  const readme = readFileSync(join(out, 'README.md'), 'utf8');
  const headings = new Set([...readme.matchAll(/^### (\S+)$/gm)].map((m) => m[1].toLowerCase()));
  for (const env of ['stage', 'prod']) {
    const rules = rulesOf(out, env).spec.groups.flatMap((g: any) => g.rules);
    assert.equal(
      rules.map((r: any) => r.alert),
      ['HighErrorRate', 'HighLatencyP95', 'LowRequestRate', 'ServiceDown', 'PodRestarting'],
    );
    for (const r of rules) {
      assert.equal(Object.keys(r.annotations).sort(), ['description', 'runbook_url', 'summary'], r.alert);
      assert.not.ok('runbook' in r.annotations);
      const url = new URL(r.annotations.runbook_url);
      assert.is(url.origin + url.pathname, 'https://github.com/you/fabric-gitops/blob/main/README.md', r.alert);
      assert.ok(headings.has(url.hash.slice(1)), `${r.alert}: README has no section ${url.hash}`);
      assert.match(r.annotations.summary, /\{\{ \$labels\.cluster \}\}/, `${r.alert} names the cluster`);
      // Every aggregation keeps the cluster label (ServiceDown's absent_over_time takes it from its matcher).
      for (const by of r.expr.matchAll(/\bby \(([^)]*)\)/g))
        assert.ok(by[1].split(', ').includes('cluster'), `${r.alert}: by (${by[1]}) drops cluster`);
      assert.is(r.labels.env, env);
      assert.not.match(r.expr, /job=""/);
    }
  }
});

test('runbook_url follows git.repoURL and git.path: scp-style and ssh URLs become the https page, file:// the work tree', () => {
  const cases: [string, string, string][] = [
    ['git@gitlab.example.com:ops/gitops.git', '', 'https://gitlab.example.com/ops/gitops/-/blob/main/README.md'],
    ['https://bitbucket.org/ops/gitops.git', '', 'https://bitbucket.org/ops/gitops/src/main/README.md'],
    [
      'ssh://git@git.example.com:2222/ops/gitops.git',
      'fleet',
      'https://git.example.com/ops/gitops/blob/main/fleet/README.md',
    ],
    ['file:///srv/gitops', 'fleet', 'file:///srv/gitops/fleet/README.md'],
  ];
  for (const [repoURL, path, page] of cases) {
    const doc = parseDocument(REFERENCE);
    doc.setIn(['git', 'repoURL'], repoURL);
    if (path) doc.setIn(['git', 'path'], path);
    const out = compileTo(doc.toString());
    const rule = rulesOf(out, 'prod').spec.groups[0].rules[0];
    assert.is(rule.annotations.runbook_url, `${page}#higherrorrate`, repoURL);
  }
});

test('git.readmeURL names the page on any other host; one with a #fragment is refused where it is written', () => {
  const page = 'https://gitea.example.com/ops/gitops/src/branch/main/fleet/README.md';
  const doc = parseDocument(REFERENCE);
  doc.setIn(['git', 'readmeURL'], page);
  const rule = rulesOf(compileTo(doc.toString()), 'prod').spec.groups[0].rules[0];
  assert.is(rule.annotations.runbook_url, `${page}#higherrorrate`);

  doc.setIn(['git', 'readmeURL'], `${page}#top`);
  const r = fabric(['validate', '--spec', writeSpec(doc.toString())]);
  exits(r, 1);
  assert.match(r.stdout + r.stderr, /fabric\.yaml:\d+:\d+ error FAB\d+ [^\n]*readmeURL/);
  assert.match(r.stdout + r.stderr, /without a `?#fragment/);
});

test('an environment without apps gets no rules, no tests and no Alerts section; the other keeps its own', () => {
  const doc = parseDocument(REFERENCE);
  doc.setIn(['apps', 'instrumented-app', 'environments'], ['prod']);
  doc.deleteIn(['apps', 'instrumented-app', 'hosts', 'stage']);
  const out = compileTo(doc.toString());
  assert.equal(rulesOf(out, 'stage').spec.groups, []);
  assert.not.ok(existsSync(join(out, RULES_DIR, 'stage', 'rules.promtool-test.yaml')));
  assert.not.ok(existsSync(join(out, RULES_DIR, 'stage', 'rules.rules.yaml')));
  assert.is(rulesOf(out, 'prod').spec.groups[0].rules.length, 5);

  const none = parseDocument(REFERENCE);
  none.deleteIn(['apps']);
  const bare = compileTo(none.toString());
  for (const env of ['stage', 'prod']) assert.equal(rulesOf(bare, env).spec.groups, []);
  const readme = readFileSync(join(bare, 'README.md'), 'utf8');
  assert.not.match(readme, /^## Alerts$/m);
  assert.not.match(readme, /promtool test rules/);
});

/** The promtool commands the README gives, run as it says (from its directory). */
function readmeCommands(tree: string): string[][] {
  const readme = readFileSync(join(tree, 'README.md'), 'utf8');
  return [...readme.matchAll(/^promtool test rules (\S+)$/gm)].map((m) => ['test', 'rules', m[1]]);
}

test('the committed out/ tree: plain promtool runs every test file in place, as the README says', () => {
  if (!requireTool('promtool', 'promtool in place')) return;
  const commands = readmeCommands(fromRoot('out'));
  assert.equal(
    commands.map((c) => c[2]),
    [`${RULES_DIR}/prod/rules.promtool-test.yaml`, `${RULES_DIR}/stage/rules.promtool-test.yaml`],
  );
  for (const args of commands) {
    const r = spawnSync('promtool', args, { cwd: fromRoot('out'), encoding: 'utf8' });
    assert.is(r.status, 0, `promtool ${args.join(' ')}:\n${r.stdout}${r.stderr}`);
    const dir = fromRoot('out', args[2].replace(/\/[^/]+$/, ''));
    // The plain file holds exactly the deployed groups.
    assert.equal(
      parse(readFileSync(join(dir, 'rules.rules.yaml'), 'utf8')),
      parse(readFileSync(join(dir, 'rules.yaml'), 'utf8')).spec,
    );
    // Kustomize deploys the PrometheusRule only.
    const built = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
    assert.equal(
      [...built.matchAll(/^kind: (\S+)$/gm)].map((m) => m[1]),
      ['PrometheusRule'],
    );
  }
});

test('the in-place tests catch a changed rule, and verify reports a plain file that drifted from the PrometheusRule', async () => {
  if (!requireTool('promtool', 'promtool drift')) return;
  const out = compileTo(REFERENCE);
  const testFile = `${RULES_DIR}/prod/rules.promtool-test.yaml`;
  assert.equal(await runRuleTests('promtool', out, [testFile]), [], 'the compiled tree passes');
  const plain = join(out, RULES_DIR, 'prod', 'rules.rules.yaml');
  writeFileSync(plain, readFileSync(plain, 'utf8').replace(') > 0.05', ') > 0.06'));
  const r = spawnSync('promtool', ['test', 'rules', testFile], { cwd: out, encoding: 'utf8' });
  assert.is.not(r.status, 0, 'a threshold moved by 1% must fail the generated test');
  assert.match(r.stdout + r.stderr, /HighErrorRate/);
  const findings = await runRuleTests('promtool', out, [testFile]);
  assert.is(findings.length, 1);
  assert.match(
    findings[0].message,
    /rules\.rules\.yaml differs from the \.spec of the PrometheusRule in .*rules\.yaml/,
  );
});

test.run();
