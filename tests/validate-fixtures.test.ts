// The table of bad specs, run through the real CLI. Each tests/fixtures/bad/*.yaml
// states on its first line the first diagnostic it must produce:
//   # expect: FAB101 at 5:75          an error at line 5, column 75 (exit 1)
//   # expect: FAB003 at file          an error about the whole file (line 0)
//   # expect: FAB209 warning at 41:17 a warning only: the spec is valid (exit 0)
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Diagnostic } from '../compiler/diagnostics.ts';
import { fromRoot, repoRoot } from './helpers/paths.ts';
import { requireTool } from './helpers/tools.ts';

const FIXTURES = 'tests/fixtures/bad';
const BUNDLE = fromRoot('dist/fabric.cjs');
/** Only a guard against a hung run; how fast is measured in scripts/bench. */
const GUARD_MS = 120_000;
const STACK_FRAME = /^ {4}at /m;
const ESCAPE = '\u001b[';

interface Expectation {
  code: string;
  severity: 'error' | 'warning';
  line: number;
  column: number;
}
interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}
interface JsonReport {
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
}

function parseExpectation(file: string): Expectation {
  const first = readFileSync(fromRoot(file), 'utf8').split('\n', 1)[0];
  const m = /^# expect: (FAB\d{3})( warning)? at (file|(\d+):(\d+))$/.exec(first);
  if (!m)
    throw new Error(`${file}: the first line must be '# expect: FABnnn [warning] at line:col|file', not '${first}'`);
  return {
    code: m[1],
    severity: m[2] ? 'warning' : 'error',
    line: m[4] ? Number(m[4]) : 0,
    column: m[5] ? Number(m[5]) : 0,
  };
}

/** Newest modification time under a directory (the bundle is stale when its sources are newer). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(fromRoot(dir), { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.(ts|json)$/.test(entry.name))
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function ensureBundle(): void {
  let built = 0;
  try {
    built = statSync(BUNDLE).mtimeMs;
  } catch {
    /* not built yet */
  }
  if (built > Math.max(newestMtime('compiler'), newestMtime('schema'))) return;
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, encoding: 'utf8', timeout: GUARD_MS });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stderr}`);
}

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/fabric.cjs', ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      timeout: GUARD_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const runCliSync = (args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> =>
  spawnSync(process.execPath, ['bin/fabric.cjs', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: GUARD_MS,
  });

function parseJson(run: Run, what: string): JsonReport {
  try {
    return JSON.parse(run.stdout) as JsonReport;
  } catch {
    throw new Error(`${what}: --json did not print JSON:\n${run.stdout}\n${run.stderr}`);
  }
}

const fixtures = readdirSync(fromRoot(FIXTURES))
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => `${FIXTURES}/${f}`);
// NO_COLOR unset: the text runs below must stay plain because stderr is a pipe.
const plainEnv = { NO_COLOR: undefined, FORCE_COLOR: undefined };
const runs = new Map<string, { json: Run; text: Run }>();

test.before(async () => {
  ensureBundle();
  // Both modes of every fixture, several at a time: one CLI start each.
  const queue = [...fixtures];
  const worker = async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const [json, text] = await Promise.all([
        runCli(['validate', '--spec', file, '--json'], plainEnv),
        runCli(['validate', '--spec', file], plainEnv),
      ]);
      runs.set(file, { json, text });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.floor(availableParallelism() / 2)) }, worker));
});

test('the table has at least 40 bad inputs, each with an expectation line', () => {
  assert.ok(fixtures.length >= 40, `only ${fixtures.length} fixtures`);
  for (const file of fixtures) parseExpectation(file);
});

for (const file of fixtures) {
  test(`${file}: ${readFileSync(fromRoot(file), 'utf8').split('\n', 2)[1]?.replace(/^# /, '')}`, () => {
    const want = parseExpectation(file);
    const { json, text } = runs.get(file)!;
    for (const run of [json, text]) {
      assert.not.match(run.stdout + run.stderr, STACK_FRAME, 'a stack trace reached the user');
      assert.is(run.status, want.severity === 'error' ? 1 : 0, `exit code\n${run.stderr}`);
    }

    const report = parseJson(json, file);
    const first = report.diagnostics.find((d) => d.severity === 'error') ?? report.diagnostics[0];
    assert.ok(first, 'no diagnostic at all');
    if (want.severity === 'warning') assert.is(report.errors, 0, 'a warning-only fixture has errors');
    assert.equal(
      { code: first.code, severity: first.severity, line: first.line, column: first.column },
      { code: want.code, severity: want.severity, line: want.line, column: want.column },
      first.message,
    );
    assert.is(first.file, file);
    assert.ok(first.hint, `${first.code} has no hint`);

    const where =
      want.line > 0
        ? `${file}:${want.line}:${want.column} ${want.severity} ${want.code}`
        : `${file} ${want.severity} ${want.code}`;
    assert.ok(text.stderr.includes(where), `stderr lacks '${where}':\n${text.stderr}`);
    assert.match(text.stderr, /^ {2}fix: \S/m, 'no fix: hint');
    if (want.line > 0) {
      assert.match(text.stderr, new RegExp(`^ {2}> +${want.line} \\|`, 'm'), 'no code frame on the line');
      assert.match(text.stderr, /^ {2} +\| *\^/m, 'no caret');
    }
    assert.not.ok(text.stderr.includes(ESCAPE), 'escape codes although stderr is not a terminal');
  });
}

