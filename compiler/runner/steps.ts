// The steps of `fabric apply`. Each one observes before it acts: check() says
// whether the world is already as the spec wants it (then the step is
// skipped), action() makes it so. Both are safe to repeat, so a run that
// stopped anywhere resumes by running again (docs/reliability.md F3).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Compiled } from '../index.ts';
import { NAMESPACES, VERSIONS, type ClusterModel, type Model } from '../model/index.ts';
import { describeApp, healthReport, parseApplications, type AppStatus, type HealthReport } from './applications.ts';
import {
  clusterSecret,
  clusterSecretName,
  kubeconfigCredentials,
  minikubeCredentials,
  secretMatches,
} from './cluster-secret.ts';
import { CommandFailed, type Exec, type RunOptions } from './exec.ts';
import { engineFor } from './drivers.ts';
import { argocdInstallURL, displayArgv, inProcess, kubectl, kubectlLocal, minikube, type Argv } from './tools.ts';

export interface Step {
  id: string;
  title: string;
  /** Consecutive steps with the same key may run at the same time (bounded pool). */
  parallel?: string;
  /** Why the step does not run at all (e.g. `--no-push`). */
  skip?: string;
  /** The commands check() reads with, and action() runs: exact argv, for --dry-run. */
  checks: Argv[];
  commands: Argv[];
  /** What a command receives on stdin, described (never the content). */
  notes?: string[];
  /** True when there is nothing to do. */
  check(): Promise<boolean>;
  action(report: (message: string) => void): Promise<void>;
}

/** A step that cannot go on, with what would fix it. */
export class StepError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly details?: string[],
  ) {
    super(message);
  }
}

export interface RunContext {
  compiled: Compiled;
  exec: Exec;
  env: NodeJS.ProcessEnv;
  specPath: string;
  outDir: string;
  push: boolean;
  /** Deadline for Applications to become Synced and Healthy. */
  timeoutMs: number;
  pollMs: number;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** Build context of the demo app image: the fabric package root (runtime-app is a workspace of its lockfile). */
  appDir: string;
  minikubeHome: string;
  /** --create-branch: the push may create git.revision as a new branch. */
  createBranch?: boolean;
  /** What earlier steps of this run learned: the commit the push step pushed or found. */
  state: { revision?: string };
}

/** The demo image's Dockerfile, relative to the package root (its build context). */
export const DEMO_DOCKERFILE = 'runtime-app/Dockerfile';

export { DEMO_IMAGE_REPOSITORY } from '../model/constants.ts';

const ARGOCD_CRDS = ['crd/applications.argoproj.io', 'crd/applicationsets.argoproj.io', 'crd/appprojects.argoproj.io'];

const run = (ctx: RunContext, argv: Argv, opts?: RunOptions) => ctx.exec.run(argv, opts);
const json = <T>(text: string): T => JSON.parse(text) as T;

/** docker or podman: the engine behind the kic driver. */
export const containerEngine = (model: Model) => engineFor(model).name;
export const minikubeClusters = (model: Model) => model.clusters.filter((c) => c.provider === 'minikube');

export function sharedNetwork(ctx: RunContext): Step {
  const { network, subnet } = ctx.compiled.model.platform;
  const engine = engineFor(ctx.compiled.model);
  return {
    id: 'network',
    title: `Create the shared network ${network} (${subnet})`,
    checks: [engine.networkInspect(network)],
    commands: [engine.networkCreate(network, subnet, ctx.compiled.model.name)],
    check: async () => {
      const r = await run(ctx, engine.networkInspect(network), { okExitCodes: [engine.missingNetworkExit] });
      if (r.exitCode !== 0) {
        if (engine.isMissingNetwork(r.output)) return false;
        throw new CommandFailed(r.argv, 'exit', r.exitCode, r.output);
      }
      const subnets = engine.parseNetwork(r.stdout)?.subnets ?? [];
      if (!subnets.includes(subnet)) {
        throw new StepError(
          `the network ${network} exists with subnet ${subnets.join(', ') || 'none'}, not ${subnet}`,
          `the clusters' static IPs are in ${subnet}: remove the network (${engine.name} network rm ${network}) if nothing uses it, or set platform.network to another name`,
        );
      }
      return true;
    },
    action: async () => {
      await run(ctx, engine.networkCreate(network, subnet, ctx.compiled.model.name));
    },
  };
}

