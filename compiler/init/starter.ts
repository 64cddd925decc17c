// The starter fabric.yaml that `fabric init` writes for a user's own repository: the reference
// topology (one control cluster, one member cluster per environment, one monitoring cluster, on
// minikube) with comments that say what each part is and where to read more. Pure: answers in, text out.
import { DEFAULT_SUBNET } from '../validate/constants.ts';

/** The file `fabric init` writes beside the spec, and the spec's modeline names (editors complete keys from it). */
export const SCHEMA_FILE = 'fabric.schema.json';
export const SPEC_FILE = 'fabric.yaml';

export interface StarterAnswers {
  /** The fleet's name (a DNS label). */
  name: string;
  /** The GitOps repository fabric pushes to and ArgoCD reads. */
  repoURL: string;
  /** Environment names, in order; each gets one member cluster and its own backends. */
  environments: string[];
}

export const starterDefaults = (dirName: string): StarterAnswers => {
  const name = dirName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  const fleet = name.length >= 2 ? name : 'fleet';
  return { name: fleet, repoURL: `https://github.com/you/${fleet}-gitops.git`, environments: ['stage', 'prod'] };
};

// The first environment's backend NodePorts (the schema's examples); each further environment takes
// the next port of each, so ten environments fit before Mimir's range meets Loki's.
const FIRST_PORTS = { mimir: 30090, loki: 30100, tempo: 30200 } as const;
export const MAX_STARTER_ENVIRONMENTS = FIRST_PORTS.loki - FIRST_PORTS.mimir;

/** The n-th static address fabric hands out in the subnet: .10, .11, ... (below is left to the network). */
function address(n: number): string {
  const [a, b, c] = DEFAULT_SUBNET.split('/')[0].split('.');
  return `${a}.${b}.${c}.${10 + n}`;
}

export function starterSpec(a: StarterAnswers): string {
  const members = a.environments.flatMap((env, i) => [
    `  ${env}-cluster:`,
    `    role: member`,
    `    environment: ${env}`,
    `    ip: ${address(1 + i)}`,
  ]);
  const environments = a.environments.flatMap((env, i) => [
    `  ${env}:`,
    `    # NodePorts on the monitoring cluster where ${env}'s agents send (30000-32767, all different)`,
    `    ports: { mimir: ${FIRST_PORTS.mimir + i}, loki: ${FIRST_PORTS.loki + i}, tempo: ${FIRST_PORTS.tempo + i} }`,
    `    retention: { metrics: 15d, logs: 7d, traces: 3d }`,
  ]);
  return [
    `# yaml-language-server: $schema=./${SCHEMA_FILE}`,
    `# The fleet fabric compiles into a Kustomize + ArgoCD GitOps repository.`,
    `# Check it: fabric validate    Compile it into out/: fabric compile    Publish it: fabric push`,
    `# Every key, its default and its format: docs/spec.md in the fabric package, or the`,
    `# JSON Schema beside this file (${SCHEMA_FILE}; after upgrading fabric: fabric schema > ${SCHEMA_FILE}).`,
    `name: ${a.name}`,
    ``,
    `# The GitOps repository fabric pushes to and ArgoCD reads from.`,
    `git:`,
    `  repoURL: ${a.repoURL}`,
    `  revision: main`,
    ``,
    `# Where clusters run: fabric apply creates minikube profiles on one shared network.`,
    `# A cluster you already have: provider: existing, with its context (and server, ip).`,
    `platform:`,
    `  provider: minikube`,
    `  driver: docker`,
    `  subnet: ${DEFAULT_SUBNET}   # each minikube cluster's ip below is in it`,
    ``,
    `# Exactly one control cluster (ArgoCD), one monitoring cluster (Mimir, Loki, Tempo, Grafana)`,
    `# and at least one member cluster per environment (your apps and the Alloy agents).`,
    `clusters:`,
    `  control-cluster:`,
    `    role: control`,
    `    ip: ${address(0)}`,
    `    memory: 4g`,
    ...members,
    `  monitoring-cluster:`,
    `    role: monitoring`,
    `    ip: ${address(1 + a.environments.length)}`,
    `    cpus: 4`,
    `    memory: 8g`,
    ``,
    `# Each environment gets its own backends; its member clusters send only to them.`,
    `environments:`,
    ...environments,
    ``,
    `# Instrumented applications on the member clusters. This is fabric's demo service`,
    `# (fabric apply builds its image); replace it with your own, pinned by tag or digest.`,
    `apps:`,
    `  instrumented-app:`,
    `    image: fabric/instrumented-app:0.1.0`,
    `    port: 8080`,
    ``,
    `# Alert thresholds for every environment (an environment may override them under alerts:).`,
    `alerts:`,
    `  errorRate: { threshold: 0.05, for: 2m }`,
    `  latencyP95: { threshold: 1s, for: 3m }`,
    ``,
  ].join('\n');
}
