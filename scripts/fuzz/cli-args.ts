// Random argument vectors for the real CLI, built from the commands and
// options compiler/cli/main.ts declares (read from the commander program, so
// a new command or option is fuzzed without touching this file), with
// hostile values: empty, numeric-looking, huge, unicode, option-looking, and
// paths to a FIFO, a directory, /dev/zero, a missing file, a symlink loop.
import type { Command } from 'commander';
import { program } from '../../compiler/cli/main.ts';
import type { Rng } from './prng.ts';

export interface OptionShape {
  /** `--out`, `--no-push`. */
  long: string;
  short?: string;
  takesValue: boolean;
  choices?: readonly string[];
}

export interface CommandShape {
  /** '' for the program itself (only --version and --help). */
  name: string;
  aliases: string[];
  args: { name: string; required: boolean }[];
  options: OptionShape[];
}

/** Every command and option the program declares. */
export function declaredCommands(): CommandShape[] {
  const shape = (c: Command, name: string): CommandShape => ({
    name,
    aliases: c.aliases(),
    args: c.registeredArguments.map((a) => ({ name: a.name(), required: a.required })),
    options: c.options.map((o) => ({
      long: o.long ?? o.flags,
      short: o.short,
      takesValue: o.required || o.optional,
      choices: o.argChoices,
    })),
  });
  const cli = program();
  return [shape(cli, ''), ...cli.commands.map((c) => shape(c, c.name()))];
}

/**
 * Names of the files every case's directory holds (scripts/fuzz/cli-world.ts makes them), relative to it.
 * `spec` is a valid spec; the others are what a path argument should never choke on.
 */
export const PATHS = {
  spec: 'fabric.yaml',
  out: 'out',
  fifo: 'fifo',
  dir: 'dir',
  binary: 'binary.bin',
  missing: 'missing/fabric.yaml',
  loop: 'loop',
  dangling: 'dangling',
  readOnlyDir: 'ro',
  inReadOnlyDir: 'ro/out',
  cache: 'cache',
  unwritable: 'ro',
} as const;

/** Values that are not paths: empty, numeric-looking, huge, unicode, option-looking. */
const ODD_VALUES = [
  '',
  ' ',
  '0',
  '-1',
  '1',
  '08',
  '1e3',
  '0x10',
  '65535',
  '65536',
  '99999999999999999999',
  'NaN',
  'Infinity',
  'true',
  '-',
  '--',
  '--json',
  '-h',
  '15m',
  '0s',
  '1h30m',
  '999999999h',
  'grafana',
  'argocd',
  'mimir-dev',
  'loki-prod',
  'tempo-nowhere',
  'port-forward',
  'nodeport',
  'ünïcødé-分支',
  '\u202e\u200b',
  '😀',
  'a\nb',
  'line\r',
  '$(touch pwned)',
  '`id`',
  "'; rm -rf / #",
  '../../etc/passwd',
  '%s%n',
  'main',
  'refs/heads/x',
  'HEAD~1',
  '.lock',
];

const PATH_VALUES = [
  ...Object.values(PATHS),
  './fabric.yaml',
  '/dev/zero',
  '/dev/null',
  '/dev/full',
  '/',
  '/proc/x',
  '/proc/x/y',
  '/proc/self/status',
  'dir/',
  'fifo/x',
  `${'n'.repeat(300)}/fabric.yaml`,
  `${'d/'.repeat(2100)}x`,
];

const COMMAND_WEIGHT: Record<string, number> = { compile: 5, validate: 2 };

/** A huge value (still under the kernel's 128 KiB per argument). */
const huge = (rng: Rng) => rng.pick(['x', 'é', '/', '9', '-']).repeat(rng.pick([1000, 20_000, 60_000]));

export function hostileValue(rng: Rng, opt?: OptionShape): string {
  if (opt?.choices && rng.chance(0.5)) return rng.pick(opt.choices);
  return rng.weighted<() => string>([
    [4, () => rng.pick(PATH_VALUES)],
    [4, () => rng.pick(ODD_VALUES)],
    [1, () => huge(rng)],
  ])();
}