interface ProfileStatus {
  Host?: string;
  Kubelet?: string;
  APIServer?: string;
}

/** 'missing' (exit 85), 'running' (every node's host, kubelet and API server Running), or 'stopped'. */
export async function profileState(exec: Exec, profile: string): Promise<'missing' | 'running' | 'stopped'> {
  // The exit code encodes what is not running (bits 1, 2, 4); the JSON says what is.
  const r = await exec.run(minikube.status(profile), { okExitCodes: [1, 2, 3, 4, 5, 6, 7, 85] });
  if (r.exitCode === 85) return 'missing';
  let parsed: ProfileStatus | ProfileStatus[];
  try {
    parsed = json(r.stdout);
  } catch {
    throw new CommandFailed(r.argv, 'exit', r.exitCode, r.output);
  }
  const nodes = Array.isArray(parsed) ? parsed : [parsed];
  return nodes.every(
    (n) =>
      n.Host === 'Running' &&
      n.Kubelet === 'Running' &&
      (n.APIServer === undefined || n.APIServer === 'Running' || n.APIServer === 'Irrelevant'),
  )
    ? 'running'
    : 'stopped';
}

export function startProfile(ctx: RunContext, cluster: ClusterModel): Step {
  const { platform } = ctx.compiled.model;
  const known: { running?: boolean; ingress?: boolean } = {};
  const ensureAddress = async () => {
    const ip = (await run(ctx, minikube.ip(cluster.name))).stdout.trim();
    if (ip !== cluster.ip) {
      throw new StepError(
        `profile ${cluster.name} runs at ${ip}, but the spec gives it ${cluster.ip}`,
        `the compiled tree points at ${cluster.ip}; the profile was created with another address: delete it (minikube delete -p ${cluster.name}) and run fabric apply again`,
      );
    }
  };
  return {
    id: `profile/${cluster.name}`,
    title: `Start minikube profile ${cluster.name} (${cluster.ip}, ${cluster.cpus} CPUs, ${cluster.memoryMiB} MiB)`,
    parallel: 'profiles',
    checks: [minikube.status(cluster.name), minikube.ip(cluster.name), minikube.addonsList(cluster.name)],
    commands: [minikube.start(cluster, platform), minikube.ip(cluster.name), minikube.enableIngress(cluster.name)],
    check: async () => {
      known.running = (await profileState(ctx.exec, cluster.name)) === 'running';
      if (!known.running) return false;
      await ensureAddress();
      const addons = json<Record<string, { Status?: string }>>(
        (await run(ctx, minikube.addonsList(cluster.name))).stdout,
      );
      known.ingress = addons.ingress?.Status === 'enabled';
      return known.ingress;
    },
    action: async (report) => {
      if (!known.running) {
        report('minikube start');
        await run(ctx, minikube.start(cluster, platform));
        // A profile that existed keeps its address whatever --static-ip says (minikube warns and goes on).
        await ensureAddress();
      }
      if (!known.ingress) {
        report('ingress addon');
        await run(ctx, minikube.enableIngress(cluster.name));
      }
    },
  };
}

const APPSET_POLICY_OVERRIDE = 'applicationsetcontroller.enable.policy.override';

