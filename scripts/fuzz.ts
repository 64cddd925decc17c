// npm run fuzz -- --runs N --seed S [--verify-every K] [--raw-share 0.2] [--cli-every N] [--replay SUB_SEED] [--save-to DIR | --no-save] [--no-minimize]
// npm run fuzz -- --cli-only --runs N --seed S [--jobs J] [--bound-ms MS] [--replay SUB_SEED]
//
// Mutates the reference and golden specs and checks fabric's invariants on
// each case (scripts/fuzz/pipeline.ts lists them). Prints the seed, every
// failing case's sub-seed, and a summary; saves the first input of each kind
// of failure to tests/fixtures/fuzz/, where tests/fuzz-regressions.test.ts
// replays it. Exits 1 when any case broke an invariant.
// --cli-only fuzzes the command line instead (scripts/fuzz/cli-run.ts): random
// arguments, environment variables and out-dir states; no run may exit 70,
// print a stack trace or outlive the bound.
import { Command } from 'commander';
import { fuzzCli } from './fuzz/cli-run.ts';
import { FIXTURE_DIR, fuzz } from './fuzz/run.ts';

const cli = new Command('fuzz')
  .option('--runs <n>', 'Cases to run', '1000')
  .option('--seed <s>', 'Seed (default: a random one, printed)')
  .option(
    '--verify-every <k>',
    'Run the verify stage (kubectl kustomize, schemas, promtool) on every Kth valid case; 0 never',
    '0',
  )
  .option('--raw-share <p>', 'Share of cases made by byte mutations', '0.2')
  .option('--cli-every <n>', 'Run every Nth case through the real CLI as well; 0 never', '25')
  .option('--replay <subseed>', 'Run only the case with this sub-seed (use the same --raw-share)')
  .option('--save-to <dir>', 'Where failing inputs are saved', FIXTURE_DIR)
  .option('--no-save', 'Do not save failing inputs')
  .option('--no-minimize', 'Save failing inputs as they are, not shrunk')
  .option('--cli-only', 'Fuzz the command line (arguments, environment, out-dir states) instead of specs')
  .option('--jobs <n>', 'With --cli-only: cases run at once', '2')
  .option('--bound-ms <ms>', 'With --cli-only: a run still going after this long is a hang', '60000')
  .parse();

const opts = cli.opts<Record<string, string | boolean | undefined>>();
const seed = opts.seed !== undefined ? Number(opts.seed) >>> 0 : Math.floor(Math.random() * 2 ** 32);
const runs = Number(opts.runs);
const only = opts.replay !== undefined ? Number(opts.replay) >>> 0 : undefined;
console.log(only !== undefined ? `replaying sub-seed ${only}` : `fuzz: seed ${seed}, ${runs} runs`);
if (opts.cliOnly) {
  const s = await fuzzCli({
    runs,
    seed,
    only,
    jobs: Number(opts.jobs),
    boundMs: Number(opts.boundMs),
    log: (line) => console.log(line),
  });
  const show = (m: Record<string, number>) =>
    Object.entries(m)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  console.log(
    `\n${only !== undefined ? `sub-seed ${only}` : `seed ${seed}`}: ${s.runs} CLI runs in ${(s.ms / 1000).toFixed(1)} s`,
  );
  console.log(`commands: ${show(s.byCommand)}\nexit codes: ${show(s.byExit)}\nout dir: ${show(s.byState)}`);
  if (s.mountSkipped)
    console.log(`${s.mountSkipped} mount states ran with no out dir (unshare -rm does not work here)`);
  console.log(`slowest case ${s.slowest.ms} ms (sub-seed ${s.slowest.subSeed})`);
  console.log(s.findings.length ? `${s.findings.length} failing cases` : 'no invariant broken');
  process.exit(s.findings.length ? 1 : 0);
}
const summary = await fuzz({
  runs,
  seed,
  only,
  rawShare: Number(opts.rawShare),
  cliEvery: Number(opts.cliEvery),
  verifyEvery: Number(opts.verifyEvery),
  saveDir: opts.save === false ? undefined : String(opts.saveTo),
  minimize: opts.minimize !== false,
  log: (line) => console.log(line),
});
const rejected = Object.entries(summary.rejectedAt)
  .filter(([, n]) => n)
  .map(([stage, n]) => `${n} at ${stage}`)
  .join(', ');
console.log(
  `\n${only !== undefined ? `sub-seed ${only}` : `seed ${seed}`}: ${summary.runs} runs in ${(summary.ms / 1000).toFixed(1)} s; ${summary.valid} valid, rejected ${rejected || 'none'}`,
);
console.log(
  `CLI runs ${summary.cliRuns}; verify runs ${summary.verifyRuns}${summary.verifySkipped ? ` (verify skipped: ${summary.verifySkipped})` : ''}; slowest case ${summary.slowest.ms} ms (sub-seed ${summary.slowest.subSeed})`,
);
const kinds = Object.entries(summary.byInvariant).sort((a, b) => b[1] - a[1]);
console.log(
  summary.findings.length
    ? `${summary.findings.length} failing cases: ${kinds.map(([k, n]) => `${k} ${n}`).join(', ')}`
    : 'no invariant broken',
);
process.exitCode = summary.findings.length ? 1 : 0;
