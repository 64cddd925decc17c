// Express middleware that observes every request, in place of the HTTP and
// express instrumentations (which cost more per request than the app's own
// work; see scripts/bench-app.mjs): one SERVER span (sampled as
// OTEL_TRACES_SAMPLER says), the metrics for every request whatever the
// sampler decided (the semantic-convention http.server.request.duration and
// the app.* extras), and one log record tied to the span.
import type { RequestHandler } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  context,
  metrics,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';
import type { Logger } from './log.ts';
import {
  INSTRUMENTATION_SCOPE,
  OTEL_ATTRIBUTE,
  OTEL_METRIC,
  REQUEST_DURATION_BUCKETS_SECONDS,
  REQUEST_DURATION_UNIT,
  SEMCONV_ATTRIBUTE,
  SEMCONV_DURATION_BUCKETS_SECONDS,
  SEMCONV_METRIC,
} from './telemetry-names.ts';

/** Methods the semantic conventions name; any other becomes `_OTHER` (bounded cardinality). */
const KNOWN_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'QUERY',
  'TRACE',
]);
const OTHER = '_OTHER';

function instruments() {
  const meter = metrics.getMeter(INSTRUMENTATION_SCOPE);
  return {
    semconvDuration: meter.createHistogram(SEMCONV_METRIC.requestDuration, {
      description: 'Duration of HTTP server requests.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...SEMCONV_DURATION_BUCKETS_SECONDS] },
    }),
    requests: meter.createCounter(OTEL_METRIC.requests, { description: 'HTTP requests handled', unit: '{request}' }),
    errors: meter.createCounter(OTEL_METRIC.errors, {
      description: 'HTTP requests answered with a 5xx status',
      unit: '{request}',
    }),
    duration: meter.createHistogram(OTEL_METRIC.requestDuration, {
      description: 'Time from receiving a request to finishing its response',
      unit: REQUEST_DURATION_UNIT,
      advice: { explicitBucketBoundaries: [...REQUEST_DURATION_BUCKETS_SECONDS] },
    }),
  };
}

/** The route template that matched, never the raw path (unbounded cardinality); undefined when none matched. */
function routeOf(req: IncomingMessage & { route?: { path?: unknown }; baseUrl?: string }): string | undefined {
  const path = req.route?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : undefined;
}

export function observeRequests(logger: Logger): RequestHandler {
  const tracer = trace.getTracer(INSTRUMENTATION_SCOPE);
  const { semconvDuration, requests, errors, duration } = instruments();

  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const method = KNOWN_METHODS.has(req.method) ? req.method : OTHER;
    // A caller's traceparent makes this span its child (and, with a
    // parent-based sampler, follows the caller's sampling decision).
    const parent = propagation.extract(context.active(), req.headers);
    const name = method === OTHER ? 'HTTP' : method;
    const span = tracer.startSpan(
      name,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [SEMCONV_ATTRIBUTE.method]: method,
          'url.path': req.path,
          [SEMCONV_ATTRIBUTE.urlScheme]: 'http',
          [SEMCONV_ATTRIBUTE.protocolVersion]: req.httpVersion,
        },
      },
      parent,
    );
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      finished(req, res, span, name, method, seconds);
    };
    res.once('finish', finish);
    // A response that never finished (client gone, server timeout) still counts.
    res.once('close', finish);
    context.with(trace.setSpan(parent, span), next);
  };

  function finished(
    req: IncomingMessage,
    res: ServerResponse,
    span: Span,
    name: string,
    method: string,
    seconds: number,
  ): void {
    const route = routeOf(req);
    const answered = res.writableFinished;
    const attributes: Attributes = { [OTEL_ATTRIBUTE.method]: method };
    // Semantic conventions leave http.route out when no route matched, and the status when none was sent.
    if (route !== undefined) attributes[OTEL_ATTRIBUTE.route] = route;
    if (answered) attributes[OTEL_ATTRIBUTE.status] = res.statusCode;
    const failed = !answered || res.statusCode >= 500;
    const errorType = answered ? String(res.statusCode) : OTHER;

    semconvDuration.record(seconds, {
      ...attributes,
      [SEMCONV_ATTRIBUTE.urlScheme]: 'http',
      [SEMCONV_ATTRIBUTE.protocolVersion]: req.httpVersion,
      ...(failed && { [SEMCONV_ATTRIBUTE.errorType]: errorType }),
    });
    requests.add(1, attributes);
    if (answered && res.statusCode >= 500) errors.add(1, attributes);
    duration.record(seconds, attributes);

    if (span.isRecording()) {
      if (route !== undefined) span.updateName(`${name} ${route}`);
      span.setAttributes(attributes);
      if (failed) {
        span.setAttribute(SEMCONV_ATTRIBUTE.errorType, errorType);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
    }
    span.end();
    logger.log(
      failed ? 'error' : 'info',
      answered ? 'request finished' : 'request aborted',
      { ...(attributes as Record<string, string | number>), duration_ms: Math.round(seconds * 1e4) / 10 },
      span,
    );
  }
}
