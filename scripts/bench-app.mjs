// Requests per second of runtime-app with telemetry off and on, on this
// machine (127.0.0.1 only). Not a test: the numbers depend on the machine and
// its load. Rounds alternate off/on so drift in background load hits both;
// the medians and their ratio are printed.
// Usage: node scripts/bench-app.mjs [--duration 10] [--connections 16] [--rounds 3] [--path /api/users]
import { spawn } from 'node:child_process';
import { createServer, Agent, get } from 'node:http';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
    path: { type: 'string', default: '/api/users' },
  },
});
const durationMs = Number(values.duration) * 1000;
const connections = Number(values.connections);
const rounds = Number(values.rounds);
const WARMUP_MS = 2000;

/** An OTLP/HTTP sink: reads and drops every export, answers 200. */
async function startSink() {
  let exports = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      exports += 1;
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/x-protobuf' });
      res.end(String(req.headers['content-type']).includes('json') ? '{}' : undefined);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, exports: () => exports, close: () => server.close() };
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startApp(env) {
  const port = await freePort();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')));
  const child = spawn(process.execPath, ['--import', 'tsx', 'runtime-app/src/main.ts'], {
    cwd: root,
    env: { ...inherited, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('runtime-app did not start');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    port,
    stop: () => new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    }),
  };
}

/** Completed requests per second over `ms`, `connections` keep-alive requests in flight. */
async function measure(port, ms) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const until = Date.now() + ms;
  let completed = 0;
  let failed = 0;
  const started = performance.now();
  const worker = () => new Promise((resolve) => {
    const next = () => {
      if (Date.now() >= until) return resolve();
      get({ host: '127.0.0.1', port, path: values.path, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) completed += 1;
          else failed += 1;
          next();
        });
      }).on('error', () => {
        failed += 1;
        next();
      });
    };
    next();
  });
  await Promise.all(Array.from({ length: connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  if (failed > 0) console.error(`  ${failed} requests failed`);
  return completed / seconds;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const sink = await startSink();
const modes = {
  off: {},
  on: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'bench', OTEL_METRIC_EXPORT_INTERVAL: '5000' },
};
const results = { off: [], on: [] };
console.log(`runtime-app GET ${values.path}: ${connections} connections, ${durationMs / 1000}s per run after ${WARMUP_MS / 1000}s warm-up, ${rounds} rounds`);
for (let round = 1; round <= rounds; round++) {
  for (const mode of ['off', 'on']) {
    const app = await startApp(modes[mode]);
    await measure(app.port, WARMUP_MS);
    const rps = await measure(app.port, durationMs);
    await app.stop();
    results[mode].push(rps);
    console.log(`  round ${round} telemetry ${mode.padEnd(3)} ${rps.toFixed(0).padStart(6)} req/s`);
  }
}
sink.close();
const off = median(results.off);
const on = median(results.on);
console.log(`median: telemetry off ${off.toFixed(0)} req/s, on ${on.toFixed(0)} req/s, on/off ratio ${(on / off).toFixed(2)} (OTLP exports received: ${sink.exports()})`);
