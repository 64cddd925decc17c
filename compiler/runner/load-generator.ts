// Steady mixed load against one or more instances of the demo service, so
// that the error-rate and latency alerts and the dashboards have data.
// Each target gets its own paced request schedule: request i is due at
// start + i / ratePerSecond and goes out as soon as one of `concurrency`
// workers is free.
import { setMaxListeners } from 'node:events';
import { DEMO_APP_ROUTES } from '../model/constants.ts';

export interface TrafficTarget {
  env: string;
  app: string;
  /** Base URL of the app, e.g. http://192.168.49.2:30800 */
  url: string;
}

export interface TrafficOptions {
  targets: TrafficTarget[];
  /** Share of requests sent to the failing route (0..1). */
  errorShare: number;
  /** Share of requests sent to the slow route (0..1); errorShare + slowShare <= 1. */
  slowShare: number;
  /** Requests per target. At least one of count and durationMs is required. */
  count?: number;
  /** Stop after this long; requests still in flight are cancelled and not counted. */
  durationMs?: number;
  /** Requests in flight per target (default 8). */
  concurrency?: number;
  /** Requests per second per target (default 20); Infinity sends back to back. */
  ratePerSecond?: number;
  /** Aborting stops the run early, like reaching durationMs; the stats so far are still returned. */
  signal?: AbortSignal;
}

export interface TargetStats extends TrafficTarget {
  /** Requests that got a response. */
  requests: number;
  /** Responses with a 5xx status. */
  errors: number;
  /** Requests that got no response (connection refused, timeout). */
  unreachable: number;
  /** Latency percentiles over responses, in milliseconds (0 when there were none). */
  p50Ms: number;
  p95Ms: number;
}

const REQUEST_TIMEOUT_MS = 10_000;
// Fractional parts of i·φ spread evenly over [0, 1) for every prefix of the
// sequence, so the shares hold for short runs too, without randomness.
const GOLDEN_RATIO_FRACTION = 0.6180339887498949;

/** The path of the i-th request of a target. */
export function pathFor(i: number, errorShare: number, slowShare: number): string {
  const position = (i * GOLDEN_RATIO_FRACTION) % 1;
  if (position < errorShare) return DEMO_APP_ROUTES.error;
  if (position < errorShare + slowShare) return DEMO_APP_ROUTES.slow;
  return DEMO_APP_ROUTES.fast[i % DEMO_APP_ROUTES.fast.length];
}

/** Nearest-rank percentile of ascending `sorted`. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

function validate(options: TrafficOptions): void {
  const { errorShare, slowShare, count, durationMs, concurrency, ratePerSecond } = options;
  const share = (x: number) => Number.isFinite(x) && x >= 0 && x <= 1;
  if (!share(errorShare) || !share(slowShare) || errorShare + slowShare > 1) {
    throw new RangeError(
      `errorShare and slowShare must be between 0 and 1 with a sum of at most 1 (got ${errorShare} and ${slowShare})`,
    );
  }
  if (count === undefined && durationMs === undefined)
    throw new RangeError('give count or durationMs: traffic must be bounded');
  if (count !== undefined && !(Number.isInteger(count) && count >= 0))
    throw new RangeError(`count must be a non-negative integer (got ${count})`);
  if (durationMs !== undefined && !(durationMs >= 0))
    throw new RangeError(`durationMs must be non-negative (got ${durationMs})`);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1))
    throw new RangeError(`concurrency must be a positive integer (got ${concurrency})`);
  if (ratePerSecond !== undefined && !(ratePerSecond > 0))
    throw new RangeError(`ratePerSecond must be positive (got ${ratePerSecond})`);
}

/** Resolves after `ms`, or early (with false) when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(!signal.aborted);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function driveTarget(target: TrafficTarget, options: TrafficOptions, stop: AbortSignal): Promise<TargetStats> {
  const { errorShare, slowShare, count = Infinity, concurrency = 8, ratePerSecond = 20 } = options;
  const base = target.url.replace(/\/+$/, '');
  const intervalMs = 1000 / ratePerSecond;
  const startedAt = performance.now();
  const latencies: number[] = [];
  const stats: TargetStats = { ...target, requests: 0, errors: 0, unreachable: 0, p50Ms: 0, p95Ms: 0 };
  let next = 0;

  async function worker(): Promise<void> {
    while (!stop.aborted && next < count) {
      const i = next++;
      if (!(await sleep(startedAt + i * intervalMs - performance.now(), stop))) return;
      // One controller per request rather than AbortSignal.any: a long run
      // would otherwise hang thousands of dependent signals on `stop`.
      const request = new AbortController();
      const cancel = () => request.abort();
      stop.addEventListener('abort', cancel, { once: true });
      const timer = setTimeout(cancel, REQUEST_TIMEOUT_MS);
      const sentAt = performance.now();
      try {
        const response = await fetch(base + pathFor(i, errorShare, slowShare), { signal: request.signal });
        await response.arrayBuffer();
        latencies.push(performance.now() - sentAt);
        stats.requests += 1;
        if (response.status >= 500) stats.errors += 1;
      } catch {
        // Cancelled because the run stopped: not the target's fault, so not counted.
        if (!stop.aborted) stats.unreachable += 1;
      } finally {
        clearTimeout(timer);
        stop.removeEventListener('abort', cancel);
      }
    }
  }

  await Promise.all(Array.from({ length: concurrency }, worker));
  latencies.sort((a, b) => a - b);
  stats.p50Ms = Math.round(percentile(latencies, 0.5) * 10) / 10;
  stats.p95Ms = Math.round(percentile(latencies, 0.95) * 10) / 10;
  return stats;
}

/** Sends mixed traffic to every target until count or durationMs is reached or signal aborts; stats in target order. */
export async function generateTraffic(options: TrafficOptions): Promise<TargetStats[]> {
  validate(options);
  const stop = new AbortController();
  // Every worker listens on it (a sleep or a request each): no leak, just many.
  setMaxListeners(0, stop.signal);
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();
  const deadline = options.durationMs === undefined ? undefined : setTimeout(onAbort, options.durationMs);
  try {
    return await Promise.all(options.targets.map((target) => driveTarget(target, options, stop.signal)));
  } finally {
    clearTimeout(deadline);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
