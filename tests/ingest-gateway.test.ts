// The generated ingest gateway under a real nginx (Debian nginx-light in CI):
// `nginx -t` accepts every case's nginx.conf, and the shared-tenancy golden's
// gateway, run against fake backends, routes each credential to its own
// environment's backend and tenant, whatever the client sends. Rewritten for
// the test only: upstream hosts -> local fake backends, /etc/nginx and /tmp ->
// a scratch directory, /dev/stderr -> a file (the test runner's stderr may be
// a socket nginx cannot open), the listen port -> a free one.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PORTS } from '../compiler/model/constants.ts';
import { sshaLine, sshaMatches } from '../compiler/runner/htpasswd.ts';
import { planCredentials } from '../compiler/runner/ingest-credentials.ts';
import { compile, GOLDEN_CASES } from './helpers/compile.ts';
import { haveTool } from './helpers/tools.ts';

const NGINX = ['nginx', '/usr/sbin/nginx'].find((n) => haveTool(n, ['-v']));
const CASES = ['spec/fabric.yaml', ...GOLDEN_CASES.map((c) => `tests/golden/${c}/fabric.yaml`)];

function requireNginx(name: string): boolean {
  if (NGINX) return true;
  if (process.env.CI === 'true') throw new Error(`nginx is not installed, and CI must not skip: ${name}`);
  console.log(`# skip ${name}: nginx not installed (apt-get install nginx-light)`);
  return false;
}

/** The case's nginx.conf made runnable here: upstream host -> 127.0.0.1:port from `upstreams`. */
function localConf(
  specRel: string,
  dir: string,
  [listen, deny]: [number, number],
  upstreams: (host: string) => number,
): string {
  const c = compile(specRel);
  const conf = c.files.find((f) => f.path.endsWith(`ingest-gateway/overlays/${c.model.monitoring.name}/nginx.conf`))!;
  return conf.contents
    .replace(/\/tmp\//g, `${dir}/`)
    .replaceAll('/etc/nginx/', `${dir}/`)
    .replaceAll('/dev/stderr', `${dir}/error.log`)
    .replace(`listen ${PORTS.ingestHttp};`, `listen 127.0.0.1:${listen};`)
    .replace(/server ([a-z0-9.-]+\.svc\.cluster\.local:\d+);/g, (_, host) => `server 127.0.0.1:${upstreams(host)};`)
    .replaceAll(`127.0.0.1:${PORTS.ingestDeny}`, `127.0.0.1:${deny}`);
}

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fabric-ingest-'));
  // Run as root, nginx's workers are `nobody`: they must be able to read the htpasswd.
  for (let d = dir; d !== dirname(d) && d !== dirname(tmpdir()); d = dirname(d)) chmodSync(d, 0o755);
  mkdirSync(join(dir, 'secrets'));
  mkdirSync(join(dir, 'tls'));
  // A throwaway certificate for cases whose gateway has a TLS listener.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=ingest.test',
      '-keyout',
      join(dir, 'tls/tls.key'),
      '-out',
      join(dir, 'tls/tls.crt'),
    ],
    { stdio: 'ignore' },
  );
  return dir;
}

