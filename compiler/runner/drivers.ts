// The container engine behind minikube's kic drivers (docker, podman): the
// exact argv of each command fabric runs against it, and how to read each
// answer, per engine, because their formats differ.
//
// docker (docs.docker.com/reference/cli/docker): `version --format {{.Server.Version}}`,
//   `info --format {{.MemTotal}}` (bytes), `network inspect` prints
//   [{"Name","IPAM":{"Config":[{"Subnet"}]},"Labels","Containers":{id:{"Name"}}}]
//   and exits 1 with "No such network" / "not found" for a missing network.
// podman (docs.podman.io, podman-version(1), podman-info(1), podman-network-inspect(1)):
//   `version --format {{.Client.Version}}` (there is a Server only for a remote
//   connection), `info --format {{.Host.MemTotal}}` (bytes; JSON host.memTotal),
//   `network inspect` prints [{"name","subnets":[{"subnet","gateway"}],"labels",
//   "containers":{id:{"name"}}}] (containers since podman 5) and exits 125 for a
//   missing network (both print "no such network"; docs/runner.md, "Upstream formats").
import { CLUSTER_LABELS, type Model } from '../model/index.ts';
import type { Argv } from './tools.ts';

export type EngineName = 'docker' | 'podman';

/** What fabric reads from `network inspect`, whichever engine printed it. */
export interface NetworkInfo {
  subnets: string[];
  labels: Record<string, string>;
  /** Names of the containers attached (for the kic drivers: the profile names). */
  containers: string[];
}

export interface Engine {
  name: EngineName;
  version(): Argv;
  memoryBytes(): Argv;
  networkInspect(network: string): Argv;
  networkCreate(network: string, subnet: string, fleet: string): Argv;
  networkRemove(network: string): Argv;
  /** The exit code of `network inspect` for a network that does not exist. */
  missingNetworkExit: number;
  isMissingNetwork(output: string): boolean;
  parseNetwork(stdout: string): NetworkInfo | undefined;
}

/** Marks the network fabric created, so `fabric down` removes only its own. */
export const FLEET_LABEL = CLUSTER_LABELS.fleet;

type Json = Record<string, any>;

const common = (tool: EngineName) => ({
  networkInspect: (network: string): Argv => [tool, 'network', 'inspect', network],
  networkCreate: (network: string, subnet: string, fleet: string): Argv => [
    tool,
    'network',
    'create',
    '--driver=bridge',
    `--subnet=${subnet}`,
    `--label=${FLEET_LABEL}=${fleet}`,
    network,
  ],
  networkRemove: (network: string): Argv => [tool, 'network', 'rm', network],
  isMissingNetwork: (output: string) => /not found|no such network/i.test(output),
});

const names = (containers: Json | undefined, key: string): string[] =>
  Object.values(containers ?? {})
    .map((c) => (c as Json)?.[key])
    .filter((n): n is string => typeof n === 'string')
    .sort();

const first = (stdout: string): Json | undefined => (JSON.parse(stdout) as Json[])[0];

export const ENGINES: Record<EngineName, Engine> = {
  docker: {
    name: 'docker',
    ...common('docker'),
    version: () => ['docker', 'version', '--format', '{{.Server.Version}}'],
    memoryBytes: () => ['docker', 'info', '--format', '{{.MemTotal}}'],
    missingNetworkExit: 1,
    parseNetwork: (stdout) => {
      const n = first(stdout);
      if (!n) return undefined;
      return {
        subnets: ((n.IPAM?.Config ?? []) as Json[]).map((c) => c.Subnet).filter(Boolean),
        labels: n.Labels ?? {},
        containers: names(n.Containers, 'Name'),
      };
    },
  },
  podman: {
    name: 'podman',
    ...common('podman'),
    version: () => ['podman', 'version', '--format', '{{.Client.Version}}'],
    memoryBytes: () => ['podman', 'info', '--format', '{{.Host.MemTotal}}'],
    missingNetworkExit: 125,
    parseNetwork: (stdout) => {
      const n = first(stdout);
      if (!n) return undefined;
      return {
        subnets: ((n.subnets ?? []) as Json[]).map((s) => s.subnet).filter(Boolean),
        labels: n.labels ?? {},
        containers: names(n.containers, 'name'),
      };
    },
  },
};

/** The engine behind the spec's minikube driver. */
export const engineFor = (model: Model): Engine => ENGINES[model.platform.driver === 'podman' ? 'podman' : 'docker'];
