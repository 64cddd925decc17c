// overrides.<component>.resourcesDir: the extra manifests of a component, read
// here at the edge so that model and render stay pure (they receive contents).
// Only regular *.yaml/*.yml files directly in the directory, each bounded in
// size and parsed; every document must be a Kubernetes object with a name.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { diagnostic, type Diagnostic } from '../diagnostics.ts';
import type { ExtraManifest } from '../model/types.ts';
import type { FabricYaml } from '../spec-types.ts';
import { locate } from './locate.ts';
import type { LoadedSpec } from './types.ts';

export const MAX_EXTRA_FILE_BYTES = 256 * 1024;
export const MAX_EXTRA_FILES = 50;

/** `specPath`: the spec file; resourcesDir is relative to its directory (to the working directory for stdin). */
export function readResourceDirs(
  spec: FabricYaml,
  loaded: LoadedSpec,
  specPath: string,
  fromStdin: boolean,
): { extras: Record<string, ExtraManifest[]>; diagnostics: Diagnostic[] } {
  const extras: Record<string, ExtraManifest[]> = {};
  const diagnostics: Diagnostic[] = [];
  for (const [component, o] of Object.entries(spec.overrides ?? {})) {
    if (o.resourcesDir === undefined) continue;
    const at = locate(loaded, ['overrides', component, 'resourcesDir'], 'value');
    const fail = (message: string, hint?: string) =>
      diagnostics.push(diagnostic('FAB247', loaded.file, at, message, hint));
    const dir = resolve(fromStdin ? process.cwd() : dirname(specPath), o.resourcesDir);
    const read = readDir(dir, o.resourcesDir);
    if (typeof read === 'string') fail(read);
    else extras[component] = read;
  }
  return { extras, diagnostics };
}

/** The manifests of `dir`, or why they cannot be used. */
function readDir(dir: string, shown: string): ExtraManifest[] | string {
  let names: string[];
  try {
    if (!lstatSync(dir).isDirectory()) return `resourcesDir ${shown} is not a directory`;
    names = readdirSync(dir).sort();
  } catch {
    return `resourcesDir ${shown} does not exist or cannot be read (${dir})`;
  }
  if (names.length > MAX_EXTRA_FILES)
    return `resourcesDir ${shown} has ${names.length} entries (at most ${MAX_EXTRA_FILES})`;
  const out: ExtraManifest[] = [];
  for (const name of names) {
    const path = resolve(dir, name);
    const st = lstatSync(path);
    if (!st.isFile() || !/\.ya?ml$/.test(name))
      return `resourcesDir ${shown}/${name} is not a regular .yaml file (only regular *.yaml and *.yml files, no links or subdirectories)`;
    if (st.size > MAX_EXTRA_FILE_BYTES)
      return `resourcesDir ${shown}/${name} is larger than ${MAX_EXTRA_FILE_BYTES} bytes`;
    const contents = readFileSync(path, 'utf8');
    const objects: ExtraManifest['objects'] = [];
    for (const doc of parseAllDocuments(contents)) {
      if (doc.errors.length)
        return `resourcesDir ${shown}/${name} is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`;
      const v = doc.toJS({ maxAliasCount: 100 });
      if (v === null || v === undefined) continue;
      const meta = v?.metadata;
      if (typeof v?.apiVersion !== 'string' || typeof v?.kind !== 'string' || typeof meta?.name !== 'string')
        return `resourcesDir ${shown}/${name}: every document must be a Kubernetes object with apiVersion, kind and metadata.name`;
      objects.push({ apiVersion: v.apiVersion, kind: v.kind, name: meta.name });
    }
    if (!objects.length) return `resourcesDir ${shown}/${name} holds no object`;
    out.push({ name, contents, objects });
  }
  if (!out.length) return `resourcesDir ${shown} holds no .yaml file`;
  return out;
}
