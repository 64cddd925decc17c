// Runs the real runtime-app (`npm run app`'s command) in a child process on
// 127.0.0.1, so the OpenTelemetry SDK starts from the environment given here.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fromRoot } from './helpers/paths.ts';
import { waitFor } from './runtime-app-otlp-receiver.ts';

export interface RunningApp {
  baseUrl: string;
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM, then waits for the exit code (fails after a deadline). */
  stop(): Promise<number | null>;
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The parent's environment without any OTEL_* setting, plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')));
  return { ...inherited, ...env };
}

/** `npm run app`'s node arguments. */
export const FROM_SOURCE = ['--import', 'tsx', fromRoot('runtime-app/src/main.ts')];

/** Starts node with `nodeArgs` (the TypeScript source by default) and waits until /health answers. */
export async function startApp(env: Record<string, string>, nodeArgs: string[] = FROM_SOURCE): Promise<RunningApp> {
  const port = await freePort();
  const child = spawn(process.execPath, nodeArgs, {
    cwd: fromRoot(),
    env: childEnv({ HOST: '127.0.0.1', PORT: String(port), ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;

  // Start-up takes seconds on a busy machine (tsx, then the SDK).
  await waitFor(
    `runtime-app to answer ${baseUrl}/health (stderr: ${stderr})`,
    async () => {
      if (child.exitCode !== null)
        throw new Error(`runtime-app exited with ${child.exitCode} before listening: ${stderr}`);
      try {
        return (await fetch(`${baseUrl}/health`)).ok || undefined;
      } catch {
        return undefined;
      }
    },
    60_000,
  );

  return {
    baseUrl,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, 30_000, 'timeout').unref());
      const result = await Promise.race([exited, timeout]);
      if (result === 'timeout') {
        child.kill('SIGKILL');
        throw new Error('runtime-app did not exit within 30 s of SIGTERM');
      }
      return result;
    },
  };
}
