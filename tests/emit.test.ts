// Emit: in-place journaled updates, no-op runs, pruning from the manifest,
// foreign files, refusal of directories fabric does not own, and a kill in the
// middle (old tree before the journal's commit, new tree after, once the next
// run has recovered).
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emitTree, EmitError, recoverInterrupted } from '../compiler/emit.ts';
import type { RenderedFile } from '../compiler/emit-types.ts';
import { identityOf } from '../compiler/stamp.ts';
import { readTree } from './helpers/compile.ts';
import { repoRoot } from './helpers/paths.ts';

const opts = { specPath: 'spec/fabric.yaml', specSource: 'name: x\n' };
const tree = (n: number, tag = 'v1'): RenderedFile[] =>
  Array.from({ length: n }, (_, i) => ({ path: `gitops/c${i % 3}/f${i}.yaml`, contents: `# ${tag}\nn: ${i}\n` }));
const fresh = () => join(mkdtempSync(join(tmpdir(), 'fabric-emit-')), 'out');

test('first emit writes every file and a manifest of them', () => {
  const out = fresh();
  const r = emitTree(tree(5), out, opts);
  assert.is(r.written.length, 6);
  const manifest = JSON.parse(readFileSync(join(out, '.fabric/manifest.json'), 'utf8'));
  assert.equal(manifest.files, ['.fabric/manifest.json', ...tree(5).map((f) => f.path)].sort());
  assert.is(manifest.generator, 'fabric');
});

test('a second emit of the same tree writes nothing and keeps every inode and mtime', () => {
  const out = fresh();
  emitTree(tree(5), out, opts);
  const before = readTree(out);
  const stats = [...before.keys()].map((p) => statSync(join(out, p)));
  const r = emitTree(tree(5), out, opts);
  assert.is(r.changed, false);
  assert.is(r.written.length, 0);
  [...before.keys()].forEach((p, i) => {
    const s = statSync(join(out, p));
    assert.is(s.ino, stats[i].ino, p);
    assert.is(s.mtimeMs, stats[i].mtimeMs, p);
  });
});

test('a changed tree replaces changed files, keeps unchanged ones (same inode), prunes owned orphans, keeps foreign files', () => {
  const out = fresh();
  emitTree(tree(6), out, opts);
  writeFileSync(join(out, 'NOTES.md'), 'mine\n');
  mkdirSync(join(out, 'gitops/c0/extra'), { recursive: true });
  writeFileSync(join(out, 'gitops/c0/extra/keep.txt'), 'also mine\n');
  const unchangedIno = statSync(join(out, 'gitops/c1/f1.yaml')).ino;
  const next = tree(4).map((f) => (f.path.endsWith('f0.yaml') ? { ...f, contents: '# v2\n' } : f));
  const r = emitTree(next, out, opts);
  assert.equal(r.removed, ['gitops/c1/f4.yaml', 'gitops/c2/f5.yaml']);
  assert.ok(r.written.includes('gitops/c0/f0.yaml'));
  assert.is(readFileSync(join(out, 'gitops/c0/f0.yaml'), 'utf8'), '# v2\n');
  assert.not.ok(existsSync(join(out, 'gitops/c1/f4.yaml')));
  assert.is(readFileSync(join(out, 'NOTES.md'), 'utf8'), 'mine\n');
  assert.is(readFileSync(join(out, 'gitops/c0/extra/keep.txt'), 'utf8'), 'also mine\n');
  assert.is(statSync(join(out, 'gitops/c1/f1.yaml')).ino, unchangedIno);
});

test('refuses a non-empty directory fabric did not create', () => {
  const out = fresh();
  mkdirSync(out);
  writeFileSync(join(out, 'important.txt'), 'x');
  assert.throws(
    () => emitTree(tree(2), out, opts),
    (e: unknown) => e instanceof EmitError && /fabric did not create it/.test((e as Error).message),
  );
  assert.is(readFileSync(join(out, 'important.txt'), 'utf8'), 'x');
});

