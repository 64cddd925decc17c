// The fault catalog suite is complete: every fault id (A1-F7) has a test in
// tests/fault-catalog-<group>.test.ts, every (GAP) test says what is missing,
// and the fault catalog table in docs/reliability.md lists each id with its test file and
// its gap, if any.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromRoot } from './helpers/paths.ts';

const GROUPS = { A: 8, B: 7, C: 7, D: 6, E: 5, F: 7 } as const;
const IDS = Object.entries(GROUPS).flatMap(([g, n]) => Array.from({ length: n }, (_, i) => `${g}${i + 1}`));
const fileOf = (id: string) => `tests/fault-catalog-${id[0].toLowerCase()}.test.ts`;

/** The tests of one group file: id, whether marked (GAP), and the source up to the next test. */
function tests(group: string): { id: string; gap: boolean; body: string }[] {
  const text = readFileSync(fromRoot(fileOf(group)), 'utf8');
  const starts = [...text.matchAll(/^test\(\s*['"`]([A-Z]\d+)( \(GAP\))?: /gm)];
  return starts.map((m, i) => ({
    id: m[1],
    gap: Boolean(m[2]),
    body: text.slice(m.index, starts[i + 1]?.index ?? text.length),
  }));
}

const all = Object.keys(GROUPS).flatMap(tests);

test("every fault id has a test named after it, in its group's file, and no test names an unknown id", () => {
  assert.is(IDS.length, 40);
  assert.equal(
    IDS.filter((id) => !all.some((t) => t.id === id && !t.gap)),
    [],
    'ids without a test',
  );
  assert.equal(
    all
      .filter((t) => !IDS.includes(t.id) || !fileOf(t.id).endsWith(`-${t.id[0].toLowerCase()}.test.ts`))
      .map((t) => t.id),
    [],
  );
});

test('every (GAP) test says what is missing, and the table in docs/reliability.md lists every id with its file and its gaps', () => {
  for (const t of all.filter((x) => x.gap))
    assert.match(t.body, /\/\/ GAP: /, `${t.id} (GAP) does not say what is missing`);
  const doc = readFileSync(fromRoot('docs/reliability.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## The fault catalog'));
  assert.ok(section.startsWith('## The fault catalog'), 'docs/reliability.md has a fault catalog section');
  const rows = [...section.matchAll(/^\| ([A-F]\d) \| (.*) \| `(fault-catalog-[a-f])` \|$/gm)];
  assert.equal(
    rows.map((r) => r[1]),
    IDS,
    'one row per id, in order',
  );
  for (const [, id, text, file] of rows) {
    assert.is(`tests/${file}.test.ts`, fileOf(id), id);
    assert.is(
      /\(gap: /.test(text),
      all.some((t) => t.id === id && t.gap),
      `${id}: the gap note in docs/reliability.md and the (GAP) tests disagree`,
    );
  }
});

test.run();
