// In-process timing of load -> validate -> model -> render for fleets of N
// environments (scripts/fleet-spec.mjs), without process start or writing
// files: the part of a compile that render's design decides. Takes the
// repository root to measure, so two versions can be compared on one machine
// at one time (alternating runs, medians):
//   node --import tsx scripts/bench-render.ts [--root DIR] [--runs N] [--envs 1,10,100] [--stages]
// --stages: the median of each stage (load, validate, model, render) as well.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const roots = option('--root', '.')
  .split(',')
  .map((r) => resolve(r));
const runs = Number(option('--runs', '7'));
const sizes = option('--envs', '1,10,100').split(',').map(Number);

const { fleetSpec } = (await import(pathToFileURL(resolve('scripts/fleet-spec.mjs')).href)) as {
  fleetSpec: (envs: number) => string;
};
const dir = mkdtempSync(join(tmpdir(), 'fabric-bench-render-'));
const specs = sizes.map((n) => {
  const file = join(dir, `fleet-${n}.yaml`);
  writeFileSync(file, fleetSpec(n));
  return { n, file };
});
type Stages = Record<string, number>;
const module = (root: string, path: string) => import(pathToFileURL(join(root, path)).href);
/** The pipeline of compileSpec (compiler/index.ts), stage by stage, timing each. */
async function stagedCompiler(root: string) {
  const { loadSpecFile } = await module(root, 'compiler/load.ts');
  const { validateSpec } = await module(root, 'compiler/validate/index.ts');
  const { readResourceDirs } = await module(root, 'compiler/load/resources-dir.ts');
  const { buildModel } = await module(root, 'compiler/model/index.ts');
  const { renderChecked } = await module(root, 'compiler/render/index.ts');
  return (file: string, stages: Stages) => {
    let t = performance.now();
    const lap = (stage: string) => {
      const now = performance.now();
      stages[stage] = now - t;
      t = now;
    };
    const { loaded } = loadSpecFile(file);
    lap('load');
    const { spec } = validateSpec(loaded);
    const { extras } = readResourceDirs(spec, loaded, file, false);
    lap('validate');
    const model = buildModel(spec, 'fabric.yaml', extras);
    lap('model');
    const { files } = renderChecked(model);
    lap('render');
    return { files };
  };
}
const staged = args.includes('--stages');
const compilers = await Promise.all(
  roots.map(async (root) => ({
    root,
    compileSpec: staged
      ? await stagedCompiler(root)
      : await (async () => {
          const { compileSpec } = await module(root, 'compiler/index.ts');
          return (file: string) => compileSpec(file) as { files?: unknown[] };
        })(),
  })),
);
const stageSamples = new Map<string, Stages[]>();
const samples = new Map<string, number[]>();
for (let round = 0; round <= runs; round++)
  for (const { n, file } of specs)
    for (const { root, compileSpec } of compilers) {
      const t0 = performance.now();
      const stages: Stages = {};
      const c = compileSpec(file, stages);
      const ms = performance.now() - t0;
      if (round > 0 && staged) stageSamples.set(`${root} ${n}`, [...(stageSamples.get(`${root} ${n}`) ?? []), stages]);
      if (!c.files) throw new Error(`${root}: ${file} did not compile: ${JSON.stringify(c).slice(0, 500)}`);
      // Round 0 warms up (template compilation, caches).
      if (round > 0) samples.set(`${root} ${n}`, [...(samples.get(`${root} ${n}`) ?? []), ms]);
    }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [key, xs] of samples)
  console.log(
    `${key} envs: median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`,
  );
for (const [key, runs] of stageSamples)
  console.log(
    `${key} envs, stage medians: ${Object.keys(runs[0])
      .map((stage) => `${stage} ${median(runs.map((r) => r[stage])).toFixed(0)} ms`)
      .join(', ')}`,
  );
