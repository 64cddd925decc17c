// Render by shape (compiler/render/shapes.ts): a template's text with a token
// per value is parsed once, and each file of that shape is the parsed
// skeleton with its own values put back. It must give exactly what parsing
// each file's own text gives, and take the full path wherever it cannot
// vouch for that.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildModel } from '../compiler/model.ts';
import { render } from '../compiler/render/index.ts';
import {
  canonicalYaml,
  realText,
  RenderError,
  ShapeCache,
  ValueRecorder,
  type Value,
} from '../compiler/render/shapes.ts';
import type { FabricYaml } from '../compiler/spec-types.ts';
import { mutateSpec } from '../scripts/fuzz/mutate.ts';
import { runCase } from '../scripts/fuzz/pipeline.ts';
import { Rng } from '../scripts/fuzz/prng.ts';
import { readFileSync } from 'node:fs';
import { compile, GOLDEN_CASES } from './helpers/compile.ts';
import { fromRoot } from './helpers/paths.ts';

function sameTrees(model: ReturnType<typeof buildModel>, what: string) {
  const byShape = render(model);
  const byText = render(model, { parseEveryFile: true });
  assert.equal(
    byShape.map((f) => f.path),
    byText.map((f) => f.path),
    `${what}: the same files`,
  );
  byShape.forEach((f, i) => assert.fixture(f.contents, byText[i].contents, `${what}: ${f.path}`));
}

test('the reference and every golden spec: by shape = by parsing each file, byte for byte', () => {
  for (const spec of ['spec/fabric.yaml', ...GOLDEN_CASES.map((c) => `tests/golden/${c}/fabric.yaml`)])
    sameTrees(compile(spec).model, spec);
});

test('40 valid specs the fuzzer mutates (hostile strings, renames, many environments, reshaped lists): by shape = by text', () => {
  const reference = readFileSync(fromRoot('spec/fabric.yaml'), 'utf8');
  let compared = 0;
  for (let i = 0; i < 40; i++) {
    const { text, mutations } = mutateSpec(reference, new Rng(1000 + i), 3, true);
    const r = runCase(Buffer.from(text));
    if (!r.valid || !r.model) continue;
    sameTrees(r.model, `case ${i} (${mutations.join('; ')})`);
    compared += 1;
  }
  assert.ok(compared >= 20, `only ${compared} of 40 mutated specs were valid`);
});

/** One file through the cache, and through the full path (its own text parsed). */
function bothPaths(
  cache: ShapeCache,
  parts: (string | { v: Value })[],
): { shape: string | Error; text: string | Error } {
  const rec = new ValueRecorder();
  const skeleton = parts.map((p) => (typeof p === 'string' ? p : rec.token(p.v))).join('');
  const run = (f: () => string) => {
    try {
      return f();
    } catch (e) {
      return e as Error;
    }
  };
  return {
    shape: run(() => cache.canonical(skeleton, rec.values, 'test')),
    text: run(() => canonicalYaml(realText(skeleton, rec.values), 'test')),
  };
}

const HOSTILE: Value[] = [
  'plain',
  'yes',
  'NO',
  '~',
  '',
  ' lead',
  'trail ',
  'a: b',
  '# c',
  '- x',
  'two\nlines',
  'x\n---\nkind: Secret',
  '\u2028',
  '\u0085',
  '\ufeff',
  '\u0000',
  '\ue0000\ue000',
  '"\ue0001\ue000"',
  '__proto__',
  'constructor',
  42,
  -0,
  1e21,
  0.1,
  2 ** 53 + 1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  false,
];

test('hostile values as values, keys, list items and in flow: the shape path gives what the text gives', () => {
  const cache = new ShapeCache();
  for (const v of HOSTILE) {
    for (const parts of [
      ['a: ', { v }, '\nb: fixed\n'],
      [{ v }, ': 1\nother: 2\n'],
      ['list:\n  - ', { v }, '\n  - ', { v: 'second' }, '\n'],
      ['flow: [', { v }, ', "x"]\n'],
      ['nested:\n  deeper:\n    k: ', { v }, '\n---\nkind: B\nv: ', { v }, '\n'],
    ] as (string | { v: Value })[][]) {
      const { shape, text } = bothPaths(cache, parts);
      const what = `${JSON.stringify(v)} in ${JSON.stringify(parts.map((p) => (typeof p === 'string' ? p : '<v>')).join(''))}`;
      if (text instanceof Error) {
        assert.instance(
          shape,
          RenderError,
          `${what}: the text does not parse (${text.message}), so the shape path must fail too`,
        );
      } else {
        assert.type(shape, 'string', `${what}: ${shape instanceof Error ? shape.message : ''}`);
        assert.fixture(shape as string, text, what);
      }
    }
  }
});

test('a token the check cannot vouch for (in a comment, inside a longer scalar) takes the full path, with the same result', () => {
  const cache = new ShapeCache();
  for (const parts of [
    ['# about ', { v: 'x' }, '\nkey: ', { v: 'y' }, '\n'],
    ['key: prefix-', { v: 'x' }, '\n'],
    ["key: '", { v: 'x' }, "'\n"],
    ['key: |\n  ', { v: 'x' }, '\n'],
  ] as (string | { v: Value })[][]) {
    const { shape, text } = bothPaths(cache, parts);
    assert.type(text, 'string');
    assert.fixture(shape as string, text as string);
  }
});

test('two values that make one key twice: an error on both paths, never a silent overwrite', () => {
  const { shape, text } = bothPaths(new ShapeCache(), [{ v: 'same' }, ': 1\n', { v: 'same' }, ': 2\n']);
  assert.instance(text, RenderError);
  assert.instance(shape, RenderError);
  assert.match((shape as Error).message, /unique/);
});

test('one shape, many files: each gets its own values (nothing leaks between files)', () => {
  const cache = new ShapeCache();
  const outs = ['one', 'two', 'three'].map(
    (v) => bothPaths(cache, ['name: ', { v }, '\nlist:\n  - ', { v: `${v}-item` }, '\n']).shape,
  );
  assert.equal(outs, [
    'name: one\nlist:\n  - one-item\n',
    'name: two\nlist:\n  - two-item\n',
    'name: three\nlist:\n  - three-item\n',
  ]);
});

test('data spliced by the data helper: the shape path inserts it, the text path parses its JSON, both agree', () => {
  const cache = new ShapeCache();
  const data = [
    { clusters: { selector: { matchLabels: { 'fabric.dev/role': 'member', n: 'yes' } } } },
    { list: [1, 'two', null, true] },
  ];
  const { shape, text } = bothPaths(cache, ['spec:\n  generators: ', { v: data }, '\n']);
  assert.type(shape, 'string');
  assert.fixture(shape as string, text as string);
  assert.match(shape as string, /"n": "yes"/, 'a YAML 1.1 word stays quoted, as a key too');
});

test('equal documents of a multi-document file share one shape (an AppProject per environment is parsed once)', () => {
  const cache = new ShapeCache();
  const parts: (string | { v: Value })[] = [];
  for (let i = 0; i < 50; i++) parts.push('---\nkind: AppProject\nmetadata:\n  name: ', { v: `env-${i}` }, '\n');
  const { shape, text } = bothPaths(cache, parts);
  assert.fixture(shape as string, text as string);
  assert.is(Object.keys(cache.parsedShapes()).length, 2, 'the empty piece before the first marker, and one AppProject');
});

test.run();
