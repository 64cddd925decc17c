// The pipeline, as DESIGN.md draws it: load -> validate -> model -> render -> emit.
import { diagnostic, hasErrors, type Diagnostic } from './diagnostics.ts';
import { loadSpecFile, loadSpecSource, locate, type LoadedSpec } from './load.ts';
import { readResourceDirs } from './load/resources-dir.ts';
import { specName } from './spec-name.ts';
import type { FabricYaml } from './spec-types.ts';
import { validateSpec } from './validate/index.ts';
import type { RenderedFile } from './emit-types.ts';
import { manifestFile } from './emit.ts';
import { buildModel, type ExtraManifest, type Model } from './model/index.ts';
import { renderChecked } from './render/index.ts';

export interface Validated {
  loaded?: LoadedSpec;
  /** The spec's text, also when it did not parse (for code frames). */
  source?: string;
  spec?: FabricYaml;
  /** The files of each override's resourcesDir (compiler/load/resources-dir.ts). */
  extras?: Record<string, ExtraManifest[]>;
  diagnostics: Diagnostic[];
}

/** `text`: the spec's content when it did not come from the file (`--spec -` reads standard input). */
export function loadAndValidate(specPath: string, text?: string): Validated {
  const { loaded, source, diagnostics } = text === undefined ? loadSpecFile(specPath) : loadSpecSource(text, specPath);
  if (!loaded || hasErrors(diagnostics)) return { loaded, source, diagnostics };
  const result = validateSpec(loaded);
  if (!result.spec) return { loaded, source, diagnostics: [...diagnostics, ...result.diagnostics] };
  // Read only from a spec the checks accept: its paths are then known to be strings.
  const dirs = readResourceDirs(result.spec, loaded, specPath, text !== undefined);
  const all = [...diagnostics, ...result.diagnostics, ...dirs.diagnostics];
  return { loaded, source, spec: hasErrors(all) ? undefined : result.spec, extras: dirs.extras, diagnostics: all };
}

export interface Compiled {
  loaded: LoadedSpec;
  model: Model;
  /** The tree without its manifest (emit adds it). */
  files: RenderedFile[];
  diagnostics: Diagnostic[];
}

/** load -> validate -> model -> render, all in memory. */
export function compileSpec(
  specPath: string,
  text?: string,
): Compiled | { diagnostics: Diagnostic[]; loaded?: LoadedSpec; source?: string } {
  const v = loadAndValidate(specPath, text);
  if (!v.spec || !v.loaded) return { diagnostics: v.diagnostics, loaded: v.loaded, source: v.source };
  // The output names the spec by its place in its repository, never as typed (compiler/spec-name.ts).
  const model = buildModel(v.spec, specName(specPath), v.extras);
  const { files, problems } = renderChecked(model);
  if (problems.length) {
    const located = problems.map((p) =>
      diagnostic(p.code, v.loaded!.file, locate(v.loaded!, p.path, 'value'), p.message, p.hint),
    );
    return { diagnostics: [...v.diagnostics, ...located], loaded: v.loaded, source: v.source };
  }
  return { loaded: v.loaded, model, files, diagnostics: v.diagnostics };
}

/** The tree as it will be on disk, manifest included (what push and verify consume). */
export function withManifest(c: Compiled): RenderedFile[] {
  return [...c.files, manifestFile(c.files, { specPath: c.model.specPath, specSource: c.loaded.source })].sort(
    (a, b) => (a.path < b.path ? -1 : 1),
  );
}