for (const spec of CASES)
  test(`nginx -t accepts the ingest gateway of ${spec}`, () => {
    if (!requireNginx(`nginx -t ${spec}`)) return;
    const dir = scratch();
    try {
      writeFileSync(
        join(dir, 'nginx.conf'),
        localConf(spec, dir, [18080, 18082], () => 18081),
      );
      execFileSync(NGINX!, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
        stdio: 'pipe',
      });
    } catch (e: any) {
      assert.unreachable(`nginx -t rejected ${spec}: ${e.stderr ?? e.message}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

test('htpasswd {SSHA} lines verify against their password only', () => {
  const line = sshaLine('stage', 'secret-one');
  assert.ok(sshaMatches(line, 'stage', 'secret-one'));
  assert.not.ok(sshaMatches(line, 'stage', 'secret-two'));
  assert.not.ok(sshaMatches(line, 'prod', 'secret-one'));
  assert.is.not(sshaLine('stage', 'secret-one'), line, 'a fresh salt each time');
});

interface Seen {
  backend: string;
  path: string;
  orgid?: string;
  auth?: string;
}

test('shared tenancy: each credential reaches its own tenant, spoofed headers and wrong passwords do not', async () => {
  if (!requireNginx('ingest gateway routing')) return;
  const seen: Seen[] = [];
  const servers: Server[] = [];
  const ports = new Map<string, number>();
  const backend = async (name: string) => {
    const s = createServer((req, res) => {
      seen.push({
        backend: name,
        path: req.url!,
        orgid: req.headers['x-scope-orgid'] as string,
        auth: req.headers.authorization,
      });
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    servers.push(s);
    return (s.address() as AddressInfo).port;
  };
  const c = compile('tests/golden/shared-tenancy/fabric.yaml');
  for (const set of c.model.backendSets)
    for (const url of [set.mimir.internal, set.loki.internal, set.tempo.otlpHttp])
      ports.set(new URL(url).host, await backend(new URL(url).hostname.split('.')[0]));
  const dir = scratch();
  // Free ports for the gateway's listener and its deny server.
  const free = async () => backend('placeholder').then((p) => (servers.pop()!.close(), p));
  const listen = await free();
  const deny = await free();
  writeFileSync(
    join(dir, 'nginx.conf'),
    localConf('tests/golden/shared-tenancy/fabric.yaml', dir, [listen, deny], (h) => ports.get(h)!),
  );
  const pw = { stage: 'stage-password-0123456789', prod: 'prod-password-0123456789' };
  writeFileSync(join(dir, 'secrets/.htpasswd'), `${sshaLine('stage', pw.stage)}\n${sshaLine('prod', pw.prod)}\n`, {
    mode: 0o644,
  });
  const nginx = spawn(
    NGINX!,
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'],
    {
      stdio: 'ignore',
    },
  );
  try {
    const base = `http://127.0.0.1:${listen}`;
    let up = false;
    for (let i = 0; i < 200 && !up; i++) {
      up = await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!up) await new Promise((r) => setTimeout(r, 50));
    }
    if (!up) assert.unreachable(`nginx did not start: ${readFileSync(join(dir, 'error.log'), 'utf8')}`);
    const post = (path: string, user?: string, password?: string, headers: Record<string, string> = {}) =>
      fetch(base + path, {
        method: 'POST',
        body: 'x',
        headers: {
          ...headers,
          ...(user ? { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } : {}),
        },
      }).then((r) => r.status);
    const log = () => readFileSync(join(dir, 'error.log'), 'utf8');
    assert.is(await post('/api/v1/push', 'stage', pw.stage, { 'X-Scope-OrgID': 'prod' }), 200, log());
    assert.equal(seen.pop(), { backend: 'mimir-shared', path: '/api/v1/push', orgid: 'stage', auth: undefined });
    assert.is(await post('/otlp/v1/logs', 'prod', pw.prod), 200);
    assert.equal(seen.pop(), { backend: 'loki-shared', path: '/otlp/v1/logs', orgid: 'prod', auth: undefined });
    assert.is(await post('/otlp/v1/traces', 'prod', pw.prod), 200);
    assert.equal(seen.pop(), { backend: 'tempo-shared', path: '/v1/traces', orgid: 'prod', auth: undefined });
    assert.is(await post('/api/v1/push', 'stage', pw.prod), 401, "prod's password is not stage's");
    assert.is(await post('/api/v1/push'), 401, 'no credentials');
    assert.is(
      await fetch(`${base}/prometheus/api/v1/query`, {
        headers: { authorization: `Basic ${Buffer.from(`stage:${pw.stage}`).toString('base64')}` },
      }).then((r) => r.status),
      404,
      'queries are not exposed',
    );
    assert.is(seen.length, 0, 'nothing else reached a backend');
  } finally {
    nginx.kill();
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('apply keeps a stored password, copies it to a new member, and rewrites only a stale htpasswd line', () => {
  const { model } = compile('tests/golden/two-members/fabric.yaml');
  const prod = model.environments.find((e) => e.memberClusters.length > 1)!;
  const [first, second] = prod.memberClusters;
  const stored = new Map([[first, 'kept-password']]);
  const stale = `${prod.name}:{SSHA}${Buffer.alloc(28).toString('base64')}\n`;
  const plan = planCredentials(model, stored, stale, () => 'fresh');
  assert.equal(
    plan.members.filter((m) => prod.memberClusters.includes(m.cluster.name)).map((m) => [m.cluster.name, m.password]),
    [[second, 'kept-password']],
  );
  const line = plan.htpasswd.split('\n').find((l) => l.startsWith(`${prod.name}:`))!;
  assert.ok(sshaMatches(line, prod.name, 'kept-password'));
  assert.ok(plan.htpasswdChanged);
  // Stored as planned: nothing left to do.
  const all = new Map(
    model.clusters.map((c) => [
      c.name,
      plan.members.find((m) => m.cluster.name === c.name)?.password ?? stored.get(c.name),
    ]),
  );
  const again = planCredentials(model, all, plan.htpasswd, () => 'unexpected');
  assert.equal([again.members, again.htpasswdChanged], [[], false]);
});

test.run();
