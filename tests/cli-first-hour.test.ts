// The first hour with fabric through the bundled CLI: init in an empty directory, spec discovery,
// content diffs, colour and verbosity, --json with a format version, version, completion scripts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { useColor, configureGlobals } from '../compiler/cli/output.ts';
import { freshBundleBin } from './helpers/bundle.ts';
import { git, referenceSpecPushingTo, remoteHead, sandbox } from './helpers/git-remote.ts';
import { fromRoot, repoRoot } from './helpers/paths.ts';
import { requireTool } from './helpers/tools.ts';

const work = mkdtempSync(join(tmpdir(), 'fabric-first-hour-'));
const version = (JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { version: string }).version;
const ESC = '\u001b[';

/** The bundled CLI, with colour decided only by what each case sets (no inherited FORCE_COLOR/NO_COLOR). */
function fabric(args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string> } = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  for (const k of ['FORCE_COLOR', 'NO_COLOR', 'FABRIC_SPEC']) if (!opts.env || !(k in opts.env)) delete env[k];
  const r = spawnSync(process.execPath, [freshBundleBin(), ...args], {
    cwd: opts.cwd ?? repoRoot,
    input: opts.input ?? '',
    encoding: 'utf8',
    env,
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, all: r.stdout + r.stderr };
}

const empty = (name: string) => {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  return dir;
};

// argv, where it runs ('repo' or an empty directory), exit code, a fragment of the output.
const CASES: [string[], 'repo' | 'empty', number, string | RegExp][] = [
  [
    ['validate'],
    'empty',
    3,
    /no fabric\.yaml here: tried \.\/fabric\.yaml and \.\/spec\/fabric\.yaml[\s\S]*fabric init/,
  ],
  [['compile'], 'empty', 3, 'no fabric.yaml here'],
  [['init'], 'empty', 2, 'pass --yes for the defaults'],
  [['init', '--yes', '--name', 'Not_A_Name'], 'empty', 2, 'nothing was written'],
  [['init', '--yes', '--environments', ''], 'empty', 2, 'must not be empty'],
  [['init', 'a', 'b'], 'empty', 2, 'too many arguments'],
  [['init', '--yse'], 'empty', 2, /unknown option '--yse'[\s\S]*Did you mean --yes\?/],
  [['schema'], 'empty', 0, '"$schema"'],
  [['version'], 'empty', 0, `fabric ${version}`],
  [['--version'], 'empty', 0, version],
  [['completion'], 'empty', 2, "missing required argument 'shell'"],
  [['completion', 'powershell'], 'empty', 2, 'Allowed choices are bash, zsh, fish'],
  [['completion', 'bash'], 'empty', 0, 'complete -o default -F _fabric fabric'],
  [['help', 'init'], 'empty', 0, 'Usage: fabric init [options] [dir]'],
  [['help', 'completion'], 'empty', 0, 'Usage: fabric completion [options] <shell>'],
  [['help', 'diff'], 'empty', 0, '--stat'],
  [['validate', '--quiet', '--verbose'], 'repo', 2, '--quiet and --verbose contradict each other'],
  [['validate', '-q'], 'repo', 0, /^$/],
  [['validate', '--no-color'], 'repo', 0, 'spec/fabric.yaml: valid'],
  [['compile', '--stat'], 'repo', 2, '--stat goes with --check'],
  [['down', '--json'], 'repo', 2, 'will not do it without a confirmation'],
  [['status', '--jsn'], 'repo', 2, /Did you mean --json\?/],
];

for (const [argv, where, code, fragment] of CASES) {
  test(`fabric ${argv.map((a) => (a === '' ? "''" : a)).join(' ')} (in ${where}) -> exit ${code}`, () => {
    const r = fabric(argv, { cwd: where === 'repo' ? repoRoot : empty(`case-${argv.join('-') || 'none'}`) });
    assert.is(r.status, code, r.all);
    if (typeof fragment === 'string') assert.ok(r.all.includes(fragment), `expected ${fragment} in:\n${r.all}`);
    else assert.match(r.all, fragment);
    assert.not.match(r.all, /internal error|\n\s+at /, 'no stack trace');
  });
}

