// What validate needs to know of PromQL and of promtool's test input, with the
// grammar Prometheus ships for its own editor (@prometheus-io/lezer-promql):
// where an expression stops parsing, whether a series selector is one promtool
// can load, and how many samples a values string in promtool's expanding
// notation stands for.
import { createRequire } from 'node:module';
import type { parser as PromqlParser } from '@prometheus-io/lezer-promql';

const require = createRequire(import.meta.url);
let loaded: typeof PromqlParser | undefined;
/** The grammar, loaded at first use: it takes about 100 ms, which only a spec with custom alerts pays. */
const promql = () => (loaded ??= (require('@prometheus-io/lezer-promql') as { parser: typeof PromqlParser }).parser);

/** A lezer parse tree, as far as finding its first error needs (PromQL, LogQL and TraceQL trees alike). */
interface ParsedTree {
  iterate(spec: { enter(node: { type: { isError: boolean }; from: number }): false | undefined }): void;
}

/** Where a lezer parse first failed (a character offset), or undefined when the text parsed. */
export function firstErrorOffset(tree: ParsedTree): number | undefined {
  let offset: number | undefined;
  tree.iterate({
    enter(node) {
      if (offset !== undefined) return false;
      if (node.type.isError) offset = node.from;
      return undefined;
    },
  });
  return offset;
}

/** The first syntax error of an expression: its character offset and the text there. */
export function promqlSyntaxError(expr: string): { offset: number; message: string } | undefined {
  if (expr.trim() === '') return { offset: 0, message: 'the expression is empty' };
  const offset = firstErrorOffset(promql().parse(expr));
  if (offset === undefined) return undefined;
  const near = expr.slice(offset, offset + 20).split('\n')[0];
  return { offset, message: near ? `syntax error near ${JSON.stringify(near)}` : 'the expression ends too early' };
}

/**
 * Why a series description is not one promtool's input_series accepts (a
 * metric name and/or `{label="value",...}` with `=` matchers only), or undefined.
 */
export function seriesSelectorProblem(series: string): string | undefined {
  const tree = promql().parse(series);
  const top = tree.topNode.firstChild;
  let problem: string | undefined;
  tree.iterate({
    enter(node) {
      if (problem) return false;
      if (node.type.isError) problem = `it does not parse at column ${node.from + 1}`;
      else if (node.name === 'MatchOp' && node.node.firstChild?.name !== 'EqlSingle')
        problem = `'${series.slice(node.from, node.to)}' is not =: a test series has exact label values`;
      return undefined;
    },
  });
  if (problem) return problem;
  if (!top || top.name !== 'VectorSelector' || top.from !== 0 || top.to !== series.trimEnd().length)
    return 'it is not a series selector (metric{label="value"})';
  return undefined;
}

const NUMBER = String.raw`[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?Inf|NaN`;
const TOKENS: [RegExp, (n: number) => number][] = [
  [/^_$/, () => 1],
  [/^stale$/, () => 1],
  [/^_x([0-9]+)$/, (n) => n],
  [new RegExp(`^(?:${NUMBER})$`), () => 1],
  [new RegExp(`^(?:${NUMBER})x([0-9]+)$`), (n) => n + 1],
  [new RegExp(`^(?:${NUMBER})[+-](?:${NUMBER})x([0-9]+)$`), (n) => n + 1],
];

/**
 * The number of samples a values string stands for in promtool's expanding
 * notation ('a+bxN' and 'axN' are N+1 samples, '_xN' is N, '_' and 'stale'
 * one), or the token it cannot read.
 */
export function seriesSampleCount(values: string): { count: number } | { bad: string } {
  let count = 0;
  const tokens = values.trim().split(/\s+/);
  for (const token of tokens) {
    const match = TOKENS.map(([re, n]) => [re.exec(token), n] as const).find(([m]) => m);
    if (!match) return { bad: token };
    const [m, n] = match;
    count += n(m![1] === undefined ? 0 : Number(m![1]));
  }
  return { count };
}
