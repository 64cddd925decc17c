// Compiling specs in tests: the real pipeline, in memory.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { RenderedFile } from '../../compiler/emit-types.ts';
import { compileSpec, withManifest, type Compiled } from '../../compiler/index.ts';
import { repoRoot } from './paths.ts';

/** Compiles a spec given relative to the repo root (as the CLI would be run from it). */
export function compile(specRel: string): Compiled {
  const cwd = process.cwd();
  process.chdir(repoRoot);
  try {
    const r = compileSpec(specRel);
    if (!('model' in r)) throw new Error(`${specRel} does not compile: ${JSON.stringify(r.diagnostics, null, 1)}`);
    return r;
  } finally {
    process.chdir(cwd);
  }
}

export const treeOf = (c: Compiled): RenderedFile[] => withManifest(c);

export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel))) {
      const r = rel ? `${rel}/${e}` : e;
      if (statSync(join(dir, r)).isDirectory()) walk(r);
      else out.set(r, readFileSync(join(dir, r), 'utf8'));
    }
  };
  walk('');
  return out;
}

/** Every YAML document of every .yaml file, with its path. */
export function yamlDocs(files: RenderedFile[]): { path: string; doc: any }[] {
  const out: { path: string; doc: any }[] = [];
  for (const f of files.filter((f) => f.path.endsWith('.yaml'))) {
    for (const d of parseAllDocuments(f.contents)) {
      if ('errors' in d && d.errors.length) throw new Error(`${f.path}: ${d.errors[0].message}`);
      const v = d.toJS();
      if (v !== null) out.push({ path: f.path, doc: v });
    }
  }
  return out;
}

export const GOLDEN_CASES = readdirSync(join(repoRoot, 'tests/golden'))
  .filter((c) => statSync(join(repoRoot, 'tests/golden', c)).isDirectory())
  .sort();
