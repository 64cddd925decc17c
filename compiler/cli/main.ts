// The fabric command line. Commands are declared here and nowhere else; each action
// imports its command module (compiler/cli/commands/) inside the action, so
// `fabric validate` and `fabric compile` load no git, process or server code
// (tests/lazy-load.test.ts). Option values stay the strings typed (commander does not
// coerce); numbers are checked by the parsers below.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../errors.ts';
import { noteSpecDiscovered, resetStampAnswer } from './answered.ts';
import { packageRoot } from '../paths.ts';
import { discoverSpec, SPEC_HELP } from './discover.ts';
import { SHELLS, type Shell } from './completion.ts';
import { configureGlobals, EXIT, printError, writeJSON } from './output.ts';
import { tolerateClosedPipes } from './pipes.ts';

/** For the loader (scripts/bundle-loader.cjs): whether the stamp answered this run. */
export { stampAnswer } from './answered.ts';

const nonEmpty = (value: string) => {
  if (value === '') throw new InvalidArgumentError('must not be empty.');
  return value;
};
const wholeNumber = (min: number, max: number) => (value: string) => {
  if (!/^[0-9]+$/.test(value) || Number(value) < min || Number(value) > max)
    throw new InvalidArgumentError(`give a whole number from ${min} to ${max}.`);
  return value;
};
const duration = (value: string) => {
  if (!/^([0-9]+(ms|s|m|h))+$/.test(value)) throw new InvalidArgumentError('write a duration like 15m, 90s or 1h30m.');
  return value;
};

/** The spec: a positional path, or --spec (not both, unless they agree); `-` reads standard input. */
function withSpec(cmd: Command, positional = true): Command {
  if (positional) cmd.argument('[spec]', SPEC_HELP);
  return cmd.addOption(new Option('--spec <file>', SPEC_HELP).argParser(nonEmpty));
}

/** The action's options, with the positional spec folded into `spec` (discovered when neither is given). */
function specOf(args: unknown[], cmd: Command): Record<string, unknown> & { spec: string } {
  const opts = cmd.opts() as Record<string, unknown> & { spec: string };
  const at = cmd.registeredArguments.findIndex((a) => a.name() === 'spec');
  const positional = at >= 0 && typeof args[at] === 'string' ? args[at] : undefined;
  const declared = cmd.options.some((o) => o.long === '--spec');
  if (positional === undefined && declared && opts.spec === undefined) {
    noteSpecDiscovered();
    return { ...opts, spec: discoverSpec() };
  }
  if (positional === undefined) return opts;
  if (positional === '') throw new UsageError('the spec path must not be empty');
  if (cmd.getOptionValueSource('spec') === 'cli' && opts.spec !== positional)
    throw new UsageError(`two specs given: ${positional} and --spec ${opts.spec}`, 'give the spec once');
  return { ...opts, spec: positional };
}

type Action = (opts: Record<string, unknown> & { spec: string }, args: unknown[]) => Promise<number> | number;
/** commander calls actions with (...arguments, options, command); ours get the options with the spec resolved. */
const run =
  (action: Action) =>
  async (...params: unknown[]) => {
    const cmd = params[params.length - 1] as Command;
    const args = params.slice(0, -2);
    exitCode = await action(specOf(args, cmd), args);
  };

let exitCode: number = EXIT.ok;
let jsonRequested = false;

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

function printVersion(json: boolean): number {
  if (json) writeJSON({ version: version(), node: process.versions.node });
  else process.stdout.write(`fabric ${version()}\n`);
  return EXIT.ok;
}

/** The declared program (exported for the argument fuzzer, scripts/fuzz/cli-args.ts, which reads its commands). */
export function program(): Command {
  const cli = new Command('fabric')
    .description('Compile fabric.yaml into a Kustomize + ArgoCD GitOps repository, push it, and run it')
    .version(version(), '-v, --version')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'fabric: ')) })
    .option('--no-color', 'no colour (also NO_COLOR=1; FORCE_COLOR=1 forces it)')
    .option('-q, --quiet', 'print only errors (and what --json asks for)')
    .option('--verbose', 'print more: apply shows the output of every command it runs')
    .hook('preAction', (_root, action) => {
      const o = action.optsWithGlobals();
      jsonRequested = Boolean(o.json);
      if (o.quiet && o.verbose) throw new UsageError('--quiet and --verbose contradict each other', 'give one');
      configureGlobals({ color: o.color !== false, quiet: Boolean(o.quiet), verbose: Boolean(o.verbose) });
    });

  declareStartingOut(cli);
  declareCompiling(cli);
  declarePublishing(cli);
  declareRunner(cli);
  return cli;
}

