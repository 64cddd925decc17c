// The runtime-app end to end: the real server in a child process exports to
// an OTLP/HTTP receiver started here; every endpoint is called, and the
// traces, metrics and logs that arrive must carry the names in
// runtime-app/src/telemetry-names.ts (what alerts and dashboards query).
import { suite } from 'uvu';
import { DEMO_APP_ROUTES, PROBE_ROUTE } from '../compiler/model/constants.ts';
import * as assert from 'uvu/assert';
import { OtlpReceiver, waitFor, type LogRecord, type MetricPoint, type Span } from './runtime-app-otlp-receiver.ts';
import { startApp, type RunningApp } from './runtime-app-process.ts';
import {
  LOG_FIELD,
  OTEL_ATTRIBUTE,
  OTEL_METRIC,
  REQUEST_DURATION_BUCKETS_SECONDS,
  REQUEST_DURATION_UNIT,
  SEMCONV_ATTRIBUTE,
  SEMCONV_DURATION_BUCKETS_SECONDS,
  SEMCONV_METRIC,
} from '../runtime-app/src/telemetry-names.ts';

const SERVICE = 'fabric-test-app';
const SLOW_MS = 1200;
const SPAN_KIND_SERVER = 2;
// The routes fabric probes and `fabric traffic` calls (compiler/model/constants.ts): the app must serve them.
const ROUTES: { path: string; status: number }[] = [
  { path: PROBE_ROUTE, status: 200 },
  ...DEMO_APP_ROUTES.fast.map((path) => ({ path, status: 200 })),
  { path: DEMO_APP_ROUTES.slow, status: 200 },
  { path: DEMO_APP_ROUTES.error, status: 500 },
];

const ctx: { receiver: OtlpReceiver; app: RunningApp } = {} as never;
const signals = suite('runtime-app exports traces, metrics and logs over OTLP/HTTP');

signals.before(async () => {
  ctx.receiver = new OtlpReceiver();
  const endpoint = await ctx.receiver.start();
  ctx.app = await startApp({
    SLOW_MS: String(SLOW_MS),
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_SERVICE_NAME: SERVICE,
    OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
    // Every request traced, so that every route's span can be checked (the default samples 10%).
    OTEL_TRACES_SAMPLER: 'always_on',
    OTEL_METRIC_EXPORT_INTERVAL: '500',
    OTEL_BSP_SCHEDULE_DELAY: '200',
    OTEL_BLRP_SCHEDULE_DELAY: '200',
  });
});

signals.after(async () => {
  if (ctx.app?.child.exitCode === null) await ctx.app.stop();
  await ctx.receiver?.stop();
});

signals('every endpoint answers with its status', async () => {
  for (const { path, status } of ROUTES) {
    const response = await fetch(ctx.app.baseUrl + path);
    assert.is(response.status, status, path);
    assert.ok((response.headers.get('content-type') ?? '').startsWith('application/json'), `${path} answers JSON`);
    await response.arrayBuffer();
  }
  assert.is((await fetch(`${ctx.app.baseUrl}/no-such-page`)).status, 404);
});

function serverSpan(route: string): Span | undefined {
  return ctx.receiver.spans().find((s) => s.kind === SPAN_KIND_SERVER && s.attributes['http.route'] === route);
}

signals('a server span with http.route arrives for every route', async () => {
  for (const { path, status } of ROUTES) {
    const span = await waitFor(`a SERVER span with http.route=${path}`, () => serverSpan(path));
    assert.is(span.attributes['http.response.status_code'], status, path);
    assert.is(span.attributes['http.request.method'], 'GET');
    assert.is(span.resource['service.name'], SERVICE);
    assert.is(span.resource['deployment.environment.name'], 'test');
    assert.type(span.resource['service.instance.id'], 'string', 'every process has its own instance id');
  }
});

function appPoints(name: string): MetricPoint[] {
  return ctx.receiver.metricPoints().filter((p) => p.name === name);
}

/** The latest datapoint of `name` for one route (exports are cumulative, so the last one holds the totals). */
function latestPoint(name: string, route: string): MetricPoint | undefined {
  return appPoints(name)
    .filter((p) => p.attributes[OTEL_ATTRIBUTE.route] === route)
    .at(-1);
}

