// Requests per second of runtime-app with telemetry off and on, on this
// machine (127.0.0.1 only). Not a test: the numbers depend on the machine and
// its load. Each round runs telemetry off and then every configuration, so
// drift in background load hits all of them; per configuration it prints the
// median req/s and the median of the per-round ratios to the same round's
// "off" run, and the load average before and after.
// Besides req/s it reports the CPU time the app spends per request (Linux
// /proc), which stays meaningful when other processes compete for the CPU.
//
// Telemetry-on runs inherit the caller's OTEL_* variables (the endpoint
// defaults to a local sink), so `OTEL_TRACES_SAMPLER=always_on node
// scripts/bench-app.mjs` measures full tracing. --config adds a named
// configuration with its own variables on top; give it several times to
// compare them side by side, e.g.
//   --config 'all:OTEL_TRACES_SAMPLER=always_on' --config 'none:OTEL_TRACES_SAMPLER=always_off'
// Usage: node scripts/bench-app.mjs [--duration 10] [--connections 16] [--rounds 3] [--path /api/users]
//          [--config 'NAME:VAR=value,VAR=value' ...]
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, Agent, get } from 'node:http';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
    path: { type: 'string', default: '/api/users' },
    config: { type: 'string', multiple: true, default: [] },
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
  // OTEL_* reach only the runs that set them (`env`), never the "off" run.
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

/** 'NAME:VAR=value,VAR=value' → [NAME, { VAR: value }]. */
function parseConfig(text) {
  const match = /^([\w.-]+):(.*)$/.exec(text);
  if (!match) throw new Error(`--config must look like NAME:VAR=value,VAR=value, got '${text}'`);
  const env = {};
  for (const pair of match[2].split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--config ${match[1]}: '${pair}' is not VAR=value`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return [match[1], env];
}

const sink = await startSink();
const callerOtel = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('OTEL_')));
const onBase = {
  OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
  OTEL_SERVICE_NAME: 'bench',
  OTEL_METRIC_EXPORT_INTERVAL: '5000',
  ...callerOtel,
};
const configs = values.config.length > 0 ? values.config.map(parseConfig) : [['on', {}]];
const modes = { off: {}, ...Object.fromEntries(configs.map(([name, env]) => [name, { ...onBase, ...env }])) };
const results = Object.fromEntries(Object.keys(modes).map((mode) => [mode, { rps: [], cpuUs: [], ratio: [] }]));
const width = Math.max(...Object.keys(modes).map((m) => m.length));
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const loadAtStart = load();
console.log(
  `runtime-app GET ${values.path}: ${connections} connections, ${durationMs / 1000}s per run after ${WARMUP_MS / 1000}s warm-up, ${rounds} rounds; load average ${loadAtStart}`,
);
for (const [name, env] of configs) {
  const shown = Object.entries({ ...callerOtel, ...env }).map(([k, v]) => `${k}=${v}`);
  console.log(`  ${name}: ${shown.join(' ') || '(SDK and app defaults)'}`);
}
for (let round = 1; round <= rounds; round++) {
  for (const mode of Object.keys(modes)) {
    const app = await startApp(modes[mode]);
    await measure(app.port, WARMUP_MS);
    const cpuBefore = cpuSeconds(app.pid);
    const { completed, rps } = await measure(app.port, durationMs);
    // CPU time of the app per request: unlike req/s, barely moved by other load on the machine.
    const cpuUs = ((cpuSeconds(app.pid) - cpuBefore) / completed) * 1e6;
    await app.stop();
    results[mode].rps.push(rps);
    results[mode].cpuUs.push(cpuUs);
    const ratio = rps / results.off.rps.at(-1);
    if (mode !== 'off') results[mode].ratio.push(ratio);
    console.log(
      `  round ${round} ${mode.padEnd(width)} ${rps.toFixed(0).padStart(6)} req/s ${cpuUs.toFixed(0).padStart(6)} µs CPU/request` +
        (mode === 'off' ? '' : `  ${ratio.toFixed(2)} of off`),
    );
  }
}
sink.close();
const off = { rps: median(results.off.rps), cpuUs: median(results.off.cpuUs) };
console.log(`median of ${rounds} rounds (load average at start ${loadAtStart}, at end ${load()}):`);
console.log(
  `  ${'off'.padEnd(width)} ${off.rps.toFixed(0).padStart(6)} req/s ${off.cpuUs.toFixed(0).padStart(6)} µs CPU/request`,
);
for (const [name] of configs) {
  const r = results[name];
  const cpuUs = median(r.cpuUs);
  console.log(
    `  ${name.padEnd(width)} ${median(r.rps).toFixed(0).padStart(6)} req/s ${cpuUs.toFixed(0).padStart(6)} µs CPU/request` +
      `  req/s ${median(r.ratio).toFixed(2)} of off (paired), CPU/request ${(off.cpuUs / cpuUs).toFixed(2)} of off`,
  );
}
console.log(`OTLP exports received: ${sink.exports()}`);
