// The performance record: whole-process timings of the bundled CLI, from
// Node's own start-up (the floor) to a 1000-environment fleet, with peak RSS,
// and a one-environment change in a 300-environment fleet (files written
// counted), checked against the targets in docs/performance.md. Prints a
// table and writes bench/results.json.
// Usage: npm run bench [-- --runs N] [-- --only <regex on case name>] [-- --no-build] [-- --dir DIR]
// (--dir: where the fleets are compiled, default the system temp dir; its
// file system is recorded, since writing thousands of files costs several
// times more on ext4 than on tmpfs)
//
// Cases run round-robin (one run of each, then the next round), so that a
// change in the machine's load during the bench falls on every case alike.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fleetSpec, ISOLATED_LIMIT } from './fleet-spec.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const RUNS = Math.max(5, Number(option('--runs', 9)));
const only = option('--only') ? new RegExp(option('--only')) : undefined;
const FLEET_SIZES = [10, 100, 300, 1000];
const referenceSpec = join(root, 'spec/fabric.yaml');
const loadAtStart = loadavg();
const work = mkdtempSync(join(resolve(option('--dir', tmpdir())), 'fabric-bench-'));
// df names ext4 as such (statfs cannot tell ext2, ext3 and ext4 apart).
const fileSystem =
  spawnSync('df', ['--output=fstype', work], { encoding: 'utf8' }).stdout?.trim().split('\n')[1]?.trim() || 'unknown';
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
// fabric's cache (compile stamps) goes with the work directory.
const env = { ...process.env, FABRIC_CACHE_DIR: join(work, 'cache') };
const git = (...a) => run('git', a).stdout.trim();
// The sources measured are those of the build below: note their commit now.
const commit =
  git('rev-parse', '--short', 'HEAD') +
  (git('status', '--porcelain', '--', 'compiler', 'templates', 'schema', 'scripts/build.mjs')
    ? ' with uncommitted changes'
    : '');

// Measure what `npm install` builds from the current sources, built into a
// directory of the bench's own (a rebuild of dist/ meanwhile cannot disturb
// it); under node_modules/ so that external packages resolve as from dist/.
// --no-build measures bin/fabric.cjs and dist/ as they are.
const cli = args.includes('--no-build')
  ? join(root, 'bin/fabric.cjs')
  : (() => {
      const outdir = join(root, `node_modules/.cache/fabric-bench-${process.pid}`);
      process.on('exit', () => rmSync(outdir, { recursive: true, force: true }));
      run(process.execPath, [join(root, 'scripts/build.mjs'), '--outdir', outdir], { check: true });
      return join(outdir, 'loader.cjs');
    })();

function run(cmd, argv, { check = false } = {}) {
  const r = spawnSync(cmd, argv, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env });
  if (check && r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
}

// Peak RSS and CPU time of the child: GNU time when present; otherwise a
// preload that reports the process's own figures as it exits.
const gnuTime = ['/usr/bin/time', '/usr/local/bin/time'].find(
  (p) => existsSync(p) && spawnSync(p, ['-f', '%M', 'true']).status === 0,
);
const REPORT = /fabric-bench (\d+) ([\d.]+) ([\d.]+)/;
const preload = join(work, 'report.mjs');
writeFileSync(
  preload,
  [
    "import { writeSync } from 'node:fs';",
    "process.on('exit', () => { const u = process.resourceUsage(); writeSync(2, `\\nfabric-bench ${u.maxRSS} ${u.userCPUTime / 1e6} ${u.systemCPUTime / 1e6}\\n`); });",
    '',
  ].join('\n'),
);

