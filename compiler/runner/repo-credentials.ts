// ArgoCD's credential for a private GitOps repository: a Secret labelled
// argocd.argoproj.io/secret-type: repository (argo-cd docs/operator-manual/
// declarative-setup.md: keys type, url, and username/password for https or
// sshPrivateKey for ssh), built in memory from the source git.credentials
// names and sent on kubectl's stdin: never on argv, never on disk.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { CLUSTER_LABELS, NAMESPACES, type Model } from '../model/index.ts';
import { secretMatches, type SecretObject } from './cluster-secret.ts';
import { StepError, type RunContext, type Step } from './steps.ts';
import { kubectl } from './tools.ts';

type Credentials = NonNullable<Model['git']['credentials']>;

export const repoSecretName = (fleet: string) => `repo-${fleet}`;

const fileOf = (model: Model, path: string) => (isAbsolute(path) ? path : join(dirname(model.specPath), path));

/** Where the credential comes from, for the plan and for messages (never the value). */
export function describeSource(c: Credentials): string {
  if (c.tokenEnv) return `the token in $${c.tokenEnv}`;
  if (c.tokenFile) return `the token in ${c.tokenFile}`;
  return `the SSH key in ${c.sshKeyFile}`;
}

/** What is wrong with the source, if anything: preflight reports it before any change. */
export function credentialProblem(model: Model, env: NodeJS.ProcessEnv): { what: string; fix: string } | undefined {
  const c = model.git.credentials;
  if (!c) return undefined;
  if (c.tokenEnv && !env[c.tokenEnv]?.trim())
    return {
      what: `git.credentials.tokenEnv names $${c.tokenEnv}, which is not set`,
      fix: `export ${c.tokenEnv}=<a read access token for ${model.git.repoURL}> and run fabric apply again`,
    };
  const file = c.tokenFile ?? c.sshKeyFile;
  if (file && !existsSync(fileOf(model, file)))
    return {
      what: `git.credentials names ${fileOf(model, file)}, which does not exist`,
      fix: 'create it (readable only by you: chmod 600), or fix the path in the spec',
    };
  return undefined;
}

export function repositorySecret(model: Model, env: NodeJS.ProcessEnv): SecretObject {
  const c = model.git.credentials!;
  const problem = credentialProblem(model, env);
  if (problem) throw new StepError(problem.what, problem.fix);
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const secret = c.sshKeyFile
    ? { sshPrivateKey: readFileSync(fileOf(model, c.sshKeyFile), 'utf8') }
    : {
        username: c.username ?? 'git',
        password: (c.tokenEnv ? env[c.tokenEnv]! : readFileSync(fileOf(model, c.tokenFile!), 'utf8')).trim(),
      };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: repoSecretName(model.name),
      namespace: NAMESPACES.argocd,
      labels: {
        'argocd.argoproj.io/secret-type': 'repository',
        'app.kubernetes.io/managed-by': 'fabric',
        [CLUSTER_LABELS.fleet]: model.name,
      },
    },
    type: 'Opaque',
    data: Object.fromEntries(
      Object.entries({ type: 'git', url: model.git.repoURL, ...secret }).map(([k, v]) => [k, b64(v)]),
    ),
  } as SecretObject;
}

export function registerRepository(ctx: RunContext): Step {
  const model = ctx.compiled.model;
  const control = model.control.context;
  const name = repoSecretName(model.name);
  const get = kubectl(control, '-n', NAMESPACES.argocd, 'get', 'secret', name, '--ignore-not-found', '-o', 'json');
  const apply = kubectl(control, 'apply', '--server-side', '--field-manager=fabric', '--force-conflicts', '-f', '-');
  return {
    id: 'repository',
    title: `Register the credentials of ${model.git.repoURL} in ArgoCD`,
    checks: [get],
    commands: [apply],
    notes: [
      `stdin: Secret ${NAMESPACES.argocd}/${name} (label argocd.argoproj.io/secret-type=repository) with ${describeSource(model.git.credentials!)}; never on argv, never on disk`,
    ],
    check: async () => secretMatches((await ctx.exec.run(get)).stdout, repositorySecret(model, ctx.env)),
    action: async () => {
      await ctx.exec.run(apply, { input: JSON.stringify(repositorySecret(model, ctx.env)) });
    },
  };
}