test('refuses to overwrite a file it does not own', () => {
  const out = fresh();
  emitTree(tree(2), out, opts);
  mkdirSync(join(out, 'gitops/c2'));
  writeFileSync(join(out, 'gitops/c2/f2.yaml'), 'hand-made\n');
  assert.throws(() => emitTree(tree(3), out, opts), /fabric did not write it/);
  assert.is(readFileSync(join(out, 'gitops/c2/f2.yaml'), 'utf8'), 'hand-made\n');
});

test('refuses a symlinked out dir, and paths that leave the tree', () => {
  const base = mkdtempSync(join(tmpdir(), 'fabric-emit-'));
  mkdirSync(join(base, 'real'));
  symlinkSync(join(base, 'real'), join(base, 'link'));
  assert.throws(() => emitTree(tree(1), join(base, 'link'), opts), /symbolic link/);
  for (const path of ['../escape.yaml', '/etc/passwd', 'a//b', 'a/./b', 'a\\b']) {
    assert.throws(() => emitTree([{ path, contents: 'x' }], fresh(), opts), /outside the output tree/, path);
  }
});

test('refuses the home directory, the root and the spec directory as --out', () => {
  assert.throws(() => emitTree(tree(1), '/', opts), /refusing/);
  assert.throws(() => emitTree(tree(1), process.env.HOME ?? '/root', opts), /refusing/);
  assert.throws(
    () => emitTree(tree(1), join(repoRoot, 'spec'), { ...opts, specPath: join(repoRoot, 'spec/fabric.yaml') }),
    /refusing/,
  );
});

// A child process emits a new tree and SIGKILLs itself after `n` staged files.
function killedEmit(out: string, n: number, hook: 'afterStagedFile' | 'afterRename' = 'afterStagedFile') {
  const script = `
    import { emitTree } from ${JSON.stringify(join(repoRoot, 'compiler/emit.ts'))};
    const files = Array.from({ length: 40 }, (_, i) => ({ path: 'gitops/c' + (i % 3) + '/f' + i + '.yaml', contents: '# v2\\nn: ' + i + '\\n' }));
    let k = 0;
    emitTree(files, ${JSON.stringify(out)}, { specPath: 'spec/fabric.yaml', specSource: 'v2', ${hook}: () => { if (++k === ${n}) process.kill(process.pid, 'SIGKILL'); } });
  `;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
}