/** One timed run of a command: wall and CPU milliseconds, peak RSS in MB. */
function timed(cmd, argv, { node = true, extraEnv = {} } = {}) {
  const [file, fileArgs] = gnuTime
    ? [gnuTime, ['-f', 'fabric-bench %M %U %S', cmd, ...argv]]
    : [cmd, node ? ['--import', preload, ...argv] : argv];
  const start = process.hrtime.bigint();
  const r = spawnSync(file, fileArgs, {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...env, ...extraEnv },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  const m = REPORT.exec(r.stderr);
  return {
    ms,
    cpuMs: m ? (Number(m[2]) + Number(m[3])) * 1000 : NaN,
    rssMB: m ? Number(m[1]) / 1024 : NaN,
    stdout: r.stdout,
  };
}
const timedNode = (argv, extraEnv) => timed(process.execPath, argv, { extraEnv });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Every file and directory under dir with its inode, mtime and ctime, to prove that a run wrote nothing. */
function snapshot(dir) {
  const out = new Map();
  const record = (p) => {
    const st = statSync(p, { bigint: true });
    out.set(relative(dir, p) || '.', `${st.ino}:${st.mtimeNs}:${st.ctimeNs}`);
    return st;
  };
  const walk = (d) => {
    for (const e of readdirSync(d)) if (record(join(d, e)).isDirectory()) walk(join(d, e));
  };
  record(dir);
  walk(dir);
  return out;
}
const sameSnapshot = (a, b) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
const countFiles = (dir) => [...snapshot(dir).keys()].filter((p) => statSync(join(dir, p)).isFile()).length;
const compileArgs = (spec, out) => [cli, 'compile', '--spec', spec, '--out', out];
// "Into an empty dir": a directory never used before, for each run. Not the
// last run's directory emptied: ext4 allocates inodes slowly for a while
// after thousands were deleted (it skips recently deleted ones), which made
// each run pay for the removal of the one before, a cost no user sees
// (work/ and everything in it goes at exit).
function emptyDirs(base) {
  let n = 0;
  const dirs = {
    path: `${base}-0`,
    prepare: () => {
      dirs.path = `${base}-${++n}`;
    },
  };
  return dirs;
}
// The cases: each a name, one timed run, and untimed work before it.
const cases = [];
const define = (name, once, { prepare = () => {}, ...extra } = {}) => {
  if (!only || only.test(name)) cases.push({ name, once, prepare, samples: [], extra });
};

define('node -e 0', () => timedNode(['-e', '0']));
// Start-up alone: Node, the bundle with its code cache, the command line; no spec read.
define('fabric --version', () => timedNode([cli, '--version']));
define('fabric validate', () => timedNode([cli, 'validate', '--spec', referenceSpec]));
const refOut = emptyDirs(join(work, 'reference'));
define('fabric compile', () => timedNode(compileArgs(referenceSpec, refOut.path)), { prepare: refOut.prepare });

// No-op recompile: the tree is already there; nothing may be written.
const noopOut = join(work, 'noop');
const noop = { wrote: false };
define(
  'fabric compile (no change)',
  () => {
    const before = snapshot(noopOut);
    const r = timedNode(compileArgs(referenceSpec, noopOut));
    if (!sameSnapshot(before, snapshot(noopOut))) noop.wrote = true;
    return r;
  },
  {
    prepare: () => {
      if (!existsSync(noopOut)) run(process.execPath, compileArgs(referenceSpec, noopOut), { check: true });
    },
  },
);

// The same without the compile stamp (compiler/stamp.ts): what the stamp buys.
define(
  'fabric compile (no change, no stamp)',
  () => {
    const before = snapshot(noopOut);
    const r = timedNode(compileArgs(referenceSpec, noopOut), { FABRIC_NO_STAMP: '1' });
    if (!sameSnapshot(before, snapshot(noopOut))) noop.wrote = true;
    return r;
  },
  {
    prepare: () => {
      if (!existsSync(noopOut)) run(process.execPath, compileArgs(referenceSpec, noopOut), { check: true });
    },
  },
);

for (const envs of FLEET_SIZES) {
  const name = `fabric compile, ${envs} environments${envs > ISOLATED_LIMIT ? ' (shared tenancy)' : ''}`;
  if (only && !only.test(name)) continue;
  const spec = join(work, `fleet-${envs}.yaml`);
  writeFileSync(spec, fleetSpec(envs));
  const check = run(process.execPath, [cli, 'validate', '--spec', spec]);
  if (check.status !== 0) throw new Error(`the generated spec with ${envs} environments is invalid:\n${check.stderr}`);
  const out = emptyDirs(join(work, `fleet-${envs}`));
  define(name, () => timedNode(compileArgs(spec, out.path)), {
    prepare: out.prepare,
    environments: envs,
    memberClusters: 2 * envs,
    out,
  });
}

// An edit loop: one environment's retention changed in a 300-environment
// fleet, compiled into the tree of the previous edit (the two versions
// alternate). Only the files that differ between the two trees may be written.
const editName = 'fabric compile, one environment changed (300 environments)';
if (!only || only.test(editName)) {
  const versions = [fleetSpec(300)];
  versions.push(versions[0].replace(/(env-001:\n(?:\s+.*\n)*?\s+metrics: )(\S+)/, '$145d'));
  if (versions[1] === versions[0]) throw new Error('the one-environment edit did not apply');
  const spec = join(work, 'edit.yaml');
  const out = join(work, 'edit-out');
  // The files that differ between the two trees: compile each into a directory of its own once.
  const trees = versions.map((text, i) => {
    writeFileSync(spec, text);
    const dir = join(work, `edit-ref-${i}`);
    run(process.execPath, compileArgs(spec, dir), { check: true });
    return new Map(
      [...snapshot(dir).keys()]
        .filter((p) => statSync(join(dir, p)).isFile())
        .map((p) => [p, readFileSync(join(dir, p), 'utf8')]),
    );
  });
  const differing = [...trees[0].keys()].filter((p) => trees[0].get(p) !== trees[1].get(p)).length;
  run(process.execPath, compileArgs(spec, out), { check: true }); // the tree of version 1 (written last)
  let version = 1;
  const edit = { differing, written: [] };
  define(
    editName,
    () => {
      const r = timedNode([...compileArgs(spec, out), '--json']);
      edit.written.push(JSON.parse(r.stdout).written.length);
      return r;
    },
    {
      prepare: () => {
        version = 1 - version;
        writeFileSync(spec, versions[version]);
      },
      edit,
    },
  );
}

// The floors under the 300-environment cases: plain Node, no fabric. Writing
// files of the tree's paths and sizes into a new directory is what any
// compiler in Node pays for that tree on this disk; an lstat of each file is
// what any compile pays that looks at every file it owns (an edit that must
// notice a file edited by hand).
const floorTree = join(work, 'edit-ref-0'); // the edit case's first tree, when it ran
if (!only || only.test('floor: ')) {
  if (!existsSync(floorTree)) {
    writeFileSync(join(work, 'floor.yaml'), fleetSpec(300));
    run(process.execPath, compileArgs(join(work, 'floor.yaml'), floorTree), { check: true });
  }
  const files = [...snapshot(floorTree).keys()]
    .filter((p) => statSync(join(floorTree, p)).isFile())
    .map((p) => [p, statSync(join(floorTree, p)).size]);
  writeFileSync(join(work, 'floor-files.json'), JSON.stringify(files));
  const floorScript = join(work, 'floor.mjs');
  writeFileSync(
    floorScript,
    [
      "import { lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';",
      "import { dirname, join } from 'node:path';",
      'const [mode, base] = process.argv.slice(2);',
      "const files = JSON.parse(readFileSync(new URL('./floor-files.json', import.meta.url), 'utf8'));",
      "if (mode === 'lstat') for (const [p] of files) lstatSync(join(base, p), { bigint: true });",
      'else for (const [p, size] of files) {',
      '  mkdirSync(dirname(join(base, p)), { recursive: true });',
      "  writeFileSync(join(base, p), 'x'.repeat(size));",
      '}',
      '',
    ].join('\n'),
  );
  const floorOut = emptyDirs(join(work, 'floor-write'));
  define(
    `floor: write the ${files.length} files of 300 environments (plain Node)`,
    () => timedNode([floorScript, 'write', floorOut.path]),
    { prepare: floorOut.prepare },
  );
  define(`floor: lstat the ${files.length} files of 300 environments (plain Node)`, () =>
    timedNode([floorScript, 'lstat', floorTree]),
  );
}

// For comparison: kubectl kustomize of every kustomization of the reference output.
const kustomizeName = 'kubectl kustomize, every kustomization of the reference output';
const kubectl = run('sh', ['-c', 'command -v kubectl']).stdout.trim();
const skipped = [];
if (!only || only.test(kustomizeName)) {
  if (!kubectl) {
    skipped.push({ name: kustomizeName, skipped: 'kubectl is not installed' });
  } else {
    const out = join(work, 'kustomize-input');
    run(process.execPath, compileArgs(referenceSpec, out), { check: true });
    const dirs = [...snapshot(out).keys()]
      .filter((p) => p.endsWith('kustomization.yaml'))
      .map((p) => join(out, dirname(p)))
      .sort();
    define(
      kustomizeName,
      () => {
        const total = { ms: 0, cpuMs: 0, rssMB: 0 };
        for (const d of dirs) {
          const r = timed(kubectl, ['kustomize', d], { node: false });
          total.ms += r.ms;
          total.cpuMs += r.cpuMs;
          total.rssMB = Math.max(total.rssMB, r.rssMB);
        }
        return total;
      },
      {
        kustomizations: dirs.length,
        note: `${dirs.length} kustomizations, one kubectl process each, times summed; peak RSS is the largest single process`,
      },
    );
  }
}

process.stderr.write(
  `bench: ${cases.length} cases, ${RUNS} rounds after one warm-up round, in ${work} (${fileSystem})\n`,
);
for (let r = 0; r <= RUNS; r++) {
  for (const c of cases) {
    c.prepare();
    // The page cache written by the previous case is flushed first, so that
    // its writeback does not run (and get counted) during this one.
    run('sync', []);
    const sample = c.once();
    if (r > 0) c.samples.push(sample); // round 0 warms the page cache
  }
  process.stderr.write(`  round ${r}${r === 0 ? ' (warm-up)' : ''} done\n`);
}

const results = cases.map((c) => {
  const ms = c.samples.map((s) => s.ms);
  const { out, ...extra } = c.extra;
  return {
    name: c.name,
    runs: c.samples.length,
    medianMs: round(median(ms)),
    minMs: round(Math.min(...ms)),
    maxMs: round(Math.max(...ms)),
    medianCpuMs: round(median(c.samples.map((s) => s.cpuMs))),
    peakRssMB: round(Math.max(...c.samples.map((s) => s.rssMB))),
    ...(out ? { files: countFiles(out.path) } : {}),
    ...(c.name.startsWith('fabric compile (no change') ? { filesWritten: noop.wrote } : {}),
    ...(c.extra.edit
      ? { filesDiffering: c.extra.edit.differing, filesWrittenPerRun: [...new Set(c.extra.edit.written)] }
      : {}),
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'edit')),
  };
});

