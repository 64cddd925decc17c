// The invariant of issue 19: no spec file, argument, environment variable or
// file-system state makes fabric exit 70, print a stack trace or run past a
// bound. A fixed-seed sample of the CLI fuzzer (scripts/fuzz/cli-run.ts) and a
// table of the nastiest cases, each run through the real CLI
// (bin/fabric.cjs) in a world the fuzzer builds (scripts/fuzz/cli-world.ts).
import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { program } from '../compiler/cli/main.ts';
import { EXIT } from '../compiler/errors.ts';
import { declaredCommands, PATHS } from '../scripts/fuzz/cli-args.ts';
import {
  compiledTree,
  confine,
  DOCUMENTED_EXITS,
  fuzzCli,
  runFabric,
  runProblems,
  type CliFinding,
  type CliRun,
  type Stdin,
} from '../scripts/fuzz/cli-run.ts';
import {
  canMount,
  ENV_VALUES,
  makeWorld,
  MOUNT_STATES,
  openTempDir,
  RUN_AS,
  type OutState,
} from '../scripts/fuzz/cli-world.ts';
import { ensureBundle } from '../scripts/fuzz/external.ts';
import { Rng } from '../scripts/fuzz/prng.ts';
import { installStandins, type Standins } from './fixtures/runner/standins.ts';
import { fromRoot } from './helpers/paths.ts';

const SEED = 20261205;
const RUNS = 16;
/** Only a guard against a hung run on a loaded machine; a hang is what the invariant catches. */
const BOUND_MS = 90_000;

/**
 * Findings in code another branch is rewriting (issue 19), named so the sample does not hide new ones.
 * Each matches a violation's detail; remove an entry once its fix has landed.
 */
const KNOWN: { name: string; detail: RegExp }[] = [];
const known = (f: CliFinding) =>
  f.violations.every((v) => KNOWN.some((k) => k.detail.test(v.detail)))
    ? KNOWN.find((k) => f.violations.some((v) => k.detail.test(v.detail)))
    : undefined;

test('the fuzzer reads every command and option from the program compiler/cli/main.ts declares', () => {
  const shapes = declaredCommands();
  const cli = program();
  assert.equal(
    shapes.filter((s) => s.name).map((s) => s.name),
    cli.commands.map((c) => c.name()),
  );
  const compile = shapes.find((s) => s.name === 'compile')!;
  for (const flag of ['--spec', '--out', '--check', '--verify', '--push', '--json'])
    assert.ok(
      compile.options.some((o) => o.long === flag),
      flag,
    );
  assert.equal(shapes.find((s) => s.name === 'check-routing')!.options.find((o) => o.long === '--via')!.choices, [
    'port-forward',
    'nodeport',
  ]);
});

