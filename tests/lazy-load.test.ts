// `fabric validate` and `fabric compile` must not load what only other
// commands need (STYLE 6): the bundled CLI runs with hooks that record every
// module it imports or requires, and none may come from these packages.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freshBundleBin } from './helpers/bundle.ts';
import { repoRoot } from './helpers/paths.ts';

// ajv: validate runs the standalone code the build generated; only verify's CRD schemas compile with ajv.
const FORBIDDEN = /^(simple-git|execa|express|ajv|@opentelemetry\/.*)$/;

const work = mkdtempSync(join(tmpdir(), 'fabric-lazy-load-'));
const hooks = join(work, 'hooks.mjs');
const preload = join(work, 'preload.mjs');
// ESM: a resolve hook sees every import. CommonJS: require.cache holds every file required.
writeFileSync(
  hooks,
  `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(log, r.url + '\\n');
  return r;
}
`,
);
writeFileSync(
  preload,
  `import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
const log = process.env.FABRIC_LOAD_LOG;
register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { log } });
const require = createRequire(import.meta.url);
process.on('exit', () => appendFileSync(log, Object.keys(require.cache).map((f) => pathToFileURL(f).href + '\\n').join('')));
`,
);

/** Packages (by name) whose files a node process loaded, and every file URL. */
function loadedBy(args: string[]): { packages: Set<string>; urls: string[]; status: number | null; stderr: string } {
  const log = join(work, `log-${Math.random().toString(36).slice(2)}`);
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', preload, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, FABRIC_LOAD_LOG: log },
    timeout: 120_000,
  });
  const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const packages = new Set<string>();
  for (const url of urls) {
    if (!url.startsWith('file:')) continue;
    const m = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(fileURLToPath(url));
    if (m) packages.add(m[1]);
  }
  return { packages, urls, status: r.status, stderr: r.stderr };
}

test('the hooks see a package when one loads (execa, imported on purpose)', () => {
  const r = loadedBy(['--input-type=module', '-e', "await import('execa')"]);
  assert.is(r.status, 0, r.stderr);
  assert.ok(r.packages.has('execa'), `execa not recorded; saw ${[...r.packages].join(', ')}`);
});

const out = join(work, 'out');
const commands: [string, string[]][] = [
  ['validate', ['validate', '--spec', 'spec/fabric.yaml']],
  [
    'validate of an invalid spec (diagnostics with code frames)',
    ['validate', '--spec', 'tests/fixtures/bad/duplicate-key.yaml'],
  ],
  ['compile', ['compile', '--spec', 'spec/fabric.yaml', '--out', out]],
  ['compile with nothing changed', ['compile', '--spec', 'spec/fabric.yaml', '--out', out]],
  ['compile --check', ['compile', '--check', '--spec', 'spec/fabric.yaml', '--out', out]],
];
for (const [name, args] of commands) {
  test(`fabric ${name} loads none of simple-git, execa, express, ajv, OpenTelemetry`, () => {
    const bin = freshBundleBin();
    const r = loadedBy([bin, ...args]);
    assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}:\n${r.stderr}`);
    assert.ok(
      r.urls.some((u) => u.endsWith('/loader.cjs')),
      'the loader itself was not recorded: the hooks did not run',
    );
    const forbidden = [...r.packages].filter((p) => FORBIDDEN.test(p));
    assert.equal(forbidden, [], `fabric ${args.join(' ')} loaded ${forbidden.join(', ')}`);
  });
}

test.run();
