// The pipeline, as DESIGN.md draws it: load -> validate -> model -> render -> emit.
import { hasErrors, type Diagnostic } from './diagnostics.ts';
import { loadSpecFile, type LoadedSpec } from './load.ts';
import type { FabricYaml } from './spec-types.ts';
import { validateSpec } from './validate/index.ts';

export interface Validated {
  loaded?: LoadedSpec;
  spec?: FabricYaml;
  diagnostics: Diagnostic[];
}

export function loadAndValidate(specPath: string): Validated {
  const { loaded, diagnostics } = loadSpecFile(specPath);
  if (!loaded || hasErrors(diagnostics)) return { loaded, diagnostics };
  const result = validateSpec(loaded);
  return { loaded, spec: result.spec, diagnostics: [...diagnostics, ...result.diagnostics] };
}
