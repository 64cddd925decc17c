// Run promtool over the alerting rules: `check rules` on the `.spec` of every
// PrometheusRule (promtool rejects the custom resource itself), and `test
// rules` on every generated `*.promtool-test.yaml`.
//
// The agreement with the compiler: a test file's `rule_files: [<name>.rules.yaml]`
// names the extracted `.spec` of the PrometheusRule whose source file is
// `<name>.yaml` in the same directory as the test file. A plain rules file of
// that name next to the test is used as it is; when both exist (fabric writes
// both, so that promtool runs in place) they must hold the same groups.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { execa } from 'execa';
import { parseAllDocuments, parse as parseYaml, stringify } from 'yaml';
import { isRecord, kindOf } from './objects.ts';
import { mapWithLimit } from './pool.ts';
import type { Finding } from './types.ts';

const CONCURRENCY = 2;
const TIMEOUT_MS = 60_000;

export interface RuleSpec {
  /** Where the PrometheusRule was found, for the finding. */
  file: string;
  /** "PrometheusRule monitoring/app-alerts". */
  id: string;
  spec: unknown;
}

/** promtool's report without its progress lines and temp paths, at most 40 lines. */
function promtoolOutput(all: string, tempDir: string): string {
  return all
    .split(tempDir + '/')
    .join('')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '' && !/^(Checking |Unit Testing:|FAILED:$)/.test(l.trim()))
    .slice(0, 40)
    .join('\n');
}

/** `promtool check rules` once per distinct spec; a failure is reported for every object that carries it. */
export async function checkRuleSpecs(promtool: string, rules: RuleSpec[]): Promise<Finding[]> {
  const bySpec = new Map<string, RuleSpec[]>();
  for (const r of rules) {
    const key = JSON.stringify(r.spec);
    if (!bySpec.has(key)) bySpec.set(key, []);
    bySpec.get(key)!.push(r);
  }
  const tempDir = await mkdtemp(join(tmpdir(), 'fabric-promtool-'));
  try {
    const groups = [...bySpec.values()].map((sites, index) => ({ sites, file: join(tempDir, `rules-${index}.yaml`) }));
    const results = await mapWithLimit(groups, CONCURRENCY, async ({ sites: group, file }) => {
      await writeFile(file, stringify(group[0].spec));
      const result = await execa(promtool, ['check', 'rules', file], { reject: false, all: true, timeout: TIMEOUT_MS });
      if (!result.failed) return [];
      // Positions in promtool's message are within the extracted spec, so name it that way.
      const output = promtoolOutput(String(result.all ?? result.shortMessage), tempDir)
        .split(basename(file))
        .join('.spec');
      return group.map((r): Finding => ({
        check: 'promtool',
        file: r.file,
        severity: 'error',
        message: `${r.id}: promtool check rules failed: ${output}`,
      }));
    });
    return results.flat();
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}

/** The rules text a test's rule_files entry stands for, or why there is none. */
async function ruleFileFor(
  root: string,
  testDir: string,
  entry: string,
): Promise<{ text: string } | { problem: string }> {
  const plain = posix.join(testDir, entry);
  const source = /^(.*)\.rules\.ya?ml$/.exec(entry);
  const candidates = source ? [`${source[1]}.yaml`, `${source[1]}.yml`].map((f) => posix.join(testDir, f)) : [];
  for (const candidate of candidates) {
    let text: string;
    try {
      text = await readFile(join(root, candidate), 'utf8');
    } catch {
      continue;
    }
    const rule = parseAllDocuments(text)
      .map((d) => d.toJS())
      .find((d) => isRecord(d) && kindOf(d) === 'PrometheusRule');
    if (!isRecord(rule)) return { problem: `${candidate} holds no PrometheusRule` };
    // The plain file is what `promtool test rules` reads in place: it must be the deployed rules.
    const plainText = await readFile(join(root, plain), 'utf8').catch(() => undefined);
    if (plainText !== undefined && !isDeepStrictEqual(parseYaml(plainText), rule.spec))
      return {
        problem: `${plain} differs from the .spec of the PrometheusRule in ${candidate}, so promtool run in place tests other rules than the deployed ones; compile again (fabric compile) instead of editing either`,
      };
    return { text: stringify(rule.spec) };
  }
  try {
    return { text: await readFile(join(root, plain), 'utf8') };
  } catch {
    return {
      problem: `rule file ${entry}: neither ${candidates.join(' nor ') || 'a PrometheusRule source'} nor ${plain} exists`,
    };
  }
}

/** `promtool test rules` on each test file (paths relative to root), each in its own temp dir. */
export async function runRuleTests(promtool: string, root: string, testFiles: string[]): Promise<Finding[]> {
  const results = await mapWithLimit(testFiles, CONCURRENCY, async (testFile): Promise<Finding[]> => {
    const fail = (message: string): Finding[] => [{ check: 'promtool', file: testFile, severity: 'error', message }];
    let testText: string;
    let test: unknown;
    try {
      testText = await readFile(join(root, testFile), 'utf8');
      test = parseYaml(testText);
    } catch (error) {
      return fail(`the test file does not parse: ${(error as Error).message}`);
    }
    const entries =
      isRecord(test) && Array.isArray(test.rule_files)
        ? test.rule_files.filter((e): e is string => typeof e === 'string')
        : [];
    if (entries.length === 0) return fail('the test file lists no rule_files');

    const tempDir = await mkdtemp(join(tmpdir(), 'fabric-promtool-test-'));
    try {
      const testDir = posix.dirname(testFile);
      for (const entry of entries) {
        // promtool resolves rule_files against the test file; keep them inside the temp dir.
        if (posix.isAbsolute(entry) || entry.split('/').includes('..'))
          return fail(`rule file ${entry}: must be a path below the test file's directory`);
        const rules = await ruleFileFor(root, testDir, entry);
        if ('problem' in rules) return fail(rules.problem);
        const target = join(tempDir, entry);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, rules.text);
      }
      const testCopy = posix.basename(testFile);
      await writeFile(join(tempDir, testCopy), testText);
      const result = await execa(promtool, ['test', 'rules', testCopy], {
        cwd: tempDir,
        reject: false,
        all: true,
        timeout: TIMEOUT_MS,
      });
      if (!result.failed) return [];
      if (result.timedOut) return fail(`promtool test rules did not finish within ${TIMEOUT_MS / 1000} s`);
      return fail(`promtool test rules failed: ${promtoolOutput(String(result.all ?? result.shortMessage), tempDir)}`);
    } finally {
      await rm(tempDir, { recursive: true, force: true });
    }
  });
  return results.flat();
}
