// The fast YAML emitter (compiler/render/yaml-emit.ts) must write exactly
// what the yaml library writes with the same options: on every YAML document
// fabric produces, and on generated values with the strings that need care.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';
import { fastYaml, libraryYaml, toYaml } from '../compiler/render/yaml-emit.ts';
import { Rng } from '../scripts/fuzz/prng.ts';
import { compile, GOLDEN_CASES } from './helpers/compile.ts';

/** The fast path agrees with the library, or steps aside; toYaml always agrees. */
function agrees(value: unknown, what: string): boolean {
  const expected = libraryYaml(value);
  const fast = fastYaml(value);
  if (fast !== undefined) assert.fixture(fast, expected, what);
  assert.fixture(toYaml(value), expected, what);
  return fast !== undefined;
}

function hasMultiLine(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('\n');
  if (v && typeof v === 'object') return Object.values(v).some(hasMultiLine);
  return false;
}

test('every YAML document of the reference and golden trees: the fast path writes it, byte for byte', () => {
  let docs = 0;
  for (const spec of ['spec/fabric.yaml', ...GOLDEN_CASES.map((c) => `tests/golden/${c}/fabric.yaml`)]) {
    for (const f of compile(spec).files.filter((f) => f.path.endsWith('.yaml'))) {
      for (const doc of parseAllDocuments(f.contents)) {
        const value = doc.toJS();
        // Multi-line strings (a custom rule's expr written as a block) leave the fast path by design.
        assert.ok(agrees(value, `${spec}: ${f.path}`) || hasMultiLine(value), `${spec}: ${f.path} left the fast path`);
        docs += 1;
      }
    }
  }
  assert.ok(docs > 300, `only ${docs} documents compared`);
});

const NASTY = [
  '',
  ' ',
  'a',
  'yes',
  'Yes',
  'NO',
  'on',
  'off',
  'y',
  'n',
  '~',
  'null',
  'Null',
  'true',
  'FALSE',
  '.inf',
  '-.inf',
  '.nan',
  'NaN',
  'Infinity',
  '0',
  '-1',
  '+1',
  '0x1F',
  '0o17',
  '017',
  '1_000',
  '1e3',
  '1.5',
  '.5',
  '12:30',
  '1:30:00',
  '2024-01-01',
  '2024-01-01T10:00:00Z',
  '- a',
  '-a',
  '? a',
  '?a',
  ': a',
  'a:',
  'a: b',
  'a:b',
  'a #b',
  'a#b',
  '#a',
  '&a',
  '*a',
  '!a',
  '%a',
  '@a',
  '`a',
  '|',
  '>',
  "'",
  '"',
  "it's",
  'say "hi"',
  `both ' and "`,
  '{a}',
  '[a]',
  'a, b',
  'a,b',
  'a ',
  ' a',
  'a\tb',
  '\t',
  '---',
  '--- a',
  '...',
  'a\nb',
  'a\n',
  '\n',
  'a\r\nb',
  '\u0000',
  '\u0007',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ud800',
  '\ue000',
  'é',
  '日本',
  '😀',
  'http://x:80/y',
  '{{ .server }}',
  "'\\{{.name}}'",
  '$(POD_UID)',
  'a=b,c=d',
  'x'.repeat(1025),
  'k8s.io/app-name',
  'CreateNamespace=true',
  '<<',
  '=',
  'a  b',
  'a \\ b',
  '\\',
  '\\n',
  '\\"',
  '\u2028...',
  '\u2029--- a',
  'a\u2028b',
  'e1',
  'E5',
  'e+1',
  'e-10',
  'x1',
  '_1',
  'O1',
  'b1',
  'Y1',
];

test('generated values with strings that need quoting, blocks or escapes: the fast path agrees or steps aside', () => {
  const rng = new Rng(8);
  const pick = <T>(xs: readonly T[]) => xs[rng.int(0, xs.length - 1)];
  const scalar = (): unknown => {
    switch (rng.int(0, 6)) {
      case 0:
        return pick([0, 1, -1, 1.5, -0.25, 1e21, 1e-7, 2 ** 53 + 2, 123456789, -0]);
      case 1:
        return pick([true, false, null]);
      default:
        return rng.int(0, 3) === 0 ? pick(NASTY) + pick(NASTY) : pick(NASTY);
    }
  };
  const value = (depth: number): unknown => {
    if (depth > 3 || rng.int(0, 2) === 0) return scalar();
    if (rng.int(0, 1) === 0)
      return Array.from({ length: rng.int(0, 3) }, () => (rng.int(0, 9) === 0 ? undefined : value(depth + 1)));
    const o: Record<string, unknown> = {};
    for (let i = rng.int(0, 3); i > 0; i--)
      o[String(rng.int(0, 5) === 0 ? rng.int(0, 99) : pick(NASTY))] =
        rng.int(0, 9) === 0 ? undefined : value(depth + 1);
    return o;
  };
  let fast = 0;
  for (let i = 0; i < 3000; i++) if (agrees(value(0), `case ${i}`)) fast += 1;
  assert.ok(fast > 1000, `only ${fast} of 3000 cases took the fast path`);
  for (const s of NASTY) {
    agrees(s, JSON.stringify(s));
    agrees({ [s]: s }, `key and value ${JSON.stringify(s)}`);
    agrees([s, [s], { k: [s] }], `nested ${JSON.stringify(s)}`);
  }
});

test('every string of up to three characters from letters, digits and YAML signs: the fast path agrees', () => {
  // The 1.1 schema reads more as typed than one would guess (e1 is a float): this sweeps the short cases.
  const alphabet = [...'aeEnNoyYx019._-+:~ #"\'\t?%!&*[{,|>@`\u2028'];
  let n = 0;
  for (const a of alphabet)
    for (const b of ['', ...alphabet])
      for (const c of ['', ...alphabet]) {
        const s = a + b + c;
        agrees({ [s]: s, list: [s] }, JSON.stringify(s));
        n += 1;
      }
  assert.ok(n > 30_000);
});

test('what the fast path does not write it hands to the library', () => {
  assert.is(fastYaml({ text: 'two\nlines\n' }), undefined, 'a block scalar depends on its indentation');
  assert.is(fastYaml({ ['k'.repeat(1025)]: 1 }), undefined, 'a long key is written as an explicit key');
  assert.is(fastYaml({ n: Number.NaN }), undefined);
  assert.is(fastYaml({ d: new Date(0) }), undefined, 'not plain data');
  assert.fixture(toYaml({ text: 'two\nlines\n' }), libraryYaml({ text: 'two\nlines\n' }));
});

test('the data files of every tree (rules, promtool tests, datasources) are what the library writes', () => {
  let n = 0;
  for (const spec of ['spec/fabric.yaml', ...GOLDEN_CASES.map((c) => `tests/golden/${c}/fabric.yaml`)])
    for (const f of compile(spec).files.filter((f) =>
      /\/(rules|rules\.promtool-test|datasources)\.yaml$/.test(f.path),
    )) {
      const body = f.contents.replace(/^#.*\n/, '');
      assert.fixture(body, libraryYaml(parseAllDocuments(body)[0].toJS()), `${spec}: ${f.path}`);
      n += 1;
    }
  assert.ok(n > 20, `only ${n} data files compared`);
});

test.run();
