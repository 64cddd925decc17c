// Entry point: telemetry first, then the app (so express is loaded after the
// instrumentations are registered), then the listener and a graceful stop.
//
// Environment: PORT (default 8080), HOST (default: all interfaces),
// SLOW_MS (delay of /api/slow, default 1500) and the standard OTEL_* variables.
import { createServer } from 'node:http';
import { startTelemetry } from './telemetry.ts';
import { createLogger } from './log.ts';

/** Longest a shutdown waits for in-flight requests before closing their sockets. */
const DRAIN_TIMEOUT_MS = 10_000;

function integerFromEnv(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    console.error(`runtime-app: ${name} must be an integer from 0 to ${max}, got '${raw}'`);
    process.exit(2);
  }
  return value;
}

const port = integerFromEnv('PORT', 8080, 65535);
const slowMs = integerFromEnv('SLOW_MS', 1500, 600_000);
const host = process.env.HOST || undefined;

const telemetry = startTelemetry();
const logger = createLogger({ otlp: telemetry.enabled });
const { createApp } = await import('./app.ts');
const server = createServer(createApp({ slowMs, logger }));
server.once('error', (error) => {
  console.error(`runtime-app: cannot listen on ${host ?? '*'}:${port}: ${error.message}`);
  void telemetry.shutdown().then(() => process.exit(1));
});
server.listen({ port, host }, () => {
  const address = server.address();
  logger.log('info', 'listening', {
    port: typeof address === 'object' && address ? address.port : port,
    telemetry: telemetry.enabled ? 'otlp' : 'off',
  });
});

let stopping = false;
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.log('info', 'shutting down', { signal });
  const drained = new Promise<void>((resolve) => server.close(() => resolve()));
  const deadline = setTimeout(() => server.closeAllConnections(), DRAIN_TIMEOUT_MS);
  await drained;
  clearTimeout(deadline);
  // After the last request, so its spans, metrics and log records are flushed too.
  await telemetry.shutdown();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
