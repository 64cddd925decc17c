// Stage 1 alone: loadSpecSource (YAML 1.2, duplicates, aliases, tags, merge
// keys, size and depth limits) and locate (source positions for data paths).
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { loadSpecSource, locate, MAX_SPEC_BYTES, type LoadedSpec } from '../compiler/load.ts';
import { MAX_FLOW_DEPTH } from '../compiler/load/prescan.ts';
import { fromRoot } from './helpers/paths.ts';

const reference = readFileSync(fromRoot('spec/fabric.yaml'), 'utf8');
const load = (source: string) => loadSpecSource(source, 'fabric.yaml');
const summary = (source: string) =>
  load(source).diagnostics.map((d) => `${d.code} ${d.severity} ${d.line}:${d.column}`);
function loaded(source: string): LoadedSpec {
  const r = load(source);
  assert.ok(r.loaded, JSON.stringify(r.diagnostics));
  return r.loaded!;
}

test('the reference spec loads without diagnostics, as the plain data YAML 1.2 reads', () => {
  const r = load(reference);
  assert.equal(r.diagnostics, []);
  assert.equal(r.loaded!.data, parse(reference));
  assert.is(r.source, reference);
});

test('YAML 1.2: yes, no, on and off stay strings; 1.1 readings are warned about (FAB016)', () => {
  const r = load('a: yes\nb: no\nc: "on"\nd: 1:30\n');
  assert.equal(r.loaded!.data, { a: 'yes', b: 'no', c: 'on', d: '1:30' });
  assert.equal(
    r.diagnostics.map((d) => `${d.code} ${d.severity} ${d.line}:${d.column}`),
    ['FAB016 warning 1:4', 'FAB016 warning 2:4', 'FAB016 warning 4:4'],
  );
  assert.is(
    r.diagnostics[1].message,
    '"no" is a string here, but YAML 1.1 tools (Kubernetes, kubectl) read it as false',
  );
  assert.is(r.diagnostics[1].hint, 'quote it: "no"');
  assert.match(r.diagnostics[2].message, /read it as 90$/);
});

test('duplicate keys: literal, nested, and 1 / "1" or true / "true" once keys are strings (FAB011)', () => {
  assert.equal(summary('name: a\ngit: {}\nname: b\n'), ['FAB011 error 3:1']);
  assert.equal(summary('clusters:\n  a:\n    role: member\n    role: control\n'), ['FAB011 error 4:5']);
  assert.equal(summary('apps:\n  1: {}\n  "1": {}\n'), ['FAB011 error 3:3']);
  assert.equal(summary('x:\n  true: 1\n  "true": 2\n'), ['FAB011 error 3:3']);
});

test('a file that does not parse keeps its source, for the code frame', () => {
  const source = 'name: lgtm\n\tgit: x\n';
  const r = load(source);
  assert.is(r.loaded, undefined);
  assert.is(r.source, source);
  assert.equal(
    r.diagnostics.map((d) => d.code),
    ['FAB010'],
  );
});

test('an unclosed flow mapping is one error, where it opens (no parser artefact after it)', () => {
  const r = load('name: lgtm\ngit: { repoURL: x\nclusters: {}\n');
  assert.equal(
    r.diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`),
    ['FAB010 2:6'],
  );
  assert.match(r.diagnostics[0].hint!, /never closed/);
});

test('an unclosed quote is reported at the opening quote, not at the end of the file', () => {
  assert.equal(summary("name: 'lgtm\ngit: x\n\n\n"), ['FAB010 error 1:7']);
  assert.equal(summary('name: lgtm\ngit: "x\n'), ['FAB010 error 2:6']);
});

test('an alias bomb fails at the file level (FAB013), a few aliases are fine', () => {
  const laughs = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (const [prev, next] of ['ab', 'bc', 'cd', 'de', 'ef', 'fg', 'gh', 'hi'])
    laughs.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  const bomb = load(laughs.join('\n'));
  assert.equal(
    bomb.diagnostics.map((d) => `${d.code} ${d.line}`),
    ['FAB013 0'],
  );
  assert.is(bomb.loaded, undefined);

  const few = loaded('x: &r { logs: 7d }\ny: *r\nz: *r\n');
  assert.equal(few.data, { x: { logs: '7d' }, y: { logs: '7d' }, z: { logs: '7d' } });
});

test('an alias without an anchor before it is located at the alias (FAB010), not a file-level crash of toJS', () => {
  const r = load('a: *later\nb: &later 1\n');
  assert.equal(
    r.diagnostics.map((d) => `${d.code} ${d.line}:${d.column} ${d.message}`),
    ['FAB010 1:4 YAML: alias *later refers to no anchor &later before it'],
  );
});

test('20000 nested lists give one FAB013, not a stack overflow', () => {
  const r = load(`name: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`);
  assert.equal(
    r.diagnostics.map((d) => d.code),
    ['FAB013'],
  );
  assert.match(r.diagnostics[0].message, /nests too deeply/);
});

test('flow collections deeper than MAX_FLOW_DEPTH are refused before parsing, at the bracket (FAB013)', () => {
  const nested = (n: number) => `${'['.repeat(n)}x${']'.repeat(n)}`;
  assert.equal(loaded(`name: lgtm\nv: ${nested(MAX_FLOW_DEPTH)}\n`).data, {
    name: 'lgtm',
    v: JSON.parse(nested(MAX_FLOW_DEPTH).replace('x', '"x"')),
  });
  const r = load(
    `name: lgtm\n# [[[[ a comment\nv: ${'{a: '.repeat(MAX_FLOW_DEPTH)}{b: 1${'}'.repeat(MAX_FLOW_DEPTH + 1)}\n`,
  );
  assert.equal(
    r.diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`),
    [`FAB013 3:${4 + 4 * MAX_FLOW_DEPTH}`],
  );
  assert.match(r.diagnostics[0].message, /nests too deeply/);
  assert.is(r.source?.length, r.source?.length, 'the source is kept for the code frame');
  // Brackets in quotes and comments are text, not nesting.
  const text = '['.repeat(MAX_FLOW_DEPTH * 2);
  assert.equal(loaded(`a: "${text}"\nb: '${text}'\n# ${text}\nc: "\\"${text}"\n`).data, {
    a: text,
    b: text,
    c: `"${text}`,
  });
});

