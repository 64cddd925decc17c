// Bundles the CLI into one ESM file so start-up loads one module (see the
// performance section of the README). Runs on `npm install` (prepare).
import { build } from 'esbuild';

await build({
  entryPoints: ['compiler/cli.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outfile: 'dist/fabric.mjs',
  // Packages stay external: node resolves them from node_modules as usual.
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