test('spec/fabric.yaml is valid: exit 0, no diagnostics', async () => {
  const json = await runCli(['validate', '--spec', 'spec/fabric.yaml', '--json']);
  assert.is(json.status, 0, json.stderr);
  assert.equal(parseJson(json, 'spec/fabric.yaml'), { diagnostics: [], errors: 0, warnings: 0, format: 1 });
  const text = await runCli(['validate', '--spec', 'spec/fabric.yaml']);
  assert.is(text.status, 0);
  assert.is(text.stderr, '');
  assert.is(text.stdout, 'spec/fabric.yaml: valid\n');
});

test('validate without --spec reads spec/fabric.yaml', () => {
  const r = runCliSync(['validate']);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^spec\/fabric\.yaml: valid$/m);
});

test('a 0-byte file is empty (FAB003 about the file)', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'fabric-empty-')), 'fabric.yaml');
  writeFileSync(file, '');
  const r = runCliSync(['validate', '--spec', file, '--json']);
  assert.is(r.status, 1);
  const d = (JSON.parse(r.stdout) as JsonReport).diagnostics;
  assert.equal(
    d.map((x) => [x.code, x.line]),
    [['FAB003', 0]],
  );
});

test('a missing file is one diagnostic (FAB001), not a crash; it exits 3 (cannot read), not 1 (spec invalid)', () => {
  const r = runCliSync(['validate', '--spec', 'tests/fixtures/bad/no-such-file.yaml']);
  assert.is(r.status, 3);
  assert.match(r.stderr, /tests\/fixtures\/bad\/no-such-file\.yaml error FAB001 cannot read spec: no such file/);
  assert.not.match(r.stderr, STACK_FRAME);
});

test('a spec larger than 1 MiB is refused before parsing (FAB002)', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'fabric-large-')), 'fabric.yaml');
  writeFileSync(file, `name: lgtm\n${'#'.repeat(80)}\n`.repeat(14_000));
  const r = runCliSync(['validate', '--spec', file, '--json']);
  assert.is(r.status, 1);
  assert.equal(
    (JSON.parse(r.stdout) as JsonReport).diagnostics.map((x) => x.code),
    ['FAB002'],
  );
});

test('--json prints one JSON document on stdout and nothing on stderr', () => {
  const r = runCliSync(['validate', '--spec', `${FIXTURES}/fab205-environment-ports.yaml`, '--json']);
  assert.is(r.stderr, '');
  const report = JSON.parse(r.stdout) as JsonReport;
  assert.is(report.errors, report.diagnostics.filter((d) => d.severity === 'error').length);
  assert.is(report.warnings, report.diagnostics.filter((d) => d.severity === 'warning').length);
  assert.equal(Object.keys(report.diagnostics[0]).sort(), [
    'code',
    'column',
    'file',
    'hint',
    'line',
    'message',
    'related',
    'severity',
  ]);
});

test('usage errors exit 2: an unknown option, an unknown command', () => {
  const option = runCliSync(['validate', '--spec', 'spec/fabric.yaml', '--bogus']);
  assert.is(option.status, 2);
  assert.match(option.stderr, /unknown option '--bogus'/);
  const command = runCliSync(['frobnicate']);
  assert.is(command.status, 2);
  assert.match(command.stderr, /unknown command 'frobnicate'/);
  for (const r of [option, command]) assert.not.match(r.stderr, STACK_FRAME);
});

test('--help exits 0 and names the options', () => {
  const r = runCliSync(['validate', '--help']);
  assert.is(r.status, 0);
  assert.match(r.stdout, /--spec <file>/);
  assert.match(r.stdout, /--json/);
});

test('colour only on a terminal, and never with NO_COLOR', () => {
  if (!requireTool('script', 'colour on a terminal', ['--version'])) return;
  // script(1) gives the CLI a pseudo-terminal, so that colour is on unless NO_COLOR says no.
  const inTerminal = (env: NodeJS.ProcessEnv) =>
    spawnSync(
      'script',
      [
        '-qec',
        `${JSON.stringify(process.execPath)} bin/fabric.cjs validate --spec ${FIXTURES}/fab214-latest.yaml`,
        '/dev/null',
      ],
      { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, TERM: 'xterm', ...env }, timeout: GUARD_MS },
    );
  // FORCE_COLOR (the test runner sets 0) would decide before the terminal does.
  const coloured = inTerminal({ NO_COLOR: undefined, FORCE_COLOR: undefined });
  assert.ok(coloured.stdout.includes(ESCAPE), `no colour on a terminal:\n${coloured.stdout}`);
  const plain = inTerminal({ NO_COLOR: '1', FORCE_COLOR: undefined });
  assert.match(plain.stdout, /fab214-latest\.yaml:33:12 error FAB214/);
  assert.not.ok(plain.stdout.includes(ESCAPE), 'escape codes despite NO_COLOR');
  const pipe = runCliSync(['validate', '--spec', `${FIXTURES}/fab214-latest.yaml`], { NO_COLOR: undefined });
  assert.not.ok(pipe.stderr.includes(ESCAPE), 'escape codes on a pipe');
});

test.run();
