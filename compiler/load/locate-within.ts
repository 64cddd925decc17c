// The source position of a character inside a scalar's value (column 17 of a
// PromQL expression -> file line:col), for errors found by parsing a value.
// Exact where the value is the source text: plain and quoted scalars without
// escapes on one line, and literal block scalars (`|`); elsewhere (folded or
// escaped text) undefined, and the caller names the start of the value.
import { isScalar, Scalar } from 'yaml';
import { locate, type PathSegment } from './locate.ts';
import type { LoadedSpec } from './types.ts';

function sourceOffset(spec: LoadedSpec, node: Scalar, value: string, offset: number): number | undefined {
  const [start, end] = node.range!;
  const text = spec.source.slice(start, end);
  if (node.type === Scalar.PLAIN && text === value) return start + offset;
  if ((node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) && text.slice(1, -1) === value)
    return start + 1 + offset;
  if (node.type !== Scalar.BLOCK_LITERAL) return undefined;
  // The header (`|`, `|-`, `|2`) ends its line; the content lines follow, each indented alike.
  const contentStart = spec.source.indexOf('\n', start) + 1;
  if (contentStart === 0) return undefined;
  const lines = value.split('\n');
  const before = value.slice(0, offset).split('\n');
  const lineIndex = before.length - 1;
  const sourceLines = spec.source.slice(contentStart).split('\n');
  const firstText = lines.findIndex((l) => l !== '');
  if (firstText < 0) return undefined;
  const indent = sourceLines[firstText].length - lines[firstText].length;
  if (indent < 0 || sourceLines[lineIndex] === undefined) return undefined;
  if (sourceLines[lineIndex].slice(indent) !== lines[lineIndex] && lines[lineIndex] !== '') return undefined;
  const lineStart = sourceLines.slice(0, lineIndex).reduce((n, l) => n + l.length + 1, contentStart);
  return lineStart + indent + before[lineIndex].length;
}

/** Where character `offset` of the string at `path` is written; the value's start when that cannot be told. */
export function locateWithin(
  spec: LoadedSpec,
  path: readonly PathSegment[],
  offset: number,
): { line: number; column: number; exact: boolean } {
  const node = spec.doc.getIn(path, true);
  if (isScalar(node) && node.range && typeof node.value === 'string') {
    const at = sourceOffset(spec, node, node.value, offset);
    if (at !== undefined) {
      const { line, col } = spec.lineCounter.linePos(at);
      return { line, column: col, exact: true };
    }
  }
  return { ...locate(spec, path), exact: false };
}