signals('app.requests counts every route with route, method and status attributes', async () => {
  for (const { path, status } of ROUTES) {
    const point = await waitFor(`${OTEL_METRIC.requests} for ${path}`, () => latestPoint(OTEL_METRIC.requests, path));
    assert.is(point.type, 'sum');
    assert.is(point.temporality, 2, 'cumulative: Alloy drops delta sums');
    assert.equal(
      Object.keys(point.attributes).sort(),
      [OTEL_ATTRIBUTE.method, OTEL_ATTRIBUTE.route, OTEL_ATTRIBUTE.status].sort(),
    );
    assert.is(point.attributes[OTEL_ATTRIBUTE.method], 'GET');
    assert.is(point.attributes[OTEL_ATTRIBUTE.status], status);
    assert.ok(point.value! >= 1, `${path} counted`);
    assert.is(point.resource['service.name'], SERVICE);
  }
});

signals('a request no route matched is counted without http.route', async () => {
  const point = await waitFor(`${OTEL_METRIC.requests} for the 404`, () =>
    appPoints(OTEL_METRIC.requests).find((p) => p.attributes[OTEL_ATTRIBUTE.status] === 404),
  );
  assert.is(point.attributes[OTEL_ATTRIBUTE.route], undefined);
});

signals('app.errors counts the 5xx responses and nothing else', async () => {
  const point = await waitFor(`${OTEL_METRIC.errors} for /api/error`, () =>
    latestPoint(OTEL_METRIC.errors, '/api/error'),
  );
  assert.is(point.temporality, 2);
  assert.is(point.value, 1);
  assert.is(point.attributes[OTEL_ATTRIBUTE.status], 500);
  const others = appPoints(OTEL_METRIC.errors).filter((p) => Number(p.attributes[OTEL_ATTRIBUTE.status]) < 500);
  assert.equal(others, [], 'no non-5xx response is an error');
});

signals('app.request.duration is a cumulative histogram in seconds whose buckets resolve 1s', async () => {
  const slow = await waitFor(`${OTEL_METRIC.requestDuration} for /api/slow`, () =>
    latestPoint(OTEL_METRIC.requestDuration, '/api/slow'),
  );
  assert.is(slow.type, 'histogram');
  assert.is(slow.unit, REQUEST_DURATION_UNIT);
  assert.is(slow.temporality, 2);
  assert.equal(slow.bounds, [...REQUEST_DURATION_BUCKETS_SECONDS]);
  assert.ok(slow.bounds!.includes(1), 'a bucket bound at the 1s p95 threshold');
  // /api/slow took SLOW_MS > 1s: its one observation sits above the 1s bound.
  const aboveOneSecond = slow.bucketCounts!.slice(slow.bounds!.indexOf(1) + 1).reduce((a, b) => a + b, 0);
  assert.is(slow.count, 1);
  assert.is(aboveOneSecond, 1, 'the slow request lands above the 1s bucket');
  const users = await waitFor(`${OTEL_METRIC.requestDuration} for /api/users`, () =>
    latestPoint(OTEL_METRIC.requestDuration, '/api/users'),
  );
  assert.equal(
    Object.keys(users.attributes).sort(),
    [OTEL_ATTRIBUTE.method, OTEL_ATTRIBUTE.route, OTEL_ATTRIBUTE.status].sort(),
  );
});

