// The Alloy structural checker: one fixture per structural rule, plus inline
// cases for the lexical rules, each stating the line and the message expected.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkAlloy } from '../compiler/verify/alloy.ts';
import { fromRoot } from './helpers/paths.ts';

const fixture = (name: string) => readFileSync(fromRoot('tests/fixtures/verify/alloy', name), 'utf8');

test('a config using blocks, labels, objects, arrays, raw strings, escapes, operators, stdlib and foreach passes', () => {
  assert.equal(checkAlloy(fixture('good.alloy')), []);
});

test("the good tree's agent config passes", () => {
  const text = readFileSync(
    fromRoot('tests/fixtures/verify/good/gitops/components/alloy-agent/overlays/stage/config.alloy'),
    'utf8',
  );
  assert.equal(checkAlloy(text), []);
});

const brokenFixtures: [file: string, line: number, message: RegExp][] = [
  ['missing-brace.alloy', 11, /missing '\}' for block otelcol\.processor\.batch "default" opened on line 1/],
  ['missing-trailing-comma.alloy', 4, /missing "," before the newline in the object opened on line 2/],
  ['bad-label.alloy', 1, /block label "prod-eu" is not a valid identifier/],
  ['duplicate-label.alloy', 7, /duplicate component loki\.write "default" \(first declared on line 1\)/],
  ['unresolved-reference.alloy', 2, /reference prometheus\.remote_write\.mimir\.receiver does not resolve/],
];

for (const [file, line, message] of brokenFixtures) {
  test(`${file}: one problem on line ${line}`, () => {
    const problems = checkAlloy(fixture(file));
    assert.is(problems.length, 1, JSON.stringify(problems));
    assert.is(problems[0].line, line);
    assert.match(problems[0].message, message);
  });
}

const inline: [name: string, text: string, line: number, message: RegExp][] = [
  [
    'array without trailing comma before "]"',
    'a "b" {\n  x = [\n    1,\n    2\n  ]\n}\n',
    4,
    /missing "," before the newline in the array/,
  ],
  [
    'call arguments without trailing comma',
    'a "b" {\n  x = string.format(\n    "%s",\n    "y"\n  )\n}\n',
    4,
    /missing "," before the newline in the argument list/,
  ],
  ['single-quoted string', 'a "b" {\n  x = \'y\'\n}\n', 2, /single-quoted string/],
  ['unterminated string', 'a "b" {\n  x = "y\n}\n', 2, /string literal not terminated/],
  ['unknown escape', 'a "b" {\n  x = "\\q"\n}\n', 2, /unknown escape sequence \\q/],
  ['label starting with a digit', '1st.thing "2x" {\n}\n', 1, /expected a block or attribute name/],
  ['label that starts with a digit', 'a.b "2x" {\n}\n', 1, /block label "2x" is not a valid identifier/],
  ['raw-string label', 'a.b `x` {\n}\n', 1, /double-quoted string/],
  ['dotted attribute name', 'a "b" {\n  x.y = 1\n}\n', 2, /must be a single identifier/],
  ['two attributes on one line', 'a "b" {\n  x = 1 y = 2\n}\n', 2, /expected a newline after the statement/],
  ['attribute set twice', 'a "b" {\n  x = 1\n  x = 2\n}\n', 3, /attribute "x" is set twice/],
  ['object key twice', 'a "b" {\n  x = { k = 1, k = 2 }\n}\n', 2, /object key "k" appears twice/],
  ['unknown function', 'a "b" {\n  x = foo.bar("y")\n}\n', 2, /unknown function foo\.bar/],
  ['attribute without a value', 'a "b" {\n  z =\n}\n', 3, /expected an expression, got "\}"/],
  ['unterminated block comment', '/* never closed\na "b" {}\n', 1, /block comment not terminated/],
  [
    'nesting a hostile config uses to exhaust the stack',
    `a "b" {\n  x = ${'['.repeat(5000)}${']'.repeat(5000)}\n}\n`,
    2,
    /nesting deeper than 200 levels/,
  ],
  ['the earliest error wins', 'a "b" {\n  x = [1\n  ]\n  y = \'z\'\n}\n', 2, /missing ","/],
];

for (const [name, text, line, message] of inline) {
  test(`rejects: ${name}`, () => {
    const problems = checkAlloy(text);
    assert.ok(problems.length >= 1, 'expected a problem');
    assert.is(problems[0].line, line, JSON.stringify(problems));
    assert.match(problems[0].message, message);
  });
}

test('references resolve through the longest declared name, any export, and an index', () => {
  const text = [
    'discovery.kubernetes "pods" {\n  role = "pod"\n}',
    'a.b "c" {\n  t = discovery.kubernetes.pods.targets[0]\n  u = discovery.kubernetes.pods\n  v = [a.b.c.deep.field]\n}',
  ].join('\n');
  assert.equal(checkAlloy(text), []);
});

test('a reference to a component declared under another label is reported once per use', () => {
  const problems = checkAlloy(
    'loki.write "main" {}\nx.y "z" {\n  a = [loki.write.default.receiver, loki.write.default.receiver]\n}\n',
  );
  assert.equal(
    problems.map((p) => p.line),
    [3, 3],
  );
});

test('components declared inside a declare body resolve, and argument.* is not a component', () => {
  const text =
    'declare "pipeline" {\n  argument "url" {}\n  loki.write "out" {\n    endpoint { url = argument.url.value }\n  }\n  export "receiver" { value = loki.write.out.receiver }\n}\n';
  assert.equal(checkAlloy(text), []);
});

test.run();
