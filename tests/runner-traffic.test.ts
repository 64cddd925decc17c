// fabric traffic: requests to the app URLs the model derives (member IP and
// the app's NodePort), one environment with --env, through the real CLI.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromRoot } from './helpers/paths.ts';

function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fromRoot('tests/fixtures/runner/run-cli.ts'), ...args], {
      cwd: fromRoot(),
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

/** A stand-in app on a free NodePort-range port of 127.0.0.1, counting requests by path. */
async function fakeApp(): Promise<{ server: Server; port: number; paths: string[] }> {
  const paths: string[] = [];
  for (let port = 30_000 + Math.floor(Math.random() * 2000); ; port++) {
    const server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.statusCode = req.url === '/api/error' ? 500 : 200;
      res.end('ok');
    });
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) return { server, port: (server.address() as AddressInfo).port, paths };
  }
}

test('fabric traffic --env stage sends requests to the stage app at its NodePort URL from the spec', async () => {
  const app = await fakeApp();
  try {
    const dir = mkdtempSync(join(tmpdir(), 'fabric-traffic-'));
    const spec = join(dir, 'fabric.yaml');
    writeFileSync(
      spec,
      readFileSync(fromRoot('tests/fixtures/runner/mixed.yaml'), 'utf8')
        .replace('    ip: 10.0.0.11', '    ip: 127.0.0.1')
        .replace('nodePort: 30800', `nodePort: ${app.port}`),
    );
    const r = await cli(['traffic', '--spec', spec, '--env', 'stage', '--duration', '1s', '--rate', '50']);
    assert.is(r.code, 0, r.out);
    assert.match(r.out, `http://127.0.0.1:${app.port}`);
    assert.not.match(r.out, '192.168.200.12', 'only the stage app');
    assert.ok(app.paths.length > 5, r.out);
    assert.ok(app.paths.includes('/api/error'));
    const bad = await cli(['traffic', '--spec', spec, '--env', 'qa', '--duration', '1s']);
    assert.is(bad.code, 2, bad.out);
    assert.match(bad.out, '--env qa: the spec has no such environment');
  } finally {
    app.server.close();
  }
});

test.run();
