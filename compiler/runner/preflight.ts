// Before `fabric apply` changes anything: every tool, version, context,
// credential, the git remote and branch, the output directory and the memory
// budget, checked at once (read-only commands, in parallel), so a run that
// cannot finish fails in seconds with every problem listed instead of after
// ten minutes of starting profiles (docs/reliability.md F1). `--dry-run` shows it too.
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MANIFEST_PATH } from '../emit-types.ts';
import { CommandFailed } from './exec.ts';
import { engineFor } from './drivers.ts';
import { hintFor } from './hints.ts';
import { credentialProblem } from './repo-credentials.ts';
import { minikubeClusters, type RunContext } from './steps.ts';
import { kubectl, kubectlLocal, minikube, type Argv } from './tools.ts';

export interface Problem {
  what: string;
  fix: string;
}

export interface PreflightResult {
  /** What was found in order: `minikube v1.38.1`, `memory 18432/32768 MiB`, ... */
  found: string[];
  problems: Problem[];
}

const MiB = 1024 * 1024;

/** minikube 1.29.0 brought --static-ip ("Ability to set static-ip for Docker driver #15553"). */
const MINIKUBE_MIN = '1.29.0';
/** Server-side apply (the ArgoCD install needs it) is GA from Kubernetes 1.22. */
const KUBECTL_MIN = '1.22.0';

/** The placeholder repository of the reference spec and the docs. */
const PLACEHOLDER_REPO = /github\.com\/you\//;

