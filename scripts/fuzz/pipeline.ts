// One fuzz case through the compiler stages in this process (load ->
// validate -> model -> render), with the invariants that hold on every run:
// no stage throws; errors are located; a valid spec renders into files that
// parse the same as YAML 1.2 and 1.1, pass the offline checks of the verify
// stage that need no tool, and carry the spec's strings unchanged.
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { formatDiagnostics, hasErrors, type Diagnostic } from '../../compiler/diagnostics.ts';
import { assertSafeRelative } from '../../compiler/emit.ts';
import type { RenderedFile } from '../../compiler/emit-types.ts';
import { loadSpecSource, type LoadedSpec } from '../../compiler/load.ts';
import { readResourceDirs } from '../../compiler/load/resources-dir.ts';
import { buildModel, type Model } from '../../compiler/model/index.ts';
import { renderChecked } from '../../compiler/render/index.ts';
import type { FabricYaml } from '../../compiler/spec-types.ts';
import { validateSpec } from '../../compiler/validate/index.ts';
import { checkAlloy } from '../../compiler/verify/alloy.ts';
import { nameProblems } from '../../compiler/verify/names.ts';
import { queryError, ruleQueries } from '../../compiler/verify/queries.ts';
import { applicationNameProblems, urlProblems, usageProblems } from './usage.ts';
import type { Violation } from './violation.ts';

export type { Violation } from './violation.ts';

export type Stage = 'load' | 'validate' | 'model' | 'render';

export interface CaseResult {
  /** The last stage reached: where the spec was rejected, or render when it compiled. */
  stage: Stage;
  valid: boolean;
  diagnostics: Diagnostic[];
  source: string;
  spec?: FabricYaml;
  model?: Model;
  files?: RenderedFile[];
  violations: Violation[];
}

/** The spec's name in every case (the CLI runs in the case's directory), so paths and headers match. */
export const SPEC_NAME = 'fabric.yaml';

/** Codes of diagnostics about the whole file, which have no line (compiler/load.ts, the schema's summary). */
export const FILE_LEVEL_CODES = new Set(['FAB001', 'FAB002', 'FAB003', 'FAB013', 'FAB100']);

