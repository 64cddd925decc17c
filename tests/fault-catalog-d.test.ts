// Fault catalog D (docs/reliability.md, D rows): the file system. `fabric compile`
// writes into temp dirs; faults the machine cannot produce on demand (a full
// disk) are injected through emit's test hook.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse, stringify } from 'yaml';
import { emitTree, EmitError } from '../compiler/emit.ts';
import { compileSpec, type Compiled } from '../compiler/index.ts';
import { readTree } from './helpers/compile.ts';
import {
  diagnostics,
  edited,
  exits,
  fabric,
  fabricChild,
  REFERENCE,
  STACK_FRAME,
  tempDir,
  writeSpec,
} from './fault-catalog-helpers.ts';
import { fromRoot } from './helpers/paths.ts';

/** A temp dir with fabric.yaml (the reference, or `text`) compiled into out/. */
function compiledDir(text = REFERENCE) {
  const dir = tempDir();
  const spec = writeSpec(text, dir);
  const out = join(dir, 'out');
  exits(fabric(['compile', '--spec', spec, '--out', out]), 0);
  return { dir, spec, out };
}

const leftovers = (dir: string) => readdirSync(dir).filter((e) => e.includes('.fabric-'));
const another = REFERENCE.replace('revision: main', 'revision: release');

test('D1: nothing reaches the disk before the whole tree is rendered and checked; a full disk half-way leaves the old tree, named and cleaned up', () => {
  const { dir, spec, out } = compiledDir();
  const before = readTree(out);
  writeFileSync(spec, REFERENCE.replace('nodePort: 30300', 'nodePort: 80'));
  exits(fabric(['compile', '--spec', spec, '--out', out]), 1);
  assert.equal(readTree(out), before, 'an invalid spec writes nothing');

  const next = compileSpec(writeSpec(another, tempDir())) as Compiled;
  let staged = 0;
  const full = () => {
    try {
      emitTree(next.files, out, {
        specPath: spec,
        specSource: another,
        // Only the files the new revision changes are staged (the spec is named by its file name, not by its
        // temp directory, so the headers stay the same): the disk fills after the second of them.
        afterStagedFile: (p) => {
          if (++staged === 2)
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
              code: 'ENOSPC',
              path: join(out, p),
            });
        },
      });
    } catch (e) {
      return e;
    }
    return undefined;
  };
  const e = full();
  assert.instance(e, EmitError);
  assert.match((e as EmitError).message, /: the disk is full; the previous tree is unchanged$/);
  // The hint names the out dir, never a path inside fabric's stage (deleted by now).
  assert.match((e as EmitError).hint!, /^free space on the file system that holds .*\/out, then run again$/);
  assert.not.match((e as EmitError).hint!, /stage/);
  assert.equal(readTree(out), before, 'the old tree, every byte');
  assert.equal(leftovers(dir), [], 'no staging directory or lock left behind');
});

test('D2: what the spec no longer describes is pruned, from the manifest only, and reported; a manifest naming paths outside the tree is refused', () => {
  const { dir, spec, out } = compiledDir();
  writeFileSync(join(out, 'NOTES.md'), 'ours\n');
  writeFileSync(
    spec,
    edited(
      [['environments', 'prod'], undefined],
      [['clusters', 'prod-cluster'], undefined],
      [['apps', 'instrumented-app', 'hosts', 'prod'], undefined],
    ),
  );
  const r = fabric(['compile', '--json', '--spec', spec, '--out', out]);
  exits(r, 0);
  const { removed } = JSON.parse(r.stdout) as { removed: string[] };
  assert.ok(removed.includes('gitops/components/alloy-agent/overlays/prod-cluster/config.alloy'), removed.join('\n'));
  assert.ok(removed.includes('gitops/components/monitoring/mimir/overlays/prod/mimir.yaml'));
  assert.ok(
    removed.every((p) => /prod/.test(p)),
    removed.join('\n'),
  );
  assert.not.ok(existsSync(join(out, 'gitops/components/alloy-agent/overlays/prod-cluster')));
  assert.is(readFileSync(join(out, 'NOTES.md'), 'utf8'), 'ours\n', 'a file fabric did not write stays');
  const manifestPath = join(out, '.fabric/manifest.json');
  assert.not.ok(JSON.parse(readFileSync(manifestPath, 'utf8')).files.some((p: string) => p.includes('prod')));

  writeFileSync(join(dir, 'victim.txt'), 'precious\n');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.files.push('../victim.txt');
  writeFileSync(manifestPath, JSON.stringify(manifest));
  writeFileSync(spec, REFERENCE);
  const hostile = fabric(['compile', '--spec', spec, '--out', out]);
  exits(hostile, 3);
  assert.match(
    hostile.stderr,
    /manifest\.json is damaged: it lists "\.\.\/victim\.txt", which is outside the output tree/,
  );
  assert.is(readFileSync(join(dir, 'victim.txt'), 'utf8'), 'precious\n');
});

