// Requests per second of runtime-app with telemetry off and on, on this
// machine (127.0.0.1 only). Not a test: the numbers depend on the machine and
// its load. Rounds alternate off/on so drift in background load hits both;
// the medians and their ratio are printed.
// Besides req/s it reports the CPU time the app spends per request (Linux
// /proc), which stays meaningful when other processes compete for the CPU.
// Usage: node scripts/bench-app.mjs [--duration 10] [--connections 16] [--rounds 3] [--path /api/users]
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** Completed requests (and their rate) over `ms`, `connections` keep-alive requests in flight. */
async function measure(port, ms) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const until = Date.now() + ms;
  let completed = 0;
  let failed = 0;
  const started = performance.now();
  const worker = () =>
    new Promise((resolve) => {
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
  return { completed, rps: completed / seconds };
}

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** CPU seconds (user + system) the process has used so far (Linux /proc). */
function cpuSeconds(pid) {
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const sink = await startSink();
const modes = {
  off: {},
  on: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'bench', OTEL_METRIC_EXPORT_INTERVAL: '5000' },
};
const results = { off: { rps: [], cpuUs: [] }, on: { rps: [], cpuUs: [] } };
console.log(
  `runtime-app GET ${values.path}: ${connections} connections, ${durationMs / 1000}s per run after ${WARMUP_MS / 1000}s warm-up, ${rounds} rounds`,
);
for (let round = 1; round <= rounds; round++) {
  for (const mode of ['off', 'on']) {
    const app = await startApp(modes[mode]);
    await measure(app.port, WARMUP_MS);
    const cpuBefore = cpuSeconds(app.pid);
    const { completed, rps } = await measure(app.port, durationMs);
    // CPU time of the app per request: unlike req/s, barely moved by other load on the machine.
    const cpuUs = ((cpuSeconds(app.pid) - cpuBefore) / completed) * 1e6;
    await app.stop();
    results[mode].rps.push(rps);
    results[mode].cpuUs.push(cpuUs);
    console.log(
      `  round ${round} telemetry ${mode.padEnd(3)} ${rps.toFixed(0).padStart(6)} req/s ${cpuUs.toFixed(0).padStart(6)} µs CPU/request`,
    );
  }
}
sink.close();
const off = { rps: median(results.off.rps), cpuUs: median(results.off.cpuUs) };
const on = { rps: median(results.on.rps), cpuUs: median(results.on.cpuUs) };
console.log(
  `median req/s:            off ${off.rps.toFixed(0)}, on ${on.rps.toFixed(0)}, on/off ${(on.rps / off.rps).toFixed(2)}`,
);
console.log(
  `median CPU µs/request:   off ${off.cpuUs.toFixed(0)}, on ${on.cpuUs.toFixed(0)}, off/on ${(off.cpuUs / on.cpuUs).toFixed(2)} (the throughput ratio on one free core)`,
);
console.log(`OTLP exports received: ${sink.exports()}`);
