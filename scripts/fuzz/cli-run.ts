// The CLI fuzz loop: each case is an argument vector (cli-args.ts), an
// environment and an out-dir state (cli-world.ts), all derived from its
// sub-seed; the real CLI runs it as a child process and must end within a
// bound, with a documented exit code (never 70) and no stack trace.
// Commands that need a cluster run against the runner stand-ins
// (tests/fixtures/runner/standins.ts) or as --dry-run; git may use local
// repositories only (cli-world.ts seals the environment).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../compiler/errors.ts';
import { installStandins } from '../../tests/fixtures/runner/standins.ts';
import { declaredCommands, makeArgv, PATHS, type CommandShape } from './cli-args.ts';
import {
  canMount,
  makeWorld,
  openTempDir,
  MOUNT_STATES,
  OUT_STATES,
  RUN_AS,
  wrapForState,
  type OutState,
} from './cli-world.ts';
import { ensureBundle } from './external.ts';
import { Rng, subSeed } from './prng.ts';
import type { Violation } from './violation.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;
const BIN = join(repoRoot, 'bin/fabric.cjs');

/** Exit codes docs/cli.md documents for a run that is not a bug (EXIT without `internal`). */
export const DOCUMENTED_EXITS = new Set<number>(Object.values(EXIT).filter((c) => c !== EXIT.internal));
export const STACK_FRAME = /^ {4}at /m;
/** Long-running by design: interrupted after this long, then it must exit 0 or 130. */
const INTERRUPT_AFTER_MS = 4000;

export type Stdin = 'spec' | 'empty' | 'null' | 'zero';

export interface CliCase {
  index: number;
  subSeed: number;
  command: string;
  argv: string[];
  outState: OutState;
  stdin: Stdin;
  /** Two runs of the same compile at once into one out dir. */
  concurrent: boolean;
  envShare: number;
}

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
  interrupted: boolean;
}

/** The case a sub-seed stands for. */
export function makeCliCase(index: number, seed: number, commands: CommandShape[]): CliCase {
  const rng = new Rng(seed);
  const { command, argv } = makeArgv(rng, commands);
  const concurrent = command === 'compile' && rng.chance(0.08);
  return {
    index,
    subSeed: seed,
    command,
    argv: confine(command, argv),
    outState: concurrent ? rng.pick(['absent', 'compiled'] as const) : rng.pick(OUT_STATES),
    stdin: rng.pick(['spec', 'empty', 'null', 'zero'] as const),
    concurrent,
    envShare: rng.pick([0, 0.1, 0.3]),
  };
}

/**
 * Keeps a case off real clusters and the network: traffic only prints its help; apply always plans only (--dry-run right after the
 * command name, where no earlier option can swallow it); check-routing never reaches node ports (that
 * leaves loopback); push and diff get a local bare repository first (a later --repo-url still wins, and git
 * may use the file protocol only).
 */
export function confine(command: string, argv: string[]): string[] {
  const [name, ...rest] = argv;
  switch (command) {
    case 'apply':
      return [name, '--dry-run', ...rest];
    case 'traffic':
      // It would send requests to the spec's app URLs (member IPs off this machine): only its help runs.
      return [name, '--help'];
    case 'check-routing':
      return [name, ...rest.map((a) => (/nodeport/.test(a) ? a.replace(/nodeport/g, 'port-forward') : a))];
    case 'push':
    case 'diff':
      return [name, '--repo-url', 'remote.git', ...rest];
    default:
      return argv;
  }
}

