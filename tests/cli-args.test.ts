// The command line through the bundled CLI: what each argument means, the exit
// code it gives, and the words users read (docs/cli.md lists the exit codes).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, existsSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freshBundleBin } from './helpers/bundle.ts';
import { git, referenceSpecPushingTo, sandbox } from './helpers/git-remote.ts';
import { fromRoot, repoRoot } from './helpers/paths.ts';
import { requireTool } from './helpers/tools.ts';

const work = mkdtempSync(join(tmpdir(), 'fabric-cli-args-'));
const SPEC = fromRoot('spec/fabric.yaml');
const version = (JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { version: string }).version;

function fabric(args: string[], opts: { cwd?: string; input?: string } = {}) {
  const r = spawnSync(process.execPath, [freshBundleBin(), ...args], {
    cwd: opts.cwd ?? repoRoot,
    input: opts.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, all: r.stdout + r.stderr };
}

const out = (name: string) => join(work, name);

// argv -> exit code and a fragment of what is printed. Runs from the repository root.
const CASES: [string[], number, string | RegExp][] = [
  [['validate'], 0, 'spec/fabric.yaml: valid'],
  [['validate', 'spec/fabric.yaml'], 0, 'spec/fabric.yaml: valid'],
  [['validate', 'tests/fixtures/bad/duplicate-key-bool-and-string.yaml'], 1, 'FAB011'],
  // A positional path is used, not ignored: a missing file is an I/O failure (3), not "spec invalid" (1).
  [['validate', 'my-fleet.yaml'], 3, 'my-fleet.yaml error FAB001 cannot read spec: no such file'],
  [['compile', '--spec', 'nope/fabric.yaml', '--out', out('never')], 3, 'no such file'],
  [['validate', 'spec/fabric.yaml', 'extra'], 2, 'too many arguments'],
  [['validate', 'spec/fabric.yaml', '--spec', 'other.yaml'], 2, 'two specs given'],
  [['validate', '--spec', ''], 2, 'must not be empty'],
  [['compil'], 2, /unknown command 'compil'[\s\S]*Did you mean compile\?/],
  [['validate', '--jsn'], 2, /unknown option '--jsn'[\s\S]*Did you mean --json\?/],
  [['compile', '--out', ''], 2, "option '--out <dir>' argument '' is invalid. must not be empty"],
  [['port-forward', 'grafana', '--port', 'abc'], 2, 'give a whole number from 1 to 65535'],
  [['port-forward', 'grafana', '--port', '70000'], 2, 'give a whole number from 1 to 65535'],
  [['port-forward'], 2, "missing required argument 'target'"],
  // The positional argument of port-forward is the target; the spec comes with --spec.
  [['port-forward', 'grafana', '--spec', 'nope.yaml'], 3, 'nope.yaml error FAB001 cannot read spec: no such file'],
  [['apply', '--dry-run', '--parallel', '0'], 2, 'give a whole number from 1 to 64'],
  [['apply', '--dry-run', '--parallel', 'two'], 2, 'give a whole number from 1 to 64'],
  [['apply', '--dry-run', '--timeout', 'soon'], 2, 'write a duration like 15m'],
  [['check-routing', '--via', 'carrier-pigeon'], 2, 'Allowed choices are port-forward, nodeport'],
  [['verify', '--via', 'carrier-pigeon'], 2, 'Allowed choices are port-forward, nodeport'],
  [['--version'], 0, version],
  [['help', 'compile'], 0, 'Usage: fabric compile [options] [spec]'],
  [['check-routing', '--help'], 0, 'Usage: fabric check-routing|verify'],
  [[], 2, 'Usage: fabric [options] [command]'],
  [['compile', '--out', out('2024')], 0, `${out('2024')}: `],
];

for (const [argv, code, fragment] of CASES) {
  test(`fabric ${argv.map((a) => (a === '' ? "''" : a)).join(' ')} -> exit ${code}`, () => {
    const r = fabric(argv);
    assert.is(r.status, code, r.all);
    if (typeof fragment === 'string') assert.ok(r.all.includes(fragment), `expected ${fragment} in:\n${r.all}`);
    else assert.match(r.all, fragment);
    assert.not.match(r.all, /internal error|\n\s+at /, 'no stack trace');
  });
}

test('--out with a number-like name writes that directory', () => {
  assert.ok(existsSync(join(out('2024'), '.fabric/manifest.json')));
});

test('--spec - reads the spec from standard input', () => {
  const good = fabric(['validate', '--spec', '-'], { input: readFileSync(SPEC, 'utf8') });
  assert.is(good.status, 0, good.all);
  const bad = fabric(['validate', '-'], { input: 'fleet: [\n' });
  assert.is(bad.status, 1, bad.all);
  const compiled = fabric(['compile', '-', '--out', out('stdin')], { input: readFileSync(SPEC, 'utf8') });
  assert.is(compiled.status, 0, compiled.all);
});

test('same spec, same bytes: --check is up to date however the spec path is spelled and wherever fabric runs', () => {
  const tree = out('spellings');
  const first = fabric(['compile', 'spec/fabric.yaml', '--out', tree]);
  assert.is(first.status, 0, first.all);
  assert.is(JSON.parse(readFileSync(join(tree, '.fabric/manifest.json'), 'utf8')).spec, 'spec/fabric.yaml');
  assert.match(readFileSync(join(tree, 'README.md'), 'utf8'), 'spec/fabric.yaml');
  const elsewhere = mkdtempSync(join(work, 'cwd-'));
  const link = join(work, 'link');
  symlinkSync(repoRoot, link);
  const spellings: [string, string][] = [
    [SPEC, repoRoot],
    ['./spec/fabric.yaml', repoRoot],
    ['spec/../spec/fabric.yaml', repoRoot],
    [SPEC, elsewhere],
    ['../link/spec/fabric.yaml', elsewhere],
    [join(link, 'spec/fabric.yaml'), elsewhere],
  ];
  for (const [spec, cwd] of spellings) {
    const r = fabric(['compile', '--check', '--spec', spec, '--out', tree], { cwd });
    assert.is(r.status, 0, `${spec} from ${cwd}:\n${r.all}`);
    assert.match(r.stdout, 'is up to date');
  }
  // Outside any git repository the spec goes by its file name.
  mkdirSync(join(work, 'loose'));
  const loose = join(work, 'loose', 'fleet.yaml');
  spawnSync('cp', [SPEC, loose]);
  const r = fabric(['compile', loose, '--out', out('loose-tree')]);
  assert.is(r.status, 0, r.all);
  assert.is(JSON.parse(readFileSync(join(out('loose-tree'), '.fabric/manifest.json'), 'utf8')).spec, 'fleet.yaml');
});

test('a reader that goes away does not crash fabric: compile --json | head -c1', () => {
  const r = spawnSync(
    'bash',
    [
      '-c',
      '"$0" "$1" compile --json --out "$2" | head -c1 >/dev/null; exit ${PIPESTATUS[0]}',
      process.execPath,
      freshBundleBin(),
      out('epipe'),
    ],
    { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 },
  );
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, '');
  assert.ok(existsSync(join(out('epipe'), '.fabric/manifest.json')));
});

test('push: --path 0800, --branch 1.10 and --message 42 are the strings typed', async () => {
  if (!requireTool('git', 'fabric push argument strings')) return;
  const sb = sandbox();
  try {
    const { spec, remote } = await referenceSpecPushingTo(sb.root);
    const env = { cwd: sb.root };
    const r = fabric(
      [
        'push',
        spec,
        '--path',
        '0800',
        '--branch',
        '1.10',
        '--message',
        '42',
        '--create-branch',
        '--repo-url',
        `file://${remote}`,
      ],
      env,
    );
    assert.is(r.status, 0, r.all);
    const top = await git(remote, 'ls-tree', '--name-only', '1.10');
    assert.ok(top.split('\n').includes('0800'), top);
    assert.is((await git(remote, 'log', '-1', '--format=%s', '1.10')).trim(), '42');
  } finally {
    sb.restore();
  }
});

test.run();
