// Which spec a command reads when none is named: $FABRIC_SPEC, else ./fabric.yaml (a repository
// set up by `fabric init`), else spec/fabric.yaml (this repository's layout).
import { existsSync } from 'node:fs';
import { FabricError } from '../errors.ts';

export const SPEC_CANDIDATES = ['fabric.yaml', 'spec/fabric.yaml'] as const;
export const SPEC_HELP =
  'path of fabric.yaml, or - for standard input (default: $FABRIC_SPEC, ./fabric.yaml, spec/fabric.yaml)';

export function discoverSpec(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FABRIC_SPEC) return env.FABRIC_SPEC;
  const found = SPEC_CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  throw new FabricError(
    `no fabric.yaml here: tried ${SPEC_CANDIDATES.map((p) => `./${p}`).join(' and ')} (FABRIC_SPEC is not set)`,
    { hint: 'run fabric init to write a starter, give the path (fabric validate PATH), or set FABRIC_SPEC' },
  );
}
