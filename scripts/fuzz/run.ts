// The fuzz loop: derive each case from the seed, run it in process (every
// case), through the CLI (a sample) and the verify stage (every Kth valid
// case), group what breaks by invariant, shrink and save the first input of
// each kind of failure.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cliProblems, ensureBundle, haveKubectl, verifyProblems } from './external.ts';
import { mutateBytes, mutateSpec } from './mutate.ts';
import { runCase, type Stage, type Violation } from './pipeline.ts';
import { Rng, subSeed } from './prng.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;
/** The specs mutations start from: the reference and every golden case. */
export const BASE_SPECS = [
  'spec/fabric.yaml',
  ...readdirSync(join(repoRoot, 'tests/golden'))
    .sort()
    .map((c) => `tests/golden/${c}/fabric.yaml`),
].filter((p) => existsSync(join(repoRoot, p)));
export const FIXTURE_DIR = join(repoRoot, 'tests/fixtures/fuzz');

export interface FuzzOptions {
  runs: number;
  seed: number;
  /** Share of cases made by byte mutations (the rest are structure-aware). */
  rawShare: number;
  /** Run every Nth case through the CLI as well (0: never). */
  cliEvery: number;
  /** Verify every Kth valid case (0: never). */
  verifyEvery: number;
  /** At most this many verify runs. */
  verifyMax?: number;
  /** Only this sub-seed (a replay). */
  only?: number;
  /** Save the first failing input of each kind here (shrunk when `minimize`). */
  saveDir?: string;
  minimize?: boolean;
  log?: (line: string) => void;
}

export interface FuzzCase {
  index: number;
  subSeed: number;
  base: string;
  mutations: string[];
  bytes: Buffer;
}

export interface Finding extends FuzzCase {
  violations: Violation[];
  saved?: string;
}

export interface FuzzSummary {
  runs: number;
  valid: number;
  rejectedAt: Record<Stage, number>;
  cliRuns: number;
  verifyRuns: number;
  verifySkipped?: string;
  findings: Finding[];
  /** Failing cases per invariant. */
  byInvariant: Record<string, number>;
  ms: number;
  slowest: { subSeed: number; ms: number };
}

const baseTexts = new Map<string, string>();
const baseText = (path: string) => {
  if (!baseTexts.has(path)) baseTexts.set(path, readFileSync(join(repoRoot, path), 'utf8'));
  return baseTexts.get(path)!;
};

/** The case a sub-seed stands for; the same sub-seed and raw share give the same bytes. */
export function makeCase(index: number, seed: number, rawShare: number): FuzzCase {
  const rng = new Rng(seed);
  const base = rng.pick(BASE_SPECS);
  const text = baseText(base);
  if (rng.next() < rawShare) {
    const pre = rng.chance(0.3) ? mutateSpec(text, rng, 1, false) : { text, mutations: [] };
    const raw = mutateBytes(Buffer.from(pre.text, 'utf8'), rng);
    return { index, subSeed: seed, base, mutations: [...pre.mutations, ...raw.mutations], bytes: raw.bytes };
  }
  const keepValid = rng.chance(0.35);
  const { text: mutated, mutations } = mutateSpec(text, rng, rng.int(1, 3), keepValid);
  return {
    index,
    subSeed: seed,
    base,
    mutations: keepValid ? ['(validity-keeping)', ...mutations] : mutations,
    bytes: Buffer.from(mutated, 'utf8'),
  };
}

/** Groups violations that are the same bug: numbers and quoted values left out. */
export function signature(v: Violation): string {
  const detail = v.detail
    .split('\n')[0]
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/'[^']*'/g, "'…'")
    .replace(/[0-9]+/g, 'N')
    .slice(0, 100);
  // One line, whatever the input held: it goes into a fixture's header.
  // eslint-disable-next-line no-control-regex
  return `${v.invariant}: ${detail}`.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}

/** Line-level delta debugging: the smallest set of lines that still breaks the same invariant. */
function shrink(bytes: Buffer, still: (b: Buffer) => boolean, budgetMs: number): Buffer {
  const deadline = Date.now() + budgetMs;
  const split = (b: Buffer) => {
    const lines: Buffer[] = [];
    let start = 0;
    for (let i = 0; i < b.length; i++)
      if (b[i] === 0x0a) {
        lines.push(b.subarray(start, i + 1));
        start = i + 1;
      }
    if (start < b.length) lines.push(b.subarray(start));
    return lines;
  };
  let lines = split(bytes);
  let chunk = Math.max(1, Math.floor(lines.length / 2));
  while (chunk >= 1 && Date.now() < deadline) {
    let removed = false;
    for (let at = 0; at < lines.length && Date.now() < deadline;) {
      const candidate = [...lines.slice(0, at), ...lines.slice(at + chunk)];
      if (candidate.length && still(Buffer.concat(candidate))) {
        lines = candidate;
        removed = true;
      } else at += chunk;
    }
    if (!removed) chunk = Math.floor(chunk / 2);
  }
  return Buffer.concat(lines);
}