test('D1: compiles started together on a dead lock (empty, as a killed run leaves it) all finish, one after another: one whole tree, nothing left over', async () => {
  const { dir, spec, out } = compiledDir();
  const specB = writeSpec(another, tempDir());
  const outB = join(tempDir(), 'out');
  exits(fabric(['compile', '--spec', specB, '--out', outB]), 0);
  const trees = { a: readTree(out), b: readTree(outB) };
  // An empty lock file: what the old lock (open, then write the pid) left when killed between the two.
  writeFileSync(join(dir, '.out.fabric-lock'), '');
  const runs = [spec, specB, spec, specB].map((s) => fabricChild(['compile', '--spec', s, '--out', out], {}));
  const codes = await Promise.all(runs.map((r) => r.exited));
  for (const r of runs) assert.not.match(r.run.output, STACK_FRAME);
  assert.equal(codes, [0, 0, 0, 0], runs.map((r) => r.run.output).join('\n'));
  const now = readTree(out);
  assert.ok(
    [trees.a, trees.b].some((t) => JSON.stringify([...t]) === JSON.stringify([...now])),
    'exactly one of the two trees',
  );
  assert.equal(leftovers(dir), [], 'no lock left');
  assert.equal(readdirSync(join(out, '.fabric')), ['manifest.json'], 'no stage or journal left');
});

test('D1: the lock file cannot be written (no such directory, read-only or full file system): exit 3 with the reason, never 70', () => {
  const proc = fabric(['compile', '--spec', writeSpec(REFERENCE), '--out', '/proc/fabric-out']);
  exits(proc, 3);
  assert.match(
    proc.stderr,
    /cannot lock \/proc\/fabric-out .*: a directory on the way does not exist or cannot hold files/,
  );
  assert.match(proc.stderr, /fix: pass --out with a directory on a normal file system/);
});

/** Runs a shell script as root of a private mount namespace (tmpfs mounts vanish with it); undefined without unshare. */
function inMountNamespace(script: string) {
  const probe = spawnSync('unshare', ['-rm', 'true']);
  if (probe.status !== 0) {
    assert.not.ok(process.env.CI === 'true', 'unshare -rm is needed in CI');
    return undefined;
  }
  fabric(['--version']); // builds dist/ when a source is newer
  const r = spawnSync('unshare', ['-rm', 'sh', '-euc', script], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FABRIC: `${process.execPath} ${fromRoot('bin/fabric.cjs')}` },
  });
  return r;
}