test('thousands of aliases resolve in one walk, each to the last anchor of its name before it', () => {
  const lines = ['a: &x 0'];
  for (let i = 1; i <= 3000; i++) lines.push(`k${i}: &x${i} [${i}]`, `r${i}: *x${i}`);
  lines.push('b: &x 1', 'c: *x');
  const data = loaded(lines.join('\n') + '\n').data as Record<string, unknown>;
  assert.equal(data.r3000, [3000]);
  assert.equal(data.r2999, [2999]);
  assert.is(data.c, 1, 'the anchor redefined above it');
  const self = load('apps: &apps\n  web: *apps\n');
  assert.equal(
    self.diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`),
    ['FAB018 2:8'],
  );
});

test('explicit tags are refused where they are written, as written (FAB012)', () => {
  assert.equal(summary('name: !vault secret/x\n'), ['FAB012 error 1:7']);
  const set = load('apps: !!set\n  # a comment between tag and node\n  ? a\n');
  assert.equal(
    set.diagnostics.map((d) => `${d.code} ${d.line}:${d.column} ${d.message}`),
    ['FAB012 1:7 explicit YAML tag !!set is not allowed'],
  );
  assert.equal(summary('--- !!map\nname: x\n'), ['FAB012 error 1:5']);
});

test('merge keys are refused (FAB014); a quoted "<<" is an ordinary key', () => {
  assert.equal(summary('a: &a { x: 1 }\nb:\n  <<: *a\n'), ['FAB014 error 3:3']);
  assert.equal(load('"<<": 1\n').diagnostics, []);
});

test('one document only (FAB015)', () => {
  assert.equal(summary('name: a\n---\nname: b\n'), ['FAB015 error 2:1']);
});

test('empty, comments only or null is an empty spec (FAB003); a list or a scalar is not a mapping (FAB017)', () => {
  for (const source of ['', '\n  \n', '# only\n# comments\n', '~\n', '---\n'])
    assert.equal(summary(source), ['FAB003 error 0:0'], JSON.stringify(source));
  assert.equal(summary('# c\n- a\n- b\n'), ['FAB017 error 2:1']);
  assert.equal(summary('lgtm\n'), ['FAB017 error 1:1']);
  assert.match(load('- a\n').diagnostics[0].message, /not a list$/);
});

test('a source larger than the limit is refused before parsing (FAB002)', () => {
  const r = load(`name: x\n${'#'.repeat(MAX_SPEC_BYTES)}\n`);
  assert.equal(
    r.diagnostics.map((d) => `${d.code} ${d.line}`),
    ['FAB002 0'],
  );
});

const spec = loaded(`name: lgtm
clusters:
  stage-cluster: { role: member, environment: stage }
environments:
  stage:
    retention: &keep { logs: 36h, metrics: 30d }
  prod:
    retention: *keep
apps:
  web:
    environments:
      - stage
      - prod
`);

test('locate: a value, or with target key the key that names it', () => {
  assert.equal(locate(spec, ['name']), { line: 1, column: 7 });
  assert.equal(locate(spec, ['name'], 'key'), { line: 1, column: 1 });
  assert.equal(locate(spec, ['clusters', 'stage-cluster', 'environment']), { line: 3, column: 47 });
  assert.equal(locate(spec, ['clusters', 'stage-cluster'], 'key'), { line: 3, column: 3 });
});

test('locate: list indexes as numbers and as the strings of a JSON pointer', () => {
  assert.equal(locate(spec, ['apps', 'web', 'environments', 1]), { line: 13, column: 9 });
  assert.equal(locate(spec, ['apps', 'web', 'environments', '1']), { line: 13, column: 9 });
});

test('locate: a missing path resolves to its nearest existing ancestor', () => {
  assert.equal(locate(spec, ['clusters', 'stage-cluster', 'ip'], 'key'), { line: 3, column: 3 });
  assert.equal(locate(spec, ['git', 'repoURL']), { line: 1, column: 1 });
  assert.equal(locate(spec, []), { line: 1, column: 1 });
});

test('locate: through an alias, the alias is the place; the anchored node keeps its own', () => {
  assert.equal(locate(spec, ['environments', 'stage', 'retention', 'logs']), { line: 6, column: 30 });
  assert.equal(locate(spec, ['environments', 'prod', 'retention', 'logs']), { line: 8, column: 16 });
  assert.equal(locate(spec, ['environments', 'prod', 'retention', 'logs'], 'key'), { line: 8, column: 16 });
  assert.equal(locate(spec, ['environments', 'prod', 'retention']), { line: 8, column: 16 });
});

test.run();
