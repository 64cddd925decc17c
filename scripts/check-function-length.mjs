// Lint: no function in product code (compiler/, scripts/, runtime-app/src/) longer than MAX_LINES,
// so each one can be read at once. Tests are left out: a test's stand-ins follow a tool's whole
// command surface in one dispatcher on purpose.
import { readFileSync } from 'node:fs';
import fg from 'fast-glob';
import ts from 'typescript';

const MAX_LINES = 100;
const files = await fg(['compiler/**/*.ts', 'scripts/**/*.{ts,mjs}', 'runtime-app/src/**/*.ts'], {
  ignore: ['**/node_modules/**'],
});
const long = [];
for (const file of files.sort()) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = source.getLineAndCharacterOfPosition(node.end).line;
      if (last - first + 1 > MAX_LINES)
        long.push(`${file}:${first + 1}: ${node.name?.getText() ?? 'a function'} has ${last - first + 1} lines`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
if (long.length) {
  console.error(`functions longer than ${MAX_LINES} lines (split them into named steps):\n${long.join('\n')}`);
  process.exit(1);
}
console.log(`${files.length} files: no function longer than ${MAX_LINES} lines`);
