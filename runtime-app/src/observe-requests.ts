// Express middleware that records every finished request: the app.* metrics
// (count, 5xx count, duration) and one log record tied to the request's span.
import type { RequestHandler } from 'express';
import { metrics, trace, type Attributes } from '@opentelemetry/api';
import type { Logger } from './log.ts';
import {
  INSTRUMENTATION_SCOPE,
  OTEL_ATTRIBUTE,
  OTEL_METRIC,
  REQUEST_DURATION_BUCKETS_SECONDS,
  REQUEST_DURATION_UNIT,
} from './telemetry-names.ts';

export function observeRequests(logger: Logger): RequestHandler {
  const meter = metrics.getMeter(INSTRUMENTATION_SCOPE);
  const requests = meter.createCounter(OTEL_METRIC.requests, {
    description: 'HTTP requests handled',
    unit: '{request}',
  });
  const errors = meter.createCounter(OTEL_METRIC.errors, {
    description: 'HTTP requests answered with a 5xx status',
    unit: '{request}',
  });
  const duration = meter.createHistogram(OTEL_METRIC.requestDuration, {
    description: 'Time from receiving a request to finishing its response',
    unit: REQUEST_DURATION_UNIT,
    advice: { explicitBucketBoundaries: [...REQUEST_DURATION_BUCKETS_SECONDS] },
  });

  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // The HTTP server span (express middleware spans are not recorded).
    const span = trace.getActiveSpan();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const attributes: Attributes = {
        [OTEL_ATTRIBUTE.method]: req.method,
        [OTEL_ATTRIBUTE.status]: res.statusCode,
      };
      // The route template, never the raw path (unbounded cardinality);
      // semantic conventions leave http.route out when no route matched.
      if (req.route?.path !== undefined) attributes[OTEL_ATTRIBUTE.route] = `${req.baseUrl}${req.route.path}`;
      requests.add(1, attributes);
      if (res.statusCode >= 500) errors.add(1, attributes);
      duration.record(seconds, attributes);
      logger.log(
        res.statusCode >= 500 ? 'error' : 'info',
        'request finished',
        { ...(attributes as Record<string, string | number>), duration_ms: Math.round(seconds * 1e4) / 10 },
        span,
      );
    });
    next();
  };
}
