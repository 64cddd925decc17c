// The runner's commands: apply, status, down, info, port-forward, check-routing, traffic.
// compiler/cli/commands/runner.ts adapts them to the command line (it compiles the
// spec, prints its diagnostics, and passes the result as `compiled`).
import { join, relative } from 'node:path';
import { EXIT, FabricError, SpecInvalidError, UsageError } from '../errors.ts';
import { JSON_FORMAT } from '../json-format.ts';
import type { Compiled } from '../index.ts';
import { NAMESPACES, PORTS, type Model } from '../model/index.ts';
import { packageRoot } from '../paths.ts';
import { durationSeconds } from '../units.ts';
import { deployedApplications, healthReport, parseApplications, type AppStatus } from './applications.ts';
import { minikubeHome } from './cluster-secret.ts';
import { CommandFailed, Exec } from './exec.ts';
import { describeFailure, executePlan } from './execute.ts';
import { hintFor } from './hints.ts';
import { exitCodeFor, handleInterrupts } from './interrupt.ts';
import { askYesNo, quietOnBrokenPipe } from './prompt.ts';
import { LockHeld, takeRunLock } from './lock.ts';
import { fleetProfiles, listRegistrations, removalCommands, withOrphanRemoval } from './orphans.ts';
import { buildPlan, formatPlan, planJSON } from './plan.ts';
import { formatPreflight, preflight } from './preflight.ts';
import { endpoints, formatSummary, runSummary, secretReadCommand } from './summary.ts';
import { createReporter, type Output } from './progress.ts';
import { minikubeClusters, profileState, type RunContext, type Step } from './steps.ts';
import { engineFor, FLEET_LABEL } from './drivers.ts';
import { displayArgv, kubectl, minikube, type Argv } from './tools.ts';
import { formatVerifyTable, rowOk, verifyFleet, type BackendURLs } from './verify.ts';

export interface IO {
  out: Output;
  err: Output;
  env: NodeJS.ProcessEnv;
  /** Asks on the terminal; only called when out is a TTY. */
  confirm(question: string): Promise<boolean>;
}

export function processIO(): IO {
  quietOnBrokenPipe(process.stdout);
  quietOnBrokenPipe(process.stderr);
  return { out: process.stdout, err: process.stderr, env: process.env, confirm: (question) => askYesNo(question) };
}

const DEFAULT_SPEC = 'spec/fabric.yaml';

/** What every runner command takes: the spec's path, and the spec compiled when the caller already did it. */
export interface SpecOption {
  spec: string;
  compiled?: Compiled;
}

async function compile(opts: SpecOption): Promise<Compiled> {
  if (opts.compiled) return opts.compiled;
  const { compileSpec } = await import('../index.ts');
  const result = compileSpec(opts.spec);
  if (!('model' in result)) throw new SpecInvalidError(opts.spec, result.diagnostics, result.source);
  return result;
}

/** `15m`, `90s`, `1h30m` in milliseconds. */
export function parseTimeout(text: string): number {
  if (!/^([0-9]+(ms|s|m|h))+$/.test(text))
    throw new UsageError(`--timeout ${JSON.stringify(text)} is not a duration`, 'write it like 15m, 90s or 1h30m');
  return durationSeconds(text) * 1000;
}

/** A path as short as it can be shown: relative to the working directory when inside it. */
function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

function runContext(
  compiled: Compiled,
  opts: ApplyOptions,
  exec: Exec,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): RunContext {
  return {
    compiled,
    exec,
    env,
    specPath: opts.spec,
    outDir: opts.out,
    push: opts.push,
    timeoutMs: parseTimeout(opts.timeout),
    pollMs: opts.pollMs ?? 5000,
    signal,
    appDir: opts.appDir ?? shownPath(packageRoot()),
    minikubeHome: minikubeHome(env),
    createBranch: opts.createBranch,
    state: {},
  };
}

