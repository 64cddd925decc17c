// fabric status, info and port-forward against stand-ins, and the progress
// display in its three forms.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../compiler/errors.ts';
import { compileSpec, type Compiled } from '../compiler/index.ts';
import { expectedApplications } from '../compiler/runner/applications.ts';
import { applyCommand, infoCommand, portForwardCommand, statusCommand, type IO } from '../compiler/runner/commands.ts';
import { createReporter, type RunEvent } from '../compiler/runner/progress.ts';
import { registeredClusters } from '../compiler/runner/steps.ts';
import { installStandins, type Standins } from './fixtures/runner/standins.ts';
import { fromRoot } from './helpers/paths.ts';

const SPEC = fromRoot('spec/fabric.yaml');
const compiled = compileSpec(SPEC) as Compiled;
const APPS = expectedApplications(compiled.files, registeredClusters(compiled.model));

function capture(s: Standins, fake: Record<string, string> = {}) {
  const sink = { text: '' };
  const write = { write: (t: string) => (sink.text += t) };
  const io: IO = {
    out: write,
    err: write,
    env: s.env({ FAKE_APPS: APPS.join(','), ...fake }),
    confirm: async () => true,
  };
  return { io, sink };
}

test('status: clusters with state and IP, every expected Application, and the URLs', async () => {
  const s = await installStandins();
  const before = capture(s);
  // No cluster is reachable yet: the table still prints, and the exit code says so (3).
  assert.is(await statusCommand({ spec: SPEC }, before.io), 3);
  assert.match(before.sink.text, 'no cluster of the spec is reachable');
  assert.match(before.sink.text, /^stage-cluster\s+member\s+minikube\s+not created\s+192\.168\.200\.11$/m);
  assert.match(before.sink.text, 'cannot read them: error: context "control-cluster" does not exist');

  const app = join(s.dir, 'runtime-app');
  mkdirSync(app, { recursive: true });
  mkdirSync(join(app, 'runtime-app'), { recursive: true });
  writeFileSync(join(app, 'runtime-app', 'Dockerfile'), 'FROM node:20-alpine\n');
  const run = capture(s, { FAKE_UNHEALTHY: 'grafana' });
  await applyCommand(
    {
      spec: SPEC,
      out: join(s.dir, 'out'),
      timeout: '0s',
      push: false,
      parallel: 2,
      yes: true,
      pollMs: 20,
      appDir: app,
    },
    run.io,
  );
  const after = capture(s, { FAKE_UNHEALTHY: 'grafana' });
  assert.is(await statusCommand({ spec: SPEC }, after.io), 0);
  const text = after.sink.text;
  assert.match(text, /^monitoring-cluster\s+monitoring\s+minikube\s+running\s+192\.168\.200\.13$/m);
  assert.match(text, /^alloy-agent-stage-cluster\s+Synced\s+Healthy$/m);
  assert.match(text, /^grafana\s+Synced\s+Progressing\s+Deployment\/grafana Progressing/m);
  assert.is(
    APPS.filter((n) => new RegExp(`^${n}\\s`, 'm').test(text)).length,
    APPS.length,
    'every expected Application is listed',
  );
  assert.match(text, /^Grafana\s+http:\/\/192\.168\.200\.13:30300$/m);
  assert.match(text, /^instrumented-app on prod-cluster\s+http:\/\/192\.168\.200\.12:30800$/m);
  assert.match(
    text,
    /^instrumented-app on stage-cluster \(ingress\)\s+http:\/\/app\.stage\.local\s+\(resolve app\.stage\.local to 192\.168\.200\.11\)$/m,
  );

  const json = capture(s);
  await statusCommand({ spec: SPEC, json: true }, json.io);
  const parsed = JSON.parse(json.sink.text);
  assert.equal(
    parsed.clusters.map((c: { state: string }) => c.state),
    ['running', 'running', 'running', 'running'],
  );
});

test('info tells how to log in to Grafana without printing a password', async () => {
  const s = await installStandins();
  const { io, sink } = capture(s);
  assert.is(await infoCommand({ spec: SPEC }, io), 0);
  assert.match(
    sink.text,
    "password     kubectl --context monitoring-cluster -n monitoring get secret grafana-admin -o 'jsonpath={.data.admin-password}' | base64 -d",
  );
  assert.match(
    sink.text,
    'Grafana        http://192.168.200.13:30300   or   fabric port-forward grafana  ->  http://localhost:3000',
  );
  assert.match(
    sink.text,
    /stage\s+mimir http:\/\/192\.168\.200\.13:30090\s+loki http:\/\/192\.168\.200\.13:30100\s+tempo \(OTLP gRPC\) 192\.168\.200\.13:30200/,
  );
  assert.equal(s.lines(), [], 'info runs no tool');
});

