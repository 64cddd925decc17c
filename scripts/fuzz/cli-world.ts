// The world one CLI fuzz case runs in: a temp directory holding a valid spec
// and the hostile paths scripts/fuzz/cli-args.ts names (a FIFO, a directory,
// a symlink loop, a dangling symlink, a read-only directory), the state of the
// out dir (read-only, a file, a symlink, a FIFO, a full or read-only file
// system, a concurrent run), and the environment variables fabric reads.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PATHS } from './cli-args.ts';
import type { Rng } from './prng.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * File-system states of the out dir. `full` and `read-only-fs` mount a tiny tmpfs or a read-only bind
 * mount over it in a user and mount namespace of the run (unshare -rm), so they need unshare.
 */
export const OUT_STATES = [
  'absent',
  'compiled',
  'empty',
  'read-only',
  'read-only-tree',
  'parent-read-only',
  'file',
  'symlink',
  'dangling',
  'fifo',
  'loop',
  'full',
  'read-only-fs',
] as const;
export type OutState = (typeof OUT_STATES)[number];
export const MOUNT_STATES: readonly OutState[] = ['full', 'read-only-fs'];

/** What a case may set each environment variable fabric reads to (`undefined`: unset). Paths are relative to the case dir. */
export const ENV_VALUES: Record<string, (string | undefined)[]> = {
  NO_COLOR: ['', '1', '0', undefined],
  FORCE_COLOR: ['0', '1', '3', 'yes', ''],
  TERM: ['dumb', 'xterm-256color', ''],
  FABRIC_CACHE_DIR: [
    PATHS.binary,
    PATHS.readOnlyDir,
    'missing/cache',
    PATHS.fifo,
    PATHS.dangling,
    PATHS.loop,
    'relative-cache',
    '',
    '/proc/x',
    '/proc/x/y',
    '/dev/null',
  ],
  FABRIC_SPEC: [PATHS.fifo, '/dev/zero', PATHS.missing, ''],
  FABRIC_NO_STAMP: ['1', '', '0'],
  FABRIC_GIT_TIMEOUT: ['0', '-1', 'abc', '1e9', '', '0.001', '99999999999'],
  FABRIC_LOCK_TIMEOUT: ['0', '-1', 'abc', '', '99999999999'],
  XDG_CACHE_HOME: ['rel/cache', PATHS.readOnlyDir, PATHS.binary, '', PATHS.fifo],
  HOME: [undefined, PATHS.readOnlyDir, 'missing-home', '', PATHS.binary, '/proc/x'],
  TMPDIR: [PATHS.readOnlyDir, 'missing-tmp', PATHS.binary, ''],
  MINIKUBE_HOME: [PATHS.binary, PATHS.readOnlyDir, 'missing-mk', ''],
  PATH: ['', '/nonexistent'],
  // Still no network: git may use the file protocol only (SEALED_ENV).
  GIT_SSH_COMMAND: ['false', '', 'missing-ssh'],
  GIT_SSH: ['', '/nonexistent/ssh'],
};

/** Variables that keep a case off the network whatever it does: git may use only local repositories. */
const SEALED_ENV = {
  GIT_ALLOW_PROTOCOL: 'file',
  GIT_TERMINAL_PROMPT: '0',
  GIT_SSH_COMMAND: 'false',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'fuzz',
  GIT_AUTHOR_EMAIL: 'fuzz@example.invalid',
  GIT_COMMITTER_NAME: 'fuzz',
  GIT_COMMITTER_EMAIL: 'fuzz@example.invalid',
  HTTP_PROXY: 'http://127.0.0.1:9',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  ALL_PROXY: 'http://127.0.0.1:9',
  NO_PROXY: '',
};

/** When the fuzzer runs as root, cases run as this user, so permission bits mean what they mean to a user. */
export const RUN_AS = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;

const UNSHARE = '/usr/bin/unshare';
/** The case's PATH may be empty: the wrapper finds mount on its own. */
const SYS_PATH = 'PATH=/usr/sbin:/usr/bin:/sbin:/bin';

export interface World {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** The env variables the case changed, for the reproduction. */
  envChanges: Record<string, string | undefined>;
  outState: OutState;
  cleanup(): void;
}