test('a compile killed while writing leaves the old tree exactly, and the next run completes', () => {
  for (const n of [1, 7, 23, 39]) {
    const out = fresh();
    emitTree(tree(30), out, opts);
    const before = readTree(out);
    const r = killedEmit(out, n);
    assert.is(r.signal, 'SIGKILL', r.stderr);
    assert.ok(existsSync(join(out, '.fabric/stage-' + r.pid)), 'the dead run left its stage');
    recoverInterrupted(out);
    assert.equal(readTree(out), before, `after a kill at file ${n} and the next run's recovery, the old tree`);
    const done = emitTree(
      tree(40, 'v2').map((f, i) => ({ ...f, contents: `# v2\nn: ${i}\n` })),
      out,
      { ...opts, specSource: 'v2' },
    );
    assert.ok(done.changed);
    assert.is(readTree(out).size, 41);
    const leftovers = spawnSync('sh', ['-c', `ls -a ${JSON.stringify(join(out, '..'))}`], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((e) => e.includes('fabric-'));
    assert.equal(leftovers, [], 'no staging directory is left behind');
  }
});

test('a compile killed after its journal was committed is finished by the next run: the new tree, and only the changed files were renamed', () => {
  const v2 = tree(40).map((f, i) => ({ ...f, contents: `# v2\nn: ${i}\n` }));
  for (const n of [1, 20, 40]) {
    const out = fresh();
    emitTree(tree(30), out, opts);
    const r = killedEmit(out, n, 'afterRename');
    assert.is(r.signal, 'SIGKILL', r.stderr);
    const journal = JSON.parse(readFileSync(join(out, '.fabric/journal.json'), 'utf8'));
    assert.is(journal.renames.length, 40, 'every file changed, every file is in the journal');
    assert.is(journal.pid, r.pid);
    recoverInterrupted(out);
    assert.not.ok(existsSync(join(out, '.fabric/journal.json')), 'the journal is gone once applied');
    const again = emitTree(v2, out, { ...opts, specSource: 'v2' });
    assert.not.ok(again.changed, `after a kill at rename ${n}, recovery left exactly the new tree`);
    assert.is(readTree(out).size, 41);
  }
});

test('a first compile renames whole top-level entries; killed while staging it leaves nothing, killed after its journal it is finished', () => {
  const first = [...tree(40), { path: 'README.md', contents: '# readme\n' }];
  const out = fresh();
  const renamed: string[] = [];
  emitTree(first, out, { ...opts, afterRename: (p) => renamed.push(p) });
  assert.equal(renamed, ['README.md', 'gitops'], 'one rename per top-level entry');
  assert.is(readTree(out).size, 42);

  const script = (out: string, hook: string, n: number) => `
    import { emitTree } from ${JSON.stringify(join(repoRoot, 'compiler/emit.ts'))};
    const files = [{ path: 'README.md', contents: '# readme\\n' }, ...Array.from({ length: 40 }, (_, i) => ({ path: 'gitops/c' + (i % 3) + '/f' + i + '.yaml', contents: 'n: ' + i + '\\n' }))];
    let k = 0;
    emitTree(files, ${JSON.stringify(out)}, { specPath: 'spec/fabric.yaml', specSource: 'v1', ${hook}: () => { if (++k === ${n}) process.kill(process.pid, 'SIGKILL'); } });
  `;
  const killed = (out: string, hook: string, n: number) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(out, hook, n)], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
  for (const n of [1, 30]) {
    const o = fresh();
    assert.is(killed(o, 'afterStagedFile', n).signal, 'SIGKILL');
    recoverInterrupted(o);
    assert.is(readTree(o).size, 0, `killed at staged file ${n}: nothing of the new tree`);
    assert.not.ok(existsSync(join(o, '.fabric')), 'the stage and .fabric/ are gone');
  }
  const o = fresh();
  assert.is(killed(o, 'afterRename', 1).signal, 'SIGKILL');
  assert.ok(existsSync(join(o, 'README.md')) && !existsSync(join(o, 'gitops')), 'killed between the two renames');
  recoverInterrupted(o);
  assert.is(readTree(o).size, 42, 'recovery finished the first tree, manifest included');
  assert.not.ok(existsSync(join(o, '.fabric/journal.json')));
});

test("a live writer's lock is waited for, then refused with its pid after FABRIC_LOCK_TIMEOUT; a dead writer's lock is taken over", () => {
  const out = fresh();
  emitTree(tree(2), out, opts);
  const lock = join(out, '..', '.out.fabric-lock');
  const sleeper = spawn('sleep', ['30']);
  process.env.FABRIC_LOCK_TIMEOUT = '0.3';
  const waits: number[] = [];
  try {
    writeFileSync(lock, String(sleeper.pid));
    assert.throws(
      () => emitTree(tree(3), out, { ...opts, onWait: (pid) => waits.push(pid) }),
      new RegExp(`another fabric \\(pid ${sleeper.pid}\\) is writing .*; waited 0 s for it`),
    );
    assert.equal(waits, [sleeper.pid], 'told once that it waits');
    assert.is(readTree(out).size, 3, 'the tree is untouched');
  } finally {
    sleeper.kill('SIGKILL');
    delete process.env.FABRIC_LOCK_TIMEOUT;
  }
  const dead = spawnSync('true').pid;
  writeFileSync(lock, String(dead));
  assert.ok(emitTree(tree(3), out, opts).changed);
  assert.not.ok(existsSync(lock), 'the lock is released');
});

