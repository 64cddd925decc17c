// Fault catalog A (docs/reliability.md, A rows): spec parsing, YAML -> data. Each test
// runs the real CLI on a spec written for the fault and checks the correct
// behaviour the catalog lists.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { loadSpecSource } from '../compiler/load.ts';
import { buildModel } from '../compiler/model/index.ts';
import { render } from '../compiler/render/index.ts';
import type { FabricYaml } from '../compiler/spec-types.ts';
import { validateSpec } from '../compiler/validate/index.ts';
import {
  diagnostics,
  exits,
  fabric,
  positionOf,
  REFERENCE,
  tempDir,
  validate,
  where,
  writeSpec,
} from './fault-catalog-helpers.ts';

test('A1: the Norway problem: no stays a string, is warned about, and reaches Kubernetes tools as a string', () => {
  const source = REFERENCE.replace('name: lgtm', 'name: no');
  const spec = writeSpec(source);
  const v = fabric(['validate', '--json', '--spec', spec]);
  exits(v, 0);
  const [w] = diagnostics(v);
  assert.equal([where([w]), w.severity], [[`FAB016 ${positionOf(source, 'name: no').line}:7`], 'warning']);
  assert.is(w.message, '"no" is a string here, but YAML 1.1 tools (Kubernetes, kubectl) read it as false');
  assert.is(w.hint, 'quote it: "no"');

  const out = join(tempDir(), 'out');
  exits(fabric(['compile', '--spec', spec, '--out', out]), 0);
  const appset = readFileSync(join(out, 'gitops/argocd-apps/alloy-agents.yaml'), 'utf8');
  // A YAML 1.1 reader (the Kubernetes resolver) still sees the fleet name, not false.
  const selector = parse(appset, { version: '1.1' }).spec.generators[0].clusters.selector.matchLabels;
  assert.is(selector['fabric.dev/fleet'], 'no');
});

test('A2: numbers that lose their meaning: 1.10 is refused with "quote it as written", 0o17 is warned about, huge integers hit the range', () => {
  const revision = REFERENCE.replace('revision: main', 'revision: 1.10');
  const r = validate(revision);
  exits(r, 1);
  const [d] = diagnostics(r);
  assert.equal(where([d]), [`FAB103 ${Object.values(positionOf(revision, '1.10')).join(':')}`]);
  assert.is(d.message, 'git.revision must be a string, not number 1.1');
  assert.match(d.hint!, /^quote it as written: "1\.10"/);

  const octal = validate(REFERENCE.replace('    cpus: 4\n', '    cpus: 0o17\n'));
  exits(octal, 0);
  assert.equal(
    diagnostics(octal).map((x) => [x.code, x.message]),
    [['FAB016', '"0o17" is 15 here, but YAML 1.1 tools (Kubernetes, kubectl) read it as "0o17"']],
  );

  // An integer beyond 2^53 cannot reach the model: every integer field has a maximum.
  const huge = validate(REFERENCE.replace('    port: 8080\n', '    port: 8080\n    replicas: 99999999999999999999\n'));
  exits(huge, 1);
  assert.equal(
    diagnostics(huge).map((x) => x.code),
    ['FAB104'],
  );
  assert.match(diagnostics(huge)[0].message, /must be <= 100/);
});

test('A3: duplicate keys, also 1 / "1" and true / "true", are FAB011 at the second with the first as related', () => {
  const twice = `${REFERENCE}clusters: {}\n`;
  const r = validate(twice);
  exits(r, 1);
  const [d] = diagnostics(r);
  assert.equal([d.code, d.line, d.column], ['FAB011', twice.split('\n').length - 1, 1]);
  assert.equal(d.related, { ...positionOf(twice, 'clusters:'), message: 'the first "clusters"' });

  for (const [a, b] of [
    ['1', '"1"'],
    ['true', '"true"'],
  ]) {
    const source = REFERENCE.replace('apps:\n', `apps:\n  ${a}: {}\n  ${b}: {}\n`);
    const ds = diagnostics(validate(source));
    assert.equal(
      ds.map((x) => [x.code, x.line]),
      [['FAB011', positionOf(source, `${b}:`).line]],
      `${a} / ${b}`,
    );
  }
});

