// The pipeline, as DESIGN.md draws it: load -> validate -> model -> render -> emit.
import { hasErrors, type Diagnostic } from './diagnostics.ts';
import { loadSpecFile, type LoadedSpec } from './load.ts';
import type { FabricYaml } from './spec-types.ts';
import { validateSpec } from './validate/index.ts';

export interface Validated {
  loaded?: LoadedSpec;
  /** The spec's text, also when it did not parse (for code frames). */
  source?: string;
  spec?: FabricYaml;
  diagnostics: Diagnostic[];
}

export function loadAndValidate(specPath: string): Validated {
  const { loaded, source, diagnostics } = loadSpecFile(specPath);
  if (!loaded || hasErrors(diagnostics)) return { loaded, source, diagnostics };
  const result = validateSpec(loaded);
  return { loaded, source, spec: result.spec, diagnostics: [...diagnostics, ...result.diagnostics] };
}
