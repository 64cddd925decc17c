// Stage 2: validation = JSON Schema, then semantic checks (only on a spec the
// schema accepts, so they can trust its shape).
import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics.ts';
import type { LoadedSpec } from '../load.ts';
import type { FabricYaml } from '../spec-types.ts';
import { checkSchema } from './schema.ts';
import { checkRepoReach } from './repo-reach.ts';
import { checkSemantics } from './semantic.ts';

export interface ValidationResult {
  spec?: FabricYaml;
  diagnostics: Diagnostic[];
}

export function validateSpec(loaded: LoadedSpec): ValidationResult {
  const schemaDiags = checkSchema(loaded);
  if (hasErrors(schemaDiags)) return { diagnostics: sortDiagnostics(schemaDiags) };
  const spec = loaded.data as FabricYaml;
  const diagnostics = sortDiagnostics([
    ...schemaDiags,
    ...checkSemantics(loaded, spec),
    ...checkRepoReach(loaded, spec),
  ]);
  return { spec: hasErrors(diagnostics) ? undefined : spec, diagnostics };
}
