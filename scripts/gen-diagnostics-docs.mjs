// Renders docs/diagnostics.md from the catalog in compiler/diagnostic-catalog.ts:
// an index table, then one section per code with its summary, an example and
// the fix. The whole file is generated.
// Usage: node scripts/gen-diagnostics-docs.mjs [--check]   (--check: exit 1 when stale)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tsImport } from 'tsx/esm/api';

const root = new URL('..', import.meta.url);
const docUrl = new URL('docs/diagnostics.md', root);
const { CATALOG } = await tsImport('../compiler/diagnostic-catalog.ts', import.meta.url);

const RANGES = [
  ['FAB0', 'Reading and parsing the file', 'compiler/load.ts and compiler/load/'],
  ['FAB1', 'The JSON Schema', 'compiler/validate/schema.ts and schema/fabric.schema.json'],
  ['FAB2', 'Semantic checks', 'compiler/validate/checks/'],
];

/** Catalog text is plain: `<env>` would be read as an HTML tag. */
const prose = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Table cells: `|` would end the cell. */
const cell = (text) => prose(String(text)).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const codes = Object.keys(CATALOG).sort();

function section(code) {
  const e = CATALOG[code];
  const fence = e.example.startsWith('fabric ') ? 'sh' : 'yaml';
  return [
    `### ${code} ${e.name}`,
    '',
    `**${e.severity}.** ${prose(e.summary)}`,
    '',
    'Example:',
    '',
    '```' + fence,
    e.example,
    '```',
    '',
    `Fix: ${prose(e.fix)}`,
    '',
  ].join('\n');
}

const lines = [
  '# Diagnostics',
  '',
  '<!-- Generated from compiler/diagnostic-catalog.ts by scripts/gen-diagnostics-docs.mjs; edit the catalog, then run it. -->',
  '',
  'Every problem fabric finds in a spec is a diagnostic: `file:line:col severity code message`, a code frame, and a',
  '`fix:` line (`fabric validate --json` prints the same as data). Errors make `fabric validate` exit 1; warnings',
  'do not. At most 50 are shown; FAB100 counts the rest. The codes are stable: scripts and docs may name them.',
  '',
  '| code | name | severity | summary |',
  '| --- | --- | --- | --- |',
  ...codes.map(
    (c) =>
      `| [${c}](#${c.toLowerCase()}-${CATALOG[c].name.replace(/\./g, '')}) | ${cell(CATALOG[c].name)} | ${CATALOG[c].severity} | ${cell(CATALOG[c].summary)} |`,
  ),
  '',
];
for (const [prefix, title, where] of RANGES) {
  lines.push(`## ${title}`, '', `Reported by ${where}.`, '');
  for (const code of codes.filter((c) => c.startsWith(prefix))) lines.push(section(code));
}
const generated = lines.join('\n').replace(/\n+$/, '\n');

const current = existsSync(docUrl) ? readFileSync(docUrl, 'utf8') : undefined;
if (process.argv.includes('--check')) {
  if (current !== generated) {
    console.error('docs/diagnostics.md is stale: run node scripts/gen-diagnostics-docs.mjs');
    process.exit(1);
  }
} else if (current !== generated) {
  mkdirSync(new URL('docs/', root), { recursive: true });
  writeFileSync(docUrl, generated);
}