function olderThan(found: string, minimum: string): boolean | undefined {
  const parse = (v: string) => (/(\d+)\.(\d+)\.(\d+)/.exec(v) ?? []).slice(1).map(Number);
  const [a, b] = [parse(found), parse(minimum)];
  if (a.length !== 3) return undefined;
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

type Check = (ctx: RunContext) => Promise<PreflightResult>;

async function read(ctx: RunContext, argv: Argv): Promise<{ stdout: string } | Problem> {
  try {
    return await ctx.exec.run(argv);
  } catch (e) {
    if (!(e instanceof CommandFailed)) throw e;
    return {
      what: e.reason === 'missing' ? e.message : `${e.message}: ${e.tail(1)[0] ?? ''}`.trim(),
      fix: hintFor(e) ?? 'see the message',
    };
  }
}
const failed = (r: { stdout: string } | Problem): r is Problem => 'what' in r;

const tools: Check = async (ctx) => {
  const model = ctx.compiled.model;
  const profiles = minikubeClusters(model);
  const result: PreflightResult = { found: [], problems: [] };
  const version = async (tool: string, argv: Argv, minimum: string, pick: (s: string) => string, why: string) => {
    const r = await read(ctx, argv);
    if (failed(r)) return void result.problems.push(r);
    const v = pick(r.stdout).trim();
    const old = olderThan(v, minimum);
    if (old === undefined)
      result.problems.push({ what: `cannot read the ${tool} version from ${JSON.stringify(v)}`, fix: `check ${tool}` });
    else if (old)
      result.problems.push({
        what: `${tool} ${v} is too old: fabric needs ${minimum} or later`,
        fix: `${why}; upgrade ${tool}`,
      });
    else result.found.push(`${tool} ${v}`);
  };
  const jobs: Promise<void>[] = [
    version(
      'kubectl',
      kubectlLocal.clientVersion(),
      KUBECTL_MIN,
      (s) => (JSON.parse(s) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion ?? '',
      'fabric installs ArgoCD with server-side apply',
    ),
  ];
  if (profiles.length) {
    jobs.push(
      version(
        'minikube',
        minikube.version(),
        MINIKUBE_MIN,
        (s) => s,
        'fabric gives every profile a static IP (--static-ip)',
      ),
      memory(ctx, result),
    );
  }
  await Promise.all(jobs);
  return result;
};

async function memory(ctx: RunContext, result: PreflightResult): Promise<void> {
  const model = ctx.compiled.model;
  const engine = engineFor(model);
  const profiles = minikubeClusters(model);
  const need = profiles.reduce((sum, c) => sum + c.memoryMiB, 0);
  const [v, mem] = await Promise.all([read(ctx, engine.version()), read(ctx, engine.memoryBytes())]);
  if (failed(v)) return void result.problems.push(v);
  result.found.push(`${engine.name} ${v.stdout.trim()}`);
  const engineMiB = failed(mem) ? 0 : Math.floor(Number(mem.stdout.trim()) / MiB);
  if (failed(mem)) result.problems.push(mem);
  const budgets = [
    ...(engineMiB > 0 ? [{ what: `the ${engine.name} engine's memory`, mib: engineMiB }] : []),
    ...(model.platform.memoryBudgetMiB ? [{ what: 'platform.memoryBudget', mib: model.platform.memoryBudgetMiB }] : []),
  ];
  const tightest = budgets.sort((x, y) => x.mib - y.mib)[0];
  if (tightest && need > tightest.mib)
    result.problems.push({
      what: `the minikube profiles ask for ${need} MiB in all (${profiles.map((c) => `${c.name} ${c.memoryMiB}`).join(', ')}), more than ${tightest.what} (${tightest.mib} MiB)`,
      fix: 'lower clusters.<name>.memory, give the container engine more memory, or move clusters to provider: existing',
    });
  else result.found.push(`memory ${need}/${tightest?.mib ?? '?'} MiB`);
}

/** Existing clusters: the context exists, answers, and (for clusters ArgoCD deploys to) has no exec plugin. */
const contexts: Check = async (ctx) => {
  const existing = ctx.compiled.model.clusters.filter((c) => c.provider === 'existing');
  const result: PreflightResult = { found: [], problems: [] };
  await Promise.all(
    existing.map(async (c) => {
      const view = await read(ctx, kubectlLocal.rawConfig(c.context));
      if (failed(view))
        return void result.problems.push({
          what: `no kube context '${c.context}' (cluster ${c.name})`,
          fix: 'add the context to your kubeconfig (kubectl config get-contexts lists them), or fix clusters.<name>.context',
        });
      const user = (JSON.parse(view.stdout) as { users?: { user?: Record<string, unknown> }[] }).users?.[0]?.user ?? {};
      if (c.role !== 'control' && (user.exec || user['auth-provider']))
        result.problems.push({
          what: `context ${c.context} (cluster ${c.name}) authenticates through ${user.exec ? 'an exec plugin' : 'an auth provider'}, which ArgoCD in the control cluster cannot run`,
          fix: `give fabric a context for ${c.name} with a client certificate or a ServiceAccount token (kubectl create token), and set clusters.${c.name}.context to it`,
        });
      const ready = await read(ctx, kubectl(c.context, 'get', '--raw', '/readyz'));
      if (failed(ready)) result.problems.push({ what: `cluster ${c.name}: ${ready.what}`, fix: ready.fix });
      else result.found.push(`context ${c.context} answers`);
    }),
  );
  return result;
};

/** The GitOps repository: reachable, the branch there (or --create-branch), nothing of someone else's in the way. */
const gitRemote: Check = async (ctx) => {
  const result: PreflightResult = { found: [], problems: [] };
  if (!ctx.push) return result;
  const { git } = ctx.compiled.model;
  if (PLACEHOLDER_REPO.test(git.repoURL)) {
    result.problems.push({
      what: `git.repoURL is the placeholder ${git.repoURL}`,
      fix: `create a repository of your own and set git.repoURL in ${ctx.specPath} to it (or run with --no-push)`,
    });
    return result;
  }
  const { diffTree, PushError } = await import('../push/index.ts');
  const { withManifest } = await import('../index.ts');
  try {
    const d = await diffTree({
      files: withManifest(ctx.compiled),
      target: { repoURL: git.repoURL, branch: git.revision, path: git.path },
      specPath: ctx.specPath,
      cacheDir: ctx.env.FABRIC_CACHE_DIR,
    });
    if (d.base === null && !ctx.createBranch)
      result.problems.push({
        what: `branch '${git.revision}' does not exist in ${git.repoURL}`,
        fix: 'run fabric apply --create-branch to create it with the compiled tree as its first commit, or set git.revision to an existing branch',
      });
    const foreign = [...d.handEdits, ...d.unownedFiles];
    if (foreign.length)
      result.problems.push({
        what: `the repository has ${foreign.length} file(s) fabric would overwrite that it did not write or that were edited by hand: ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', ...' : ''}`,
        fix: `move the edits into ${ctx.specPath}, or overwrite them once with fabric push --spec ${ctx.specPath} --force; then fabric apply again`,
      });
    if (!result.problems.length)
      result.found.push(
        `git ${git.repoURL} ${git.revision}${d.base ? ` at ${d.base.slice(0, 12)}` : ' (created on push)'}`,
      );
  } catch (e) {
    if (!(e instanceof PushError)) throw e;
    // Hints that name push's own flags are said as push commands: apply has no --force or --branch.
    const fix = (e.hint ?? 'see the message').replace(/\b(?:pass|with) (--force|--branch)/g, 'run fabric push $1');
    result.problems.push({ what: e.message, fix });
  }
  return result;
};

/** The output directory: one fabric wrote, or new, or empty. */
const outDir: Check = async (ctx) => {
  const abs = resolve(ctx.outDir);
  const problems: Problem[] = [];
  if (existsSync(abs)) {
    const st = lstatSync(abs);
    if (st.isSymbolicLink() || !st.isDirectory())
      problems.push({ what: `${abs} is not a directory`, fix: 'pass --out with a directory of its own, such as out/' });
    else if (!existsSync(join(abs, MANIFEST_PATH)) && readdirSync(abs).length > 0)
      problems.push({
        what: `${abs} is not empty and fabric did not create it (no ${MANIFEST_PATH})`,
        fix: 'pass --out with a new or empty directory; fabric only replaces trees it wrote',
      });
  }
  return { found: problems.length ? [] : [`out ${ctx.outDir}`], problems };
};

/** The credential git.credentials names for ArgoCD: set, or a file that exists. */
const repoCredentials: Check = async (ctx) => {
  const problem = credentialProblem(ctx.compiled.model, ctx.env);
  return { found: [], problems: problem ? [problem] : [] };
};

export async function preflight(ctx: RunContext): Promise<PreflightResult> {
  const results = await Promise.all([tools, contexts, gitRemote, outDir, repoCredentials].map((check) => check(ctx)));
  return { found: results.flatMap((r) => r.found), problems: results.flatMap((r) => r.problems) };
}

export function formatPreflight(r: PreflightResult): string {
  const lines = [
    `preflight: ${r.problems.length ? `${r.problems.length} problem(s)` : 'ok'}${r.found.length ? ` (${r.found.join(', ')})` : ''}`,
  ];
  for (const p of r.problems) lines.push(`  ✗ ${p.what}`, `    fix: ${p.fix}`);
  return lines.join('\n') + '\n';
}