// Targets (issue 20; docs/performance.md).
const byName = (n) => results.find((c) => c.name === n);
const floor = byName('node -e 0');
const ref = byName('fabric compile');
const unchanged = byName('fabric compile (no change)');
const unstamped = byName('fabric compile (no change, no stamp)');
const fleet = (n) => results.find((c) => c.name.startsWith(`fabric compile, ${n} environments`));
const edited = byName(editName);
const targets = [];
const target = (name, measured, met) => targets.push({ name, measured, met });
const times = (x) =>
  `${x.medianMs} ms = ${round(x.medianMs / floor.medianMs, 2)} x ${floor.medianMs} ms (CPU: ${round(x.medianCpuMs / floor.medianCpuMs, 2)} x)`;
if (floor && ref)
  target('reference compile into an empty dir <= 1.5 x node -e 0', times(ref), ref.medianMs <= 1.5 * floor.medianMs);
if (floor && unchanged) {
  target('no-op recompile <= 1.2 x node -e 0', times(unchanged), unchanged.medianMs <= 1.2 * floor.medianMs);
  target(
    'no-op recompile writes no file',
    unchanged.filesWritten ? 'files were rewritten' : 'no file written (inodes, mtimes and ctimes unchanged)',
    !unchanged.filesWritten,
  );
}
if (floor && unstamped)
  target(
    '(for the stamp) no-op recompile without the stamp <= 1.2 x node -e 0',
    times(unstamped),
    unstamped.medianMs <= 1.2 * floor.medianMs,
  );