/** Starting out: a spec of one's own, its schema, fabric's version, shell completion. */
function declareStartingOut(cli: Command): void {
  cli
    .command('init')
    .argument('[dir]', 'directory of the new fabric.yaml (default: the current directory)')
    .description('Write a starter fabric.yaml (and its JSON Schema, and /out/ in .gitignore) for your own repository')
    .option('--yes', 'take the defaults for what the flags do not give, without asking (needed without a terminal)')
    .option('--force', 'replace an existing fabric.yaml')
    .addOption(new Option('--name <name>', 'fleet name').argParser(nonEmpty))
    .addOption(new Option('--repo-url <url>', 'GitOps repository URL').argParser(nonEmpty))
    .addOption(
      new Option('--environments <list>', 'environments, comma-separated (default: stage,prod)').argParser(nonEmpty),
    )
    .option('--no-gitignore', 'do not add /out/ to .gitignore')
    .action(
      run(async (o, args) =>
        (await import('./commands/init.ts')).initCommand({ ...o, dir: args[0] as string | undefined } as never),
      ),
    );
  cli
    .command('schema')
    .description('Print the JSON Schema of fabric.yaml (editors: fabric schema > fabric.schema.json)')
    .action(run(async () => (await import('./commands/init.ts')).schemaCommand()));
  cli
    .command('version')
    .description("Print fabric's version")
    .option('--json', 'print it as JSON')
    .action(run((o) => printVersion(Boolean(o.json))));
  cli
    .command('completion')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(SHELLS))
    .description('Print a shell completion script (bash: source <(fabric completion bash))')
    .action(
      run(async (_o, args) => {
        const { completionScript } = await import('./completion.ts');
        process.stdout.write(completionScript(args[0] as Shell, cli));
        return EXIT.ok;
      }),
    );
}

/** Checking and compiling the spec. */
function declareCompiling(cli: Command): void {
  withSpec(cli.command('validate').description('Check fabric.yaml against the schema and the semantic rules'))
    .option('--json', 'print diagnostics as JSON')
    .action(run(async (o) => (await import('./commands/validate.ts')).validateCommand(o)));

  withSpec(cli.command('compile').description('Compile fabric.yaml into the GitOps tree'))
    .addOption(new Option('--out <dir>', 'output directory').default('out').argParser(nonEmpty))
    .option('--check', 'write nothing; print how the output directory differs (unified diffs) and exit 4 if it does')
    .option('--stat', 'with --check: list the files and their changed lines instead of the diffs')
    .option('--verify', 'after writing, check every kustomization, object, rule, query and Alloy config (offline)')
    .option('--push', 'after writing (and verifying), commit the tree and push it, as fabric push does')
    .option('--json', 'print diagnostics and the result as JSON')
    .action(run(async (o) => (await import('./commands/compile.ts')).compileCommand(o as never)));
}

/** Publishing the tree (compiler/push/): commit it to the GitOps repository. */
function declarePublishing(cli: Command): void {
  const target = (c: Command) =>
    withSpec(c)
      .option('--repo-url <url>', 'GitOps repository (default: git.repoURL in the spec)')
      .option('--branch <name>', 'branch (default: git.revision in the spec)')
      .option(
        '--path <dir>',
        "directory in the repository for the tree (default: git.path in the spec, '' for the root)",
      );
  target(
    cli.command('push').description('Compile, commit the tree to the GitOps repository and push it (never forced)'),
  )
    .option('--create-branch', 'create the branch when the repository does not have it')
    .option('--force', 'overwrite hand edits of files fabric owns, and files it did not write (still no force-push)')
    .option('--message <text>', 'subject line of the commit (the change summary still follows)')
    .option('--json', 'print the result (the commit SHA, the changes) as JSON')
    .action(run(async (o) => (await import('./commands/push.ts')).pushCommand(o)));
  target(cli.command('diff').description('Show what fabric push would change, per file and component (it fetches)'))
    .option('--force', 'compare as push --force would write (ignore an unreadable manifest)')
    .option('--json', 'print the change set and the diffs as JSON')
    .option('--stat', 'list the files and their changed lines instead of the diffs')
    .option('--exit-code', 'exit 4 when there are changes (like git diff --exit-code)')
    .action(run(async (o) => (await import('./commands/push.ts')).diffCommand(o)));
}