test('port-forward: unknown targets are a usage error naming the known ones', async () => {
  const s = await installStandins();
  try {
    await portForwardCommand({ spec: SPEC, target: 'prometheus' }, capture(s).io);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UsageError);
    assert.is((e as UsageError).exitCode, 2);
    assert.match((e as UsageError).hint!, 'one of: grafana, argocd, mimir-prod, loki-prod, tempo-prod, mimir-stage');
  }
});

test('port-forward grafana runs kubectl port-forward with --context until Ctrl-C, then exits 130', async () => {
  const s = await installStandins();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fromRoot('tests/fixtures/runner/run-cli.ts'), 'port-forward', 'grafana', '--spec', SPEC],
    {
      cwd: fromRoot(),
      env: {
        ...s.env({ FAKE_CONTEXTS: 'monitoring-cluster', FAKE_PORTS: JSON.stringify({ 'svc/grafana': 3000 }) }),
        PATH: `${s.bin}:${process.env.PATH}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so the test can send Ctrl-C to it and kubectl together, as a terminal does.
      detached: true,
    },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  for (let waited = 0; !output.includes('Forwarding from 127.0.0.1:3000'); waited += 50) {
    if (waited > 120_000) throw new Error(`no port-forward: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(
    s.lines().includes('kubectl --context monitoring-cluster -n monitoring port-forward svc/grafana 3000:3000'),
  );
  process.kill(-child.pid!, 'SIGINT');
  assert.is(await exited, 130, output);
});

test('progress: plain lines without a terminal, one JSON object per line with --json, a live area on a terminal', () => {
  const events: RunEvent[] = [
    { type: 'plan', steps: [{ id: 'a', title: 'Start a' }] },
    { type: 'step-start', id: 'a', title: 'Start a' },
    { type: 'step-progress', id: 'a', message: 'minikube start' },
    { type: 'step-done', id: 'a', title: 'Start a', ms: 61_500 },
    { type: 'run-end', status: 'ok', ms: 62_000 },
  ];
  const outputs = { plain: '', json: '', tty: '' };
  const reporters = {
    plain: createReporter({ write: (t: string) => (outputs.plain += t) }, { json: false }),
    json: createReporter({ write: (t: string) => (outputs.json += t) }, { json: true }),
    tty: createReporter({ write: (t: string) => (outputs.tty += t), isTTY: true }, { json: false, color: false }),
  };
  for (const r of Object.values(reporters)) {
    for (const e of events) r.emit(e);
    r.close();
  }
  assert.is(outputs.plain, 'fabric apply: 1 steps\n… Start a\n  minikube start\n✓ Start a (1m02s)\ndone in 1m02s\n');
  assert.equal(
    outputs.json
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).type),
    ['plan', 'step-start', 'step-progress', 'step-done', 'run-end'],
  );
  assert.match(outputs.tty, /⠋ Start a 0\.0s  minikube start\n/);
  assert.match(outputs.tty, '\u001b[1A\u001b[0J✓ Start a 1m02s\n');
});

test('apply --verbose echoes each command and its output on stderr; without it stderr stays quiet', async () => {
  const s = await installStandins();
  const app = join(s.dir, 'runtime-app');
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'Dockerfile'), 'FROM node:20-alpine\n');
  const run = async (verbose: boolean) => {
    const out = { text: '' };
    const err = { text: '' };
    const io: IO = {
      out: { write: (t: string) => (out.text += t) },
      err: { write: (t: string) => (err.text += t) },
      env: s.env({ FAKE_APPS: APPS.join(',') }),
      confirm: async () => true,
    };
    const opts = { spec: SPEC, out: join(s.dir, 'out'), timeout: '0s', push: false, parallel: 2, yes: true };
    await applyCommand({ ...opts, pollMs: 20, appDir: app, verbose }, io);
    return err.text;
  };
  const quiet = await run(false);
  assert.not.match(quiet, /^\$ minikube /m);
  const loud = await run(true);
  assert.match(loud, /^\$ minikube status -p control-cluster/m);
  assert.match(loud, /^\$ kubectl --context control-cluster /m);
});

test.run();