test('D1: a read-only or full file system under the out dir: exit 3, the true reason, the previous tree unchanged; an empty mount point is a fine out dir', () => {
  const dir = tempDir();
  const spec = writeSpec(REFERENCE, dir);
  writeFileSync(join(dir, 'b.yaml'), another);
  const run = (label: string, args: string) => `echo "== ${label}: $($FABRIC compile ${args} 2>&1; echo "exit $?")"`;
  const r = inMountNamespace(`
    cd ${JSON.stringify(dir)}
    mkdir rop ro out full
    mount -t tmpfs -o size=4m tmpfs rop
    mkdir rop/out
    mount -t tmpfs -o size=4m tmpfs ro
    $FABRIC compile --spec ${JSON.stringify(spec)} --out ro > /dev/null
    $FABRIC compile --spec ${JSON.stringify(spec)} --out rop/out > /dev/null
    cp -r ro before
    mount -o remount,ro ro
    mount -o remount,ro rop
    set +e
    ${run('read-only', '--spec b.yaml --out ro')}
    diff -r before ro && echo "== unchanged"
    ${run('read-only parent', '--spec b.yaml --out rop/out')}
    mount -t tmpfs -o size=4m tmpfs out
    ${run('mount point', `--spec ${JSON.stringify(spec)} --out out`)}
    ${run('mount point again', '--spec b.yaml --out out')}
    mount -t tmpfs -o size=64k tmpfs full
    ${run('full', `--spec ${JSON.stringify(spec)} --out full/out`)}
    dd if=/dev/zero of=full/filler bs=4k 2>/dev/null
    ${run('full before the lock', `--spec ${JSON.stringify(spec)} --out full/out2`)}
    echo "== left: $(ls -A full | tr '\n' ' ')/ $(ls -A full/out)"
  `);
  if (!r) return;
  const out = r.stdout + r.stderr;
  assert.not.match(out, STACK_FRAME);
  assert.match(
    out,
    /== read-only: fabric: could not write .*\/ro: the file system is read-only .*; the previous tree is unchanged\nfix: .*read-only file system.*\nexit 3/,
  );
  assert.match(out, /== unchanged/);
  assert.match(
    out,
    /== read-only parent: fabric: cannot lock .*rop\/out .*: the file system is read-only\nfix: .*read-only file system.*\nexit 3/,
  );
  // Every file of the reference tree (the committed golden's manifest).
  const files = JSON.parse(readFileSync(fromRoot('out/.fabric/manifest.json'), 'utf8')).files.length;
  assert.match(out, new RegExp(`== mount point: out: ${files} written, 0 removed, 0 unchanged\nexit 0`));
  assert.match(out, /== mount point again: out: \d+ written, 0 removed, \d+ unchanged\nexit 0/);
  assert.match(
    out,
    /== full: fabric: could not write .*full\/out: the disk is full; the previous tree is unchanged\nfix: free space .*\nexit 3/,
  );
  assert.match(
    out,
    /== full before the lock: fabric: cannot lock .*full\/out2 .*: the disk is full\nfix: free space .*\nexit 3/,
  );
  assert.match(out, /== left: filler out \/ \n/, `no lock, no temp file left; the first out dir is empty: ${out}`);
});

test('D1: a write cut short by the file size limit (ulimit -f) fails the compile with its reason: never a truncated file, the previous tree unchanged', () => {
  const dir = tempDir();
  const spec = writeSpec(REFERENCE, dir);
  const fresh = join(dir, 'fresh');
  const first = fabric(['compile', '--spec', spec, '--out', fresh], { fileSizeLimitKb: 8 });
  exits(first, 3);
  assert.not.match(first.stderr, STACK_FRAME);
  assert.match(
    first.stderr,
    /could not write .*\/fresh: a file would pass the file size limit of this process \(ulimit -f\); the previous tree is unchanged\nfix: raise the limit \(ulimit -f unlimited\), then run again/,
  );
  assert.equal(existsSync(fresh) ? readdirSync(fresh) : [], [], 'a first compile that failed leaves nothing');

  const out = join(dir, 'out');
  exits(fabric(['compile', '--spec', spec, '--out', out]), 0);
  const before = readTree(out);
  writeFileSync(spec, another);
  const edit = fabric(['compile', '--spec', spec, '--out', out], { fileSizeLimitKb: 1 });
  exits(edit, 3);
  assert.match(edit.stderr, /the file size limit of this process \(ulimit -f\)/);
  assert.equal(readTree(out), before, 'the old tree, every byte');
  assert.equal(leftovers(dir), [], 'no staging directory or lock left behind');
  exits(fabric(['compile', '--spec', spec, '--out', out]), 0);
  assert.not.equal(readTree(out), before, 'without the limit the edit compiles');
});

