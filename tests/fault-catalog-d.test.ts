// Fault catalog D (RELIABILITY.md 2D): the file system. `fabric compile`
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
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse, stringify } from 'yaml';
import { emitTree, EmitError } from '../compiler/emit.ts';
import { compileSpec, type Compiled } from '../compiler/index.ts';
import { readTree } from './helpers/compile.ts';
import { diagnostics, edited, exits, fabric, REFERENCE, tempDir, writeSpec } from './fault-catalog-helpers.ts';

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
  assert.match((e as EmitError).hint!, /^check .*out\//);
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