if (fleet(300)) target('300 environments <= 0.5 s', `${fleet(300).medianMs} ms`, fleet(300).medianMs <= 500);
if (fleet(1000)) target('1000 environments <= 1.5 s', `${fleet(1000).medianMs} ms`, fleet(1000).medianMs <= 1500);
if (fleet(300) && fleet(1000))
  target(
    'time(1000) / time(300) <= 3.5',
    `${round(fleet(1000).medianMs / fleet(300).medianMs, 2)}`,
    fleet(1000).medianMs / fleet(300).medianMs <= 3.5,
  );
if (fleet(1000))
  target('peak RSS at 1000 environments <= 300 MB', `${fleet(1000).peakRssMB} MB`, fleet(1000).peakRssMB <= 300);
if (edited) {
  target('one environment changed in 300 <= 0.25 s', `${edited.medianMs} ms`, edited.medianMs <= 250);
  target(
    'one environment changed writes only the files that differ',
    `${edited.filesWrittenPerRun.join(', ')} written per run; ${edited.filesDiffering} differ`,
    edited.filesWrittenPerRun.length === 1 && edited.filesWrittenPerRun[0] === edited.filesDiffering,
  );
}

// Report.
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
console.log(
  `\n${pad('case', 64)} ${lpad('median ms', 10)} ${lpad('min', 8)} ${lpad('max', 8)} ${lpad('CPU ms', 8)} ${lpad('peak RSS MB', 12)}`,
);
for (const c of results)
  console.log(
    `${pad(c.name, 64)} ${lpad(c.medianMs, 10)} ${lpad(c.minMs, 8)} ${lpad(c.maxMs, 8)} ${lpad(c.medianCpuMs, 8)} ${lpad(c.peakRssMB, 12)}`,
  );