test('D2: what fabric does not own in the out dir comes through a recompile as it was: an empty directory, a 0700 directory, a git repository', () => {
  const { spec, out } = compiledDir();
  mkdirSync(join(out, 'notes/empty'), { recursive: true });
  mkdirSync(join(out, 'private'), { mode: 0o700 });
  writeFileSync(join(out, 'private/key'), 'secret\n', { mode: 0o600 });
  const git = (...args: string[]) => spawnSync('git', ['-C', out, ...args], { encoding: 'utf8' });
  assert.is(git('init', '-q').status, 0);
  // A change and a prune: prod's files go, everything else is rewritten in place.
  writeFileSync(
    spec,
    edited(
      [['environments', 'prod'], undefined],
      [['clusters', 'prod-cluster'], undefined],
      [['apps', 'instrumented-app', 'hosts', 'prod'], undefined],
      [['git', 'revision'], 'release'],
    ),
  );
  const r = fabric(['compile', '--spec', spec, '--out', out]);
  exits(r, 0);
  assert.match(r.stdout, /[1-9]\d* removed/);
  assert.ok(lstatSync(join(out, 'notes/empty')).isDirectory(), 'the empty directory is still there');
  assert.is(lstatSync(join(out, 'private')).mode & 0o777, 0o700, 'the directory keeps its mode');
  assert.is(readFileSync(join(out, 'private/key'), 'utf8'), 'secret\n');
  const status = git('status', '--porcelain');
  assert.is(status.status, 0, `the git repository in out/ still works: ${status.stderr}`);
  assert.ok(existsSync(join(out, '.git/refs/heads')), 'its empty directories are there');
});

test('D4: --check refuses an owned directory replaced by a symbolic link, as compile does, instead of reading through it', () => {
  const { dir, spec, out } = compiledDir();
  const elsewhere = join(dir, 'elsewhere');
  renameSync(join(out, 'gitops/argocd-apps'), elsewhere);
  symlinkSync(elsewhere, join(out, 'gitops/argocd-apps'));
  const check = fabric(['compile', '--check', '--spec', spec, '--out', out]);
  exits(check, 3);
  assert.match(check.stderr, /argocd-apps is a symbolic link inside the output tree/);
});

test('D3: names that would leave the tree are refused before any path is built; emit refuses such paths on its own', () => {
  const dir = tempDir();
  const r = fabric([
    'compile',
    '--json',
    '--spec',
    writeSpec(REFERENCE.replace('  prod-cluster:', '  ../../.ssh/authorized_keys:'), dir),
    '--out',
    join(dir, 'out'),
  ]);
  exits(r, 1);
  assert.equal(
    diagnostics(r).map((d) => d.code),
    ['FAB105'],
  );
  assert.equal(readdirSync(dir), ['fabric.yaml'], 'nothing written');

  for (const path of [
    '../escape.yaml',
    '/etc/passwd',
    'a/../../b.yaml',
    'a/./b.yaml',
    'a//b.yaml',
    'a\\b.yaml',
    'a\0b.yaml',
  ]) {
    const out = join(tempDir(), 'out');
    assert.throws(
      () => emitTree([{ path, contents: 'x' }], out, { specPath: 'fabric.yaml', specSource: '' }),
      /refusing to write outside the output tree/,
      JSON.stringify(path),
    );
    assert.not.ok(existsSync(out), JSON.stringify(path));
  }
});

test('D4: fabric never writes through a symbolic link: not a linked out dir, not a linked directory or file inside it', () => {
  const { dir, spec, out } = compiledDir();
  const victim = join(dir, 'victim');
  renameSync(join(out, 'gitops/argocd-apps'), victim);
  symlinkSync(victim, join(out, 'gitops/argocd-apps'));
  const before = readTree(victim);
  writeFileSync(spec, another);
  const linkedDir = fabric(['compile', '--spec', spec, '--out', out]);
  exits(linkedDir, 3);
  assert.match(linkedDir.stderr, /argocd-apps is a symbolic link/);
  assert.equal(readTree(victim), before);

  const second = compiledDir();
  writeFileSync(join(second.dir, 'bashrc'), 'mine\n');
  renameSync(join(second.out, 'README.md'), join(second.dir, 'README.old'));
  symlinkSync(join(second.dir, 'bashrc'), join(second.out, 'README.md'));
  writeFileSync(second.spec, another);
  const linkedFile = fabric(['compile', '--spec', second.spec, '--out', second.out]);
  exits(linkedFile, 3);
  assert.match(linkedFile.stderr, /README\.md exists and is not a regular file/);
  assert.is(readFileSync(join(second.dir, 'bashrc'), 'utf8'), 'mine\n');

  const third = tempDir();
  mkdirSync(join(third, 'real'));
  symlinkSync(join(third, 'real'), join(third, 'out'));
  const linkedOut = fabric(['compile', '--spec', writeSpec(REFERENCE, third), '--out', join(third, 'out')]);
  exits(linkedOut, 3);
  assert.match(linkedOut.stderr, /is a symbolic link; fabric does not write through links/);
  assert.equal(readdirSync(join(third, 'real')), []);
});

