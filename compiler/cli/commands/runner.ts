// The runner's commands (compiler/runner/commands.ts) on the command line: compile the
// spec here, printing its diagnostics as every command does, and hand the result over.
import type * as Runner from '../../runner/commands.ts';
import { JSON_FORMAT } from '../../json-format.ts';
import { compileAndReport, globals, useColor } from '../output.ts';

type WithoutCompiled<T> = Omit<T, 'compiled'>;

async function withSpec<T extends { spec: string; json?: boolean }>(opts: T) {
  return { ...opts, compiled: await compileAndReport(opts.spec, Boolean(opts.json)) };
}

const runner = () => import('../../runner/commands.ts');

export const apply = async (opts: WithoutCompiled<Runner.ApplyOptions>) => {
  const run = async () =>
    (await runner()).applyCommand({
      ...(await withSpec(opts)),
      verbose: globals().verbose,
      color: useColor(process.stdout),
    });
  if (!opts.json) return run();
  // --json: one event per line, an invalid spec included.
  const { SpecInvalidError } = await import('../../errors.ts');
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof SpecInvalidError)) throw e;
    process.stdout.write(
      JSON.stringify({ format: JSON_FORMAT, type: 'invalid-spec', spec: opts.spec, diagnostics: e.diagnostics }) + '\n',
    );
    return e.exitCode;
  }
};
export const traffic = async (opts: { spec: string; duration?: string; env?: string; rate?: string }) =>
  (await runner()).trafficCommand(await withSpec(opts));
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