/** A value that tends to get a command past argument parsing (the deeper code paths). */
function plausibleValue(rng: Rng, name: string, opt?: OptionShape): string {
  if (opt?.choices) return rng.pick(opt.choices);
  switch (name) {
    case 'spec':
    case '--spec':
      return PATHS.spec;
    case '--out':
      return PATHS.out;
    case 'target':
      return rng.pick(['grafana', 'argocd', 'mimir-dev', 'loki-dev', 'tempo-prod']);
    case '--port':
      return String(rng.int(20000, 60000));
    case '--parallel':
      return String(rng.int(1, 4));
    case '--timeout':
      return rng.pick(['1s', '2s']);
    case '--branch':
      return rng.pick(['main', 'fuzz-branch']);
    case '--path':
      return rng.pick(['', 'clusters', 'a/b']);
    case '--message':
      return 'fuzz commit';
    default:
      return 'x';
  }
}

export interface ArgVector {
  command: string;
  argv: string[];
}

/** A random argument vector for one of the declared commands (or a wrong one). */
export function makeArgv(rng: Rng, commands: CommandShape[]): ArgVector {
  const root = commands.find((c) => c.name === '')!;
  const real = commands.filter((c) => c.name !== '');
  const kind = rng.weighted<'root' | 'unknown' | 'command'>([
    [1, 'root'],
    [1, 'unknown'],
    [18, 'command'],
  ]);
  if (kind === 'root') {
    const flags = [...root.options.flatMap((o) => [o.long, o.short ?? o.long]), '--help', '-h', '--bogus', '-'];
    return { command: '', argv: rng.chance(0.2) ? [] : [rng.pick(flags), ...(rng.chance(0.3) ? ['x'] : [])] };
  }
  if (kind === 'unknown') return { command: '', argv: [hostileValue(rng), ...(rng.chance(0.5) ? ['--json'] : [])] };

  // The spec's way in (validate, compile) is where most input goes; every command still gets its share.
  const cmd = rng.weighted(real.map((c) => [COMMAND_WEIGHT[c.name] ?? 1, c] as const));
  const argv: string[] = [rng.chance(0.85) ? cmd.name : rng.pick([cmd.name, ...cmd.aliases])];
  // Hostile values are the point, but a run that always fails at parsing tests only the parser.
  const hostility = rng.pick([0.1, 0.3, 0.7]);
  const value = (name: string, opt?: OptionShape) =>
    rng.chance(hostility) ? hostileValue(rng, opt) : plausibleValue(rng, name, opt);
  const parts: string[][] = [];
  for (const a of cmd.args) if (a.required || rng.chance(0.5)) parts.push([value(a.name)]);
  if (rng.chance(0.05)) parts.push([hostileValue(rng)]);
  for (const o of cmd.options) {
    if (!rng.chance(o.long === '--spec' ? 0.4 : 0.3)) continue;
    const flag = o.short && rng.chance(0.3) ? o.short : o.long;
    if (!o.takesValue) parts.push([flag]);
    else if (rng.chance(0.15)) parts.push([`${o.long}=${value(o.long, o)}`]);
    else if (rng.chance(0.03)) parts.push([flag]);
    else parts.push([flag, value(o.long, o)]);
    if (rng.chance(0.05)) parts.push([o.long, ...(o.takesValue ? [value(o.long, o)] : [])]);
  }
  if (rng.chance(0.03)) parts.push([rng.pick(['--help', '-h'])]);
  if (rng.chance(0.03)) parts.push([rng.pick(['--bogus', '--jsn', '-z', '--out=x'])]);
  if (rng.chance(0.02)) parts.push(['--', hostileValue(rng)]);
  for (const p of rng.shuffle(parts)) argv.push(...p);
  return { command: cmd.name, argv };
}