const sh = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error?.message}`);
};

/** Whether this machine can make user and mount namespaces (for the mount states). */
let unshareWorks: boolean | undefined;
export function canMount(): boolean {
  unshareWorks ??= spawnSync(UNSHARE, ['-rm', 'true'], { ...(RUN_AS ?? {}), timeout: 10_000 }).status === 0;
  return unshareWorks;
}

export interface WorldOptions {
  /** The spec's bytes, and a compiled tree of it to copy for the `compiled` states. */
  spec: Buffer;
  compiledTree: string;
  /** Directory of the runner stand-ins (first on PATH) and their log. */
  standinBin: string;
  fakeLog: string;
}

/** A fresh case directory with every hostile path, the out dir in `outState`, and the environment. */
export function makeWorld(rng: Rng, outState: OutState, o: WorldOptions, envShare: number): World {
  openTempDir();
  const dir = mkdtempSync(join(tmpdir(), 'fabric-fuzz-cli-'));
  const at = (p: string) => join(dir, p);
  writeFileSync(at(PATHS.spec), o.spec);
  mkfifo(at(PATHS.fifo));
  mkdirSync(at(PATHS.dir));
  writeFileSync(at(PATHS.binary), Buffer.from([0xff, 0xfe, 0, 1, 2, 0x0a, 0x80]));
  symlinkSync('loop2', at(PATHS.loop));
  symlinkSync(PATHS.loop, at('loop2'));
  symlinkSync('nowhere/at/all', at(PATHS.dangling));
  mkdirSync(at(PATHS.readOnlyDir));
  mkdirSync(at('home'));
  mkdirSync(at('tmp'));
  mkdirSync(at('remote.git'));
  sh('git', ['init', '-q', '--bare', '-b', 'main', at('remote.git')]);

  const out = at(PATHS.out);
  switch (outState) {
    case 'absent':
    case 'parent-read-only':
      break;
    case 'compiled':
    case 'read-only':
    case 'read-only-tree':
    case 'read-only-fs':
      cpSync(o.compiledTree, out, { recursive: true });
      break;
    case 'empty':
    case 'full':
      mkdirSync(out);
      break;
    case 'file':
      writeFileSync(out, 'not a directory\n');
      break;
    case 'symlink':
      cpSync(o.compiledTree, at('elsewhere'), { recursive: true });
      symlinkSync('elsewhere', out);
      break;
    case 'dangling':
      symlinkSync('nowhere', out);
      break;
    case 'fifo':
      mkfifo(out);
      break;
    case 'loop':
      symlinkSync(PATHS.loop, out);
      break;
  }
  if (RUN_AS) sh('chown', ['-R', `${RUN_AS.uid}:${RUN_AS.gid}`, dir]);
  chmodSync(at(PATHS.readOnlyDir), 0o555);
  if (outState === 'read-only') chmodSync(out, 0o555);
  if (outState === 'read-only-tree') sh('chmod', ['-R', 'a-w', out]);

  const env: NodeJS.ProcessEnv = {
    PATH: `${o.standinBin}:/usr/bin:/bin`,
    HOME: at('home'),
    TMPDIR: at('tmp'),
    LANG: 'C.UTF-8',
    MINIKUBE_HOME: at('mk'),
    FAKE_LOG: o.fakeLog,
    ...SEALED_ENV,
  };
  const envChanges: Record<string, string | undefined> = {};
  for (const [name, values] of Object.entries(ENV_VALUES)) {
    if (!rng.chance(envShare)) continue;
    const v = rng.pick(values);
    // Paths in the table are relative to the case dir unless absolute (a relative value is kept only where
    // being relative is the point).
    const value =
      v === undefined || v === '' || v.startsWith('/') || name === 'XDG_CACHE_HOME' || v === 'relative-cache'
        ? v
        : [
              'NO_COLOR',
              'FORCE_COLOR',
              'TERM',
              'FABRIC_NO_STAMP',
              'FABRIC_GIT_TIMEOUT',
              'PATH',
              'GIT_SSH_COMMAND',
            ].includes(name)
          ? v
          : at(v);
    envChanges[name] = value;
    if (value === undefined) delete env[name];
    else env[name] = name === 'PATH' && value ? `${o.standinBin}:${value}` : value;
  }
  // Last: a read-only case dir also stops the setup above.
  if (outState === 'parent-read-only') chmodSync(dir, 0o555);
  return {
    dir,
    env,
    envChanges,
    outState,
    cleanup: () => {
      spawnSync('chmod', ['-R', 'u+w', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Cases that run as RUN_AS resolve absolute paths through the temp dir and reach fabric's bundle in this
 * checkout: private directories of ours on those paths (the test runner's temp dir, a clone made in
 * `mktemp -d`) get search permission for others, or every run would fail with EACCES or MODULE_NOT_FOUND
 * and test nothing. Search only: nobody can list them.
 */
export function openTempDir(): void {
  if (!RUN_AS) return;
  for (const start of [tmpdir(), repoRoot])
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const st = statSync(dir);
      if (st.uid === process.getuid?.() && (st.mode & 0o001) === 0) chmodSync(dir, (st.mode & 0o7777) | 0o011);
      if (dir === dirname(dir)) break;
    }
}

function mkfifo(path: string): void {
  sh('mkfifo', [path]);
}

/**
 * The command that runs `argv` in the world: under unshare with the mount the state needs (the out dir on a
 * 256 KiB tmpfs, or bind-mounted read-only), otherwise as it is.
 */
export function wrapForState(state: OutState, dir: string, argv: string[]): string[] {
  const out = join(dir, PATHS.out);
  if (state === 'full')
    return [
      UNSHARE,
      '-rm',
      '/bin/sh',
      '-c',
      `${SYS_PATH} mount -t tmpfs -o size=256k fuzz "$0" && exec "$@"`,
      out,
      ...argv,
    ];
  if (state === 'read-only-fs')
    return [
      UNSHARE,
      '-rm',
      '/bin/sh',
      '-c',
      `${SYS_PATH} mount --bind "$0" "$0" && ${SYS_PATH} mount -o remount,bind,ro "$0" && exec "$@"`,
      out,
      ...argv,
    ];
  return argv;
}