export function installArgocd(ctx: RunContext): Step {
  const control = ctx.compiled.model.control;
  const k = (...args: string[]) => kubectl(control.context, ...args);
  const getServer = k(
    '-n',
    NAMESPACES.argocd,
    'get',
    'deployment',
    'argocd-server',
    '--ignore-not-found',
    '-o',
    'json',
  );
  const getNamespace = k('get', 'namespace', NAMESPACES.argocd, '--ignore-not-found', '-o', 'name');
  const getParams = k(
    '-n',
    NAMESPACES.argocd,
    'get',
    'configmap',
    'argocd-cmd-params-cm',
    '--ignore-not-found',
    '-o',
    'json',
  );
  const commands = [
    getNamespace,
    k('create', 'namespace', NAMESPACES.argocd),
    // Server-side: the ApplicationSet CRD is too large for the last-applied annotation (docs/runner.md, "Upstream formats").
    k('apply', '-n', NAMESPACES.argocd, '--server-side', '--force-conflicts', '-f', argocdInstallURL(VERSIONS.argocd)),
    k('wait', '--for=condition=Established', ...ARGOCD_CRDS, '--timeout=120s'),
    // The ApplicationSets' applicationsSync: create-update (no deletion of generated
    // Applications) is ignored unless policy override is on (docs/runner.md, "Upstream formats").
    k(
      '-n',
      NAMESPACES.argocd,
      'patch',
      'configmap',
      'argocd-cmd-params-cm',
      '--type',
      'merge',
      '-p',
      JSON.stringify({ data: { [APPSET_POLICY_OVERRIDE]: 'true' } }),
    ),
    k('-n', NAMESPACES.argocd, 'rollout', 'restart', 'deployment/argocd-applicationset-controller'),
    k('-n', NAMESPACES.argocd, 'wait', '--for=condition=Available', 'deployment', '--all', '--timeout=600s'),
    k('-n', NAMESPACES.argocd, 'rollout', 'status', 'deployment/argocd-applicationset-controller', '--timeout=600s'),
    k('-n', NAMESPACES.argocd, 'rollout', 'status', 'statefulset/argocd-application-controller', '--timeout=600s'),
  ];
  return {
    id: 'argocd',
    title: `Install ArgoCD ${VERSIONS.argocd} in ${control.name}`,
    checks: [getServer, getParams],
    commands,
    check: async () => {
      const params = (await run(ctx, getParams)).stdout.trim();
      if (!params || json<{ data?: Record<string, string> }>(params).data?.[APPSET_POLICY_OVERRIDE] !== 'true')
        return false;
      const out = (await run(ctx, getServer)).stdout.trim();
      if (!out) return false;
      const d = json<{
        spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
        status?: { availableReplicas?: number };
      }>(out);
      const image = d.spec?.template?.spec?.containers?.[0]?.image ?? '';
      const version = image.slice(image.lastIndexOf(':') + 1);
      if (version !== VERSIONS.argocd) {
        if (control.provider === 'existing') {
          throw new StepError(
            `${control.name} already runs ArgoCD ${version || image}; fabric pins ${VERSIONS.argocd}`,
            'fabric does not change an ArgoCD it did not install: upgrade it to the pinned version yourself, or use another control cluster',
          );
        }
        return false;
      }
      return (d.status?.availableReplicas ?? 0) >= 1;
    },
    action: async (report) => {
      const [, create, ...rest] = commands;
      if (!(await run(ctx, getNamespace)).stdout.trim()) await run(ctx, create);
      for (const argv of rest) {
        report(argv.slice(3, 5).join(' '));
        await run(ctx, argv);
      }
    },
  };
}

/** The labels, server and name ArgoCD knows each non-control cluster by. */
export function registeredClusters(model: Model) {
  return model.clusters
    .filter((c) => c.role !== 'control')
    .map((c) => ({ name: c.name, server: c.server, labels: clusterSecret(c, { insecure: false }).metadata.labels }));
}

