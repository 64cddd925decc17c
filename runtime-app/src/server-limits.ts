// How long the server waits for slow clients, how many connections it holds,
// and a stop that ends within one deadline. Node's defaults let a client that
// never finishes its headers hold a connection for about 90 s (a 60 s
// headers timeout checked every 30 s), and a stop wait for each exporter's
// own timeout after the last request.
import type { ServerOptions, Server } from 'node:http';

/** Each limit: the environment variable that sets it, its default and its largest value. */
export const SERVER_LIMITS = {
  /** Time from connecting to the end of the request headers. */
  headersTimeoutMs: { env: 'HEADERS_TIMEOUT_MS', fallback: 5_000, max: 600_000 },
  /** Time from connecting to the end of the whole request (headers and body); at least headersTimeoutMs. */
  requestTimeoutMs: { env: 'REQUEST_TIMEOUT_MS', fallback: 10_000, max: 600_000 },
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: { env: 'KEEP_ALIVE_TIMEOUT_MS', fallback: 5_000, max: 600_000 },
  /** Open connections at most; further ones are closed at once. */
  maxConnections: { env: 'MAX_CONNECTIONS', fallback: 1_000, max: 1_000_000 },
  /** SIGTERM to exit at most (in-flight requests first, then the telemetry flush); under Kubernetes' 30 s grace period. */
  shutdownTimeoutMs: { env: 'SHUTDOWN_TIMEOUT_MS', fallback: 10_000, max: 600_000 },
} as const;

export type ServerLimits = { [K in keyof typeof SERVER_LIMITS]: number };

/** How often Node checks the headers and request timeouts (its default, 30 s, is coarser than both). */
const CHECK_INTERVAL_MS = 1_000;

/** Options for http.createServer; an error message when the limits contradict each other. */
export function serverOptions(limits: ServerLimits): ServerOptions | string {
  if (limits.requestTimeoutMs > 0 && limits.headersTimeoutMs > limits.requestTimeoutMs) {
    return `${SERVER_LIMITS.headersTimeoutMs.env} (${limits.headersTimeoutMs}) must not exceed ${SERVER_LIMITS.requestTimeoutMs.env} (${limits.requestTimeoutMs})`;
  }
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(CHECK_INTERVAL_MS, limits.headersTimeoutMs || CHECK_INTERVAL_MS),
  };
}

/** Resolves with `value` after `ms`, or never sooner; the timer does not keep the process alive. */
function after<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms), value).unref());
}

/**
 * Stops `server` and then flushes telemetry, all within `totalMs`: in-flight
 * requests get half of it, then their connections are closed; the flush gets
 * what is left. Resolves with what did not finish in time, or undefined.
 */
export async function stopWithin(
  totalMs: number,
  server: Server,
  flush: () => Promise<void>,
): Promise<string | undefined> {
  const deadline = Date.now() + totalMs;
  const closed = new Promise<'closed'>((resolve) => server.close(() => resolve('closed')));
  let late: string | undefined;
  if ((await Promise.race([closed, after(totalMs / 2, 'late' as const)])) === 'late') {
    late = `closed the connections still open after ${Math.round(totalMs / 2)} ms`;
    server.closeAllConnections();
    await Promise.race([closed, after(deadline - Date.now(), 'late')]);
  }
  // After the last request, so its spans, metrics and log records are flushed too.
  if ((await Promise.race([flush().then(() => 'flushed'), after(deadline - Date.now(), 'late')])) === 'late') {
    late = [late, `telemetry not flushed within the ${totalMs} ms shutdown deadline`].filter(Boolean).join('; ');
  }
  return late;
}
