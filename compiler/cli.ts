// The fabric command line. Commands are declared here; each action imports the
// module it needs inside the action, so `fabric validate` loads no git,
// process or server code.
import { cac } from 'cac';
import { diagnosticsToJSON, formatDiagnostics, hasErrors, type Diagnostic } from './diagnostics.ts';

/** notPushed: the commit exists in fabric's cache clone but did not reach the remote (RELIABILITY E1). */
export const EXIT = {
  ok: 0,
  invalidSpec: 1,
  usage: 2,
  toolFailure: 3,
  changes: 4,
  notPushed: 5,
  interrupted: 130,
} as const;

const DEFAULT_SPEC = 'spec/fabric.yaml';
const useColor = (stream: NodeJS.WriteStream) =>
  stream.isTTY === true && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';

/** Errors a command raises on purpose: a message for the user, no stack. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.toolFailure,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export function printDiagnostics(ds: Diagnostic[], source: string | undefined, json: boolean): void {
  if (json) {
    process.stdout.write(diagnosticsToJSON(ds) + '\n');
    return;
  }
  if (ds.length === 0) return;
  process.stderr.write(formatDiagnostics(ds, { color: useColor(process.stderr), source }) + '\n');
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.length - errors;
  process.stderr.write(
    `\n${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`,
  );
}

const cli = cac('fabric');

cli
  .command('validate', 'Check fabric.yaml against the schema and the semantic rules')
  .option('--spec <file>', 'Path of fabric.yaml', { default: DEFAULT_SPEC })
  .option('--json', 'Print diagnostics as JSON')
  .example('fabric validate --spec spec/fabric.yaml')
  .action(async (opts: { spec: string; json?: boolean }) => {
    const { loadAndValidate } = await import('./index.ts');
    const { diagnostics, source } = loadAndValidate(opts.spec);
    printDiagnostics(diagnostics, source, Boolean(opts.json));
    if (hasErrors(diagnostics)) return EXIT.invalidSpec;
    if (!opts.json) process.stdout.write(`${opts.spec}: valid\n`);
    return EXIT.ok;
  });

cli
  .command('compile', 'Compile fabric.yaml into the GitOps tree')
  .option('--spec <file>', 'Path of fabric.yaml', { default: DEFAULT_SPEC })
  .option('--out <dir>', 'Output directory', { default: 'out' })
  .option('--check', 'Write nothing; exit 1 if the output directory differs from what the spec compiles to')
  .option('--verify', 'After writing, build every kustomization and check every object, rule, query and Alloy config')
  .option(
    '--push',
    'After writing (and verifying), commit the tree to the GitOps repository and push it, as fabric push does',
  )
  .option('--json', 'Print diagnostics and the result as JSON')
  .example('fabric compile --spec spec/fabric.yaml --out out')
  .action(
    async (opts: { spec: string; out: string; check?: boolean; verify?: boolean; push?: boolean; json?: boolean }) => {
      // Nothing changed since the last compile of this spec into this tree (compiler/stamp.ts): say so without rendering.
      const { unchangedSinceLastCompile, recordCompile } = await import('./stamp.ts');
      const same = opts.check || opts.verify || opts.push ? undefined : unchangedSinceLastCompile(opts.spec, opts.out);
      if (same) {
        if (opts.json)
          process.stdout.write(
            JSON.stringify({ out: opts.out, written: [], removed: [], unchanged: same.files }, null, 2) + '\n',
          );
        else {
          printDiagnostics(same.diagnostics, same.source, false);
          process.stdout.write(
            `${opts.out}: up to date (${same.files} files, untouched since the last compile of this spec)\n`,
          );
        }
        return EXIT.ok;
      }
      const { compileSpec } = await import('./index.ts');
      const result = compileSpec(opts.spec);
      if (!('model' in result)) {
        printDiagnostics(result.diagnostics, result.source ?? result.loaded?.source, Boolean(opts.json));
        return EXIT.invalidSpec;
      }
      if (!opts.json) printDiagnostics(result.diagnostics, result.loaded.source, false);
      const { emitTree, diffAgainstDisk, EmitError } = await import('./emit.ts');
      const specOpts = {
        specPath: result.model.specPath,
        specSource: result.loaded.source,
        whileLocked: (emitted: { written: string[]; unchanged: string[] }) =>
          recordCompile(opts.spec, result.loaded.source, opts.out, result.diagnostics, [
            ...emitted.written,
            ...emitted.unchanged,
          ]),
      };
      if (opts.check) {
        const d = diffAgainstDisk(result.files, opts.out, specOpts);
        const stale = [
          ...d.missing.map((p) => `missing  ${p}`),
          ...d.different.map((p) => `differs  ${p}`),
          ...d.extra.map((p) => `stale    ${p}`),
        ];
        if (opts.json) process.stdout.write(JSON.stringify({ upToDate: stale.length === 0, ...d }, null, 2) + '\n');
        else if (stale.length)
          process.stderr.write(
            `${opts.out} is not what ${opts.spec} compiles to:\n${stale.map((s) => `  ${s}`).join('\n')}\nrun: fabric compile --spec ${opts.spec} --out ${opts.out}\n`,
          );
        else process.stdout.write(`${opts.out} is up to date\n`);
        return stale.length ? EXIT.invalidSpec : EXIT.ok;
      }
      let emitted;
      try {
        emitted = emitTree(result.files, opts.out, specOpts);
      } catch (e) {
        if (e instanceof EmitError) throw new UserError(e.message, EXIT.toolFailure, e.hint);
        throw e;
      }
      if (opts.json)
        process.stdout.write(
          JSON.stringify(
            { out: opts.out, written: emitted.written, removed: emitted.removed, unchanged: emitted.unchanged.length },
            null,
            2,
          ) + '\n',
        );
      else
        process.stdout.write(
          emitted.changed
            ? `${opts.out}: ${emitted.written.length} written, ${emitted.removed.length} removed, ${emitted.unchanged.length} unchanged\n`
            : `${opts.out}: up to date (${emitted.unchanged.length} files)\n`,
        );
      if (opts.verify) {
        const { runVerify } = await import('./verify-command.ts');
        const verified = await runVerify(result, opts.out, Boolean(opts.json));
        if (verified !== EXIT.ok) return verified; // never push a tree that fails verification
      }
      if (opts.push) return (await import('./push/command.ts')).pushCompiled(result, { spec: opts.spec });
      return EXIT.ok;
    },
  );

// Publishing the tree (compiler/push/): commit it to the GitOps repository.
const targetOptions = (c: ReturnType<typeof cli.command>) =>
  c
    .option('--spec <file>', 'Path of fabric.yaml', { default: DEFAULT_SPEC })
    .option('--repo-url <url>', 'GitOps repository (default: git.repoURL in the spec)')
    .option('--branch <name>', 'Branch (default: git.revision in the spec)')
    .option(
      '--path <dir>',
      "Directory in the repository that holds the tree (default: git.path in the spec, '' for the root)",
    );

targetOptions(
  cli.command(
    'push',
    'Compile, commit the tree to the GitOps repository and push it (fast-forward only, never forced)',
  ),
)
  .option('--create-branch', 'Create the branch when the repository does not have it')
  .option('--force', 'Overwrite hand edits of files fabric owns, and files it did not write (still no force-push)')
  .option('--message <text>', 'Subject line of the commit (the change summary still follows)')
  .example('fabric push --spec spec/fabric.yaml')
  .action(async (opts) => (await import('./push/command.ts')).pushCommand(opts));

targetOptions(
  cli.command(
    'diff',
    'Show what fabric push would change, per file and per component, without committing (it fetches)',
  ),
)
  .option('--force', 'Compare as push --force would write (ignore an unreadable manifest)')
  .option('--json', 'Print the change set as JSON')
  .option('--exit-code', 'Exit 4 when there are changes (like git diff --exit-code)')
  .example('fabric diff --exit-code')
  .action(async (opts) => (await import('./push/command.ts')).diffCommand(opts));

// The runner (compiler/runner/): bring clusters up to match the spec, and look at them.
cli
  .command(
    'apply',
    'Bring the clusters up to match fabric.yaml: minikube profiles, ArgoCD, cluster registration, push, ApplicationSets, health',
  )
  .option('--spec <file>', 'Path of fabric.yaml', { default: DEFAULT_SPEC })
  .option('--out <dir>', 'Directory of the compiled tree', { default: 'out' })
  .option('--dry-run', 'Print the plan with the exact commands; run nothing (needs no cluster tool)')
  .option('--yes', 'Do not ask before applying the plan')
  .option('--json', 'Print one JSON event per line')
  .option('--timeout <duration>', 'How long to wait for the Applications to be Synced and Healthy', { default: '15m' })
  .option('--no-push', 'Do not push the compiled tree; ArgoCD reads what the repository already holds')
  .option('--parallel <n>', 'How many minikube profiles start at the same time', { default: 2 })
  .option('--create-branch', 'Create git.revision in the repository when it does not exist yet')
  .example('fabric apply --dry-run')
  .action(async (opts) => (await import('./runner/commands.ts')).applyCommand(opts));

cli
  .command('traffic', 'Send requests to the apps the spec deploys (their NodePort URLs), so Grafana has data')
  .option('--spec <file>', 'Path of fabric.yaml', { default: DEFAULT_SPEC })
  .option('--duration <duration>', 'How long, like 60s or 5m', { default: '60s' })
  .option('--env <name>', 'Only the apps of this environment')
  .option('--rate <n>', 'Requests per second per app (default 20)')
  .example('fabric traffic --duration 5m --env stage')
  .action(async (opts) => (await import('./runner/commands.ts')).trafficCommand(opts));

cli
  .command('status', 'Show each cluster, each ArgoCD Application and the URLs of Grafana and the apps')
  .option('--spec <file>', 'Path of fabric.yaml', { default: DEFAULT_SPEC })
  .option('--json', 'Print the status as JSON')
  .action(async (opts) => (await import('./runner/commands.ts')).statusCommand(opts));

cli
  .command('down', 'Delete the minikube profiles fabric created; clusters with provider existing are left alone')
  .option('--spec <file>', 'Path of fabric.yaml', { default: DEFAULT_SPEC })
  .option('--yes', 'Delete without asking (required without a terminal)')
  .action(async (opts) => (await import('./runner/commands.ts')).downCommand(opts));

cli
  .command('info', 'Print the endpoints and how to log in to Grafana and ArgoCD')
  .option('--spec <file>', 'Path of fabric.yaml', { default: DEFAULT_SPEC })
  .action(async (opts) => (await import('./runner/commands.ts')).infoCommand(opts));

cli
  .command(
    'port-forward <target>',
    'Forward a local port to grafana, argocd or a backend (mimir-<env>, loki-<env>, tempo-<env>)',
  )
  .option('--spec <file>', 'Path of fabric.yaml', { default: DEFAULT_SPEC })
  .option('--port <port>', 'Local port (default: grafana 3000, argocd 8080, backends their own port)')
  .example('fabric port-forward grafana')
  .action(async (target: string, opts) =>
    (await import('./runner/commands.ts')).portForwardCommand({ ...opts, target }),
  );

cli
  .command(
    'verify',
    "Check that each member cluster's metrics, logs and traces reach its own environment's backends and no other",
  )
  .option('--spec <file>', 'Path of fabric.yaml', { default: DEFAULT_SPEC })
  .option('--via <how>', 'Reach the backends by port-forward (default) or nodeport', { default: 'port-forward' })
  .option('--json', 'Print the results as JSON')
  .action(async (opts) => (await import('./runner/commands.ts')).verifyCommand(opts));

cli.help();
cli.version('0.1.0');

export async function main(argv: string[]): Promise<number> {
  try {
    const parsed = cli.parse(argv, { run: false });
    if (parsed.options.help || parsed.options.version) return EXIT.ok;
    if (!cli.matchedCommand) {
      if (cli.args.length > 0)
        throw new UserError(
          `unknown command '${cli.args[0]}'`,
          EXIT.usage,
          'run fabric --help for the list of commands',
        );
      cli.outputHelp();
      return EXIT.usage;
    }
    const code = await cli.runMatchedCommand();
    return typeof code === 'number' ? code : EXIT.ok;
  } catch (e) {
    const err = e as Error & { exitCode?: number; hint?: string };
    if (err.name === 'CACError') {
      process.stderr.write(`fabric: ${err.message}\nrun fabric --help for usage\n`);
      return EXIT.usage;
    }
    if (err instanceof UserError) {
      process.stderr.write(`fabric: ${err.message}\n${err.hint ? `fix: ${err.hint}\n` : ''}`);
      return err.exitCode;
    }
    // A bug in fabric, not a bad spec: say so, with the stack for the report.
    process.stderr.write(
      `fabric: internal error: ${err.stack ?? err.message}\nThis is a bug in fabric; please report it with the spec that caused it.\n`,
    );
    return 70;
  }
}
