// The ingest gateway's credentials, created by `fabric apply` and never
// written to the tree: per environment one random password, stored in each of
// its member clusters (Secret ingest-credentials, key `password`, read by
// Alloy) and as an {SSHA} line in the monitoring cluster's htpasswd Secret
// (read by nginx). Idempotent: an existing password is kept (the members'
// Secrets are where it is read back from), an htpasswd line that still
// matches is kept byte for byte, so a second apply changes nothing.
import { INGEST, NAMESPACES, type ClusterModel, type Model } from '../model/index.ts';
import { newPassword, sshaLine, sshaMatches } from './htpasswd.ts';
import type { RunContext, Step } from './steps.ts';
import { kubectl, type Argv } from './tools.ts';

interface SecretObject {
  data?: Record<string, string>;
}

const decode = (v: string | undefined) => (v === undefined ? undefined : Buffer.from(v, 'base64').toString());
const encode = (v: string) => Buffer.from(v).toString('base64');
/** Server-side apply: client-side apply would copy the data into the last-applied annotation. */
const applyStdin = (context: string) => kubectl(context, 'apply', '--server-side', '--field-manager=fabric', '-f', '-');

function secret(name: string, namespace: string, data: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'fabric' } },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, encode(v)])),
  };
}

/** The Secrets to write so that every environment with members has one password everywhere. */
export interface CredentialPlan {
  /** Member Secrets to apply (cluster name -> password); empty when all agree already. */
  members: { cluster: ClusterModel; password: string }[];
  /** The htpasswd file, and whether it differs from what is stored. */
  htpasswd: string;
  htpasswdChanged: boolean;
}

/** Pure: from what is stored (passwords by member, the htpasswd text), what to write. */
export function planCredentials(
  model: Model,
  stored: Map<string, string | undefined>,
  storedHtpasswd: string | undefined,
  generate: () => string = newPassword,
): CredentialPlan {
  const oldLines = (storedHtpasswd ?? '').split('\n').filter(Boolean);
  const members: CredentialPlan['members'] = [];
  const lines: string[] = [];
  for (const env of model.environments) {
    const clusters = model.clusters.filter((c) => env.memberClusters.includes(c.name));
    if (!clusters.length) continue;
    // The first member (by name) that holds a password decides it; the others follow.
    const password = clusters.map((c) => stored.get(c.name)).find((p) => p) ?? generate();
    for (const c of clusters) if (stored.get(c.name) !== password) members.push({ cluster: c, password });
    lines.push(oldLines.find((l) => sshaMatches(l, env.name, password)) ?? sshaLine(env.name, password));
  }
  const htpasswd = lines.map((l) => `${l}\n`).join('');
  return { members, htpasswd, htpasswdChanged: htpasswd !== (storedHtpasswd ?? '') };
}

export function ingestCredentials(ctx: RunContext): Step {
  const model = ctx.compiled.model;
  const { monitoring } = model;
  const members = model.clusters.filter((c) => c.role === 'member');
  const getMember = (c: ClusterModel) =>
    kubectl(
      c.context,
      '-n',
      NAMESPACES.agents,
      'get',
      'secret',
      INGEST.credentialsSecret,
      '--ignore-not-found',
      '-o',
      'json',
    );
  const getHtpasswd = kubectl(
    monitoring.context,
    '-n',
    NAMESPACES.monitoring,
    'get',
    'secret',
    INGEST.htpasswdSecret,
    '--ignore-not-found',
    '-o',
    'json',
  );
  const readSecret = async (argv: Argv, key: string) => {
    const out = (await ctx.exec.run(argv)).stdout.trim();
    return out ? decode((JSON.parse(out) as SecretObject).data?.[key]) : undefined;
  };
  const read = async () => {
    const stored = new Map<string, string | undefined>();
    for (const c of members) stored.set(c.name, await readSecret(getMember(c), INGEST.passwordKey));
    return planCredentials(model, stored, await readSecret(getHtpasswd, INGEST.htpasswdKey));
  };
  const ensureNamespace = async (context: string, ns: string) => {
    const get = kubectl(context, 'get', 'namespace', ns, '--ignore-not-found', '-o', 'name');
    if (!(await ctx.exec.run(get)).stdout.trim()) await ctx.exec.run(kubectl(context, 'create', 'namespace', ns));
  };
  return {
    id: 'ingest-credentials',
    title: `Create the ingest credentials: ${NAMESPACES.monitoring}/${INGEST.htpasswdSecret} in ${monitoring.name}, ${NAMESPACES.agents}/${INGEST.credentialsSecret} in each member`,
    checks: [getHtpasswd, ...members.map(getMember)],
    commands: [...members.map((c) => applyStdin(c.context)), applyStdin(monitoring.context)],
    notes: [
      `stdin: per environment one random password (crypto.randomBytes), kept once created; members get it in ${INGEST.credentialsSecret}, the gateway an {SSHA} line of it in ${INGEST.htpasswdSecret}; never printed`,
    ],
    check: async () => {
      const plan = await read();
      return !plan.members.length && !plan.htpasswdChanged;
    },
    action: async (report) => {
      const plan = await read();
      for (const { cluster, password } of plan.members) {
        await ensureNamespace(cluster.context, NAMESPACES.agents);
        const s = secret(INGEST.credentialsSecret, NAMESPACES.agents, { [INGEST.passwordKey]: password });
        await ctx.exec.run(applyStdin(cluster.context), { input: JSON.stringify(s) });
        report(`${cluster.name}: ${NAMESPACES.agents}/${INGEST.credentialsSecret}`);
      }
      if (plan.htpasswdChanged) {
        await ensureNamespace(monitoring.context, NAMESPACES.monitoring);
        const s = secret(INGEST.htpasswdSecret, NAMESPACES.monitoring, { [INGEST.htpasswdKey]: plan.htpasswd });
        await ctx.exec.run(applyStdin(monitoring.context), { input: JSON.stringify(s) });
        report(`${monitoring.name}: ${NAMESPACES.monitoring}/${INGEST.htpasswdSecret}`);
      }
    },
  };
}
