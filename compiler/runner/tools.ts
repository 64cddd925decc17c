// The exact argv of every cluster-tool command the runner issues, in one
// place, so `fabric apply --dry-run` prints what a run executes and the tests
// can check each flag against the tools' documentation.
//
// Flags, as documented (kubernetes/minikube @eb25dbc, site/content/en/docs/commands/):
//   start.md: -p, --driver, --cpus, --memory (<number>[b|k|m|g]), --kubernetes-version,
//     --network, --static-ip ("Docker and Podman drivers only"), --cni, --keep-context
//     ("keep the existing kubectl context"), --interactive
//   status.md: -o json; exit code bits 1/2/4; a missing profile exits 85 (reason.ExGuestNotFound)
//   addons.md: addons enable ADDON_NAME, addons list -o json; image.md: image build -t, image ls
//   ip.md, delete.md, version.md (--short)
// kubectl flags are checked against `kubectl <command> --help` by tests/runner-plan.test.ts.
import type { ClusterModel, Model } from '../model/index.ts';

export type Argv = string[];

export const minikube = {
  version: (): Argv => ['minikube', 'version', '--short'],
  status: (profile: string): Argv => ['minikube', 'status', '-p', profile, '-o', 'json'],
  /** --keep-context: minikube would otherwise switch the user's current context to the new profile. */
  start: (c: ClusterModel, platform: Model['platform']): Argv => [
    'minikube',
    'start',
    '-p',
    c.name,
    `--driver=${platform.driver}`,
    `--cpus=${c.cpus}`,
    `--memory=${c.memoryMiB}m`,
    `--kubernetes-version=${platform.kubernetesVersion}`,
    `--network=${platform.network}`,
    `--static-ip=${c.ip}`,
    `--cni=${platform.cni}`,
    '--keep-context',
    '--interactive=false',
  ],
  ip: (profile: string): Argv => ['minikube', 'ip', '-p', profile],
  addonsList: (profile: string): Argv => ['minikube', 'addons', 'list', '-p', profile, '-o', 'json'],
  enableIngress: (profile: string): Argv => ['minikube', 'addons', 'enable', 'ingress', '-p', profile],
  imageList: (profile: string): Argv => ['minikube', 'image', 'ls', '-p', profile],
  /** dockerfile: relative to contextDir (the demo image builds from the package root, see runtime-app/Dockerfile). */
  imageBuild: (profile: string, tag: string, contextDir: string, dockerfile: string): Argv => [
    'minikube',
    '-p',
    profile,
    'image',
    'build',
    '-t',
    tag,
    '-f',
    dockerfile,
    contextDir,
  ],
  delete: (profile: string): Argv => ['minikube', 'delete', '-p', profile],
};

/** Every kubectl call names its context: fabric never relies on, or changes, the current one. */
export const kubectl = (context: string, ...args: string[]): Argv => ['kubectl', '--context', context, ...args];

export const kubectlLocal = {
  clientVersion: (): Argv => ['kubectl', 'version', '--client', '-o', 'json'],
  contexts: (): Argv => ['kubectl', 'config', 'get-contexts', '-o', 'name'],
  /** The credentials of one context (--minify), shown (--raw), with certificate files inlined as data (--flatten). */
  rawConfig: (context: string): Argv => [
    'kubectl',
    'config',
    'view',
    '--raw',
    '--minify',
    '--flatten',
    '--context',
    context,
    '-o',
    'json',
  ],
};

export const argocdInstallURL = (version: string) =>
  `https://raw.githubusercontent.com/argoproj/argo-cd/${version}/manifests/install.yaml`;

/** A command fabric runs in its own process, shown as the CLI command that does the same. */
export const inProcess = (...args: string[]): Argv => ['fabric', ...args];

/** Shell-quoted, for display only (commands are never run through a shell). */
export function displayArgv(argv: Argv): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