/** Text that means a value went missing or was mangled on its way to the output. */
const MANGLED = /\bundefined\b|\bNaN\b|\bInfinity\b|\[object Object\]|\bfunction\b.*\{|[0-9]e\+[0-9]/g;
/** The same in a diagnostic, which may quote a number the way JavaScript prints it. */
const DIAGNOSTIC_MANGLED = /\bundefined\b|\[object Object\]|\bfunction\b.*\{/g;

const crash = (stage: Stage, e: unknown): Violation => ({
  invariant: `crash-${stage}`,
  detail:
    e instanceof Error ? `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 4).join('\n')}` : String(e),
});

/**
 * Runs a spec (the file's bytes) through every stage, checking as it goes. `specDir`: where the spec's
 * relative paths (overrides.*.resourcesDir) resolve, the seed's directory, as for the CLI run (external.ts).
 */
export function runCase(bytes: Buffer, specDir?: string, file = SPEC_NAME): CaseResult {
  // The CLI reads the file as UTF-8 (invalid sequences become U+FFFD); so does this.
  const source = bytes.toString('utf8');
  const violations: Violation[] = [];
  const result = (stage: Stage, extra: Partial<CaseResult> = {}): CaseResult => ({
    stage,
    valid: false,
    diagnostics: [],
    source,
    violations,
    ...extra,
  });

  let loadResult;
  try {
    loadResult = loadSpecSource(source, file);
  } catch (e) {
    violations.push(crash('load', e));
    return result('load');
  }
  const diagnostics = [...loadResult.diagnostics];
  if (!loadResult.loaded || hasErrors(diagnostics)) {
    violations.push(...diagnosticProblems(diagnostics, source, file, true));
    return result('load', { diagnostics });
  }
  const loaded: LoadedSpec = loadResult.loaded;

  let validated;
  try {
    validated = validateSpec(loaded);
  } catch (e) {
    violations.push(crash('validate', e));
    return result('validate', { diagnostics });
  }
  diagnostics.push(...validated.diagnostics);
  // As compileSpec: the resource directories are read once the checks accept the spec.
  const dirs = validated.spec
    ? readResourceDirs(validated.spec, loaded, join(specDir ?? '.', file), specDir === undefined)
    : { extras: {}, diagnostics: [] };
  diagnostics.push(...dirs.diagnostics);
  const spec = hasErrors(dirs.diagnostics) ? undefined : validated.spec;
  violations.push(...diagnosticProblems(diagnostics, source, file, !spec));
  if (!spec) return result('validate', { diagnostics });

  let model: Model;
  try {
    model = buildModel(spec, file, dirs.extras);
  } catch (e) {
    violations.push(crash('model', e));
    return result('model', { diagnostics, spec });
  }
  violations.push(...modelProblems(model, source));

  let files: RenderedFile[];
  try {
    const rendered = renderChecked(model);
    // Overrides that do not apply are the spec's problem, reported by compileSpec as located diagnostics.
    if (rendered.problems.length) return result('render', { diagnostics, spec, model });
    files = rendered.files;
  } catch (e) {
    violations.push(crash('render', e));
    return result('render', { diagnostics, spec, model });
  }
  // A checker that throws met output of a shape it did not expect: that is a finding too, not the end of the run.
  const check = (name: string, run: () => Violation[]) => {
    try {
      violations.push(...run());
    } catch (e) {
      violations.push({
        invariant: 'output-shape',
        detail: `${name} could not read the output: ${(e as Error).message}`,
      });
    }
  };
  check('output', () => outputProblems(files, source));
  check('parse-back', () => parseBackProblems(files));
  check('usage', () =>
    usageProblems(spec, model, files).map((detail) => ({ invariant: 'spec-string-changed', detail })),
  );
  check('applications', () => applicationNameProblems(model, files));
  check('key order', () => keyOrderProblems(spec, file, model, dirs.extras));
  check('urls', () => urlProblems(spec));
  return { stage: 'render', valid: true, diagnostics, source, spec, model, files, violations };
}

/**
 * The parse-back guard: render writes template output as rendered, so every
 * YAML file must parse, without errors or warnings, under YAML 1.2 and 1.1.
 */
function parseBackProblems(files: RenderedFile[]): Violation[] {
  const out: Violation[] = [];
  for (const f of files.filter((f) => f.path.endsWith('.yaml')))
    for (const version of ['1.2', '1.1'] as const)
      for (const doc of parseAllDocuments(f.contents, { version, uniqueKeys: true })) {
        const problem = doc.errors[0] ?? doc.warnings[0];
        if (problem)
          out.push({ invariant: 'yaml-parse-back', detail: `${f.path} (YAML ${version}): ${problem.message}` });
      }
  return out;
}

/** Every error is located (a line, or a whole-file code) inside the file, and prints with its code frame. */
export function diagnosticProblems(ds: Diagnostic[], source: string, file: string, rejected: boolean): Violation[] {
  const out: Violation[] = [];
  const bad = (detail: string) => out.push({ invariant: 'diagnostic-unlocated', detail });
  if (rejected && !hasErrors(ds))
    out.push({
      invariant: 'rejected-without-error',
      detail: `the spec was rejected, but no error says why: ${JSON.stringify(ds)}`,
    });
  // Lines as the code frame counts them.
  const lines = source.split(/\r\n|[\n\r\u2028\u2029]/);
  const inFile = (line: number, column: number) =>
    line >= 1 && line <= lines.length && column >= 1 && column <= lines[line - 1].length + 1;
  for (const d of ds) {
    const id = `${d.code} "${d.message}"`;
    if (
      !/^FAB[0-9]{3}$/.test(d.code) ||
      (d.severity !== 'error' && d.severity !== 'warning') ||
      typeof d.message !== 'string' ||
      !d.message ||
      d.file !== file
    ) {
      out.push({ invariant: 'diagnostic-malformed', detail: JSON.stringify(d) });
      continue;
    }
    if (d.severity === 'error' && d.line <= 0 && !FILE_LEVEL_CODES.has(d.code))
      bad(`${id} has no line and is not a whole-file diagnostic`);
    if (d.line > 0 && !inFile(d.line, d.column))
      bad(`${id} points at ${d.line}:${d.column}, outside the file (${lines.length} lines)`);
    if (d.related && !inFile(d.related.line, d.related.column))
      bad(`${id} names a related place ${d.related.line}:${d.related.column} outside the file`);
    for (const text of [d.message, d.hint ?? '', d.related?.message ?? '']) {
      for (const m of text.match(DIAGNOSTIC_MANGLED) ?? [])
        if (!source.includes(m)) out.push({ invariant: 'diagnostic-mangled', detail: `${id}: "${m}" in "${text}"` });
    }
  }
  try {
    const printed = formatDiagnostics(ds, { color: false, source });
    for (const d of ds.filter((x) => x.line > 0)) {
      // The frame's marked line must be the line the diagnostic names.
      const frame = formatDiagnostics([d], { color: false, source });
      const marked = /^ {2}> *([0-9]+) \|(.*)$/m.exec(frame);
      const want = lines[d.line - 1] ?? '';
      if (
        !marked ||
        Number(marked[1]) !== d.line ||
        // A long line is shown as a window cut out of it, marked with … at the cut ends.
        !`${want}`.includes(marked[2].replace(/^ /, '').replace(/^…/, '').slice(0, 40).replace(/…$/, '').trimEnd())
      ) {
        out.push({
          invariant: 'code-frame-wrong-line',
          detail: `${d.code} at ${d.line}:${d.column}: the frame marks ${marked ? `line ${marked[1]} "${marked[2]}"` : 'no line'}, the file's line is ${JSON.stringify(want.slice(0, 60))}`,
        });
        break;
      }
    }
    if (ds.length && !printed) out.push({ invariant: 'diagnostic-malformed', detail: 'diagnostics print as nothing' });
  } catch (e) {
    out.push({ invariant: 'crash-format', detail: (e as Error).message });
  }
  return out;
}

/** The model holds no missing, non-finite or fractional values where the runner and templates expect numbers and names. */
function modelProblems(model: Model, source: string): Violation[] {
  const out: Violation[] = [];
  const INTEGERS = new Set(['cpus', 'memoryMiB', 'memoryBudgetMiB', 'nodePort', 'port', 'replicas']);
  const walk = (v: unknown, path: string) => {
    if (v === undefined || v === null) return;
    if (typeof v === 'number') {
      const key = path.slice(path.lastIndexOf('.') + 1);
      if (!Number.isFinite(v)) out.push({ invariant: 'model-value', detail: `${path} is ${v}` });
      else if (INTEGERS.has(key) && !Number.isSafeInteger(v))
        out.push({ invariant: 'model-value', detail: `${path} is ${v}, not a whole number a tool can take` });
    } else if (typeof v === 'string') {
      for (const m of v.match(MANGLED) ?? [])
        if (!source.includes(m))
          out.push({ invariant: 'model-value', detail: `${path} = ${JSON.stringify(v.slice(0, 120))}` });
    } else if (typeof v === 'function') {
      out.push({ invariant: 'model-value', detail: `${path} is a function` });
    } else if (typeof v === 'object') {
      for (const [k, x] of Object.entries(v as object)) walk(x, `${path}.${k}`);
    }
  };
  walk(model, 'model');
  return out;
}

/** Whole-tree checks that need no external tool. */
export function outputProblems(files: RenderedFile[], source: string): Violation[] {
  const out: Violation[] = [];
  const add = (invariant: string, detail: string) => out.push({ invariant, detail });
  const seen = new Set<string>();
  for (const f of files) {
    try {
      assertSafeRelative(f.path);
    } catch (e) {
      add('output-path', (e as Error).message);
    }
    if (seen.has(f.path)) add('output-path', `${f.path} is rendered twice`);
    seen.add(f.path);
    // YAML is checked value by value (PromQL may write 1e+21); other files as text.
    if (!f.path.endsWith('.yaml'))
      for (const m of f.contents.match(MANGLED) ?? [])
        if (!source.includes(m)) {
          add('output-mangled', `${f.path}: "${m}"`);
          break;
        }
    if (f.path.endsWith('.yaml')) out.push(...yamlProblems(f.path, f.contents, source));
    else if (f.path.endsWith('.json')) {
      try {
        JSON.parse(f.contents);
      } catch (e) {
        add('output-json', `${f.path}: ${(e as Error).message}`);
      }
    } else if (f.path.endsWith('.alloy')) {
      for (const p of checkAlloy(f.contents)) add('output-alloy', `${f.path}:${p.line}: ${p.message}`);
    }
  }
  return out;
}

/** A YAML file parses, means the same under YAML 1.1 (what Kubernetes tools read) as under 1.2, and its objects pass the name and query checks. */
function yamlProblems(path: string, text: string, source: string, depth = 0): Violation[] {
  const out: Violation[] = [];
  const docs12 = parseAllDocuments(text, { version: '1.2', uniqueKeys: true });
  const docs11 = parseAllDocuments(text, { version: '1.1', uniqueKeys: true });
  if (!Array.isArray(docs12) || !Array.isArray(docs11))
    return text.trim() && !/^(#.*\n?)*$/.test(text.trim())
      ? [{ invariant: 'output-yaml', detail: `${path}: no YAML document` }]
      : [];
  for (const [i, doc] of docs12.entries()) {
    const err = doc.errors[0] ?? docs11[i]?.errors[0];
    if (err) {
      out.push({ invariant: 'output-yaml', detail: `${path} document ${i + 1}: ${err.message.split('\n')[0]}` });
      continue;
    }
    const v12 = doc.toJS({ maxAliasCount: 0 });
    const v11 = docs11[i].toJS({ maxAliasCount: 0 });
    if (!isDeepStrictEqual(v12, v11))
      out.push({
        invariant: 'output-yaml-1.1',
        detail: `${path} document ${i + 1} reads differently as YAML 1.1: ${firstDifference(v12, v11)}`,
      });
    out.push(...valueProblems(path, v12, source));
    if (depth > 0 || !v12 || typeof v12 !== 'object') continue;
    const obj = v12 as Record<string, unknown>;
    if (
      typeof obj.kind === 'string' &&
      typeof obj.apiVersion === 'string' &&
      !obj.apiVersion.startsWith('kustomize.config.k8s.io/')
    ) {
      for (const p of nameProblems(obj)) out.push({ invariant: 'output-name', detail: `${path}: ${obj.kind}: ${p}` });
      if (obj.kind === 'PrometheusRule')
        for (const site of ruleQueries(obj)) {
          const error = queryError(site.language, site.parsed);
          if (error)
            out.push({
              invariant: 'output-promql',
              detail: `${path} ${site.where}: ${error} in ${JSON.stringify(site.query)}`,
            });
        }
    }
    // Strategic-merge patches inside kustomizations are YAML too.
    for (const patch of embeddedPatches(obj)) out.push(...yamlProblems(`${path} (patch)`, patch, source, depth + 1));
  }
  return out;
}

/** Durations in the form each consumer parses, within the range it holds. */
const PROM_DURATION_KEYS = new Set(['for', 'compactor_blocks_retention_period', 'retention_period']);
const GO_DURATION_KEYS = new Set(['block_retention']);
const PROM_UNITS: Record<string, number> = { ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
const GO_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
/** Both hold int64 counts: of milliseconds (Prometheus model.Duration) and of nanoseconds (Go time.Duration). */
const PROM_MAX_S = 2 ** 63 / 1e3;
const GO_MAX_S = 2 ** 63 / 1e9;

function durationProblem(text: string, go: boolean): string | undefined {
  const units = go ? GO_UNITS : PROM_UNITS;
  // Prometheus takes each unit at most once, largest first (model.ParseDuration); Go takes any sequence.
  const grammar = go
    ? /^(([0-9]+(\.[0-9]+)?)(ns|us|µs|ms|s|m|h))+$/
    : /^([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?$/;
  if (!text || !grammar.test(text)) return `is not a ${go ? 'Go' : 'Prometheus'} duration`;
  let seconds = 0;
  for (const m of text.matchAll(/([0-9.]+)(ns|us|µs|ms|s|m|h|d|w|y)/g)) seconds += Number(m[1]) * units[m[2]];
  return seconds > (go ? GO_MAX_S : PROM_MAX_S) ? `overflows a ${go ? 'Go' : 'Prometheus'} duration` : undefined;
}

/** Scalars that lost their value on the way (undefined, NaN, a JavaScript object) and durations a consumer cannot read. */
function valueProblems(path: string, value: unknown, source: string): Violation[] {
  const out: Violation[] = [];
  const walk = (v: unknown, key: string) => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object' && !(v instanceof Date)) for (const [k, x] of Object.entries(v)) walk(x, k);
    else if (typeof v === 'string') {
      if (PROM_DURATION_KEYS.has(key) || GO_DURATION_KEYS.has(key)) {
        const problem = durationProblem(v, GO_DURATION_KEYS.has(key));
        if (problem)
          out.push({ invariant: 'output-duration', detail: `${path}: ${key}: ${JSON.stringify(v)} ${problem}` });
      }
      if (key === 'expr') {
        for (const m of v.matchAll(/\[([^\]]+)\]/g)) {
          const problem = durationProblem(m[1], false);
          if (problem) out.push({ invariant: 'output-duration', detail: `${path}: range [${m[1]}] ${problem}` });
        }
        return;
      }
      if (key === 'values') return;
      for (const m of v.match(MANGLED) ?? [])
        if (!source.includes(m))
          out.push({
            invariant: 'output-mangled',
            detail: `${path}: ${key}: "${m}" in ${JSON.stringify(v.slice(0, 120))}`,
          });
    }
  };
  walk(value, '');
  return out;
}

function embeddedPatches(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(embeddedPatches);
  if (!v || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => (k === 'patch' && typeof x === 'string' ? [x] : embeddedPatches(x)));
}

function firstDifference(a: unknown, b: unknown, path = ''): string {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !(a instanceof Date) && !(b instanceof Date)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const x = (a as Record<string, unknown>)[k];
      const y = (b as Record<string, unknown>)[k];
      if (!isDeepStrictEqual(x, y)) return firstDifference(x, y, `${path}.${k}`);
    }
  }
  const show = (v: unknown) => (v instanceof Date ? `Date(${v.toISOString()})` : JSON.stringify(v));
  return `${path || '.'}: ${show(a)} vs ${show(b)}`;
}

/**
 * The same spec with every mapping and list in another order builds the same
 * model, key order included (docs/reliability.md D6). Render is a function of the
 * model, so this is the cheap form of "compiles to the same files".
 */
function keyOrderProblems(
  spec: FabricYaml,
  file: string,
  model: Model,
  extras: Parameters<typeof buildModel>[2],
): Violation[] {
  let state = 0x2545f491;
  const rand = () => (state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296;
  // Lists are sets in the spec, except under overrides (patches, ops and tolerations apply in order),
  // alerting routes (Alertmanager tries them in order; docs/alerting.md) and a custom alert's tests
  // (each generated case names its test by index, alerts.custom.<name>.tests[i]).
  const reorder = (v: unknown, ordered = false): unknown => {
    if (Array.isArray(v)) return ordered ? v.map((x) => reorder(x, true)) : v.map((x) => reorder(x)).reverse();
    if (!v || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v)
        .map(([k, x]) => [k, reorder(x, ordered || k === 'overrides' || k === 'routes' || k === 'tests')] as const)
        .sort(() => rand() - 0.5)
        .reverse(),
    );
  };
  let other: Model;
  try {
    other = buildModel(reorder(spec) as FabricYaml, file, extras);
  } catch (e) {
    return [crash('model', e)];
  }
  const a = JSON.stringify(model);
  const b = JSON.stringify(other);
  if (a === b) return [];
  let i = 0;
  while (a[i] === b[i]) i++;
  return [
    {
      invariant: 'output-order-dependent',
      detail: `the model changes when the spec's keys are reordered, at ...${a.slice(Math.max(0, i - 80), i + 40)}`,
    },
  ];
}
