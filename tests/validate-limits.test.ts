// Inputs that used to run away (issue 19 C1, C5), through the real CLI: a page
// of garbage is at most 50 diagnostics plus a count, a long line is cut in the
// code frame, and only regular files are read (a device or a FIFO is refused at
// once). Sizes and counts are asserted, never times.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Diagnostic } from '../compiler/diagnostics.ts';
import { MAX_FLOW_DEPTH } from '../compiler/load/prescan.ts';
import { refFormatProblem } from '../compiler/validate/checks/git-values.ts';
import { repoRoot } from './helpers/paths.ts';
import { requireTool } from './helpers/tools.ts';

const STACK_FRAME = /^ {4}at /m;
/** Only a guard against a hung run (a FIFO read used to block forever). */
const GUARD_MS = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'fabric-limits-'));

const validate = (spec: string, json = false) =>
  spawnSync(process.execPath, ['bin/fabric.cjs', 'validate', '--spec', spec, ...(json ? ['--json'] : [])], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: GUARD_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
const diagnosticsOf = (r: ReturnType<typeof validate>) =>
  (JSON.parse(r.stdout) as { diagnostics: Diagnostic[] }).diagnostics;

/** Printable garbage in one line, deterministic. */
function garbage(bytes: number): string {
  const alphabet = '{}[]:,"\'&*!|>- abcxyz019#%@`';
  let seed = 7;
  let out = '';
  for (let i = 0; i < bytes; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    out += alphabet[seed % alphabet.length];
  }
  return out;
}

test('a 40 KB garbage spec: at most 50 diagnostics and one FAB100 counting the rest; output bounded', () => {
  const file = join(dir, 'garbage.yaml');
  // One YAML error per closing bracket (40,000 of them), then random punctuation. The punctuation
  // keeps its flow nesting below the depth the pre-scan refuses (the next test), so the parser sees it all.
  writeFileSync(file, `name: x\n${']'.repeat(40_000)}\n${garbage(2_000).replace(/\{/g, '}')}\n`);
  const json = validate(file, true);
  assert.is(json.status, 1, json.stderr);
  const ds = diagnosticsOf(json);
  assert.ok(ds.length <= 51, `${ds.length} diagnostics`);
  const more = ds.filter((d) => d.code === 'FAB100');
  assert.is(more.length, 1, 'one FAB100');
  assert.is(ds[ds.length - 1].code, 'FAB100', 'the count comes last');
  assert.match(more[0].message, /^\d+ more YAML errors not shown$/);
  const keys = ds.map((d) => `${d.code}:${d.line}:${d.column}:${d.message}`);
  assert.is(new Set(keys).size, keys.length, 'a repeated diagnostic');

  const text = validate(file);
  assert.is(text.status, 1);
  assert.not.match(text.stderr, STACK_FRAME);
  // 51 diagnostics with three-line frames of at most ~170 characters each.
  assert.ok(text.stderr.length < 51 * 1200, `${text.stderr.length} bytes on stderr`);
  for (const line of text.stderr.split('\n')) assert.ok(line.length < 400, `a ${line.length}-character line printed`);
});

test('40 KB of nested brackets: one FAB013 at the bracket past the depth limit, found before the YAML parser', () => {
  const file = join(dir, 'nested.yaml');
  writeFileSync(file, `name: x\nv: ${'[{'.repeat(20_000)}\n`);
  const r = validate(file, true);
  assert.is(r.status, 1, r.stderr);
  assert.equal(
    diagnosticsOf(r).map((d) => `${d.code} ${d.line}:${d.column}`),
    [`FAB013 2:${4 + MAX_FLOW_DEPTH}`],
  );
  const text = validate(file);
  assert.match(text.stderr, /nests too deeply/);
  assert.not.match(text.stderr, STACK_FRAME);
});

test('a 40 KB line is cut to a window around the column in the code frame', () => {
  const file = join(dir, 'long-line.yaml');
  const long = `description: ${'a'.repeat(20_000)} "${'b'.repeat(20_000)}`;
  writeFileSync(file, `name: lgtm\n${long}\nenvironments: {}\n`);
  const r = validate(file);
  assert.is(r.status, 1);
  const framed = r.stderr.split('\n').filter((l) => /^ {2}[> ] +\d+ \|/.test(l));
  assert.ok(framed.length > 0, r.stderr);
  for (const line of framed) assert.ok(line.length < 200, `frame line of ${line.length} characters`);
  assert.match(r.stderr, /…/, 'the cut is marked');
  assert.match(r.stderr, /^ {6}\| +\^/m, 'a caret under the cut line');
});

test('--spec /dev/zero is refused as not a regular file (FAB001), at once', () => {
  const r = validate('/dev/zero', true);
  assert.is(r.status, 3, r.stderr); // an unreadable spec is an I/O failure (docs/cli.md), not an invalid spec
  assert.equal(
    diagnosticsOf(r).map((d) => [d.code, d.message]),
    [['FAB001', 'cannot read spec: is a device, not a regular file']],
  );
  const text = validate('/dev/zero');
  assert.match(text.stderr, /\/dev\/zero error FAB001 cannot read spec: is a device, not a regular file/);
  assert.match(text.stderr, /fix: pass the path of your fabric\.yaml with --spec/);
});

test('--spec naming a FIFO is refused (FAB001) instead of waiting for a writer', () => {
  if (!requireTool('mkfifo', 'a FIFO as --spec', ['--version'])) return;
  const fifo = join(dir, 'fifo.yaml');
  const made = spawnSync('mkfifo', [fifo]);
  assert.is(made.status, 0, String(made.stderr));
  const r = validate(fifo);
  assert.is(r.status, 3, r.stderr);
  assert.match(r.stderr, /error FAB001 cannot read spec: is a FIFO \(named pipe\), not a regular file/);
  assert.not.match(r.stderr, STACK_FRAME);
});

test('a directory as --spec is FAB001 "is a directory"', () => {
  const r = validate(dir);
  assert.is(r.status, 3);
  assert.match(r.stderr, /error FAB001 cannot read spec: is a directory/);
});

test('60 semantic errors: 50 shown, then one FAB100 counting 10', () => {
  const file = join(dir, 'many-apps.yaml');
  const apps = Array.from({ length: 60 }, (_, i) => `  app${i}: { image: x/app${i}, port: 8080 }`).join('\n');
  const spec = [
    'name: lgtm',
    'git: { repoURL: https://github.com/you/fleet.git }',
    'clusters:',
    '  control: { role: control, ip: 192.168.200.10 }',
    '  monitoring: { role: monitoring, ip: 192.168.200.11 }',
    '  stage: { role: member, environment: stage, ip: 192.168.200.12 }',
    'environments:',
    '  stage: { ports: { mimir: 30090, loki: 30100, tempo: 30200 } }',
    'apps:',
    apps,
    '',
  ].join('\n');
  writeFileSync(file, spec);
  const ds = diagnosticsOf(validate(file, true));
  assert.is(ds.length, 51);
  assert.ok(ds.slice(0, 50).every((d) => d.code === 'FAB214'));
  assert.equal([ds[50].code, ds[50].message], ['FAB100', '10 more problems not shown']);
});

test('refFormatProblem agrees with git check-ref-format --branch', () => {
  if (!requireTool('git', 'git check-ref-format', ['--version'])) return;
  const names = [
    'main',
    'release/1.0',
    'feature..x',
    'a.lock',
    'x/.hidden',
    'a//b',
    'end.',
    '-dash',
    'a b',
    'a~1',
    'a^',
    'a:b',
    'a?',
    'a*',
    'a[b',
    'a\\b',
    'a@{1}',
    'fix/a.b-c_d',
    'trail/',
  ];
  for (const name of names) {
    const git = spawnSync('git', ['check-ref-format', '--branch', name], { encoding: 'utf8' });
    assert.is(
      refFormatProblem(name) === undefined,
      git.status === 0,
      `${name}: git says ${git.status === 0 ? 'valid' : 'invalid'}`,
    );
  }
});

test.run();
