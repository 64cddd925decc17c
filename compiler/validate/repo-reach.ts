// A warning when ArgoCD, inside the control cluster, cannot reach git.repoURL:
// file:// is a path on this machine, localhost and 127.0.0.1 are the pod
// itself. fabric can still push there; the Applications would then stay at
// ComparisonError until the health wait times out.
import type { Diagnostic } from '../diagnostics.ts';
import { locate, type LoadedSpec } from '../load.ts';
import type { FabricYaml } from '../spec-types.ts';

export const REPO_UNREACHABLE = 'FAB240';

export const CREDENTIAL_SOURCES = 'FAB241';

export function checkRepoReach(loaded: LoadedSpec, spec: FabricYaml): Diagnostic[] {
  const out: Diagnostic[] = [];
  const c = spec.git.credentials;
  const sources = c ? (['tokenEnv', 'tokenFile', 'sshKeyFile'] as const).filter((k) => c[k] !== undefined) : [];
  if (c && sources.length !== 1)
    out.push({
      code: CREDENTIAL_SOURCES,
      severity: 'error',
      file: loaded.file,
      ...locate(loaded, ['git', 'credentials'], 'key'),
      message: `git.credentials needs exactly one of tokenEnv, tokenFile, sshKeyFile; it has ${sources.length ? sources.join(', ') : 'none'}`,
      hint: 'an https repository takes a token (tokenEnv or tokenFile), an ssh one a key (sshKeyFile)',
    });
  const url = spec.git.repoURL;
  const host = /^[a-z+]+:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^:/]*)/i.exec(url)?.[1] ?? /^git@([^:]+):/.exec(url)?.[1];
  const why = url.startsWith('file://')
    ? 'a file:// URL is a path on this machine'
    : host && /^(localhost|127(\.\d+){3}|\[::1\]|0\.0\.0\.0)$/i.test(host)
      ? `${host} is, inside the control cluster, ArgoCD's own pod`
      : undefined;
  if (!why) return out;
  return [
    ...out,
    {
      code: REPO_UNREACHABLE,
      severity: 'warning',
      file: loaded.file,
      ...locate(loaded, ['git', 'repoURL'], 'value'),
      message: `ArgoCD in the control cluster cannot reach git.repoURL ${url}: ${why}`,
      hint: 'fabric push works, but fabric apply would wait for Applications that cannot load it; use a repository the cluster can reach (https or ssh on a host it resolves)',
    },
  ];
}