test('two compiles racing into one out dir never interleave: the second waits for the first, then writes its own tree', async () => {
  const out = fresh();
  emitTree(tree(30), out, opts);
  const script = (tag: string) => `
    import { emitTree } from ${JSON.stringify(join(repoRoot, 'compiler/emit.ts'))};
    const files = Array.from({ length: 200 }, (_, i) => ({ path: 'gitops/c' + (i % 3) + '/f' + i + '.yaml', contents: '# ${tag}\\nn: ' + i + '\\n' }));
    try { emitTree(files, ${JSON.stringify(out)}, { specPath: 'spec/fabric.yaml', specSource: '${tag}' }); console.log('wrote'); }
    catch (e) { console.log('refused: ' + e.message); }
  `;
  const run = (tag: string) =>
    new Promise<string>((res) => {
      const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(tag)], {
        cwd: repoRoot,
      });
      let o = '';
      p.stdout.on('data', (d) => (o += d));
      p.on('close', () => res(o.trim()));
    });
  const results = await Promise.all([run('A'), run('B')]);
  assert.equal(results, ['wrote', 'wrote'], results.join(' / '));
  const files = readTree(out);
  const tags = new Set([...files].filter(([p]) => p.endsWith('.yaml')).map(([, c]) => c.split('\n')[0]));
  assert.is(tags.size, 1, `one writer's tree, not a mix: ${[...tags]}`);
});

test('files the last emit left are compared by digest while their identity holds, read once it changes', () => {
  const out = fresh();
  const first = emitTree(tree(3), out, { ...opts, identities: true });
  const path = tree(3)[1].path;
  // A recorded digest that is not the file's: believed while the file is untouched, so it is rewritten.
  const known = new Map([...first.identities!].map(([p, f]) => [p, p === path ? { ...f, digest: 'other' } : f]));
  assert.equal(emitTree(tree(3), out, { ...opts, known }).written, [path]);
  // That write changed the file's identity: the stale record no longer counts and the file is read.
  const second = emitTree(tree(3), out, { ...opts, known, identities: true });
  assert.equal(second.written, []);
  // A hand edit of the same size changes the identity too, so the true digest of the old bytes cannot hide it.
  writeFileSync(join(out, path), readFileSync(join(out, path), 'utf8').replace('v1', 'V1'));
  assert.equal(emitTree(tree(3), out, { ...opts, known: second.identities }).written, [path]);
});

test('the identities a compile reports are those the files have in the tree, for a first tree and an update', () => {
  const out = fresh();
  const onDisk = (r: ReturnType<typeof emitTree>) =>
    [...r.identities!].map(([p, f]) => [p, f.identity, identityOf(lstatSync(join(out, p), { bigint: true }))]);
  const same = (rows: string[][]) => rows.filter(([, reported, actual]) => reported !== actual);
  const first = emitTree([...tree(20), { path: 'README.md', contents: '# r\n' }], out, { ...opts, identities: true });
  assert.is(first.identities!.size, 22, 'every file and the manifest');
  assert.equal(same(onDisk(first)), [], 'a first tree (staged as the tree, renamed by top-level entry)');
  const update = emitTree(tree(20, 'v2'), out, { ...opts, identities: true, known: first.identities });
  assert.equal(same(onDisk(update)), [], 'an update (each file renamed into place)');
});

test('an edit of a few files fsyncs them itself; a replaced tree of many is flushed with one sync -f', () => {
  const out = fresh();
  emitTree(tree(200), out, opts);
  // A sync(1) on PATH that only notes that it ran.
  const bin = mkdtempSync(join(tmpdir(), 'fabric-sync-'));
  const calls = join(bin, 'calls');
  writeFileSync(join(bin, 'sync'), `#!/bin/sh\necho "$@" >> '${calls}'\n`, { mode: 0o755 });
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path}`;
  try {
    const edit = emitTree(
      tree(200, 'v2').map((f, i) => (i < 2 ? f : tree(200)[i])),
      out,
      opts,
    );
    assert.is(edit.written.length, 2, 'two files (the manifest lists the same ones)');
    assert.not.ok(existsSync(calls), 'sync -f ran for an edit of two files');
    emitTree(tree(200, 'v3'), out, opts);
    assert.match(readFileSync(calls, 'utf8'), /^-f .*\.fabric\//, 'no sync -f for 201 files');
  } finally {
    process.env.PATH = path;
  }
});

test.run();