for (const s of skipped) console.log(`${pad(s.name, 64)} skipped: ${s.skipped}`);
const loadAtEnd = loadavg();
console.log(
  `\nload average: ${loadAtStart[0].toFixed(2)} at start, ${loadAtEnd[0].toFixed(2)} at end, on ${cpus().length} CPUs; files written to ${fileSystem}`,
);
console.log('targets (on wall-clock medians):');
for (const t of targets) console.log(`  ${t.met ? 'met    ' : 'NOT MET'}  ${pad(t.name, 60)} ${t.measured}`);

const record = {
  generatedBy: 'npm run bench (scripts/bench.mjs)',
  date: new Date().toISOString(),
  commit,
  machine: {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: cpus()[0]?.model,
    cpus: cpus().length,
    loadAverage: { atStart: round(loadAtStart[0], 2), atEnd: round(loadAtEnd[0], 2) },
    fileSystem,
  },
  method: `${RUNS} rounds after a warm-up round, cases round-robin; wall time from spawn to exit; CPU (user+sys) and peak RSS from ${gnuTime ? `${gnuTime} (%U %S %M)` : 'process.resourceUsage() at exit'}`,
  cases: [...results, ...skipped],
  targets,
};
if (only) {
  console.log('\n--only given: bench/results.json left as it is');
} else {
  mkdirSync(join(root, 'bench'), { recursive: true });
  writeFileSync(join(root, 'bench/results.json'), JSON.stringify(record, null, 2) + '\n');
  console.log('\nwrote bench/results.json');
}