export interface ApplyOptions extends SpecOption {
  out: string;
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
  timeout: string;
  push: boolean;
  parallel: number | string;
  /** How often the health wait polls ArgoCD (tests shorten it). */
  pollMs?: number;
  /** How long children get after the first Ctrl-C before they are killed. */
  graceMs?: number;
  /** Build context of the demo image (default: runtime-app/ of the fabric package). */
  appDir?: string;
  /** Create git.revision in the repository when it does not exist. */
  createBranch?: boolean;
  /** --verbose: echo every command's output as it runs. */
  verbose?: boolean;
  /** Colour the progress (the CLI decides: --no-color, NO_COLOR, FORCE_COLOR). */
  color?: boolean;
}

function resumeCommand(opts: ApplyOptions): string {
  return [
    'fabric apply',
    ...(opts.spec !== DEFAULT_SPEC ? [`--spec ${opts.spec}`] : []),
    ...(opts.out !== 'out' ? [`--out ${opts.out}`] : []),
    ...(opts.push ? [] : ['--no-push']),
    ...(opts.createBranch ? ['--create-branch'] : []),
  ].join(' ');
}

export async function applyCommand(opts: ApplyOptions, io: IO = processIO()): Promise<number> {
  const parallel = Number(opts.parallel);
  if (!Number.isInteger(parallel) || parallel < 1)
    throw new UsageError(`--parallel ${opts.parallel} is not a positive whole number`);
  const compiled = await compile(opts);
  // --json: one event per line, the spec's warnings included.
  if (opts.json)
    for (const d of compiled.diagnostics) io.out.write(JSON.stringify({ type: 'diagnostic', ...d }) + '\n');
  const exec = new Exec(io.env, opts.verbose ? io.err : undefined);
  const aborted = new AbortController();
  const ctx = runContext(compiled, opts, exec, io.env, aborted.signal);
  let plan = buildPlan(ctx);
  if (opts.dryRun) {
    // The preflight first (read-only commands), then the plan.
    const checked = await preflight(ctx);
    plan = await withOrphanRemoval(plan, ctx);
    io.out.write(
      opts.json
        ? JSON.stringify({ format: JSON_FORMAT, type: 'plan', preflight: checked, ...planJSON(plan) }) + '\n'
        : formatPreflight(checked) + '\n' + formatPlan(plan, ctx),
    );
    return EXIT.ok;
  }
  let release: () => void;
  try {
    release = takeRunLock(compiled.model.name, io.env);
  } catch (e) {
    if (e instanceof LockHeld) throw new FabricError(e.message, { exitCode: EXIT.toolFailure, hint: e.hint });
    throw e;
  }
  try {
    const checked = await preflight(ctx);
    plan = await withOrphanRemoval(plan, ctx);
    if (checked.problems.length) {
      io.out.write(opts.json ? JSON.stringify({ type: 'preflight', ...checked }) + '\n' : formatPreflight(checked));
      if (!opts.json) io.out.write('nothing was changed; fix the problems above and run fabric apply again\n');
      return EXIT.toolFailure;
    }
    if (!opts.yes && !opts.json && io.out.isTTY) {
      io.out.write(formatPreflight(checked) + '\n' + formatPlan(plan, ctx));
      if (!(await io.confirm('Apply this plan?'))) {
        io.out.write('nothing done\n');
        return EXIT.ok;
      }
    } else if (opts.json) io.out.write(JSON.stringify({ type: 'preflight', ...checked }) + '\n');
    else io.out.write(formatPreflight(checked));
    return await runPlan(plan, ctx, opts, io, exec, aborted, parallel);
  } finally {
    release();
  }
}

