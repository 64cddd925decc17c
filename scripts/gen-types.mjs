// Derives the TypeScript type of a validated fabric.yaml from the JSON Schema,
// so the two cannot drift (a test fails when the committed file is stale).
// Usage: node scripts/gen-types.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { compile } from 'json-schema-to-typescript';

const root = new URL('..', import.meta.url);
const schema = JSON.parse(readFileSync(new URL('schema/fabric.schema.json', root), 'utf8'));
const target = new URL('compiler/spec-types.ts', root);
const ts = await compile(schema, 'FabricSpec', {
  bannerComment: '// Generated from schema/fabric.schema.json by scripts/gen-types.mjs. Do not edit.',
  additionalProperties: false,
  strictIndexSignatures: false,
  unreachableDefinitions: false,
  style: { singleQuote: true, printWidth: 120 },
});
if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== ts) {
    console.error('compiler/spec-types.ts is stale: run node scripts/gen-types.mjs');
    process.exit(1);
  }
} else writeFileSync(target, ts);