/** Fixture files start with one comment line naming the case and what broke; the input is everything after it. */
export function fixtureInput(file: Buffer): Buffer {
  const nl = file.indexOf(0x0a);
  return nl < 0 ? Buffer.alloc(0) : file.subarray(nl + 1);
}

function saveFixture(dir: string, f: Finding, bytes: Buffer, seed: number, v: Violation): string {
  mkdirSync(dir, { recursive: true });
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  const header = `# fuzz seed ${seed} case ${f.index} sub-seed ${f.subSeed} (${f.base}): ${signature(v)}\n`;
  const path = join(dir, `${hash}.yaml`);
  writeFileSync(path, Buffer.concat([Buffer.from(header), bytes]));
  return path;
}

/** Signatures already saved in `dir`, so a rerun does not save the same bug twice. */
function savedSignatures(dir: string): Set<string> {
  if (!existsSync(dir)) return new Set();
  return new Set(
    readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => /\): (.*)$/.exec(readFileSync(join(dir, f), 'utf8').split('\n', 1)[0])?.[1] ?? ''),
  );
}

export async function fuzz(opts: FuzzOptions): Promise<FuzzSummary> {
  const log = opts.log ?? (() => {});
  const started = Date.now();
  const summary: FuzzSummary = {
    runs: 0,
    valid: 0,
    rejectedAt: { load: 0, validate: 0, model: 0, render: 0 },
    cliRuns: 0,
    verifyRuns: 0,
    findings: [],
    byInvariant: {},
    ms: 0,
    slowest: { subSeed: 0, ms: 0 },
  };
  if (opts.cliEvery > 0) ensureBundle();
  const canVerify = opts.verifyEvery > 0 && (await haveKubectl());
  if (opts.verifyEvery > 0 && !canVerify) summary.verifySkipped = 'kubectl is not installed';
  const saved = opts.saveDir ? savedSignatures(opts.saveDir) : new Set<string>();

  const indexes = opts.only !== undefined ? [0] : Array.from({ length: opts.runs }, (_, i) => i);
  for (const index of indexes) {
    const c = makeCase(index, opts.only ?? subSeed(opts.seed, index), opts.rawShare);
    const t = Date.now();
    const specDir = dirname(join(repoRoot, c.base));
    const r = runCase(c.bytes, specDir);
    const ms = Date.now() - t;
    if (ms > summary.slowest.ms) summary.slowest = { subSeed: c.subSeed, ms };
    summary.runs++;
    if (r.valid) summary.valid++;
    else summary.rejectedAt[r.stage]++;
    const violations = [...r.violations];
    if (opts.cliEvery > 0 && (index % opts.cliEvery === 0 || opts.only !== undefined)) {
      summary.cliRuns++;
      violations.push(...cliProblems(c.bytes, r, specDir));
    }
    if (
      canVerify &&
      r.valid &&
      r.files &&
      r.model &&
      summary.valid % opts.verifyEvery === 0 &&
      summary.verifyRuns < (opts.verifyMax ?? Infinity)
    ) {
      summary.verifyRuns++;
      violations.push(...(await verifyProblems(r.files, r.model, r.source)));
    }
    if (!violations.length) continue;

    const finding: Finding = { ...c, violations };
    summary.findings.push(finding);
    for (const inv of new Set(violations.map((v) => v.invariant)))
      summary.byInvariant[inv] = (summary.byInvariant[inv] ?? 0) + 1;
    log(`case ${index} sub-seed ${c.subSeed} (${c.base}; ${c.mutations.join('; ')}):`);
    for (const v of violations) log(`  ${v.invariant}: ${v.detail.split('\n').join('\n    ')}`);

    const first = violations[0];
    const sig = signature(first);
    if (opts.saveDir && !saved.has(sig)) {
      saved.add(sig);
      const inProcess = !/^(cli|verify)-/.test(first.invariant);
      const bytes =
        opts.minimize && inProcess
          ? shrink(c.bytes, (b) => runCase(b, specDir).violations.some((v) => signature(v) === sig), 30_000)
          : c.bytes;
      finding.saved = saveFixture(opts.saveDir, finding, bytes, opts.seed, first);
      log(
        `  saved ${finding.saved}${bytes.length < c.bytes.length ? ` (shrunk from ${c.bytes.length} to ${bytes.length} bytes)` : ''}`,
      );
    }
  }
  summary.ms = Date.now() - started;
  return summary;
}