async function runPlan(
  plan: Step[],
  ctx: RunContext,
  opts: ApplyOptions,
  io: IO,
  exec: Exec,
  aborted: AbortController,
  parallel: number,
): Promise<number> {
  const reporter = createReporter(io.out, { json: Boolean(opts.json), color: opts.color ?? !('NO_COLOR' in io.env) });
  const graceMs = opts.graceMs ?? 10_000;
  const interrupts = handleInterrupts(exec, {
    graceMs,
    onFirst: (signal) => {
      aborted.abort();
      reporter.note(
        `interrupted${signal === 'SIGINT' ? '' : ` (${signal})`}: no new step starts; ${exec.running} running command(s) got SIGINT and have ${graceMs / 1000}s to stop (Ctrl-C again to kill them now)`,
      );
    },
    onSecond: (signal) =>
      reporter.note(
        `second interrupt (${signal}): killing the running commands; the step they were in starts over on the next run`,
      ),
  });
  const started = Date.now();
  try {
    const status = await executePlan(plan, { parallel, reporter, interrupts });
    reporter.emit({
      type: 'run-end',
      status,
      ms: Date.now() - started,
      ...(status === 'ok' ? {} : { resume: resumeCommand(opts) }),
    });
    if (status === 'ok') {
      const summary = runSummary(ctx.compiled.model, opts.spec !== DEFAULT_SPEC ? ` --spec ${opts.spec}` : '');
      if (opts.json) io.out.write(JSON.stringify({ type: 'summary', ...summary }) + '\n');
      else reporter.note(formatSummary(summary).join('\n'));
    }
    if (status === 'interrupted') return exitCodeFor(interrupts.by ?? 'SIGINT');
    return status === 'ok' ? EXIT.ok : EXIT.toolFailure;
  } finally {
    interrupts.dispose();
    reporter.close();
  }
}

/** Runs a read-only command; its failure becomes a cell of a report, not an exception. */
async function probe(
  exec: Exec,
  argv: Argv,
  okExitCodes?: number[],
): Promise<{ ok: true; stdout: string; exitCode: number } | { ok: false; why: string }> {
  try {
    const r = await exec.run(argv, { okExitCodes });
    return { ok: true, stdout: r.stdout, exitCode: r.exitCode };
  } catch (e) {
    const f = e as CommandFailed;
    return { ok: false, why: f.reason === 'missing' ? `${f.argv[0]} not installed` : (f.tail(1)[0] ?? f.message) };
  }
}

interface ClusterStatus {
  name: string;
  role: string;
  provider: string;
  state: string;
  ip: string;
}

