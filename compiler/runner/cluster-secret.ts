// ArgoCD cluster Secrets, built at run time from credentials on this machine
// and applied straight to the control cluster: they never reach the GitOps
// repo, argv or disk (docs/reliability.md). Format (docs/runner.md, "Upstream
// formats"): labels argocd.argoproj.io/secret-type=cluster, keys name, server
// and config (JSON with tlsClientConfig caData/certData/keyData = base64 of the PEM).
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { NAMESPACES, type ClusterModel } from '../model/index.ts';

export interface ClusterCredentials {
  caData?: string;
  certData?: string;
  keyData?: string;
  bearerToken?: string;
  /** Only when the user's own kubeconfig skips verification for this cluster. */
  insecure: boolean;
}

export interface SecretObject {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  type: 'Opaque';
  data: Record<string, string>;
}

export class CredentialsError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export const clusterSecretName = (cluster: string) => `cluster-${cluster}`;

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

/**
 * The Secret as an object. `data` rather than `stringData`: server-side apply
 * does not track stringData well (docs/runner.md, "Upstream formats"), and
 * server-side apply keeps the credentials
 * out of the last-applied-configuration annotation that `kubectl describe` shows.
 */
export function clusterSecret(cluster: ClusterModel, creds: ClusterCredentials): SecretObject {
  const tlsClientConfig: Record<string, unknown> = { insecure: creds.insecure };
  if (creds.caData) tlsClientConfig.caData = creds.caData;
  if (creds.certData) tlsClientConfig.certData = creds.certData;
  if (creds.keyData) tlsClientConfig.keyData = creds.keyData;
  const config: Record<string, unknown> = creds.bearerToken
    ? { bearerToken: creds.bearerToken, tlsClientConfig }
    : { tlsClientConfig };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: clusterSecretName(cluster.name),
      namespace: NAMESPACES.argocd,
      labels: {
        'argocd.argoproj.io/secret-type': 'cluster',
        'app.kubernetes.io/managed-by': 'fabric',
        ...cluster.argocdLabels,
      },
    },
    type: 'Opaque',
    // `name` is the cluster's name in the ApplicationSets ({{.name}}: overlay paths and Application names).
    data: { name: b64(cluster.name), server: b64(cluster.server), config: b64(JSON.stringify(config)) },
  };
}

/** minikube's state directory: $MINIKUBE_HOME (with .minikube appended unless given), else ~/.minikube (localpath.MiniPath). */
export function minikubeHome(env: NodeJS.ProcessEnv): string {
  const home = env.MINIKUBE_HOME;
  if (!home) return join(env.HOME ?? '', '.minikube');
  return basename(home) === '.minikube' ? home : join(home, '.minikube');
}

/** A minikube profile's credentials: the CA all profiles share, the profile's client certificate and key. */
export function minikubeCredentials(home: string, profile: string): ClusterCredentials {
  const read = (...parts: string[]) => {
    const file = join(home, ...parts);
    try {
      return b64(readFileSync(file));
    } catch {
      throw new CredentialsError(
        `cannot read ${file}`,
        `start the profile with minikube on this machine (fabric apply does) so that its certificates exist; set MINIKUBE_HOME if minikube keeps its state elsewhere`,
      );
    }
  };
  return {
    caData: read('ca.crt'),
    certData: read('profiles', profile, 'client.crt'),
    keyData: read('profiles', profile, 'client.key'),
    insecure: false,
  };
}

/** Credentials of an existing cluster from `kubectl config view --raw --minify --flatten --context X -o json`. */
export function kubeconfigCredentials(rawConfigJson: string, context: string): ClusterCredentials {
  const config = JSON.parse(rawConfigJson) as {
    clusters?: { cluster: Record<string, unknown> }[];
    users?: { user: Record<string, unknown> }[];
  };
  const cluster = config.clusters?.[0]?.cluster ?? {};
  const user = config.users?.[0]?.user ?? {};
  const str = (o: Record<string, unknown>, k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  if (user.exec || user['auth-provider']) {
    throw new CredentialsError(
      `context ${context} authenticates through a ${user.exec ? 'exec plugin' : 'auth provider'}, which ArgoCD in the control cluster cannot run`,
      `give fabric a context whose user has a client certificate or a token (for example a ServiceAccount token), and name it in clusters.<name>.context`,
    );
  }
  const creds: ClusterCredentials = {
    caData: str(cluster, 'certificate-authority-data'),
    certData: str(user, 'client-certificate-data'),
    keyData: str(user, 'client-key-data'),
    bearerToken: str(user, 'token'),
    insecure: cluster['insecure-skip-tls-verify'] === true,
  };
  if (!creds.bearerToken && !(creds.certData && creds.keyData)) {
    throw new CredentialsError(
      `context ${context} has neither a token nor a client certificate and key`,
      'fabric registers the cluster in ArgoCD with the same credentials kubectl uses: give the context a client certificate or a token',
    );
  }
  return creds;
}

/** True when the live Secret (kubectl get -o json) already says what fabric would apply. */
export function secretMatches(liveJson: string, desired: SecretObject): boolean {
  if (!liveJson.trim()) return false;
  const live = JSON.parse(liveJson) as {
    data?: Record<string, string>;
    metadata?: { labels?: Record<string, string> };
  };
  const sameEntries = (a: Record<string, string> = {}, b: Record<string, string>) =>
    Object.entries(b).every(([k, v]) => a[k] === v);
  return sameEntries(live.data, desired.data) && sameEntries(live.metadata?.labels, desired.metadata.labels);
}
