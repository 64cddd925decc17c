// Real git remotes for the push tests: bare repositories on disk, the same
// served by `git daemon` on 127.0.0.1, and servers that fail the ways real
// remotes do (asking for credentials, never answering). Git runs with a
// throwaway HOME and global config, so the developer's git setup is not used.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { MANIFEST_PATH, type Manifest, type RenderedFile } from '../../compiler/emit-types.ts';
import { PushError } from '../../compiler/push/index.ts';
import { fromRoot } from './paths.ts';

const execFileAsync = promisify(execFile);

export interface Sandbox {
  root: string;
  /** Writes the throwaway global git config (empty by default: no identity). */
  setGlobalConfig(text: string): void;
  restore(): void;
}

const ISOLATED_VARS = [
  'HOME',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_NOSYSTEM',
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'FABRIC_CACHE_DIR',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'EMAIL',
];

/** A temp dir that is HOME with an empty global git config; restore() puts the environment back. */
export function sandbox(): Sandbox {
  const root = mkdtempSync(path.join(os.tmpdir(), 'fabric-push-'));
  const saved = Object.fromEntries(ISOLATED_VARS.map((k) => [k, process.env[k]]));
  for (const k of ISOLATED_VARS) delete process.env[k];
  const globalConfig = path.join(root, 'gitconfig');
  writeFileSync(globalConfig, '');
  Object.assign(process.env, {
    HOME: path.join(root, 'home'),
    GIT_CONFIG_GLOBAL: globalConfig,
    GIT_CONFIG_NOSYSTEM: '1',
    XDG_CONFIG_HOME: path.join(root, 'home', '.config'),
  });
  return {
    root,
    setGlobalConfig: (text) => writeFileSync(globalConfig, text),
    restore() {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

// Commits made by the tests themselves (the "other writers") carry this identity.
const OTHER_WRITER = ['-c', 'user.name=Other Writer', '-c', 'user.email=other@example.test'];

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', args, {
    cwd,
    env: { ...process.env, LC_ALL: 'C' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/** A bare repository; with `files`, its `branch` starts with one commit holding them. */
export async function bareRepo(dir: string, files?: Record<string, string>, branch = 'main'): Promise<string> {
  await mkdir(dir, { recursive: true });
  await git(dir, 'init', '--quiet', '--bare', `--initial-branch=${branch}`);
  if (files) await commitTo(dir, branch, files, 'seed the repository');
  return dir;
}

let scratchCounter = 0;

/**
 * Another writer: clones `url`, applies `changes` (null deletes a file), commits
 * as Other Writer and pushes. Returns the new commit.
 */
/** The reference spec, written into `dir`, with its git.repoURL pointed at a new bare repository there (its main branch holds one file of people's). */
export async function referenceSpecPushingTo(dir: string): Promise<{ spec: string; text: string; remote: string }> {
  const remote = await bareRepo(path.join(dir, 'remote.git'), { 'NOTES.md': 'kept by people, not by fabric\n' });
  const spec = path.join(dir, 'fabric.yaml');
  const text = readFileSync(fromRoot('spec/fabric.yaml'), 'utf8').replace(
    'https://github.com/you/fabric-gitops.git',
    `file://${remote}`,
  );
  writeFileSync(spec, text);
  return { spec, text, remote };
}

export async function commitTo(
  url: string,
  branch: string,
  changes: Record<string, string | null>,
  message: string,
): Promise<string> {
  const work = path.join(os.tmpdir(), `fabric-writer-${process.pid}-${++scratchCounter}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    await git(work, 'init', '--quiet');
    await git(work, 'fetch', '--quiet', url, `+refs/heads/${branch}:refs/remotes/origin/${branch}`).then(
      () => git(work, 'checkout', '--quiet', '--detach', `origin/${branch}`),
      () => undefined, // a new branch: commit on the unborn one
    );
    for (const [file, contents] of Object.entries(changes)) {
      const target = path.join(work, file);
      if (contents === null) await rm(target);
      else {
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, contents);
      }
    }
    await git(work, 'add', '--all', '--force');
    await git(work, ...OTHER_WRITER, 'commit', '--quiet', '-m', message);
    await git(work, 'push', '--quiet', url, `HEAD:refs/heads/${branch}`);
    return (await git(work, 'rev-parse', 'HEAD')).trim();
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export async function remoteHead(bare: string, branch = 'main'): Promise<string | null> {
  return git(bare, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`).then(
    (s) => s.trim(),
    () => null,
  );
}

export async function remoteFiles(bare: string, branch = 'main'): Promise<string[]> {
  return (await git(bare, 'ls-tree', '-r', '--name-only', branch)).split('\n').filter(Boolean).sort();
}

export async function remoteFile(bare: string, file: string, branch = 'main'): Promise<string> {
  return git(bare, 'show', `${branch}:${file}`);
}

export async function commitCount(bare: string, branch = 'main'): Promise<number> {
  return Number((await git(bare, 'rev-list', '--count', branch)).trim());
}

/** Subjects of the branch's history, newest first. */
export async function subjects(bare: string, branch = 'main'): Promise<string[]> {
  return (await git(bare, 'log', '--format=%s', branch)).split('\n').filter(Boolean);
}

/** A compiled tree as the compiler hands it over: the files plus the manifest that lists them. */
export function tree(files: Record<string, string>, spec = 'spec/fabric.yaml'): RenderedFile[] {
  const paths = [...Object.keys(files), MANIFEST_PATH].sort();
  const specHash = createHash('sha256').update(JSON.stringify(files)).digest('hex');
  const manifest: Manifest = { generator: 'fabric', spec, specHash, files: paths };
  return [
    ...Object.entries(files).map(([p, contents]) => ({ path: p, contents })),
    { path: MANIFEST_PATH, contents: JSON.stringify(manifest, null, 2) + '\n' },
  ];
}

export interface Served {
  /** git://127.0.0.1:<port>/ ; append the repository's path under the base directory. */
  url: string;
  close(): Promise<void>;
}

function listen(server: net.Server | http.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
}

function closer(server: net.Server | http.Server, sockets: Set<net.Socket>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

/**
 * `git daemon` serving `baseDir` read-write on 127.0.0.1. Each connection runs
 * `git daemon --inetd`, so the port is the one Node picked: no free-port race.
 */
export async function gitDaemon(baseDir: string): Promise<Served> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const daemon = spawn(
      'git',
      ['daemon', '--inetd', '--export-all', '--enable=receive-pack', `--base-path=${baseDir}`],
      { stdio: ['pipe', 'pipe', 'ignore'] },
    );
    socket.pipe(daemon.stdin);
    daemon.stdout.pipe(socket);
    daemon.stdin.on('error', () => undefined);
    socket.on('error', () => daemon.kill());
    socket.on('close', () => {
      sockets.delete(socket);
      daemon.kill();
    });
    // 'close', not 'exit': the daemon may exit before its last output has been read and piped on, and
    // ending the socket then cut a push's report short ("unexpected disconnect while reading sideband packet").
    daemon.on('close', () => socket.end());
  });
  const port = await listen(server);
  return { url: `git://127.0.0.1:${port}/`, close: closer(server, sockets) };
}

/** An HTTP remote that wants credentials for everything (401 with a Basic challenge). */
export async function authRequiredServer(): Promise<Served> {
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => {
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fabric-test"', 'Content-Type': 'text/plain' });
    res.end('credentials required\n');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}/`, close: closer(server, sockets) };
}

/** A TCP port that accepts connections and never says a word. */
export async function silentServer(): Promise<Served> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  const port = await listen(server);
  return { url: `git://127.0.0.1:${port}/`, close: closer(server, sockets) };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The PushError a push fails with (and a test failure when it succeeds). */
export async function pushError(p: Promise<unknown>): Promise<PushError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PushError) return e;
    throw e;
  }
  throw new Error('expected the push to fail');
}
