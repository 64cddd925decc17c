// `fabric compile --verify`: run the offline checks (compiler/verify/) over the tree
// just written and report their findings. (The live check is `fabric check-routing`.)
import type { Compiled } from '../../index.ts';
import { verifyOptions, verifyTargets } from '../../targets.ts';
import { locate } from '../../load.ts';
import { EXIT } from '../output.ts';

/**
 * A kustomize failure in an overlay that carries overrides is most likely
 * theirs (fabric's own overlays build in the goldens): name the override and
 * where the spec writes it. kustomize's JSON-patch errors name no file.
 */
function overrideOrigin({ model, loaded }: Compiled, dir: string): string {
  const o = model.overrides.find((x) => x.overlays.some((overlay) => dir === overlay || dir.startsWith(`${overlay}/`)));
  if (!o) return '';
  const at = locate(loaded, ['overrides', o.component], 'key');
  return ` (the overlay carries overrides.${o.component} from ${loaded.file}:${at.line}:${at.column}: check its patches)`;
}

export async function verifyWrittenTree(compiled: Compiled, outDir: string, json: boolean): Promise<number> {
  const { verifyTree } = await import('../../verify/index.ts');
  const report = await verifyTree(outDir, verifyTargets(compiled.model), verifyOptions(compiled.model));
  for (const f of report.findings) if (f.check === 'kustomize') f.message += overrideOrigin(compiled, f.file);
  if (json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    for (const f of report.findings) process.stderr.write(`${f.severity} [${f.check}] ${f.file}: ${f.message}\n`);
    for (const s of report.skipped) process.stderr.write(`skipped: ${s}\n`);
    for (const n of report.notes ?? []) process.stderr.write(`note: ${n}\n`);
    const counts = Object.entries(report.checked)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    process.stdout.write(
      `verify: ${report.findings.filter((f) => f.severity === 'error').length} errors (${counts})\n`,
    );
  }
  return report.findings.some((f) => f.severity === 'error') ? EXIT.toolFailure : EXIT.ok;
}
