// Mixed load against running instances of the demo service.
// Usage: node --import tsx scripts/traffic.ts --url http://127.0.0.1:8080 [--url ...]
//          [--error-share 0.1] [--slow-share 0.1] [--count N | --duration 60s]
//          [--concurrency 8] [--rate 20]
// Ctrl-C stops early and still prints the stats; a second Ctrl-C exits at once.
import { parseArgs } from 'node:util';
import { generateTraffic, type TrafficTarget } from '../compiler/runner/load-generator.ts';

const USAGE =
  'usage: scripts/traffic.ts --url <base url> [--url ...] [--error-share 0.1] [--slow-share 0.1] [--count N | --duration 60s] [--concurrency 8] [--rate 20]';

function fail(message: string): never {
  console.error(`traffic: ${message}\n${USAGE}`);
  process.exit(2);
}

function number(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || Number.isNaN(value)) fail(`--${name} must be a number, got '${raw}'`);
  return value;
}

/** '90', '90s', '1500ms', '5m' → milliseconds. */
function duration(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (!match) fail(`--duration must look like 90s, 1500ms, 5m or 1h, got '${raw}'`);
  const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unitMs;
}

let args;
try {
  args = parseArgs({
    options: {
      url: { type: 'string', multiple: true },
      'error-share': { type: 'string', default: '0.1' },
      'slow-share': { type: 'string', default: '0.1' },
      count: { type: 'string' },
      duration: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (error) {
  fail((error as Error).message);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const urls = args.url ?? fail('give at least one --url');
const targets: TrafficTarget[] = urls.map((url) => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    fail(`not a URL: '${url}'`);
  }
  return { env: 'cli', app: parsed.host, url };
});
const count = number('count', args.count);
const durationMs = duration(args.duration) ?? (count === undefined ? 60_000 : undefined);

const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  console.error('\nstopping (Ctrl-C again to quit at once)');
  controller.abort();
});

console.error(
  `traffic to ${targets.length} target(s), ${count !== undefined ? `${count} requests each` : `for ${durationMs! / 1000}s`}; Ctrl-C stops`,
);
let stats;
try {
  stats = await generateTraffic({
    targets,
    errorShare: number('error-share', args['error-share'])!,
    slowShare: number('slow-share', args['slow-share'])!,
    count,
    durationMs,
    concurrency: number('concurrency', args.concurrency),
    ratePerSecond: number('rate', args.rate),
    signal: controller.signal,
  });
} catch (error) {
  fail((error as Error).message);
}
console.table(
  stats.map(({ url, requests, errors, unreachable, p50Ms, p95Ms }) => ({
    url,
    requests,
    errors,
    unreachable,
    p50Ms,
    p95Ms,
  })),
);
if (stats.some((s) => s.unreachable > 0)) process.exitCode = 1;