test("D5: the out dir must be fabric's: never /, $HOME or the spec's directory, never a non-empty directory without fabric's manifest", () => {
  const dir = tempDir();
  const spec = writeSpec(REFERENCE, dir);
  const home = tempDir();
  for (const [out, env] of [
    [dir, {}],
    ['/', {}],
    [home, { HOME: home }],
  ] as const) {
    const r = fabric(['compile', '--spec', spec, '--out', out], { env });
    exits(r, 3);
    assert.match(r.stderr, /refusing to use .* as the output directory/, out);
  }
  const theirs = join(dir, 'theirs');
  mkdirSync(theirs);
  writeFileSync(join(theirs, 'thesis.tex'), 'years of work\n');
  const r = fabric(['compile', '--spec', spec, '--out', theirs]);
  exits(r, 3);
  assert.match(r.stderr, /is not empty and fabric did not create it \(no \.fabric\/manifest\.json\)/);
  assert.equal(readTree(theirs), new Map([['thesis.tex', 'years of work\n']]));

  const empty = join(dir, 'empty');
  mkdirSync(empty);
  exits(fabric(['compile', '--spec', spec, '--out', empty]), 0);
  assert.ok(existsSync(join(empty, '.fabric/manifest.json')), "the marker that makes it fabric's");
});

test('D6: the same spec gives the same bytes: across runs, locales and key order; LF only, no timestamps, mode 0644', () => {
  const a = compiledDir();
  const again = fabric(['compile', '--spec', a.spec, '--out', a.out]);
  exits(again, 0);
  assert.match(again.stdout, /up to date/);
  const b = join(a.dir, 'other');
  exits(
    fabric(['compile', '--spec', a.spec, '--out', b], {
      env: { LC_ALL: 'tr_TR.UTF-8', LANG: 'tr_TR.UTF-8', TZ: 'Pacific/Kiritimati' },
    }),
    0,
  );
  const tree = readTree(a.out);
  assert.equal(readTree(b), tree);

  // Clusters and environments in another order: the same files (the manifest differs only in the spec's hash).
  const spec = parse(REFERENCE);
  spec.clusters = Object.fromEntries(Object.entries(spec.clusters).reverse());
  spec.environments = Object.fromEntries(Object.entries(spec.environments).reverse());
  const original = compileSpec(a.spec) as Compiled;
  writeFileSync(a.spec, stringify(spec));
  const reordered = compileSpec(a.spec) as Compiled;
  assert.equal(reordered.files, original.files);

  for (const [path, contents] of tree) {
    assert.not.ok(contents.includes('\r'), `${path} has a CR`);
    assert.not.match(contents, /\b20\d\d-\d\d-\d\d[T ]\d\d:\d\d/, `${path} has a timestamp`);
    assert.is(lstatSync(join(a.out, path)).mode & 0o777, 0o644, path);
  }
});

test('D6: the tree carries a .gitattributes that keeps every file LF, so core.autocrlf cannot rewrite it', () => {
  const c = compileSpec('spec/fabric.yaml') as Compiled;
  const attrs = c.files.find((f) => f.path === '.gitattributes');
  assert.ok(attrs, 'a .gitattributes is generated');
  assert.match(attrs!.contents, /^\* text eol=lf$/m);
});

test.run();
