// Ctrl-C during fabric apply: the CLI runs as a child process, a stand-in
// minikube hangs in `minikube start`, the test sends SIGINT. The run must stop
// scheduling, stop the hanging child, print how to resume and exit 130; a
// second Ctrl-C kills a child that ignores the first. The next run resumes.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyWith, REFERENCE_APPS, REFERENCE_SPEC as SPEC } from './fixtures/runner/apply-harness.ts';
import { installStandins, type Standins } from './fixtures/runner/standins.ts';
import { fromRoot } from './helpers/paths.ts';
import { until, alive } from './helpers/process.ts';

const APPS = REFERENCE_APPS.join(',');

function startCli(s: Standins, fake: Record<string, string>, stdout: 'pipe' | 'ignore' = 'pipe') {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fromRoot('tests/fixtures/runner/run-cli.ts'),
      'apply',
      '--spec',
      SPEC,
      '--out',
      join(s.dir, 'out'),
      '--no-push',
      '--yes',
      '--parallel',
      '1',
    ],
    {
      cwd: fromRoot(),
      env: { ...s.env({ FAKE_APPS: APPS, ...fake }), PATH: `${s.bin}:${process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const run = { output: '', code: undefined as number | null | undefined };
  child.stdout.on('data', (d) => (run.output += d));
  child.stderr.on('data', (d) => (run.output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve((run.code = code))));
  return { child, run, exited };
}

async function resume(s: Standins) {
  s.clearLog();
  const { code, text } = await applyWith(s);
  return {
    code,
    text,
    starts: s
      .lines()
      .filter((l) => l.startsWith('minikube start'))
      .map((l) => l.split(' ')[3]),
  };
}

test('Ctrl-C while a profile starts: the child gets it, nothing new starts, exit 130 with the resume command; the next run resumes', async () => {
  const s = await installStandins();
  const { child, run, exited } = startCli(s, { FAKE_HANG: 'start -p monitoring-cluster' });
  await until('the hanging minikube start', () => s.world.hangPids.length === 1 || run.code !== undefined);
  assert.is(run.code, undefined, run.output);
  const [hung] = s.world.hangPids;
  assert.ok(alive(hung));
  child.kill('SIGINT');
  assert.is(await exited, 130, run.output);
  assert.not.ok(alive(hung), 'the hanging child is gone');
  assert.match(run.output, 'interrupted: no new step starts; 1 running command(s) got SIGINT');
  assert.match(
    run.output,
    '! Start minikube profile monitoring-cluster (192.168.200.13, 4 CPUs, 8192 MiB): interrupted',
  );
  assert.match(run.output, 'resume with: fabric apply --spec');
  assert.match(run.output, '--no-push  (steps already done are checked and skipped)');
  assert.not.ok(
    s.lines().some((l) => l.startsWith('minikube start -p prod-cluster') || l.includes(' apply ')),
    'no step starts after the interrupt',
  );

  const resumed = await resume(s);
  assert.is(resumed.code, 0, resumed.text);
  assert.equal(resumed.starts, ['monitoring-cluster', 'prod-cluster', 'stage-cluster']);
});

test('a second Ctrl-C kills a child that ignores the first', async () => {
  const s = await installStandins();
  const { child, run, exited } = startCli(s, { FAKE_HANG: 'start -p control-cluster', FAKE_HANG_IGNORE_INT: '1' });
  await until('the hanging minikube start', () => s.world.hangPids.length === 1 || run.code !== undefined);
  const [hung] = s.world.hangPids;
  child.kill('SIGINT');
  await until(
    'the first interrupt notice',
    () => run.output.includes('interrupted: no new step starts') || run.code !== undefined,
  );
  assert.ok(alive(hung), 'the child ignores SIGINT');
  child.kill('SIGINT');
  assert.is(await exited, 130, run.output);
  assert.match(run.output, 'second interrupt (SIGINT): killing the running commands');
  assert.not.ok(alive(hung), 'the second interrupt killed it');
  assert.match(run.output, 'resume with: fabric apply');
});

for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const) {
  test(`${signal} is handled like Ctrl-C: the child is stopped, the resume line printed, exit ${code}`, async () => {
    const s = await installStandins();
    const { child, run, exited } = startCli(s, { FAKE_HANG: 'start -p control-cluster' });
    await until('the hanging minikube start', () => s.world.hangPids.length === 1 || run.code !== undefined);
    const [hung] = s.world.hangPids;
    child.kill(signal);
    assert.is(await exited, code, run.output);
    assert.not.ok(alive(hung), 'the hanging child is gone, not left running detached');
    assert.match(run.output, `interrupted (${signal}): no new step starts`);
    assert.match(run.output, 'resume with: fabric apply');
    assert.not.ok(s.lines().some((l) => l.startsWith('minikube start -p monitoring-cluster')));
  });
}

test('apply piped into a reader that quits (head): no stack trace, the run finishes', async () => {
  const s = await installStandins();
  const { child, run, exited } = startCli(s, {});
  let first = '';
  await new Promise<void>((resolve) =>
    child.stdout.once('data', (d) => {
      first = String(d);
      resolve();
    }),
  );
  child.stdout.destroy();
  const code = await exited;
  assert.ok(first.length > 0);
  assert.not.match(run.output, /\n\s+at /, 'no stack trace');
  assert.not.match(run.output, 'EPIPE');
  assert.is(code, 0, run.output);
});

test('a confirmation prompt whose stdin is at its end answers no, and says so', async () => {
  const { PassThrough } = await import('node:stream');
  const { askYesNo } = await import('../compiler/runner/prompt.ts');
  const input = new PassThrough();
  const output = new PassThrough();
  let said = '';
  output.on('data', (d) => (said += d));
  input.end();
  assert.is(await askYesNo('Apply this plan?', input, output), false);
  assert.match(said, 'no answer (stdin is closed): taken as no; pass --yes');
  const yes = new PassThrough();
  const answered = askYesNo('Apply this plan?', yes, new PassThrough());
  yes.write('y\n');
  assert.is(await answered, true);
});

test.run();
