// The runner's commands (compiler/runner/commands.ts) on the command line: compile the
// spec here, printing its diagnostics as every command does, and hand the result over.
import type * as Runner from '../../runner/commands.ts';
import { compileAndReport, globals, useColor } from '../output.ts';

type WithoutCompiled<T> = Omit<T, 'compiled'>;

async function withSpec<T extends { spec: string; json?: boolean }>(opts: T) {
  return { ...opts, compiled: await compileAndReport(opts.spec, Boolean(opts.json)) };
}

const runner = () => import('../../runner/commands.ts');

export const apply = async (opts: WithoutCompiled<Runner.ApplyOptions>) =>
  (await runner()).applyCommand({
    ...(await withSpec(opts)),
    verbose: globals().verbose,
    color: useColor(process.stdout),
  });
export const status = async (opts: { spec: string; json?: boolean }) =>
  (await runner()).statusCommand(await withSpec(opts));
export const down = async (opts: { spec: string; yes?: boolean; json?: boolean }) =>
  (await runner()).downCommand(await withSpec(opts));
export const info = async (opts: { spec: string; json?: boolean }) =>
  (await runner()).infoCommand(await withSpec(opts));
export const portForward = async (opts: { spec: string; target: string; port?: string }) =>
  (await runner()).portForwardCommand(await withSpec(opts));
export const checkRouting = async (opts: { spec: string; via?: string; json?: boolean }) =>
  (await runner()).verifyCommand(await withSpec(opts));
