// External tools (kubectl, promtool) are optional on a developer machine but
// required in CI: a test that lacks one skips with a one-line reason, and the
// same situation fails when CI=true.
import { execFileSync } from 'node:child_process';

const cache = new Map<string, boolean>();

export function haveTool(tool: string, versionArgs: string[] = ['--version']): boolean {
  if (!cache.has(tool)) {
    try {
      execFileSync(tool, versionArgs, { stdio: 'ignore', timeout: 20_000 });
      cache.set(tool, true);
    } catch {
      cache.set(tool, false);
    }
  }
  return cache.get(tool)!;
}

/** True when the tool is there. Otherwise prints a skip line, or throws in CI. */
export function requireTool(tool: string, testName: string, versionArgs?: string[]): boolean {
  if (haveTool(tool, versionArgs)) return true;
  if (process.env.CI === 'true') throw new Error(`${tool} is not installed, and CI must not skip: ${testName}`);
  console.log(`# skip ${testName}: ${tool} not installed`);
  return false;
}