export function registerCluster(ctx: RunContext, cluster: ClusterModel): Step {
  const control = ctx.compiled.model.control.context;
  const name = clusterSecretName(cluster.name);
  const getSecret = kubectl(
    control,
    '-n',
    NAMESPACES.argocd,
    'get',
    'secret',
    name,
    '--ignore-not-found',
    '-o',
    'json',
  );
  const applySecret = kubectl(
    control,
    'apply',
    '--server-side',
    '--field-manager=fabric',
    '--force-conflicts',
    '-f',
    '-',
  );
  const rawConfig = kubectlLocal.rawConfig(cluster.context);
  const desired = async () => {
    if (cluster.provider === 'minikube')
      return clusterSecret(cluster, minikubeCredentials(ctx.minikubeHome, cluster.name));
    return clusterSecret(cluster, kubeconfigCredentials((await run(ctx, rawConfig)).stdout, cluster.context));
  };
  const home =
    ctx.env.HOME && ctx.minikubeHome.startsWith(`${ctx.env.HOME}/`)
      ? `~${ctx.minikubeHome.slice(ctx.env.HOME.length)}`
      : ctx.minikubeHome;
  const source =
    cluster.provider === 'minikube'
      ? `${home}/ca.crt and ${home}/profiles/${cluster.name}/client.{crt,key}`
      : `the kubeconfig of context ${cluster.context}`;
  return {
    id: `register/${cluster.name}`,
    title: `Register ${cluster.name} in ArgoCD (${cluster.server})`,
    checks: [getSecret, ...(cluster.provider === 'existing' ? [rawConfig] : [])],
    commands: [...(cluster.provider === 'existing' ? [rawConfig] : []), applySecret],
    notes: [
      `stdin: Secret ${NAMESPACES.argocd}/${name} (labels ${Object.entries(
        clusterSecret(cluster, { insecure: false }).metadata.labels,
      )
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}), credentials from ${source}; never on argv, never on disk`,
    ],
    check: async () => secretMatches((await run(ctx, getSecret)).stdout, await desired()),
    action: async () => {
      await run(ctx, applySecret, { input: JSON.stringify(await desired()) });
    },
  };
}

export function grafanaAdminSecret(ctx: RunContext): Step {
  const { monitoring, grafana } = ctx.compiled.model;
  const k = (...args: string[]) => kubectl(monitoring.context, ...args);
  const ns = NAMESPACES.monitoring;
  const getSecret = k('-n', ns, 'get', 'secret', grafana.adminSecret, '--ignore-not-found', '-o', 'name');
  const getNamespace = k('get', 'namespace', ns, '--ignore-not-found', '-o', 'name');
  const createNamespace = k('create', 'namespace', ns);
  const createSecret = k('create', '-f', '-');
  return {
    id: 'grafana-admin',
    title: `Create the Grafana admin Secret ${ns}/${grafana.adminSecret} in ${monitoring.name}`,
    checks: [getSecret],
    commands: [getNamespace, createNamespace, createSecret],
    notes: [
      `stdin: Secret ${ns}/${grafana.adminSecret} with admin-user 'admin' and a random admin-password (crypto.randomBytes); never printed (fabric info shows how to read it)`,
    ],
    check: async () => (await run(ctx, getSecret)).stdout.trim() !== '',
    action: async () => {
      if (!(await run(ctx, getNamespace)).stdout.trim()) await run(ctx, createNamespace);
      const secret = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: grafana.adminSecret, namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'fabric' } },
        type: 'Opaque',
        data: {
          'admin-user': Buffer.from('admin').toString('base64'),
          'admin-password': Buffer.from(randomBytes(24).toString('base64url')).toString('base64'),
        },
      };
      // create, not apply: an existing password is never replaced.
      await run(ctx, createSecret, { input: JSON.stringify(secret) });
    },
  };
}

