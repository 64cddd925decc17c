// ArgoCD reads git.repoURL from inside the control cluster: file:// is a path
// on this machine, localhost and 127.0.0.1 are ArgoCD's own pod there. fabric
// can still push to such a URL; the Applications would stay at ComparisonError
// until the health wait times out (a warning: a test setup may mean it).
// git.credentials names exactly one source of ArgoCD's credential.
import { defineCheck } from '../check.ts';

const LOOPBACK = /^(localhost|127(\.\d+){3}|\[::1\]|0\.0\.0\.0)$/i;

function unreachable(url: string): string | undefined {
  if (url.startsWith('file://')) return 'a file:// URL is a path on this machine';
  const host = /^[a-z+]+:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^:/]*)/i.exec(url)?.[1] ?? /^git@([^:]+):/.exec(url)?.[1];
  return host && LOOPBACK.test(host) ? `${host} is, inside the control cluster, ArgoCD's own pod` : undefined;
}

export default defineCheck({
  name: 'repo-reach',
  codes: ['FAB226', 'FAB227'],
  run({ spec, report }) {
    const why = unreachable(spec.git.repoURL);
    if (why)
      report(
        'FAB226',
        ['git', 'repoURL'],
        `ArgoCD in the control cluster cannot reach git.repoURL ${spec.git.repoURL}: ${why}`,
        'fabric push works, but fabric apply would wait for Applications that cannot load it; use a repository the cluster can reach (https or ssh on a host it resolves)',
      );
    const c = spec.git.credentials;
    const sources = c ? (['tokenEnv', 'tokenFile', 'sshKeyFile'] as const).filter((k) => c[k] !== undefined) : [];
    if (c && sources.length !== 1)
      report(
        'FAB227',
        ['git', 'credentials'],
        `git.credentials needs exactly one of tokenEnv, tokenFile, sshKeyFile; it has ${sources.length ? sources.join(', ') : 'none'}`,
        'an https repository takes a token (tokenEnv or tokenFile), an ssh one a key (sshKeyFile)',
        { key: true },
      );
  },
});