signals('http.server.request.duration follows the semantic conventions, with the exact route', async () => {
  // A query string must not reach http.route: the template is the label, never the raw target.
  await (await fetch(`${ctx.app.baseUrl}/api/users?page=2`)).arrayBuffer();
  const semconv = () => appPoints(SEMCONV_METRIC.requestDuration);
  const users = await waitFor(`${SEMCONV_METRIC.requestDuration} with both /api/users requests`, () => {
    const point = latestPoint(SEMCONV_METRIC.requestDuration, '/api/users');
    return point && point.count === 2 ? point : undefined;
  });
  assert.is(users.type, 'histogram');
  assert.is(users.unit, 's');
  assert.is(users.temporality, 2, 'cumulative: Alloy drops delta histograms');
  assert.equal(users.bounds, [...SEMCONV_DURATION_BUCKETS_SECONDS]);
  assert.equal(users.attributes, {
    [SEMCONV_ATTRIBUTE.method]: 'GET',
    [SEMCONV_ATTRIBUTE.route]: '/api/users',
    [SEMCONV_ATTRIBUTE.status]: 200,
    [SEMCONV_ATTRIBUTE.urlScheme]: 'http',
    [SEMCONV_ATTRIBUTE.protocolVersion]: '1.1',
  });
  const failed = await waitFor(`${SEMCONV_METRIC.requestDuration} for /api/error`, () =>
    latestPoint(SEMCONV_METRIC.requestDuration, '/api/error'),
  );
  assert.is(failed.attributes[SEMCONV_ATTRIBUTE.status], 500);
  assert.is(failed.attributes[SEMCONV_ATTRIBUTE.errorType], '500', 'error.type is the 5xx status as a string');
  const routes = new Set(semconv().map((p) => p.attributes[SEMCONV_ATTRIBUTE.route]));
  assert.equal(
    [...routes].sort(),
    [...ROUTES.map((r) => r.path), undefined].sort(),
    'the route templates, and no route for the 404',
  );
  const notFound = semconv().find((p) => p.attributes[SEMCONV_ATTRIBUTE.status] === 404)!;
  assert.ok(notFound, 'the 404 is recorded');
  assert.not.ok(SEMCONV_ATTRIBUTE.errorType in notFound.attributes, 'a 4xx is not a server error');
  for (const point of semconv().filter((p) => p.attributes[SEMCONV_ATTRIBUTE.status] === 200))
    assert.not.ok(SEMCONV_ATTRIBUTE.errorType in point.attributes, 'no error.type on a 200');
});

function requestLog(route: string): LogRecord | undefined {
  return ctx.receiver.logRecords().find((r) => {
    const body = typeof r.body === 'string' && r.body.startsWith('{') ? JSON.parse(r.body) : {};
    return body.msg === 'request finished' && body[OTEL_ATTRIBUTE.route] === route;
  });
}

signals('every request log is JSON tied to the server span of its request', async () => {
  for (const { path, status } of ROUTES) {
    const record = await waitFor(`a 'request finished' log for ${path}`, () => requestLog(path));
    const span = serverSpan(path)!;
    assert.ok(span, `the server span for ${path} arrived`);
    assert.is(record.traceId, span.traceId, `${path}: OTLP traceId of the log record`);
    assert.is(record.spanId, span.spanId, `${path}: OTLP spanId of the log record`);
    const body = JSON.parse(record.body as string);
    assert.is(body[LOG_FIELD.traceId], span.traceId, `${path}: trace_id in the JSON body`);
    assert.is(body[LOG_FIELD.spanId], span.spanId, `${path}: span_id in the JSON body`);
    assert.is(body[OTEL_ATTRIBUTE.status], status);
    assert.is(record.severityText, status >= 500 ? 'ERROR' : 'INFO');
    assert.is(record.resource['service.name'], SERVICE);
  }
});

signals('the log written inside the /api/error handler points at a span the receiver got', async () => {
  const record = await waitFor("the 'simulated failure' log", () =>
    ctx.receiver.logRecords().find((r) => typeof r.body === 'string' && r.body.includes('"simulated failure"')),
  );
  const span = await waitFor(`span ${record.spanId}`, () =>
    ctx.receiver.spans().find((s) => s.spanId === record.spanId),
  );
  assert.is(span.traceId, record.traceId);
  assert.is(span.traceId, serverSpan('/api/error')!.traceId, 'same trace as the request');
});

signals('SIGTERM stops the server and flushes the last log records before exit', async () => {
  const code = await ctx.app.stop();
  assert.is(code, 0);
  const flushed = ctx.receiver
    .logRecords()
    .some((r) => typeof r.body === 'string' && r.body.includes('"shutting down"'));
  assert.ok(flushed, "the 'shutting down' log record reached the receiver before the process exited");
  assert.is(ctx.app.stdout(), '', 'with telemetry on, logs go only over OTLP');
});

signals.run();

const defaults = suite('runtime-app defaults');

defaults('without OTEL_EXPORTER_OTLP_ENDPOINT telemetry is off and logs go to stdout', async () => {
  const app = await startApp({});
  try {
    assert.is((await fetch(`${app.baseUrl}/api/users`)).status, 200);
    const line = await waitFor('the /api/users log line on stdout', () =>
      app
        .stdout()
        .split('\n')
        .find((l) => l.includes('"/api/users"')),
    );
    const record = JSON.parse(line);
    assert.is(record.msg, 'request finished');
    assert.is(record[OTEL_ATTRIBUTE.status], 200);
    assert.ok(app.stdout().includes('"telemetry":"off"'));
  } finally {
    assert.is(await app.stop(), 0);
  }
  assert.is(app.stderr(), '', 'no errors or warnings');
});