/** An image reference without the registry prefixes `minikube image ls` adds. */
const shortImage = (ref: string) =>
  ref
    .trim()
    .replace(/^docker\.io\//, '')
    .replace(/^library\//, '');

export function buildAppImage(ctx: RunContext, cluster: ClusterModel, image: string): Step {
  const list = minikube.imageList(cluster.name);
  const build = minikube.imageBuild(cluster.name, image, ctx.appDir, DEMO_DOCKERFILE);
  return {
    id: `image/${cluster.name}/${image}`,
    title: `Build ${image} into ${cluster.name}`,
    parallel: 'images',
    checks: [list],
    commands: [build],
    check: async () => (await run(ctx, list)).stdout.split('\n').map(shortImage).includes(shortImage(image)),
    action: async () => {
      if (!existsSync(join(ctx.appDir, DEMO_DOCKERFILE)))
        throw new StepError(
          `${join(ctx.appDir, DEMO_DOCKERFILE)} is missing`,
          'the demo app image is built from runtime-app/Dockerfile; restore it, or point apps.<name>.image at an image the cluster can pull',
        );
      await run(ctx, build);
    },
  };
}

export function compileTree(ctx: RunContext): Step {
  const { compiled } = ctx;
  const specOpts = { specPath: compiled.model.specPath, specSource: compiled.loaded.source };
  return {
    id: 'compile',
    title: `Compile ${ctx.specPath} into ${ctx.outDir}`,
    checks: [],
    commands: [inProcess('compile', '--spec', ctx.specPath, '--out', ctx.outDir)],
    check: async () => {
      const { diffAgainstDisk } = await import('../emit.ts');
      const d = diffAgainstDisk(compiled.files, ctx.outDir, specOpts);
      return d.missing.length + d.different.length + d.extra.length === 0;
    },
    action: async () => {
      const { emitTree, EmitError } = await import('../emit.ts');
      try {
        emitTree(compiled.files, ctx.outDir, specOpts);
      } catch (e) {
        if (e instanceof EmitError) throw new StepError(e.message, e.hint);
        throw e;
      }
    },
  };
}

export function pushTree(ctx: RunContext): Step {
  const { git } = ctx.compiled.model;
  const options = async () => {
    const { withManifest } = await import('../index.ts');
    return {
      files: withManifest(ctx.compiled),
      target: { repoURL: git.repoURL, branch: git.revision, path: git.path },
      specPath: ctx.specPath,
      cacheDir: ctx.env.FABRIC_CACHE_DIR,
    };
  };
  // A push failure already says what to do about it (compiler/push/errors.ts).
  const asStepError = async (e: unknown) => {
    const { PushError } = await import('../push/index.ts');
    if (!(e instanceof PushError)) return e;
    const hint =
      e.code === 'branch-missing'
        ? `create it: fabric apply --create-branch (or fabric push --spec ${ctx.specPath} --create-branch)`
        : (e.hint ?? 'see the message above');
    return new StepError(e.message, `${hint}; then run fabric apply again`);
  };
  // ArgoCD polls git about every 3 minutes; after a push, Applications that
  // exist are asked to look now (it drops the annotation once refreshed).
  // New ones (a first run) read the repository when they are created.
  const refresh = kubectl(
    ctx.compiled.model.control.context,
    '-n',
    NAMESPACES.argocd,
    'annotate',
    'applications.argoproj.io',
    '--all',
    'argocd.argoproj.io/refresh=normal',
    '--overwrite',
  );
  return {
    id: 'push',
    title: `Push the tree to ${git.repoURL} (${git.revision})`,
    skip: ctx.push ? undefined : 'skipped (--no-push): ArgoCD reads what the repository already holds',
    checks: [inProcess('diff', '--spec', ctx.specPath)],
    commands: [inProcess('push', '--spec', ctx.specPath), refresh],
    check: async () => {
      const { diffTree } = await import('../push/index.ts');
      try {
        const d = await diffTree(await options());
        if (d.base !== null && d.changes.files.length === 0) ctx.state.revision = d.base;
        return d.base !== null && d.changes.files.length === 0;
      } catch (e) {
        throw await asStepError(e);
      }
    },
    action: async (report) => {
      const push = await import('../push/index.ts');
      try {
        const r = await push.pushTree({ ...(await options()), createBranch: ctx.createBranch });
        if (r.commit) ctx.state.revision = r.commit;
        report(
          r.status === 'up-to-date' ? 'up to date' : `pushed ${r.commit?.slice(0, 12)}: ${push.totalsLine(r.changes)}`,
        );
      } catch (e) {
        throw await asStepError(e);
      }
      // Best effort: the push has landed; without the refresh ArgoCD still finds it at its next poll.
      if ((await run(ctx, refresh, { okExitCodes: [1] })).exitCode !== 0)
        report('could not ask ArgoCD to refresh; it will find the push at its next poll (about 3 minutes)');
    },
  };
}

export function applyApplicationSets(ctx: RunContext): Step {
  const control = ctx.compiled.model.control.context;
  const dir = join(ctx.outDir, 'gitops', 'argocd-apps');
  const diff = kubectl(control, 'diff', '-k', dir);
  const apply = kubectl(control, 'apply', '-k', dir);
  return {
    id: 'applicationsets',
    title: `Apply the ApplicationSets to ${ctx.compiled.model.control.name}`,
    checks: [diff],
    commands: [apply],
    // kubectl diff: exit 0 no differences, 1 differences, >1 an error.
    check: async () => (await run(ctx, diff, { okExitCodes: [1] })).exitCode === 0,
    action: async () => {
      await run(ctx, apply);
    },
  };
}

export function waitForApplications(ctx: RunContext, expected: string[]): Step {
  const control = ctx.compiled.model.control.context;
  const list = kubectl(control, '-n', NAMESPACES.argocd, 'get', 'applications.argoproj.io', '-o', 'json');
  const poll = async () => {
    const live = parseApplications((await run(ctx, list)).stdout);
    return { live, report: healthReport(expected, live, ctx.state.revision) };
  };
  const minutes = ctx.timeoutMs / 60_000;
  return {
    id: 'health',
    title: `Wait for ${expected.length} Applications to be Synced and Healthy at the pushed commit (timeout ${Number.isInteger(minutes) ? `${minutes}m` : `${ctx.timeoutMs / 1000}s`})`,
    checks: [list],
    commands: [list],
    notes: [
      `expected: ${expected.join(', ')}`,
      ctx.push
        ? 'each must report the commit the push step pushed (status.sync.revision)'
        : 'with --no-push fabric pushed nothing, so any revision ArgoCD reports counts',
    ],
    check: async () => (await poll()).report.ready.length === expected.length,
    action: async (report) => {
      const deadline = Date.now() + ctx.timeoutMs;
      const seen = new Map<string, string>();
      const revision = ctx.state.revision;
      for (;;) {
        const { live, report: r } = await poll();
        // Progress per Application: a line each time one changes state.
        for (const name of expected) {
          const app = live.find((a) => a.name === name);
          const line = app ? describeApp(app, revision) : 'not created yet';
          if (seen.get(name) !== line) report(`${name}: ${line}`);
          seen.set(name, line);
        }
        report(
          `${r.ready.length}/${expected.length} Synced and Healthy${revision ? ` at ${revision.slice(0, 12)}` : ''}`,
        );
        if (r.ready.length === expected.length) return;
        const left = deadline - Date.now();
        if (left <= 0) throw notConverged(r, expected.length, ctx, control);
        await sleep(Math.min(ctx.pollMs, left), undefined, { signal: ctx.signal });
      }
    },
  };
}

function notConverged(r: HealthReport, total: number, ctx: RunContext, control: string): StepError {
  const revision = ctx.state.revision;
  const details = [
    ...r.pending.map((a: AppStatus) => `${a.name}: ${describeApp(a, revision)}`),
    ...r.missing.map((n) => `${n}: not created (does an ApplicationSet selector match the cluster Secret labels?)`),
    ...(r.unexpected.length ? [`not predicted by fabric: ${r.unexpected.join(', ')}`] : []),
  ];
  const behind = r.pending.filter((a) => revision && a.revision !== revision).length;
  const first = r.pending[0]?.name ?? r.missing[0];
  return new StepError(
    `timed out after ${ctx.timeoutMs / 1000}s: ${total - r.ready.length} of ${total} Applications are not Synced and Healthy${revision ? ` at ${revision.slice(0, 12)}` : ''}${behind ? ` (${behind} still at an older revision)` : ''}`,
    `look closer with ${displayArgv(kubectl(control, '-n', NAMESPACES.argocd, 'describe', 'applications.argoproj.io', first))}; run fabric apply again (or with a longer --timeout) to keep waiting`,
    details,
  );
}