test('init in an empty directory: a commented spec that validates and compiles, its schema beside it, /out/ ignored', () => {
  const dir = empty('first-fleet');
  const init = fabric(['init', '--yes'], { cwd: dir });
  assert.is(init.status, 0, init.all);
  const spec = readFileSync(join(dir, 'fabric.yaml'), 'utf8');
  assert.match(spec, /^# yaml-language-server: \$schema=\.\/fabric\.schema\.json\n/);
  assert.match(spec, /^name: first-fleet$/m);
  assert.match(spec, /repoURL: https:\/\/github\.com\/you\/first-fleet-gitops\.git/);
  assert.match(spec, /^ {2}stage-cluster:$/m);
  assert.match(spec, /^ {2}prod-cluster:$/m);
  assert.is(readFileSync(join(dir, 'fabric.schema.json'), 'utf8'), fabric(['schema']).stdout);
  assert.is(
    readFileSync(join(dir, 'fabric.schema.json'), 'utf8'),
    readFileSync(fromRoot('schema/fabric.schema.json'), 'utf8'),
  );
  assert.match(readFileSync(join(dir, '.gitignore'), 'utf8'), /^\/out\/$/m);

  const validate = fabric(['validate'], { cwd: dir });
  assert.is(validate.status, 0, validate.all);
  assert.match(validate.stdout, 'fabric.yaml: valid');
  const compile = fabric(['compile'], { cwd: dir });
  assert.is(compile.status, 0, compile.all);
  assert.ok(existsSync(join(dir, 'out/.fabric/manifest.json')));
  assert.is(fabric(['compile', '--check'], { cwd: dir }).status, 0);

  const again = fabric(['init', '--yes'], { cwd: dir });
  assert.is(again.status, 3, again.all);
  assert.match(again.stderr, 'fabric.yaml exists; fabric init does not overwrite it');
  assert.is(readFileSync(join(dir, 'fabric.yaml'), 'utf8'), spec, 'left as it was');
  const forced = fabric(['init', '--yes', '--force', '--name', 'other', '--no-gitignore'], { cwd: dir });
  assert.is(forced.status, 0, forced.all);
  assert.match(readFileSync(join(dir, 'fabric.yaml'), 'utf8'), /^name: other$/m);
  assert.is((readFileSync(join(dir, '.gitignore'), 'utf8').match(/\/out\//g) ?? []).length, 1, 'not added twice');
});

test('init [dir] with the answers as flags: three environments, each with its own ports and member cluster', () => {
  const parent = empty('init-dir');
  const r = fabric(
    [
      'init',
      'fleet',
      '--name',
      'acme',
      '--repo-url',
      'git@example.com:acme/gitops.git',
      '--environments',
      'dev, qa,prod',
    ],
    { cwd: parent },
  );
  assert.is(r.status, 0, r.all);
  const spec = readFileSync(join(parent, 'fleet/fabric.yaml'), 'utf8');
  for (const env of ['dev', 'qa', 'prod']) assert.match(spec, new RegExp(`^  ${env}-cluster:$`, 'm'));
  assert.match(spec, 'ports: { mimir: 30092, loki: 30102, tempo: 30202 }');
  const v = fabric(['validate', 'fleet/fabric.yaml'], { cwd: parent });
  assert.is(v.status, 0, v.all);
});

test('init on a terminal asks for the name, the repository and the environments; end of input stops it, nothing written', () => {
  if (!requireTool('script', 'fabric init on a terminal (script gives it a pty)')) return;
  const onTerminal = (dir: string, input: string) => {
    const command = [process.execPath, freshBundleBin(), 'init'].map((a) => `'${a}'`).join(' ');
    return spawnSync('script', ['-qec', `${command}; echo "exit=$?"`, '/dev/null'], {
      cwd: dir,
      input,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 120_000,
    });
  };
  const dir = empty('terminal');
  const r = onTerminal(dir, 'acme\n\ndev,prod\n');
  assert.match(r.stdout, 'Fleet name [terminal]: ');
  assert.match(r.stdout, 'exit=0');
  const spec = readFileSync(join(dir, 'fabric.yaml'), 'utf8');
  assert.match(spec, /^name: acme$/m);
  assert.match(spec, 'repoURL: https://github.com/you/terminal-gitops.git', 'an empty answer takes the default');
  assert.match(spec, /^ {2}dev-cluster:$/m);
  const cut = empty('terminal-eof');
  const stopped = onTerminal(cut, 'acme\n');
  assert.match(stopped.stdout, 'stopped before all questions were answered; nothing was written');
  assert.match(stopped.stdout, 'exit=130');
  assert.not.ok(existsSync(join(cut, 'fabric.yaml')));
});

test('spec discovery: ./fabric.yaml before spec/fabric.yaml; FABRIC_SPEC before both', () => {
  const dir = empty('discovery');
  mkdirSync(join(dir, 'spec'));
  writeFileSync(join(dir, 'spec/fabric.yaml'), readFileSync(fromRoot('spec/fabric.yaml'), 'utf8'));
  assert.match(fabric(['validate'], { cwd: dir }).stdout, 'spec/fabric.yaml: valid');
  writeFileSync(join(dir, 'fabric.yaml'), 'name: [\n');
  const top = fabric(['validate'], { cwd: dir });
  assert.is(top.status, 1, 'the broken ./fabric.yaml is the one read');
  assert.match(top.stderr, /^fabric\.yaml:/m);
  const env = fabric(['validate'], { cwd: dir, env: { FABRIC_SPEC: 'spec/fabric.yaml' } });
  assert.is(env.status, 0, env.all);
  const missing = fabric(['validate'], { cwd: dir, env: { FABRIC_SPEC: 'nowhere.yaml' } });
  assert.is(missing.status, 3);
  assert.match(missing.all, 'nowhere.yaml');
});

/** A compiled tree whose spec then changes one threshold. */
function staleTree(name: string) {
  const dir = empty(name);
  assert.is(fabric(['init', '--yes'], { cwd: dir }).status, 0);
  assert.is(fabric(['compile'], { cwd: dir }).status, 0);
  const spec = join(dir, 'fabric.yaml');
  writeFileSync(spec, readFileSync(spec, 'utf8').replace('threshold: 0.05', 'threshold: 0.07'));
  return dir;
}

test('compile --check: unified diffs of what compiling would change, exit 4; --stat; --json carries both', () => {
  const dir = staleTree('check');
  const r = fabric(['compile', '--check'], { cwd: dir });
  assert.is(r.status, 4, r.all);
  assert.match(
    r.stdout,
    '--- a/gitops/components/alerting-rules/overlays/prod/rules.yaml\n+++ b/gitops/components/alerting-rules/overlays/prod/rules.yaml\n@@ ',
  );
  assert.match(r.stdout, /^-.*0\.05/m);
  assert.match(r.stdout, /^\+.*0\.07/m);
  assert.match(r.stderr, 'out is not what fabric.yaml compiles to: 7 files would change');
  assert.not.ok(r.stdout.includes(ESC), 'no colour into a pipe');

  const stat = fabric(['compile', '--check', '--stat'], { cwd: dir });
  assert.is(stat.status, 4);
  assert.match(
    stat.stdout,
    /^ {2}changed {2}gitops\/components\/alerting-rules\/overlays\/prod\/rules\.yaml +\+\d+ -\d+$/m,
  );
  assert.match(stat.stdout, '7 files changed'); // per environment rules.yaml, rules.rules.yaml, its test; the manifest
  assert.not.match(stat.stdout, '@@');

  const json = fabric(['compile', '--check', '--json'], { cwd: dir });
  assert.is(json.status, 4);
  const doc = JSON.parse(json.stdout);
  assert.is(doc.format, 1);
  assert.is(doc.upToDate, false);
  const rules = doc.files.find((f: { path: string }) => f.path.endsWith('prod/rules.yaml'));
  assert.is(rules.kind, 'changed');
  assert.ok(rules.added > 0 && rules.removed > 0);
  assert.match(rules.patch, '+++ b/gitops/components/alerting-rules/overlays/prod/rules.yaml');

  // A file missing from the tree is one compiling would add.
  rmSync(join(dir, 'out/README.md'));
  const added = fabric(['compile', '--check'], { cwd: dir });
  assert.is(added.status, 4);
  assert.match(added.stdout, '--- /dev/null\n+++ b/README.md\n@@ -0,0 +1,');
});

test('colour: FORCE_COLOR forces it into a pipe; --no-color and FORCE_COLOR=0 turn it off', () => {
  const dir = staleTree('colour');
  const forced = fabric(['compile', '--check'], { cwd: dir, env: { FORCE_COLOR: '1' } });
  assert.ok(forced.stdout.includes(`${ESC}32m+`), forced.stdout.slice(0, 400));
  assert.ok(forced.stdout.includes(`${ESC}31m-`));
  for (const [args, env] of [
    [['--no-color'], { FORCE_COLOR: '1' }],
    [[], { FORCE_COLOR: '0' }],
    [[], { NO_COLOR: '1' }],
  ] as [string[], Record<string, string>][]) {
    const r = fabric(['compile', '--check', ...args], { cwd: dir, env });
    assert.is(r.status, 4);
    assert.not.ok(r.all.includes(ESC), `${args.join(' ')} ${JSON.stringify(env)}`);
  }
});

test('colour decision: NO_COLOR set to empty counts as unset (no-color.org); --no-color wins over FORCE_COLOR', () => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as NodeJS.WriteStream;
  try {
    configureGlobals({ color: true });
    assert.is(useColor(tty, {}), true);
    assert.is(useColor(tty, { NO_COLOR: '' }), true);
    assert.is(useColor(tty, { NO_COLOR: '1' }), false);
    assert.is(useColor(tty, { TERM: 'dumb' }), false);
    assert.is(useColor(pipe, {}), false);
    assert.is(useColor(pipe, { FORCE_COLOR: '1' }), true);
    assert.is(useColor(tty, { FORCE_COLOR: '0' }), false);
    configureGlobals({ color: false });
    assert.is(useColor(tty, { FORCE_COLOR: '1' }), false);
  } finally {
    configureGlobals({ color: true });
  }
});

test('--quiet keeps errors and drops warnings and summaries', () => {
  const warn = fromRoot('tests/fixtures/bad/warning-fab016-norway.yaml');
  const loud = fabric(['validate', warn]);
  assert.match(loud.stderr, 'FAB016');
  const quiet = fabric(['validate', warn, '--quiet']);
  assert.is(quiet.status, loud.status);
  assert.is(quiet.all, '');
  const bad = fabric(['validate', fromRoot('tests/fixtures/bad/duplicate-key-bool-and-string.yaml'), '-q']);
  assert.is(bad.status, 1);
  assert.match(bad.stderr, 'FAB011');
});

test('--json carries "format": 1 on version, validate, info and apply --dry-run', () => {
  const v = JSON.parse(fabric(['version', '--json']).stdout);
  assert.equal(v, { format: 1, version, node: process.versions.node });
  assert.is(JSON.parse(fabric(['validate', '--json']).stdout).format, 1);
  const info = fabric(['info', '--json']);
  assert.is(info.status, 0, info.all);
  const doc = JSON.parse(info.stdout);
  assert.is(doc.format, 1);
  assert.match(doc.grafana.passwordCommand, 'base64 -d');
  assert.is(doc.backends.length, 2);
  const plan = fabric(['apply', '--dry-run', '--json']);
  assert.is(plan.status, 0, plan.all);
  assert.is(JSON.parse(plan.stdout).format, 1);
});

test('push --json names the commit; diff prints unified diffs, --stat the list, --json both', async () => {
  if (!requireTool('git', 'fabric push --json and fabric diff content')) return;
  const sb = sandbox();
  try {
    const { spec, text, remote } = await referenceSpecPushingTo(sb.root);
    const pushed = fabric(['push', spec, '--json'], { cwd: sb.root });
    assert.is(pushed.status, 0, pushed.all);
    const doc = JSON.parse(pushed.stdout);
    assert.is(doc.format, 1);
    assert.is(doc.status, 'pushed');
    assert.is(doc.commit, await remoteHead(remote));

    writeFileSync(spec, text.replace('errorRate: { threshold: 0.05', 'errorRate: { threshold: 0.07'));
    const diff = fabric(['diff', spec, '--exit-code'], { cwd: sb.root });
    assert.is(diff.status, 4, diff.all);
    assert.match(diff.stdout, '+++ b/gitops/components/alerting-rules/overlays/prod/rules.yaml');
    assert.match(diff.stdout, /^\+.*0\.07/m);
    const stat = fabric(['diff', spec, '--stat'], { cwd: sb.root });
    assert.is(stat.status, 0);
    assert.match(stat.stdout, /files? changed/);
    assert.not.match(stat.stdout, '@@');
    const json = JSON.parse(fabric(['diff', spec, '--json'], { cwd: sb.root }).stdout);
    assert.is(json.format, 1);
    assert.ok(json.changes.files.length > 0);
    assert.equal(
      json.files.map((f: { path: string }) => f.path),
      json.changes.files.map((f: { path: string }) => f.path),
    );
    assert.ok(json.files.every((f: { patch: string }) => f.patch.includes('@@')));
    assert.is((await git(remote, 'rev-list', '--count', 'main')).trim(), '2', 'diff committed nothing');
  } finally {
    sb.restore();
  }
});

const COMMANDS = [
  'validate',
  'compile',
  'push',
  'diff',
  'apply',
  'status',
  'down',
  'info',
  'port-forward',
  'check-routing',
  'init',
  'schema',
  'version',
  'completion',
];

test('completion bash: valid bash that completes commands, options and option values from the declared commands', () => {
  const script = fabric(['completion', 'bash']).stdout;
  const dir = empty('completion');
  writeFileSync(join(dir, 'fabric.bash'), script);
  const syntax = spawnSync('bash', ['-n', join(dir, 'fabric.bash')], { encoding: 'utf8' });
  assert.is(syntax.status, 0, syntax.stderr);
  const complete = (...words: string[]) => {
    const r = spawnSync(
      'bash',
      [
        '-c',
        `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _fabric; printf '%s\\n' "\${COMPREPLY[@]}"`,
        'bash',
        join(dir, 'fabric.bash'),
        ...words,
      ],
      { encoding: 'utf8' },
    );
    assert.is(r.status, 0, r.stderr);
    return r.stdout.trim().split('\n');
  };
  assert.equal(complete('fabric', 'comp').sort(), ['compile', 'completion']);
  assert.equal(complete('fabric', 'compile', '--ch'), ['--check']);
  assert.equal(complete('fabric', 'check-routing', '--via', 'n'), ['nodeport']);
  assert.equal(complete('fabric', 'completion', 'z'), ['zsh']);
  assert.ok(complete('fabric', 'diff', '--').includes('--stat'));
  assert.ok(complete('fabric', '--').includes('--no-color'));
  const all = complete('fabric', '');
  for (const c of COMMANDS) assert.ok(all.includes(c), `${c} in ${all.join(' ')}`);
});

test('completion zsh and fish: every command and its options (syntax-checked when the shell is installed)', () => {
  const zsh = fabric(['completion', 'zsh']).stdout;
  const fish = fabric(['completion', 'fish']).stdout;
  assert.match(zsh, /^#compdef fabric\n/);
  assert.match(zsh, 'compdef _fabric fabric');
  assert.match(
    zsh,
    `'--check[write nothing; print how the output directory differs (unified diffs) and exit 4 if it does]'`,
  );
  assert.match(zsh, `'--via[reach the backends by]:value:(port-forward nodeport)'`);
  assert.match(fish, "complete -c fabric -n '__fish_seen_subcommand_from compile' -l check");
  assert.match(fish, "-l via -x -a 'port-forward nodeport'");
  for (const c of COMMANDS) {
    assert.match(zsh, new RegExp(`^    '${c}:`, 'm'), c);
    assert.match(fish, ` -a '${c}' -d `, c);
  }
  const dir = empty('completion-shells');
  for (const [shell, text, args] of [
    ['zsh', zsh, ['-n']],
    ['fish', fish, ['--no-execute']],
  ] as const) {
    if (spawnSync('which', [shell]).status !== 0) continue;
    writeFileSync(join(dir, `fabric.${shell}`), text);
    const r = spawnSync(shell, [...args, join(dir, `fabric.${shell}`)], { encoding: 'utf8' });
    assert.is(r.status, 0, `${shell}: ${r.stderr}`);
  }
});

test.run();