/** `node bin/fabric.cjs argv` in the case dir; killed (a hang) at `boundMs`. */
export function runFabric(
  argv: string[],
  o: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    state: OutState;
    stdin: Stdin;
    spec: Buffer;
    boundMs: number;
    interruptMs?: number;
  },
): Promise<CliRun> {
  const started = Date.now();
  const command = wrapForState(o.state, o.cwd, [process.execPath, BIN, ...argv]);
  const zero = o.stdin === 'zero' ? openSync('/dev/zero', 'r') : undefined;
  const child = spawn(command[0], command.slice(1), {
    cwd: o.cwd,
    env: o.env,
    stdio: [zero ?? (o.stdin === 'null' ? 'ignore' : 'pipe'), 'pipe', 'pipe'],
    ...(RUN_AS ?? {}),
  });
  if (zero !== undefined) closeSync(zero);
  if (child.stdin) {
    child.stdin.on('error', () => {});
    child.stdin.end(o.stdin === 'spec' ? o.spec : undefined);
  }
  const run: CliRun = {
    status: null,
    signal: null,
    stdout: '',
    stderr: '',
    ms: 0,
    timedOut: false,
    interrupted: false,
  };
  // Enough to see a stack trace; a run that prints megabytes (C1) is not kept whole.
  const keep = (s: string, d: Buffer) => (s.length > 1_000_000 ? s : s + d.toString('utf8'));
  child.stdout!.on('data', (d: Buffer) => (run.stdout = keep(run.stdout, d)));
  child.stderr!.on('data', (d: Buffer) => (run.stderr = keep(run.stderr, d)));
  const timers = [
    setTimeout(() => {
      run.timedOut = true;
      child.kill('SIGKILL');
    }, o.boundMs),
  ];
  if (o.interruptMs !== undefined)
    timers.push(
      setTimeout(() => {
        run.interrupted = true;
        child.kill('SIGINT');
      }, o.interruptMs),
    );
  return new Promise((resolve) => {
    child.on('close', (status, signal) => {
      for (const t of timers) clearTimeout(t);
      Object.assign(run, { status, signal, ms: Date.now() - started });
      resolve(run);
    });
    child.on('error', (e) => {
      for (const t of timers) clearTimeout(t);
      Object.assign(run, { stderr: `${run.stderr}\nspawn failed: ${e.message}`, ms: Date.now() - started });
      resolve(run);
    });
  });
}

/** The invariant: ends within the bound, a documented exit code (never 70), no stack trace. */
export function runProblems(r: CliRun): Violation[] {
  const out: Violation[] = [];
  const tail = (s: string) => s.trim().split('\n').slice(-8).join('\n').slice(0, 2000);
  if (r.timedOut) return [{ invariant: 'cli-hang', detail: `still running after ${r.ms} ms:\n${tail(r.stderr)}` }];
  // The harness failed (no process, or the mount wrapper gave up): the case tested nothing.
  if (r.status === null && r.signal === null) return [{ invariant: 'cli-not-run', detail: tail(r.stderr) }];
  if (/^mount: /m.test(r.stderr)) return [{ invariant: 'cli-not-run', detail: tail(r.stderr) }];
  if (r.signal && !(r.interrupted && r.signal === 'SIGINT'))
    out.push({ invariant: 'cli-signal', detail: `killed by ${r.signal}:\n${tail(r.stderr)}` });
  if (r.status === EXIT.internal) out.push({ invariant: 'cli-exit-70', detail: tail(r.stderr) });
  else if (r.status !== null && !DOCUMENTED_EXITS.has(r.status))
    out.push({ invariant: 'cli-exit-code', detail: `exit ${r.status}:\n${tail(r.stderr)}` });
  if (r.interrupted && r.status !== null && r.status !== EXIT.ok && r.status !== EXIT.interrupted)
    out.push({ invariant: 'cli-interrupt', detail: `exit ${r.status} after SIGINT:\n${tail(r.stderr)}` });
  for (const [name, text] of [
    ['stderr', r.stderr],
    ['stdout', r.stdout],
  ] as const) {
    if (STACK_FRAME.test(text)) out.push({ invariant: 'cli-stack-trace', detail: `${name}:\n${tail(text)}` });
    if (/internal error/i.test(text)) out.push({ invariant: 'cli-internal-error', detail: `${name}:\n${tail(text)}` });
  }
  return out;
}

export interface CliFuzzOptions {
  runs: number;
  seed: number;
  only?: number;
  /** Per-run bound (a run still going is a hang). */
  boundMs?: number;
  /** Cases run at once. */
  jobs?: number;
  log?: (line: string) => void;
}

export interface CliFinding {
  case: CliCase;
  violations: Violation[];
  reproduction: string;
}

export interface CliFuzzSummary {
  runs: number;
  byCommand: Record<string, number>;
  byExit: Record<string, number>;
  byState: Record<string, number>;
  /** Cases whose mount state could not be made here (no unshare): run with the out dir absent instead. */
  mountSkipped: number;
  findings: CliFinding[];
  ms: number;
  slowest: { subSeed: number; ms: number };
}