test('A4: an alias bomb, 20000 nested lists and a file over 1 MiB each end in one diagnostic, no crash', () => {
  const laughs = [REFERENCE, 'x-bomb:', '  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (const [prev, next] of ['ab', 'bc', 'cd', 'de', 'ef', 'fg', 'gh', 'hi'])
    laughs.push(`  ${next}: &${next} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  const bomb = validate(laughs.join('\n') + '\n');
  exits(bomb, 1);
  assert.equal(
    diagnostics(bomb).map((d) => [d.code, d.line]),
    [['FAB013', 0]],
  );
  assert.match(diagnostics(bomb)[0].message, /aliases expand too far/);

  const deep = validate(`name: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`);
  exits(deep, 1);
  assert.equal(
    diagnostics(deep).map((d) => d.code),
    ['FAB013'],
  );

  const large = validate(REFERENCE + `# ${'x'.repeat(100)}\n`.repeat(11_000));
  exits(large, 1);
  assert.equal(
    diagnostics(large).map((d) => [d.code, d.line]),
    [['FAB002', 0]],
  );
});

test('A5: merge keys are refused as not supported (FAB014); a second document is FAB015 where it starts', () => {
  const merge = REFERENCE.replace('  prod:\n    ports', '  prod:\n    <<: { retention: { logs: 7d } }\n    ports');
  const m = validate(merge);
  exits(m, 1);
  assert.equal(where(diagnostics(m)), [`FAB014 ${Object.values(positionOf(merge, '<<')).join(':')}`]);
  assert.is(diagnostics(m)[0].message, 'merge keys (<<) are not supported in fabric.yaml');

  const second = `${REFERENCE}---\nname: other\n`;
  const s = validate(second);
  exits(s, 1);
  assert.equal(where(diagnostics(s)), [`FAB015 ${second.split('\n').length - 2}:1`]);
});

test('A6: explicit tags (!!js/function, !vault, !!set, !!timestamp, !!omap) are errors at the tag, not warnings', () => {
  for (const value of [
    '!!js/function "function () {}"',
    '!vault secret/x',
    '!!set { a }',
    '!!timestamp 2024-01-01',
    '!!omap [ { a: 1 } ]',
  ]) {
    const source = REFERENCE.replace('name: lgtm', `name: ${value}`);
    const r = validate(source);
    exits(r, 1);
    const ds = diagnostics(r);
    assert.equal(where(ds), ['FAB012 4:7'], value);
    assert.is(ds[0].message, `explicit YAML tag ${value.split(' ')[0]} is not allowed`);
  }
});

test('A7: empty or comment-only files say so, tabs and bad indentation are located with a code frame, BOM and CRLF parse', () => {
  for (const source of ['', '# only a comment\n']) {
    const r = validate(source);
    exits(r, 1);
    assert.equal(
      diagnostics(r).map((d) => [d.code, d.line, d.message]),
      [['FAB003', 0, 'spec is empty']],
    );
  }
  const tabbed = REFERENCE.replace('  revision: main', '\trevision: main');
  const tab = fabric(['validate', '--spec', writeSpec(tabbed)]);
  exits(tab, 1);
  assert.match(
    tab.stderr,
    new RegExp(
      `fabric\\.yaml:${positionOf(tabbed, '\trevision').line}:1 error FAB010 YAML: Tabs are not allowed as indentation`,
    ),
  );
  assert.match(tab.stderr, /^ {2}> +\d+ \|/m, 'a code frame');

  const indented = validate('a: 1\n b: 2\n');
  exits(indented, 1);
  assert.equal(
    diagnostics(indented).map((d) => [d.code, d.line > 0]),
    [
      ['FAB010', true],
      ['FAB010', true],
    ],
  );

  const windows = validate('\ufeff' + REFERENCE.replace(/\n/g, '\r\n'));
  exits(windows, 0);
  assert.equal(diagnostics(windows), []);

  // Config errors (1) are told apart from I/O failures (3).
  const dir = tempDir();
  writeFileSync(join(dir, 'out'), 'a file, not a directory\n');
  const io = fabric(['compile', '--spec', writeSpec(REFERENCE, dir), '--out', join(dir, 'out')]);
  exits(io, 3);
  assert.match(io.stderr, /exists and is not a directory/);
});

test('A8: __proto__ is an unknown key or an invalid name wherever it is written, and nothing is polluted', () => {
  const top = REFERENCE.replace('name: lgtm', 'name: lgtm\n__proto__: { isAdmin: true }');
  assert.equal(
    diagnostics(validate(top)).map((d) => [d.code, d.message]),
    [['FAB101', "unknown key '__proto__' in the top level"]],
  );
  const app = REFERENCE.replace('apps:\n', 'apps:\n  __proto__: { image: x/y:1.0.0, port: 8080 }\n');
  assert.equal(
    diagnostics(validate(app)).map((d) => [d.code, d.message]),
    [['FAB105', "invalid name '__proto__' in apps"]],
  );
  const host = REFERENCE.replace(
    '      stage: app.stage.local',
    '      stage: app.stage.local\n      __proto__: evil.local',
  );
  assert.equal(
    diagnostics(validate(host)).map((d) => d.code),
    ['FAB105'],
  );

  // In process: loading and validating them leaves Object.prototype alone.
  for (const source of [top, app, host]) validateSpec(loadSpecSource(source, 'fabric.yaml').loaded!);
  assert.is(({} as Record<string, unknown>).isAdmin, undefined);
  // Names that are Object.prototype's own (constructor, toString) are ordinary names in the model.
  const own = REFERENCE.replace(/\bprod\b(?!-)/g, 'constructor');
  const loaded = loadSpecSource(own, 'fabric.yaml').loaded!;
  const spec = validateSpec(loaded).spec as FabricYaml;
  assert.ok(spec, 'an environment named constructor is valid');
  const files = render(buildModel(spec, 'fabric.yaml'));
  assert.ok(files.some((f) => f.path.includes('alerting-rules/overlays/constructor/')));
});

test.run();
