// Stage 2b: checks JSON Schema cannot express: references between sections,
// role counts, collisions, addresses, budgets. One check per file in checks/;
// each diagnostic is located.
import type { Diagnostic } from '../diagnostics.ts';
import type { LoadedSpec } from '../load.ts';
import type { FabricYaml } from '../spec-types.ts';
import { runCheck, specFacts } from './check.ts';
import { CHECKS } from './checks/index.ts';

export { DEFAULT_SUBNET, RESERVED_APP_NAMES } from './constants.ts';

export function checkSemantics(loaded: LoadedSpec, spec: FabricYaml): Diagnostic[] {
  const facts = specFacts(spec);
  return CHECKS.flatMap((check) => runCheck(check, loaded, spec, facts));
}