/** The runner (compiler/runner/): bring clusters up to match the spec, and look at them. */
function declareRunner(cli: Command): void {
  const runner = () => import('./commands/runner.ts');
  withSpec(
    cli.command('apply').description('Bring the clusters up to match fabric.yaml (minikube, ArgoCD, push, health)'),
  )
    .addOption(new Option('--out <dir>', 'directory of the compiled tree').default('out').argParser(nonEmpty))
    .option('--dry-run', 'print the preflight and the plan with the exact commands; change nothing')
    .option('--yes', 'do not ask before applying the plan')
    .option('--json', 'print one JSON event per line')
    .addOption(
      new Option('--timeout <duration>', 'how long to wait for Synced and Healthy').default('15m').argParser(duration),
    )
    .option('--no-push', 'do not push the compiled tree; ArgoCD reads what the repository already holds')
    .addOption(
      new Option('--parallel <n>', 'minikube profiles started at once').default('2').argParser(wholeNumber(1, 64)),
    )
    .option('--create-branch', 'create git.revision in the repository when it does not exist yet')
    .action(run(async (o) => (await runner()).apply(o as never)));
  withSpec(cli.command('traffic').description('Send requests to the apps of the spec (their NodePort URLs)'))
    .addOption(new Option('--duration <duration>', 'how long').default('60s').argParser(duration))
    .addOption(new Option('--env <name>', 'only the apps of this environment').argParser(nonEmpty))
    .addOption(new Option('--rate <n>', 'requests per second per app (default 20)').argParser(wholeNumber(1, 10000)))
    .action(run(async (o) => (await runner()).traffic(o)));
  withSpec(cli.command('status').description('Show each cluster, each ArgoCD Application and the URLs'))
    .option('--json', 'print the status as JSON')
    .action(run(async (o) => (await runner()).status(o)));
  withSpec(cli.command('down').description('Delete the minikube profiles fabric created (existing clusters are left)'))
    .option('--yes', 'delete without asking (required without a terminal)')
    .option('--json', 'print what was deleted as JSON')
    .action(run(async (o) => (await runner()).down(o)));
  withSpec(cli.command('info').description('Print the endpoints and how to log in to Grafana and ArgoCD'))
    .option('--json', 'print the endpoints and login commands as JSON')
    .action(run(async (o) => (await runner()).info(o)));
  withSpec(
    cli
      .command('port-forward')
      .argument('<target>', 'grafana, argocd or a backend (mimir-<env>, loki-<env>, tempo-<env>)')
      .description('Forward a local port to grafana, argocd or a backend'),
    false,
  )
    .addOption(new Option('--port <port>', 'local port (default: the service port)').argParser(wholeNumber(1, 65535)))
    .action(run(async (o, args) => (await runner()).portForward({ ...o, target: String(args[0]) })));
  withSpec(
    cli
      .command('check-routing')
      .alias('verify')
      .description("Check on the live clusters that each cluster's telemetry reaches its own environment only"),
  )
    .addOption(
      new Option('--via <how>', 'reach the backends by').choices(['port-forward', 'nodeport']).default('port-forward'),
    )
    .option('--json', 'print the results as JSON')
    .action(
      run(async (o) => {
        if (calledAs === 'verify')
          process.stderr.write(
            "note: 'fabric verify' is the old name of 'fabric check-routing' (the offline check is 'fabric compile --verify')\n",
          );
        return (await runner()).checkRouting(o);
      }),
    );
}

let calledAs: string | undefined;

/** Run the command line (argv as in process.argv) and return the exit code. */
export async function main(argv: string[]): Promise<number> {
  tolerateClosedPipes();
  resetStampAnswer();
  exitCode = EXIT.ok;
  jsonRequested = false;
  configureGlobals({ color: true, quiet: false, verbose: false });
  calledAs = argv[2];
  try {
    const cli = program();
    if (argv.length <= 2) {
      cli.outputHelp({ error: true });
      return EXIT.usage;
    }
    await cli.parseAsync(argv);
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError)
      // Help and version exit 0; every other parse failure (unknown command or option, bad value,
      // missing or extra argument) is a usage error, already printed by commander.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return printError(e, jsonRequested);
  }
}
