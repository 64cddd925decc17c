// Stage 2: validation = JSON Schema, then semantic checks (only on a spec the
// schema accepts, so they can trust its shape). At most MAX_DIAGNOSTICS are
// reported, repeats dropped.
import { capDiagnostics, hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics.ts';
import type { LoadedSpec } from '../load.ts';
import type { FabricYaml } from '../spec-types.ts';
import { checkSchema } from './schema.ts';
import { checkSemantics } from './semantic.ts';

export interface ValidationResult {
  spec?: FabricYaml;
  diagnostics: Diagnostic[];
}

export function validateSpec(loaded: LoadedSpec): ValidationResult {
  const schemaDiags = checkSchema(loaded);
  // checkSchema sorts and caps its own list.
  if (hasErrors(schemaDiags)) return { diagnostics: schemaDiags };
  const spec = loaded.data as FabricYaml;
  const diagnostics = capDiagnostics(sortDiagnostics([...schemaDiags, ...checkSemantics(loaded, spec)]), loaded.file);
  return { spec: hasErrors(diagnostics) ? undefined : spec, diagnostics };
}
