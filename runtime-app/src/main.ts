// Entry point: telemetry first (so the app's meter and tracer come from the
// SDK), then the app, the listener and a graceful stop.
//
// Environment: PORT (default 8080), HOST (default: all interfaces),
// SLOW_MS (delay of /api/slow, default 1500), the server limits below and
// the standard OTEL_* variables (TELEMETRY.md lists them all).
import { createServer } from 'node:http';
import { startTelemetry } from './telemetry.ts';
import { createLogger } from './log.ts';
import { SERVER_LIMITS, serverOptions, stopWithin } from './server-limits.ts';

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
const limits = Object.fromEntries(
  Object.entries(SERVER_LIMITS).map(([key, { env, fallback, max }]) => [key, integerFromEnv(env, fallback, max)]),
) as { [K in keyof typeof SERVER_LIMITS]: number };

const options = serverOptions(limits);
if (typeof options === 'string') {
  console.error(`runtime-app: ${options}`);
  process.exit(2);
}

const telemetry = startTelemetry();
const logger = createLogger({ otlp: telemetry.enabled });
const { createApp } = await import('./app.ts');
const server = createServer(options, createApp({ slowMs, logger }));
server.maxConnections = limits.maxConnections;
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
  const late = await stopWithin(limits.shutdownTimeoutMs, server, telemetry.shutdown);
  if (late) console.error(`runtime-app: ${late}`);
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