async function clusterStatus(exec: Exec, model: Model): Promise<ClusterStatus[]> {
  return Promise.all(
    model.clusters.map(async (c) => {
      const base = { name: c.name, role: c.role, provider: c.provider, ip: c.ip ?? '-' };
      if (c.provider === 'existing') {
        const r = await probe(exec, kubectl(c.context, 'get', '--raw', '/readyz'));
        return { ...base, state: r.ok ? 'running' : `unreachable (${r.why})` };
      }
      try {
        const state = await profileState(exec, c.name);
        if (state !== 'running') return { ...base, state: state === 'missing' ? 'not created' : 'stopped' };
        const ip = await probe(exec, minikube.ip(c.name));
        return { ...base, state: 'running', ip: ip.ok ? ip.stdout.trim() : base.ip };
      } catch (e) {
        const f = e as CommandFailed;
        return {
          ...base,
          state: f.reason === 'missing' ? 'unknown (minikube not installed)' : `unknown (${f.message})`,
        };
      }
    }),
  );
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return (
    rows
      .map((r) =>
        r
          .map((cell, i) => (cell ?? '').padEnd(widths[i]))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export async function statusCommand(opts: SpecOption & { json?: boolean }, io: IO = processIO()): Promise<number> {
  const compiled = await compile(opts);
  const { model } = compiled;
  const exec = new Exec(io.env);
  const clusters = await clusterStatus(exec, model);
  const expected = deployedApplications(model);
  const apps = await probe(
    exec,
    kubectl(model.control.context, '-n', NAMESPACES.argocd, 'get', 'applications.argoproj.io', '-o', 'json'),
  );
  let applications: (AppStatus & { expected: boolean })[] = [];
  let appsError: string | undefined;
  if (apps.ok) {
    const live = parseApplications(apps.stdout);
    const report = healthReport(expected, live);
    applications = [
      ...expected.map((name) => ({
        ...(live.find((a) => a.name === name) ?? { name, sync: 'Missing', health: 'Missing' }),
        expected: true,
      })),
      ...report.unexpected.map((name) => ({ ...live.find((a) => a.name === name)!, expected: false })),
    ];
  } else {
    appsError = apps.why;
  }
  const urls = endpoints(model);
  // Nothing to look at is not success: a script polling status can tell "down" from "up".
  const reachable = clusters.some((c) => c.state === 'running');
  if (opts.json) {
    io.out.write(
      JSON.stringify(
        {
          format: JSON_FORMAT,
          clusters,
          applications,
          ...(appsError ? { applicationsError: appsError } : {}),
          endpoints: urls,
        },
        null,
        2,
      ) + '\n',
    );
    return reachable ? EXIT.ok : EXIT.toolFailure;
  }
  io.out.write(
    'Clusters\n' +
      table([
        ['name', 'role', 'provider', 'state', 'ip'],
        ...clusters.map((c) => [c.name, c.role, c.provider, c.state, c.ip]),
      ]),
  );
  io.out.write(`\nApplications (ArgoCD in ${model.control.name})\n`);
  if (appsError) io.out.write(`  cannot read them: ${appsError}\n`);
  else
    io.out.write(
      table([
        ['name', 'sync', 'health', ''],
        ...applications.map((a) => [
          a.name,
          a.sync,
          a.health,
          a.expected ? (a.message ?? '') : 'not predicted by fabric',
        ]),
      ]),
    );
  io.out.write('\nEndpoints\n' + table(urls.map((e) => [e.what, e.url, e.note ? `(${e.note})` : ''])));
  if (reachable) return EXIT.ok;
  io.err.write(
    'fabric: no cluster of the spec is reachable\nfix: fabric apply creates them; fabric info says how they are reached\n',
  );
  return EXIT.toolFailure;
}

/** The registrations live in a control cluster fabric did not create: named, with the command, not deleted. */
async function nameRegistrations(exec: Exec, model: Model, say: IO['out']): Promise<void> {
  const listed = await probe(exec, listRegistrations(model));
  const names = listed.ok
    ? ((JSON.parse(listed.stdout) as { items?: { metadata: { name: string } }[] }).items ?? []).map(
        (i) => i.metadata.name,
      )
    : [];
  if (!names.length) return;
  const removal = displayArgv(removalCommands(model, { profiles: [], registrations: names, unknown: [] })[0]);
  say.write(
    `· ArgoCD in ${model.control.name} still has this fleet's registrations ${names.join(', ')}; remove them with: ${removal.replace(/ delete secret .*/, ` delete secret ${names.join(' ')}`)}\n`,
  );
}

export async function downCommand(
  opts: SpecOption & { yes?: boolean; json?: boolean },
  io: IO = processIO(),
): Promise<number> {
  const { model } = await compile(opts);
  // --json: the lines go to stderr and one document, what happened to each profile, to stdout.
  const say = opts.json ? io.err : io.out;
  const done: { profile: string; result: 'deleted' | 'missing' | 'failed' | 'left alone' }[] = [];
  const summary = (code: number) => {
    if (opts.json) io.out.write(JSON.stringify({ format: JSON_FORMAT, profiles: done }, null, 2) + '\n');
    return code;
  };
  const exec = new Exec(io.env);
  // Profiles the spec no longer names but that fabric started for this fleet (on its network) go too.
  const onNetwork = minikubeClusters(model).length ? await fleetProfiles(exec, model) : [];
  const dropped = Array.isArray(onNetwork) ? onNetwork.filter((p) => !model.clusters.some((c) => c.name === p)) : [];
  const profiles = [...minikubeClusters(model), ...dropped.map((name) => ({ name }))];
  for (const c of model.clusters.filter((x) => x.provider === 'existing')) {
    say.write(`· ${c.name}: provider existing, left alone\n`);
    done.push({ profile: c.name, result: 'left alone' });
  }
  if (model.control.provider === 'existing') await nameRegistrations(exec, model, say);
  if (!profiles.length) {
    say.write('no minikube profiles to delete\n');
    return summary(EXIT.ok);
  }
  const names = profiles.map((c) => c.name).join(', ');
  if (!opts.yes) {
    if (!io.out.isTTY || opts.json)
      throw new UsageError(
        `fabric down deletes the minikube profiles ${names} and will not do it without a confirmation`,
        'run fabric down --yes',
      );
    if (!(await io.confirm(`Delete the minikube profiles ${names} and everything in them?`))) {
      say.write('nothing deleted\n');
      return summary(EXIT.ok);
    }
  }
  if (dropped.length)
    say.write(`· also ${dropped.join(', ')}: no longer in the spec, started by fabric for ${model.name}\n`);
  let failed = 0;
  const step = async (label: string, argv: Argv) => {
    try {
      await exec.run(argv);
      say.write(`✓ ${label}\n`);
    } catch (e) {
      failed += 1;
      const f = describeFailure(e);
      say.write(
        [
          `✗ ${label}`,
          `  command: ${f.command}`,
          ...(f.tail ?? []).map((l) => `    ${l}`),
          ...(f.hint ? [`  hint: ${f.hint}`] : []),
        ].join('\n') + '\n',
      );
    }
  };
  for (const c of profiles) {
    let state: string;
    try {
      state = await profileState(exec, c.name);
    } catch (e) {
      failed += 1;
      done.push({ profile: c.name, result: 'failed' });
      say.write(
        `✗ ${c.name}: ${(e as Error).message}${e instanceof CommandFailed && hintFor(e) ? `\n  hint: ${hintFor(e)}` : ''}\n`,
      );
      continue;
    }
    if (state === 'missing') {
      say.write(`· ${c.name}: no such profile\n`);
      done.push({ profile: c.name, result: 'missing' });
    } else {
      const before = failed;
      await step(`deleted minikube profile ${c.name}`, minikube.delete(c.name));
      done.push({ profile: c.name, result: failed > before ? 'failed' : 'deleted' });
    }
  }
  // The shared network goes too, when fabric created it (its label) and nothing is attached any more.
  const engine = engineFor(model);
  const net = await probe(exec, engine.networkInspect(model.platform.network));
  if (net.ok) {
    const info = engine.parseNetwork(net.stdout);
    if (info?.labels[FLEET_LABEL] === model.name && info.containers.length === 0)
      await step(`removed network ${model.platform.network}`, engine.networkRemove(model.platform.network));
  }
  return summary(failed ? EXIT.toolFailure : EXIT.ok);
}

export async function infoCommand(opts: SpecOption & { json?: boolean }, io: IO = processIO()): Promise<number> {
  const { model } = await compile(opts);
  const mon = model.monitoring;
  const secretRead = secretReadCommand;
  if (opts.json) {
    const info = {
      format: JSON_FORMAT,
      grafana: {
        url: model.grafana.url,
        host: model.grafana.host,
        user: 'admin',
        passwordCommand: secretRead(mon.context, NAMESPACES.monitoring, model.grafana.adminSecret, 'admin-password'),
      },
      argocd: {
        user: 'admin',
        passwordCommand: secretRead(
          model.control.context,
          NAMESPACES.argocd,
          'argocd-initial-admin-secret',
          'password',
        ),
      },
      backends: model.backendSets.map((s) => ({
        key: s.key,
        mimir: s.mimir.external,
        loki: s.loki.external,
        tempo: s.tempo.external,
      })),
      endpoints: endpoints(model),
    };
    io.out.write(JSON.stringify(info, null, 2) + '\n');
    return EXIT.ok;
  }
  const lines = [
    `Grafana        ${model.grafana.url}   or   fabric port-forward grafana  ->  http://localhost:${PORTS.grafana}`,
    `  user         admin`,
    `  password     ${secretRead(mon.context, NAMESPACES.monitoring, model.grafana.adminSecret, 'admin-password')}`,
    `  ingress      http://${model.grafana.host}  (add "${mon.ip} ${model.grafana.host}" to /etc/hosts)`,
    `ArgoCD         fabric port-forward argocd  ->  https://localhost:${PORTS.argocdLocal}`,
    `  user         admin`,
    `  password     ${secretRead(model.control.context, NAMESPACES.argocd, 'argocd-initial-admin-secret', 'password')}`,
    '',
    `Backends (NodePorts on ${mon.name}, where the member clusters' agents send)`,
    ...model.backendSets.map(
      (s) =>
        `  ${s.key.padEnd(8)} mimir ${s.mimir.external}   loki ${s.loki.external}   tempo (OTLP gRPC) ${s.tempo.external}`,
    ),
    ...(model.tenancy === 'shared'
      ? [`  tenants: ${model.environments.map((e) => `${e.name} -> X-Scope-OrgID: ${e.tenant}`).join(', ')}`]
      : []),
    '',
    'Apps',
    ...endpoints(model)
      .filter((e) => !e.what.startsWith('Grafana'))
      .map((e) => `  ${e.what.padEnd(40)} ${e.url}${e.note ? `  (${e.note})` : ''}`),
    '',
    "fabric status shows what runs; fabric check-routing checks that every cluster's telemetry reaches its own environment only.",
  ];
  io.out.write(lines.join('\n') + '\n');
  return EXIT.ok;
}

interface ForwardTarget {
  context: string;
  namespace: string;
  service: string;
  remotePort: number;
  localPort: number;
  scheme: string;
}

export function forwardTargets(model: Model): Record<string, ForwardTarget> {
  const mon = model.monitoring.context;
  const targets: Record<string, ForwardTarget> = {
    grafana: {
      context: mon,
      namespace: NAMESPACES.monitoring,
      service: 'grafana',
      remotePort: PORTS.grafana,
      localPort: PORTS.grafana,
      scheme: 'http',
    },
    argocd: {
      context: model.control.context,
      namespace: NAMESPACES.argocd,
      service: 'argocd-server',
      remotePort: PORTS.argocdServer,
      localPort: PORTS.argocdLocal,
      scheme: 'https',
    },
  };
  for (const set of model.backendSets) {
    for (const [endpoint, port] of [
      [set.mimir, PORTS.mimirHttp],
      [set.loki, PORTS.lokiHttp],
      [set.tempo, PORTS.tempoHttp],
    ] as const) {
      targets[endpoint.name] = {
        context: mon,
        namespace: NAMESPACES.monitoring,
        service: endpoint.name,
        remotePort: port,
        localPort: port,
        scheme: 'http',
      };
    }
  }
  return targets;
}

export async function portForwardCommand(
  opts: SpecOption & { target: string; port?: number | string },
  io: IO = processIO(),
): Promise<number> {
  const { model } = await compile(opts);
  const targets = forwardTargets(model);
  const t = targets[opts.target];
  if (!t)
    throw new UsageError(`unknown port-forward target '${opts.target}'`, `one of: ${Object.keys(targets).join(', ')}`);
  const local = opts.port === undefined ? t.localPort : Number(opts.port);
  if (!Number.isInteger(local) || local < 1 || local > 65535)
    throw new UsageError(`--port ${opts.port} is not a port number`, 'give a whole number from 1 to 65535');
  const argv = kubectl(t.context, '-n', t.namespace, 'port-forward', `svc/${t.service}`, `${local}:${t.remotePort}`);
  io.err.write(`${displayArgv(argv)}\n${t.scheme}://localhost:${local}  (Ctrl-C to stop)\n`);
  const { execa } = await import('execa');
  // kubectl shares the terminal: Ctrl-C reaches it directly; fabric only waits for it.
  const ignore = () => {};
  process.on('SIGINT', ignore);
  try {
    const r = await execa(argv[0], argv.slice(1), { env: io.env, extendEnv: false, stdio: 'inherit', reject: false });
    if (r.code === 'ENOENT')
      throw new FabricError('kubectl is not installed', {
        exitCode: EXIT.toolFailure,
        hint: hintFor(new CommandFailed(argv, 'missing', undefined, '')),
      });
    if (r.signal === 'SIGINT') return EXIT.interrupted;
    return r.exitCode === 0 ? EXIT.ok : EXIT.toolFailure;
  } finally {
    process.off('SIGINT', ignore);
  }
}

export async function verifyCommand(
  opts: SpecOption & { via?: string; json?: boolean; requestTimeout?: string },
  io: IO = processIO(),
): Promise<number> {
  const via = opts.via ?? 'port-forward';
  if (via !== 'port-forward' && via !== 'nodeport') throw new UsageError(`--via ${via}: use port-forward or nodeport`);
  const { model } = await compile(opts);
  const exec = new Exec(io.env);
  const interrupts = handleInterrupts(exec, {
    graceMs: 2000,
    onFirst: () => io.err.write('interrupted\n'),
    onSecond: () => {},
  });
  const forwards: (() => Promise<void>)[] = [];
  try {
    const targets = forwardTargets(model);
    const forward = async (service: string) => {
      const t = targets[service];
      const pf = await exec.background(
        kubectl(t.context, '-n', t.namespace, 'port-forward', `svc/${t.service}`, `:${t.remotePort}`),
        /Forwarding from 127\.0\.0\.1:(\d+)/,
        30_000,
      );
      forwards.push(pf.stop);
      return `http://127.0.0.1:${pf.match[1]}`;
    };
    const urls = new Map<string, BackendURLs>();
    for (const set of model.backendSets) {
      // The generated NetworkPolicies admit only member nodes to the NodePorts, so by default the
      // backends are reached through the API server (port-forward), which those policies do not cover.
      // Tempo's NodePort is its OTLP gRPC receiver; its query API is only reachable by port-forward.
      urls.set(set.key, {
        mimir: via === 'nodeport' ? set.mimir.external : await forward(set.mimir.name),
        loki: via === 'nodeport' ? set.loki.external : await forward(set.loki.name),
        tempo: await forward(set.tempo.name),
      });
    }
    const timeoutMs = opts.requestTimeout ? parseTimeout(opts.requestTimeout) : 10_000;
    const rows = await verifyFleet(model, (key) => urls.get(key)!, {
      timeoutMs,
      signal: interrupts.signal,
      now: Date.now(),
    });
    if (interrupts.interrupted) return EXIT.interrupted;
    io.out.write(
      opts.json
        ? JSON.stringify({ format: JSON_FORMAT, rows, ok: rows.every(rowOk) }, null, 2) + '\n'
        : formatVerifyTable(rows),
    );
    return rows.every(rowOk) ? EXIT.ok : EXIT.toolFailure;
  } catch (e) {
    if (interrupts.interrupted) return EXIT.interrupted;
    if (e instanceof CommandFailed)
      throw new FabricError(
        `${e.message}\n${e
          .tail(5)
          .map((l) => `  ${l}`)
          .join('\n')}`,
        {
          exitCode: EXIT.toolFailure,
          hint: hintFor(e),
        },
      );
    throw e;
  } finally {
    await Promise.all(forwards.map((stop) => stop()));
    interrupts.dispose();
  }
}

/** `fabric traffic`: requests to every app URL of the spec (or one environment's) for a while. */
export async function trafficCommand(
  opts: SpecOption & { duration?: string; env?: string; rate?: number | string },
  io: IO = processIO(),
): Promise<number> {
  const { model } = await compile(opts);
  if (opts.env !== undefined && !model.environments.some((e) => e.name === opts.env))
    throw new UsageError(
      `--env ${opts.env}: the spec has no such environment`,
      `one of: ${model.environments.map((e) => e.name).join(', ')}`,
    );
  const { trafficTargets } = await import('./traffic.ts');
  const targets = trafficTargets(model, opts.env);
  if (!targets.length)
    throw new UsageError('no app has a NodePort URL to send traffic to', 'give apps.<name>.nodePort in the spec');
  const durationMs = parseTimeout(opts.duration ?? '60s');
  const { generateTraffic } = await import('./load-generator.ts');
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  io.err.write(`traffic to ${targets.map((t) => t.url).join(', ')} for ${durationMs / 1000}s (Ctrl-C stops)\n`);
  try {
    const stats = await generateTraffic({
      targets,
      errorShare: 0.1,
      slowShare: 0.1,
      durationMs,
      ...(opts.rate !== undefined ? { ratePerSecond: Number(opts.rate) } : {}),
      signal: controller.signal,
    });
    io.out.write(
      table([
        ['env', 'app', 'url', 'requests', '5xx', 'unreachable', 'p50 ms', 'p95 ms'],
        ...stats.map((t) => [
          t.env,
          t.app,
          t.url,
          String(t.requests),
          String(t.errors),
          String(t.unreachable),
          String(Math.round(t.p50Ms)),
          String(Math.round(t.p95Ms)),
        ]),
      ]),
    );
    if (stats.some((t) => t.unreachable > 0)) {
      io.err.write(
        'some requests got no answer: is the fleet up (fabric status), and is this machine on its network?\n',
      );
      return EXIT.toolFailure;
    }
    return EXIT.ok;
  } finally {
    process.off('SIGINT', stop);
  }
}
