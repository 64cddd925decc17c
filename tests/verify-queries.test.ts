// PromQL/LogQL/TraceQL parsing, Grafana variable substitution, and how dashboard
// panels are mapped to a query language.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  dashboardQueries,
  provisionedDatasourceTypes,
  queryError,
  ruleQueries,
  substituteGrafanaVariables,
} from '../compiler/verify/queries.ts';

const validPromQL = [
  'sum by (job) (rate(http_server_request_duration_seconds_count{http_response_status_code=~"5.."}[5m])) / sum by (job) (rate(http_server_request_duration_seconds_count[5m])) > 0.05',
  'histogram_quantile(0.95, sum by (job, le) (rate(http_server_request_duration_seconds_bucket[5m]))) > 1',
  'absent_over_time(target_info{job="checkout"}[2m])',
  'increase(kube_pod_container_status_restarts_total[10m]) > 2',
  'label_replace(up, "a", "$1", "b", "(.*)")',
];
const invalidPromQL = ['sum by (job (rate(x[5m]))', 'rate(x[5m)', 'up >', 'no_such_function(up)', ''];
const validLogQL = [
  '{service_name="checkout"} | json | level="error"',
  'sum by (level) (count_over_time({app="x"} | logfmt [5m]))',
  '{app="x"} |= "trace_id" | line_format "{{.msg}}"',
];
const invalidLogQL = ['{app="x" |= "err"', 'count_over_time({app="x"}[5m]', 'app="x"'];
const validTraceQL = [
  '{ resource.service.name =~ "checkout|cart" && status = error }',
  '{ span.http.route = "/api/users" } | count() > 2',
];
const invalidTraceQL = ['{ resource.service.name =~ && status = error }', '{ status = error'];

for (const q of validPromQL)
  test(`PromQL parses: ${q.slice(0, 50)}`, () => assert.is(queryError('promql', q), undefined));
for (const q of invalidPromQL)
  test(`PromQL rejected: ${JSON.stringify(q)}`, () => assert.type(queryError('promql', q), 'string'));
for (const q of validLogQL) test(`LogQL parses: ${q.slice(0, 50)}`, () => assert.is(queryError('logql', q), undefined));
for (const q of invalidLogQL) test(`LogQL rejected: ${q}`, () => assert.type(queryError('logql', q), 'string'));
for (const q of validTraceQL)
  test(`TraceQL parses: ${q.slice(0, 50)}`, () => assert.is(queryError('traceql', q), undefined));
for (const q of invalidTraceQL) test(`TraceQL rejected: ${q}`, () => assert.type(queryError('traceql', q), 'string'));

test('the error names the column and what follows it', () => {
  assert.match(queryError('promql', 'sum by (job (x)')!, /column \d+ near "/);
});

const substitutions: [string, string][] = [
  ['rate(x{job="$app"}[$__rate_interval])', 'rate(x{job="fabric_placeholder"}[5m])'],
  ['rate(x[${window}])', 'rate(x[5m])'],
  ['max_over_time(x[1h:$step])', 'max_over_time(x[1h:5m])'],
  ['x{job=~"${app:regex}"} > $threshold', 'x{job=~"fabric_placeholder"} > 1'],
  ['sum by ($group) (x)', 'sum by (fabric_placeholder) (x)'],
  ['count_over_time({app="[[app]]"}[$__auto])', 'count_over_time({app="fabric_placeholder"}[5m])'],
  ['label_replace(up, "a", "$1", "b", "(.*)")', 'label_replace(up, "a", "$1", "b", "(.*)")'],
];

for (const [input, expected] of substitutions) {
  test(`substitutes Grafana variables: ${input}`, () => {
    const output = substituteGrafanaVariables(input);
    assert.is(output, expected);
    assert.is(queryError(input.includes('{app=') ? 'logql' : 'promql', output), undefined);
  });
}

test('rule expressions are named by group and alert or record', () => {
  const rule = {
    spec: {
      groups: [
        {
          name: 'g',
          rules: [
            { alert: 'A', expr: 'up == 0' },
            { record: 'r:x', expr: 1 },
          ],
        },
      ],
    },
  };
  assert.equal(
    ruleQueries(rule).map((s) => [s.where, s.parsed]),
    [
      ['group "g" alert A', 'up == 0'],
      ['group "g" record r:x', '1'],
    ],
  );
});

test('dashboard targets take their language from the target, the panel, a datasource variable or a provisioned uid', () => {
  const provisioned = provisionedDatasourceTypes([
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      data: {
        'datasources.yaml': 'apiVersion: 1\ndatasources:\n  - name: Loki-Stage\n    uid: loki-stage\n    type: loki\n',
      },
    },
  ]);
  const dashboard = {
    dashboard: {
      templating: { list: [{ name: 'ds', type: 'datasource', query: 'prometheus' }] },
      panels: [
        { title: 'object', datasource: { type: 'prometheus', uid: 'x' }, targets: [{ refId: 'A', expr: 'up' }] },
        { title: 'variable', datasource: '${ds}', targets: [{ refId: 'A', expr: 'up' }] },
        {
          title: 'row',
          type: 'row',
          panels: [{ title: 'uid', datasource: 'loki-stage', targets: [{ refId: 'B', expr: '{a="b"}' }] }],
        },
        {
          title: 'mixed',
          datasource: { uid: '-- Mixed --' },
          targets: [{ refId: 'C', expr: '{a="b"}', datasource: { type: 'loki', uid: 'l' } }],
        },
        {
          title: 'tempo',
          datasource: { type: 'tempo', uid: 't' },
          targets: [{ refId: 'D', queryType: 'traceql', query: '{ status = error }' }],
        },
        { title: 'unknown', datasource: 'nobody', targets: [{ refId: 'E', expr: 'up' }] },
      ],
    },
  };
  const { sites, unresolved } = dashboardQueries(dashboard, provisioned);
  assert.equal(
    sites.map((s) => [s.where, s.language]),
    [
      ['panel "object" target A', 'promql'],
      ['panel "variable" target A', 'promql'],
      ['panel "uid" target B', 'logql'],
      ['panel "mixed" target C', 'logql'],
      ['panel "tempo" target D', 'traceql'],
    ],
  );
  assert.equal(unresolved, ['panel "unknown" target E']);
});

test.run();