test('every environment variable the compiler reads is one the fuzzer sets', () => {
  const read = new Set<string>();
  for (const e of readdirSync(fromRoot('compiler'), { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.ts')) continue;
    const text = readFileSync(join(e.parentPath, e.name), 'utf8');
    for (const m of text.matchAll(/\benv\.([A-Z][A-Z0-9_]+)|'([A-Z][A-Z0-9_]+)' in process\.env/g))
      read.add(m[1] ?? m[2]);
  }
  assert.ok(read.has('FABRIC_CACHE_DIR') && read.has('NO_COLOR'), [...read].join(' '));
  assert.equal(
    [...read].filter((name) => !(name in ENV_VALUES)),
    [],
    'add them to ENV_VALUES in scripts/fuzz/cli-world.ts',
  );
});

test('the exit codes the invariant accepts are the ones docs/cli.md lists, without 70', () => {
  const table = readFileSync(fromRoot('docs/cli.md'), 'utf8');
  const documented = [...table.matchAll(/^\| ([0-9]+) \|/gm)].map((m) => Number(m[1]));
  assert.equal(
    documented.filter((c) => c !== EXIT.internal).sort((a, b) => a - b),
    [...DOCUMENTED_EXITS].sort((a, b) => a - b),
  );
  assert.not.ok(DOCUMENTED_EXITS.has(EXIT.internal));
});

test('cases never reach a cluster or the network: apply only plans, push and diff get a local remote, no node ports', () => {
  assert.equal(confine('apply', ['apply', '--', '--yes']), ['apply', '--dry-run', '--', '--yes']);
  assert.equal(confine('traffic', ['traffic', '--duration', '1h']), ['traffic', '--help']);
  assert.equal(confine('push', ['push', '--force']), ['push', '--repo-url', 'remote.git', '--force']);
  assert.equal(confine('check-routing', ['verify', '--via=nodeport']), ['verify', '--via=port-forward']);
});

test('the invariant catches exit 70, a stack trace, a hang and an unexpected signal', () => {
  const base: CliRun = { status: 0, signal: null, stdout: '', stderr: '', ms: 1, timedOut: false, interrupted: false };
  const kinds = (r: Partial<CliRun>) => runProblems({ ...base, ...r }).map((v) => v.invariant);
  assert.equal(kinds({}), []);
  assert.equal(kinds({ status: 70, stderr: 'fabric: internal error: x\n    at f (a.js:1:1)\n' }), [
    'cli-exit-70',
    'cli-stack-trace',
    'cli-internal-error',
  ]);
  assert.equal(kinds({ timedOut: true, status: null }), ['cli-hang']);
  assert.equal(kinds({ status: null, signal: 'SIGABRT' }), ['cli-signal']);
  assert.equal(kinds({ status: 9 }), ['cli-exit-code']);
  assert.equal(kinds({ status: null, stderr: 'spawn failed: EACCES' }), ['cli-not-run']);
});

interface Row {
  name: string;
  argv: string[];
  state?: OutState;
  env?: Record<string, string | undefined>;
  stdin?: Stdin;
  /** The exit code the case must give (beyond the invariant). */
  exit?: number;
  /** Text stderr must hold. */
  says?: RegExp;
  /** A finding in code another branch is rewriting: reported, not failed. */
  knownFailure?: string;
}

/** The nastiest cases; the fuzzer's findings are here as regressions (the commit that fixed each is named). */
const TABLE: Row[] = [
  // b1a2dee: Node's recursive mkdir loops forever on procfs; the stamp's mkdir hung compile.
  {
    name: 'FABRIC_CACHE_DIR under /proc',
    argv: ['compile', PATHS.spec],
    env: { FABRIC_CACHE_DIR: '/proc/x' },
    exit: 0,
  },
  { name: 'HOME under /proc', argv: ['compile', PATHS.spec], env: { HOME: '/proc/x' }, exit: 0 },
  // 98aa78a: push with an unusable cache exited 70 (C4) or hung (/proc).
  {
    name: 'push with FABRIC_CACHE_DIR a file',
    argv: ['push', PATHS.spec],
    env: { FABRIC_CACHE_DIR: PATHS.binary },
    exit: EXIT.toolFailure,
    says: /cannot use fabric's cache directory .*not a directory/,
  },
  {
    name: 'push with FABRIC_CACHE_DIR read-only',
    argv: ['push', PATHS.spec],
    env: { FABRIC_CACHE_DIR: PATHS.readOnlyDir },
    exit: EXIT.toolFailure,
    says: /cannot use fabric's cache directory .*(permission denied|read-only)/,
  },
  {
    name: 'push with FABRIC_CACHE_DIR under /proc',
    argv: ['push', PATHS.spec],
    env: { FABRIC_CACHE_DIR: '/proc/x' },
    exit: EXIT.toolFailure,
    says: /cannot use fabric's cache directory .*does not exist or cannot hold files/,
  },
  // b6b76fd: a FABRIC_GIT_TIMEOUT past Node's longest timer stopped git after 1 ms.
  {
    name: 'FABRIC_GIT_TIMEOUT past the longest timer',
    argv: ['push', PATHS.spec, '--create-branch'],
    env: { FABRIC_GIT_TIMEOUT: '99999999999' },
    // git ran to the end: the push reached the world's bare repository (--repo-url remote.git, from the working directory).
    exit: EXIT.ok,
    says: /remote\.git main/,
  },
  { name: 'spec is a FIFO', argv: ['validate', PATHS.fifo], exit: EXIT.toolFailure },
  { name: 'spec is /dev/zero', argv: ['validate', '/dev/zero'], exit: EXIT.toolFailure },
  {
    name: 'spec from standard input that never ends',
    argv: ['validate', '-'],
    stdin: 'zero',
    exit: EXIT.invalidSpec,
  },
  { name: 'spec is a symlink loop', argv: ['compile', PATHS.loop], exit: EXIT.toolFailure },
  { name: 'spec path too long', argv: ['validate', `${'d/'.repeat(2100)}x`], exit: EXIT.toolFailure },
  { name: 'empty --out', argv: ['compile', PATHS.spec, '--out', ''], exit: EXIT.usage },
  { name: 'out dir is a FIFO', argv: ['compile', PATHS.spec], state: 'fifo', exit: EXIT.toolFailure },
  { name: 'out dir is a file', argv: ['compile', PATHS.spec], state: 'file', exit: EXIT.toolFailure },
  // Found by the CI fuzz run (seed 20261205, sub-seed 2421898222): --check read through the file.
  {
    name: 'out dir is a file, --check',
    argv: ['compile', PATHS.spec, '--check'],
    state: 'file',
    exit: EXIT.toolFailure,
  },
  { name: 'out dir is a dangling symlink', argv: ['compile', PATHS.spec], state: 'dangling' },
  { name: 'out dir is a symlink loop', argv: ['compile', PATHS.spec], state: 'loop' },
  // Run as nobody when the tests run as root (RUN_AS), so this is EACCES, not a root that writes anyway.
  {
    name: 'out dir is read-only',
    argv: ['compile', PATHS.spec],
    state: 'read-only',
    exit: EXIT.toolFailure,
    says: RUN_AS ? /permission denied/ : undefined,
  },
  { name: 'out tree is read-only', argv: ['compile', PATHS.spec], state: 'read-only-tree' },
  {
    name: 'out dir on a read-only file system',
    argv: ['compile', PATHS.spec],
    state: 'read-only-fs',
    exit: EXIT.toolFailure,
  },
  {
    name: 'out dir on a full disk',
    argv: ['compile', PATHS.spec],
    state: 'full',
    exit: EXIT.toolFailure,
  },
  {
    name: 'out dir in a read-only parent',
    argv: ['compile', PATHS.spec],
    state: 'parent-read-only',
    exit: EXIT.toolFailure,
  },
  {
    name: '--out under /proc',
    argv: ['compile', PATHS.spec, '--out', '/proc/x/y'],
    exit: EXIT.toolFailure,
  },
  {
    name: '--out a /proc entry',
    argv: ['compile', PATHS.spec, '--out', '/proc/x'],
    exit: EXIT.toolFailure,
  },
  { name: 'version', argv: ['--version'], exit: EXIT.ok },
  { name: 'unknown command', argv: ['\u202e\u200b'], exit: EXIT.usage },
  { name: 'huge option value', argv: ['compile', '--out', 'é'.repeat(60_000), PATHS.spec], exit: EXIT.toolFailure },
  { name: 'port that is not a number', argv: ['port-forward', 'grafana', '--port', '65536'], exit: EXIT.usage },
  {
    name: 'apply plan with HOME unset and an unwritable TMPDIR',
    argv: ['apply', '--dry-run', PATHS.spec],
    env: { HOME: undefined, TMPDIR: PATHS.readOnlyDir },
  },
  { name: 'relative XDG_CACHE_HOME', argv: ['compile', PATHS.spec], env: { XDG_CACHE_HOME: 'rel/cache' }, exit: 0 },
  { name: 'empty PATH', argv: ['compile', '--verify', PATHS.spec], env: { PATH: '' } },
];

const spec = readFileSync(fromRoot('spec/fabric.yaml'));
let standins: Standins | undefined;
async function world(row: Row) {
  if (!standins) {
    openTempDir();
    standins = await installStandins();
    // Cases may run as another user (cli-world.ts RUN_AS).
    chmodSync(standins.dir, 0o755);
    chmodSync(standins.log, 0o666);
  }
  const tree = compiledTree('spec/fabric.yaml');
  const w = makeWorld(
    new Rng(1),
    row.state ?? 'absent',
    { spec, compiledTree: tree, standinBin: standins.bin, fakeLog: standins.log },
    0,
  );
  for (const [k, v] of Object.entries(row.env ?? {})) {
    // Relative values name the case dir's hostile paths, except where being relative is the point.
    const keep =
      v === undefined ||
      v === '' ||
      v.startsWith('/') ||
      k === 'XDG_CACHE_HOME' ||
      k === 'FABRIC_GIT_TIMEOUT' ||
      k === 'FABRIC_LOCK_TIMEOUT';
    if (v === undefined) delete w.env[k];
    else w.env[k] = keep ? v : join(w.dir, v);
  }
  return w;
}

for (const row of TABLE) {
  test(`invariant: ${row.name}`, async () => {
    ensureBundle();
    if (MOUNT_STATES.includes(row.state ?? 'absent') && !canMount()) {
      if (process.env.CI === 'true') throw new Error('unshare -rm does not work here, and CI must not skip');
      console.log(`# skip ${row.name}: unshare -rm does not work here`);
      return;
    }
    const w = await world(row);
    try {
      const argv = confine(row.argv[0], row.argv);
      const r = await runFabric(argv, {
        cwd: w.dir,
        env: w.env,
        state: row.state ?? 'absent',
        stdin: row.stdin ?? 'null',
        spec,
        boundMs: BOUND_MS,
      });
      const problems = runProblems(r).map((v) => `${v.invariant}: ${v.detail}`);
      if (row.exit !== undefined && r.status !== row.exit)
        problems.push(`exit ${r.status}, want ${row.exit}: ${r.stderr.trim().slice(-600)}`);
      if (row.says && !row.says.test(r.stderr))
        problems.push(`stderr does not say ${row.says}: ${r.stderr.trim().slice(-600)}`);
      if (row.knownFailure) {
        console.log(
          problems.length
            ? `# known failure, ${row.knownFailure}: ${row.name}: ${problems[0].split('\n')[0]}`
            : `# ${row.name} passes now: drop its knownFailure mark`,
        );
        return;
      }
      assert.equal(problems, [], `fabric ${argv.join(' ').slice(0, 200)}`);
    } finally {
      w.cleanup();
    }
  });
}

test(`${RUNS} CLI fuzz cases from seed ${SEED} keep the invariant`, async () => {
  const s = await fuzzCli({ runs: RUNS, seed: SEED, jobs: 2, boundMs: BOUND_MS });
  console.log(
    `# CLI fuzz seed ${SEED}: ${s.runs} runs in ${(s.ms / 1000).toFixed(1)} s; exits ${JSON.stringify(s.byExit)}; slowest ${s.slowest.ms} ms`,
  );
  const open: string[] = [];
  for (const f of s.findings) {
    const k = known(f);
    if (k) console.log(`# known failure, ${k.name}: ${f.reproduction}`);
    else
      open.push(
        `sub-seed ${f.case.subSeed}: ${f.reproduction}\n${f.violations.map((v) => `  ${v.invariant}: ${v.detail}`).join('\n')}`,
      );
  }
  assert.equal(open, [], 'replay one with: npm run fuzz -- --cli-only --replay <sub-seed>');
  assert.is(s.runs, RUNS);
  assert.ok(Object.keys(s.byExit).length >= 3, `the sample reaches few outcomes: ${JSON.stringify(s.byExit)}`);
});

test.run();
