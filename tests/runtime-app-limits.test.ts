// runtime-app against slow clients and a hung collector: a client that never
// finishes its headers is dropped after HEADERS_TIMEOUT_MS, and SIGTERM exits
// within SHUTDOWN_TIMEOUT_MS even with a half-sent request open and an OTLP
// receiver that accepts connections but never answers. The bounds are the
// configured values plus a wide margin for a loaded machine, far below what
// Node's defaults take (about 90 s for the headers, ~20 s for the stop).
import { connect, createServer, type Server, type Socket } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fromRoot } from './helpers/paths.ts';
import { FROM_SOURCE, startApp } from './runtime-app-process.ts';

/** Slack for a busy machine: scheduling, Node's once-a-second timeout check. */
const MARGIN_MS = 10_000;

/** Opens a connection to the app and sends the start of a request that never ends. */
function halfSentRequest(baseUrl: string): Promise<Socket> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.write('GET /api/users HTTP/1.1\r\nHost: app\r\nX-Slow: ');
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Milliseconds until `socket` is closed by the other side, and what it sent before. */
function untilClosed(socket: Socket): Promise<{ ms: number; received: string }> {
  const started = Date.now();
  let received = '';
  socket.on('data', (d) => {
    received += d;
  });
  socket.on('error', () => {});
  return new Promise((resolve) => socket.once('close', () => resolve({ ms: Date.now() - started, received })));
}

const limits = suite('runtime-app server limits');

limits('a client that never finishes its headers is dropped after HEADERS_TIMEOUT_MS', async () => {
  const headersTimeoutMs = 1_000;
  const app = await startApp({ HEADERS_TIMEOUT_MS: String(headersTimeoutMs), REQUEST_TIMEOUT_MS: '2000' });
  try {
    const socket = await halfSentRequest(app.baseUrl);
    const { ms, received } = await untilClosed(socket);
    assert.ok(ms < headersTimeoutMs + MARGIN_MS, `dropped after ${ms} ms`);
    assert.ok(received === '' || received.startsWith('HTTP/1.1 408'), `answered: ${received}`);
    assert.is((await fetch(`${app.baseUrl}/health`)).status, 200, 'the server still serves others');
  } finally {
    assert.is(await app.stop(), 0);
  }
});

limits('the limits are checked at start: a headers timeout above the request timeout exits 2', async () => {
  const result = spawnSync(process.execPath, FROM_SOURCE, {
    cwd: fromRoot(),
    env: { ...process.env, PORT: '0', HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '1000' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.is(result.status, 2);
  assert.is(result.stderr.trim(), 'runtime-app: HEADERS_TIMEOUT_MS (5000) must not exceed REQUEST_TIMEOUT_MS (1000)');
});

limits('SIGTERM with a half-sent request and a hung collector exits within SHUTDOWN_TIMEOUT_MS', async () => {
  // Accepts OTLP connections and never answers, like a collector that hangs.
  const held: Socket[] = [];
  const collector: Server = createServer((socket) => {
    held.push(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const shutdownTimeoutMs = 3_000;
  const app = await startApp({
    SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
    HEADERS_TIMEOUT_MS: '60000',
    REQUEST_TIMEOUT_MS: '60000',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as { port: number }).port}`,
    OTEL_TRACES_SAMPLER: 'always_on',
  });
  try {
    // Something to flush: a finished request's span, metrics and log record.
    assert.is((await fetch(`${app.baseUrl}/api/users`)).status, 200);
    const socket = await halfSentRequest(app.baseUrl);
    const dropped = untilClosed(socket);
    const started = Date.now();
    const code = await app.stop();
    const ms = Date.now() - started;
    assert.is(code, 0);
    assert.ok(ms < shutdownTimeoutMs + MARGIN_MS, `exited ${ms} ms after SIGTERM`);
    assert.match(app.stderr(), `telemetry not flushed within the ${shutdownTimeoutMs} ms shutdown deadline`);
    assert.match(app.stderr(), 'closed the connections still open');
    await dropped;
  } finally {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => collector.close(resolve));
  }
});

limits.run();