/** A shell line that gives the same run (the case dir as the fuzzer made it: see scripts/fuzz/cli-world.ts). */
export function reproduction(c: CliCase, envChanges: Record<string, string | undefined>, dir: string): string {
  const q = (s: string) => (/^[\w./=:-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`).slice(0, 200)}'`);
  const env = Object.entries(envChanges).map(([k, v]) =>
    v === undefined ? `-u ${k}` : `${k}=${q(v.replace(dir, '.'))}`,
  );
  return [
    `[out: ${c.outState}${c.concurrent ? ', two at once' : ''}; stdin: ${c.stdin}]`,
    ...(env.length ? ['env', ...env] : []),
    'fabric',
    ...c.argv.map(q),
  ].join(' ');
}

const compiledTrees = new Map<string, string>();
/** The reference spec compiled once (the `compiled` states copy it). */
export function compiledTree(specPath: string): string {
  if (!compiledTrees.has(specPath)) {
    const dir = mkdtempSync(join(tmpdir(), 'fabric-fuzz-tree-'));
    const r = spawnSync(process.execPath, [BIN, 'compile', '--spec', specPath, '--out', join(dir, 'out')], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, FABRIC_NO_STAMP: '1', NO_COLOR: '1' },
    });
    if (r.status !== 0) throw new Error(`compiling ${specPath} for the fuzz worlds failed:\n${r.stderr}`);
    compiledTrees.set(specPath, join(dir, 'out'));
  }
  return compiledTrees.get(specPath)!;
}

export async function fuzzCli(opts: CliFuzzOptions): Promise<CliFuzzSummary> {
  const log = opts.log ?? (() => {});
  const started = Date.now();
  ensureBundle();
  const commands = declaredCommands();
  openTempDir();
  const standins = await installStandins();
  // The stand-ins' directory is private to the fuzzer's user; cases may run as another.
  chmodSync(standins.dir, 0o755);
  chmodSync(standins.log, 0o666);
  const specPath = 'spec/fabric.yaml';
  const spec = readFileSync(join(repoRoot, specPath));
  const tree = compiledTree(specPath);
  const mount = canMount();
  const summary: CliFuzzSummary = {
    runs: 0,
    byCommand: {},
    byExit: {},
    byState: {},
    mountSkipped: 0,
    findings: [],
    ms: 0,
    slowest: { subSeed: 0, ms: 0 },
  };
  const count = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);
  const boundMs = opts.boundMs ?? 60_000;

  const one = async (index: number) => {
    const c = makeCliCase(index, opts.only ?? subSeed(opts.seed, index), commands);
    if (!mount && MOUNT_STATES.includes(c.outState)) {
      summary.mountSkipped++;
      c.outState = 'absent';
    }
    const rng = new Rng(c.subSeed ^ 0x5eed);
    const world = makeWorld(
      rng,
      c.outState,
      { spec, compiledTree: tree, standinBin: standins.bin, fakeLog: standins.log },
      c.envShare,
    );
    try {
      const o = {
        cwd: world.dir,
        env: world.env,
        state: c.outState,
        stdin: c.stdin,
        spec,
        boundMs,
        interruptMs: c.command === 'port-forward' ? INTERRUPT_AFTER_MS : undefined,
      };
      const runs = c.concurrent
        ? await Promise.all([
            runFabric(['compile', '--spec', PATHS.spec, '--out', PATHS.out], o),
            runFabric(['compile', '--spec', PATHS.spec, '--out', PATHS.out], o),
          ])
        : [await runFabric(c.argv, o)];
      const violations = runs.flatMap(runProblems);
      if (c.concurrent && runs.every((r) => r.status === EXIT.ok)) {
        // Both say they wrote the tree: it must be whole.
        const check = await runFabric(['compile', '--check', '--spec', PATHS.spec, '--out', PATHS.out], o);
        if (check.status !== EXIT.ok)
          violations.push({
            invariant: 'cli-concurrent-tree',
            detail: `two compiles exited 0, then compile --check exits ${check.status}:\n${check.stderr.trim().split('\n').slice(0, 6).join('\n')}`,
          });
      }
      summary.runs++;
      count(summary.byCommand, c.concurrent ? 'compile (two at once)' : c.command || '(none)');
      for (const r of runs) count(summary.byExit, r.timedOut ? 'timeout' : String(r.status ?? r.signal));
      count(summary.byState, c.outState);
      const ms = Math.max(...runs.map((r) => r.ms));
      if (ms > summary.slowest.ms) summary.slowest = { subSeed: c.subSeed, ms };
      if (violations.length) {
        const finding = { case: c, violations, reproduction: reproduction(c, world.envChanges, world.dir) };
        summary.findings.push(finding);
        log(`case ${index} sub-seed ${c.subSeed}: ${finding.reproduction}`);
        for (const v of violations) log(`  ${v.invariant}: ${v.detail.split('\n').join('\n    ')}`);
      }
    } finally {
      world.cleanup();
    }
  };

  const indexes = opts.only !== undefined ? [0] : Array.from({ length: opts.runs }, (_, i) => i);
  let next = 0;
  const worker = async () => {
    while (next < indexes.length) await one(indexes[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.jobs ?? 2) }, worker));
  summary.ms = Date.now() - started;
  return summary;
}
