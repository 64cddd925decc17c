// Starts the OpenTelemetry SDK (traces, metrics, logs over OTLP), configured
// by the standard OTEL_* environment variables. No instrumentation library:
// observe-requests.ts records the server span, metrics and log of every
// request itself (the HTTP and express instrumentations cost more per
// request than the app's own work).
import { NodeSDK, tracing } from '@opentelemetry/sdk-node';
import { envDetector, hostDetector, processDetector, serviceInstanceIdDetector } from '@opentelemetry/resources';
import { DEFAULT_SERVICE_NAME, DEFAULT_TRACES_SAMPLER } from './telemetry-names.ts';

export interface Telemetry {
  /** True when the SDK runs and exports; false means every OTel API call is a no-op. */
  readonly enabled: boolean;
  /** Flushes and stops every exporter; resolves even if the receiver is gone. */
  shutdown(): Promise<void>;
}

/**
 * Telemetry is on when an OTLP endpoint is configured (the base endpoint or
 * all three per-signal ones) and OTEL_SDK_DISABLED is not true. Without an
 * endpoint the SDK would export to localhost:4318 and log a connection error
 * every interval, so the app runs without it instead.
 */
export function telemetryWanted(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return true;
  return Boolean(
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT &&
    env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT &&
    env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT,
  );
}

function namesService(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.OTEL_SERVICE_NAME) || /(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '');
}

/**
 * The sampler when OTEL_TRACES_SAMPLER is not set (DEFAULT_TRACES_SAMPLER);
 * undefined lets the SDK build the one OTEL_TRACES_SAMPLER and
 * OTEL_TRACES_SAMPLER_ARG name.
 */
export function defaultSampler(env: NodeJS.ProcessEnv): tracing.Sampler | undefined {
  if (env.OTEL_TRACES_SAMPLER?.trim()) return undefined;
  return new tracing.ParentBasedSampler({ root: new tracing.TraceIdRatioBasedSampler(DEFAULT_TRACES_SAMPLER.ratio) });
}

export function startTelemetry(env: NodeJS.ProcessEnv = process.env): Telemetry {
  if (!telemetryWanted(env)) return { enabled: false, shutdown: async () => {} };

  const sdk = new NodeSDK({
    // Readers, processors and exporters come from OTEL_* (protocol, endpoint,
    // OTEL_METRIC_EXPORT_INTERVAL, temporality; cumulative by default).
    serviceName: namesService(env) ? undefined : DEFAULT_SERVICE_NAME,
    // serviceinstance gives every process its own `instance` label, so two
    // replicas never write the same series; env comes last so
    // OTEL_RESOURCE_ATTRIBUTES can override anything detected.
    resourceDetectors: [serviceInstanceIdDetector, processDetector, hostDetector, envDetector],
    sampler: defaultSampler(env),
  });
  sdk.start();
  return {
    enabled: true,
    shutdown: () => sdk.shutdown().catch(() => {}),
  };
}
