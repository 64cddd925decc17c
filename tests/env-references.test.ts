// Kubernetes expands $(VAR) in an env value only when VAR is defined earlier
// in the same container's env; a later one stays a literal "$(VAR)". Checked
// on the built objects, after kustomize has merged the overlays' patches.
import { execFileSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';
import { verifyTargets } from '../compiler/targets.ts';
import { compile, GOLDEN_CASES } from './helpers/compile.ts';
import { fromRoot } from './helpers/paths.ts';
import { requireTool } from './helpers/tools.ts';

const CASES: [string, string][] = [
  ['spec/fabric.yaml', 'out'],
  ...GOLDEN_CASES.map((c): [string, string] => [`tests/golden/${c}/fabric.yaml`, `tests/golden/${c}/expected`]),
];

for (const [spec, dir] of CASES) {
  test(`${dir}: every $(VAR) in a container env refers to a variable defined before it`, () => {
    if (!requireTool('kubectl', `env references in ${dir}`, ['version', '--client'])) return;
    const c = compile(spec);
    const workloadDirs = verifyTargets(c.model).filter(
      (t) => !t.path.includes('argocd-apps') && !t.path.includes('alerting-rules') && !t.path.includes('namespaces'),
    );
    let refs = 0;
    for (const t of workloadDirs) {
      const built = execFileSync('kubectl', ['kustomize', fromRoot(dir, t.path)], { encoding: 'utf8' });
      for (const d of parseAllDocuments(built)) {
        const o = (d as any).toJS();
        const containers = o?.spec?.template?.spec?.containers ?? [];
        for (const ct of containers) {
          const defined = new Set<string>();
          for (const e of ct.env ?? []) {
            for (const m of String(e.value ?? '').matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
              refs += 1;
              assert.ok(
                defined.has(m[1]),
                `${t.path} ${o.kind}/${o.metadata.name} ${ct.name}: ${e.name} uses $(${m[1]}) before it is defined`,
              );
            }
            defined.add(e.name);
          }
        }
      }
    }
    assert.ok(refs > 0, 'the apps reference POD_UID');
  });
}

test.run();
