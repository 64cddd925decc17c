// Structured logs: one JSON object per record, carrying the trace and span
// it belongs to. With telemetry on, records go only over OTLP (the Logs SDK),
// so nothing should also scrape stdout; with telemetry off they are printed
// to stdout so a local run still shows them.
import { ROOT_CONTEXT, trace, TraceFlags, type Span } from '@opentelemetry/api';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';
import { INSTRUMENTATION_SCOPE, LOG_FIELD } from './telemetry-names.ts';

export type Level = 'info' | 'error';
export type LogFields = Record<string, string | number | boolean>;

export interface Logger {
  /** `span` is the span the record belongs to; the active span when omitted. */
  log(level: Level, msg: string, fields?: LogFields, span?: Span): void;
}

const SEVERITY: Record<Level, SeverityNumber> = { info: SeverityNumber.INFO, error: SeverityNumber.ERROR };

export function createLogger({ otlp }: { otlp: boolean }): Logger {
  const otelLogger = logs.getLogger(INSTRUMENTATION_SCOPE);
  return {
    log(level, msg, fields = {}, activeSpan = trace.getActiveSpan()) {
      // A span the sampler dropped is never exported: a log pointing at it would lead nowhere.
      const sampled = ((activeSpan?.spanContext().traceFlags ?? 0) & TraceFlags.SAMPLED) !== 0;
      const span = sampled ? activeSpan : undefined;
      const spanContext = span?.spanContext();
      const record = {
        level,
        msg,
        ...fields,
        ...(spanContext && { [LOG_FIELD.traceId]: spanContext.traceId, [LOG_FIELD.spanId]: spanContext.spanId }),
      };
      const body = JSON.stringify(record);
      if (!otlp) {
        process.stdout.write(`${body}\n`);
        return;
      }
      otelLogger.emit({
        severityNumber: SEVERITY[level],
        severityText: level.toUpperCase(),
        body,
        // The record's own trace context (OTLP traceId/spanId, which Loki
        // stores as trace_id/span_id structured metadata) matches the body;
        // none rather than the active, unsampled one.
        context: span ? trace.setSpan(ROOT_CONTEXT, span) : ROOT_CONTEXT,
      });
    },
  };
}
