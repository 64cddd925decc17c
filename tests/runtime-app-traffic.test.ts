// The traffic generator against the real runtime-app (telemetry off), plus a
// target that is not listening.
import { spawn } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEMO_APP_ROUTES } from '../compiler/model/constants.ts';
import { generateTraffic, pathFor } from '../compiler/runner/load-generator.ts';
import { freePort, startApp, type RunningApp } from './runtime-app-process.ts';
import { waitFor } from './runtime-app-otlp-receiver.ts';
import { fromRoot } from './helpers/paths.ts';

const { error: ERROR_PATH, slow: SLOW_PATH, fast: NORMAL_PATHS } = DEMO_APP_ROUTES;

const shares = suite('traffic: request mix');

shares('the mix holds the error and slow shares over short and long runs', () => {
  for (const n of [20, 100, 1000]) {
    const paths = Array.from({ length: n }, (_, i) => pathFor(i, 0.1, 0.2));
    const errors = paths.filter((p) => p === ERROR_PATH).length;
    const slow = paths.filter((p) => p === SLOW_PATH).length;
    assert.ok(Math.abs(errors - n * 0.1) <= 2, `${n} requests: ${errors} errors, expected about ${n * 0.1}`);
    assert.ok(Math.abs(slow - n * 0.2) <= 2, `${n} requests: ${slow} slow, expected about ${n * 0.2}`);
    for (const path of NORMAL_PATHS) assert.ok(paths.includes(path), `${n} requests include ${path}`);
  }
  assert.ok(Array.from({ length: 50 }, (_, i) => pathFor(i, 0, 0)).every((p) => p !== ERROR_PATH && p !== SLOW_PATH));
  assert.ok(Array.from({ length: 50 }, (_, i) => pathFor(i, 1, 0)).every((p) => p === ERROR_PATH));
});

/** The message the promise rejects with ('resolved' if it does not). */
async function rejection(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    return (error as Error).message;
  }
  return 'resolved';
}

shares('unbounded runs and impossible shares are refused', async () => {
  const targets = [{ env: 'e', app: 'a', url: 'http://127.0.0.1:9' }];
  assert.match(
    await rejection(() => generateTraffic({ targets, errorShare: 0.1, slowShare: 0.1 })),
    /count or durationMs/,
  );
  assert.match(
    await rejection(() => generateTraffic({ targets, errorShare: 0.7, slowShare: 0.5, count: 1 })),
    /at most 1/,
  );
  assert.match(
    await rejection(() => generateTraffic({ targets, errorShare: 0.1, slowShare: 0.1, count: 1, concurrency: 0 })),
    /concurrency/,
  );
});

shares.run();

const live = suite('traffic against a running runtime-app');
const ctx: { app: RunningApp } = {} as never;

live.before(async () => {
  ctx.app = await startApp({ SLOW_MS: '50' });
});
live.after(async () => {
  await ctx.app?.stop();
});

live('every target gets count requests; stats per target, in target order', async () => {
  const deadUrl = `http://127.0.0.1:${await freePort()}`;
  const count = 24;
  const stats = await generateTraffic({
    targets: [
      { env: 'stage', app: 'instrumented-app', url: `${ctx.app.baseUrl}/` },
      { env: 'prod', app: 'instrumented-app', url: deadUrl },
    ],
    errorShare: 0.25,
    slowShare: 0.125,
    count,
    concurrency: 4,
    ratePerSecond: Infinity,
  });
  const expectedErrors = Array.from({ length: count }, (_, i) => pathFor(i, 0.25, 0.125)).filter(
    (p) => p === ERROR_PATH,
  ).length;
  assert.is(stats.length, 2);
  const [up, down] = stats;
  assert.is(up.env, 'stage');
  assert.is(up.requests, count);
  assert.is(up.unreachable, 0);
  assert.is(up.errors, expectedErrors, 'exactly the /api/error requests failed');
  assert.ok(up.p50Ms > 0 && up.p95Ms >= up.p50Ms, `p50 ${up.p50Ms} ms, p95 ${up.p95Ms} ms`);
  assert.is(down.env, 'prod');
  assert.is(down.url, deadUrl);
  assert.is(down.requests, 0);
  assert.is(down.unreachable, count);
  assert.is(down.p95Ms, 0);
});

live('requests are paced: a duration-bounded run sends no more than rate × duration', async () => {
  const [stats] = await generateTraffic({
    targets: [{ env: 'stage', app: 'a', url: ctx.app.baseUrl }],
    errorShare: 0,
    slowShare: 0,
    durationMs: 400,
    ratePerSecond: 10,
  });
  // Due at 0, 100, 200, 300 ms (and 400 if it beats the deadline).
  assert.ok(stats.requests >= 1 && stats.requests <= 5, `${stats.requests} requests in 400 ms at 10/s`);
});

live('aborting the signal ends the run early and still returns the stats', async () => {
  const controller = new AbortController();
  const run = generateTraffic({
    targets: [{ env: 'stage', app: 'a', url: ctx.app.baseUrl }],
    errorShare: 0,
    slowShare: 0,
    count: 100_000,
    ratePerSecond: 20,
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(), 300);
  const [stats] = await run;
  assert.ok(stats.requests < 100_000, 'stopped before count');
  assert.is(stats.unreachable, 0, 'cancelled requests are not counted as unreachable');
});

live('scripts/traffic.ts stops on Ctrl-C and prints the stats', async () => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fromRoot('scripts/traffic.ts'), '--url', ctx.app.baseUrl, '--duration', '5m', '--rate', '50'],
    {
      cwd: fromRoot(),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitFor('the traffic script to start', () => (stderr.includes('Ctrl-C stops') ? true : undefined), 60_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  child.kill('SIGINT');
  const code = await waitFor(
    'the traffic script to exit after SIGINT',
    () => (child.exitCode !== null ? child.exitCode : undefined),
    20_000,
  );
  assert.is(await exited, code);
  assert.is(code, 0, stderr);
  assert.match(stdout, /requests/);
  assert.match(stdout, new RegExp(ctx.app.baseUrl.replace(/[.:/]/g, '\\$&')));
});

live.run();