defaults('the default protocol is http/protobuf and reaches all three OTLP paths', async () => {
  const receiver = new OtlpReceiver();
  const app = await startApp({
    OTEL_EXPORTER_OTLP_ENDPOINT: await receiver.start(),
    OTEL_METRIC_EXPORT_INTERVAL: '500',
    // The default sampler keeps 10% of root traces; this test is about the protocol, so keep every trace.
    OTEL_TRACES_SAMPLER: 'always_on',
  });
  try {
    await (await fetch(`${app.baseUrl}/api/users`)).arrayBuffer();
  } finally {
    assert.is(await app.stop(), 0);
    await receiver.stop();
  }
  for (const signal of ['traces', 'metrics', 'logs'] as const) {
    const bodies = receiver.received.filter((r) => r.signal === signal);
    assert.ok(bodies.length > 0, `${signal} arrived`);
    assert.ok(
      bodies.every((r) => r.contentType === 'application/x-protobuf'),
      `${signal} as protobuf`,
    );
  }
  // Protobuf strings are plain UTF-8 inside the message.
  const metrics = Buffer.concat(receiver.received.filter((r) => r.signal === 'metrics').map((r) => r.body));
  // (app.errors has no datapoint yet: nothing failed.)
  for (const name of [OTEL_METRIC.requests, OTEL_METRIC.requestDuration])
    assert.ok(metrics.includes(name), `${name} in the protobuf metrics`);
  assert.ok(
    metrics.includes(`service.name`) && metrics.includes('instrumented-app'),
    'service.name defaults to instrumented-app',
  );
});

defaults.run();

const sampling = suite('runtime-app trace sampling (metrics are never sampled)');

sampling("by default a caller's sampling decision is followed, and every request is counted", async () => {
  const receiver = new OtlpReceiver();
  const app = await startApp({
    OTEL_EXPORTER_OTLP_ENDPOINT: await receiver.start(),
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_METRIC_EXPORT_INTERVAL: '500',
    OTEL_BSP_SCHEDULE_DELAY: '200',
    OTEL_BLRP_SCHEDULE_DELAY: '200',
  });
  const sampledTrace = 'aa'.repeat(16);
  const droppedTraces = Array.from({ length: 20 }, (_, i) => (i + 1).toString(16).padStart(32, '0'));
  const call = async (traceId: string, flags: string) =>
    (
      await fetch(`${app.baseUrl}/api/data`, { headers: { traceparent: `00-${traceId}-${'bb'.repeat(8)}-${flags}` } })
    ).arrayBuffer();
  try {
    await call(sampledTrace, '01');
    for (const traceId of droppedTraces) await call(traceId, '00');
    const span = await waitFor('the server span of the sampled request', () =>
      receiver.spans().find((s) => s.traceId === sampledTrace),
    );
    assert.is(span.kind, SPAN_KIND_SERVER);
    assert.is(span.name, 'GET /api/data');
    const point = await waitFor(`${SEMCONV_METRIC.requestDuration} counting all 21 requests`, () =>
      receiver
        .metricPoints()
        .filter(
          (p) => p.name === SEMCONV_METRIC.requestDuration && p.attributes[SEMCONV_ATTRIBUTE.route] === '/api/data',
        )
        .find((p) => p.count === 21),
    );
    assert.is(point.count, 21);
    const logs = await waitFor('21 request logs', () => {
      const found = receiver.logRecords().filter((r) => String(r.body).includes('"/api/data"'));
      return found.length === 21 ? found : undefined;
    });
    assert.is(
      logs.filter((r) => r.traceId === sampledTrace).length,
      1,
      "the sampled request's log points at its trace",
    );
    assert.is(
      logs.filter((r) => r.traceId === undefined && !String(r.body).includes(LOG_FIELD.traceId)).length,
      20,
      'a log never points at a trace that was not sampled',
    );
  } finally {
    assert.is(await app.stop(), 0);
    await receiver.stop();
  }
  const spans = receiver.spans();
  assert.not.ok(
    spans.some((s) => droppedTraces.includes(s.traceId)),
    'no span of a trace the caller did not sample',
  );
});

sampling.run();
