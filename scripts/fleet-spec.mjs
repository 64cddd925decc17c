// The big specs of the benchmark: `envs` environments of two member clusters
// each, derived from the reference spec. Also a CLI, to profile one by hand:
//   node scripts/fleet-spec.mjs 100 > /tmp/fleet-100.yaml
//
// Isolated tenancy gives every environment three NodePorts of its own on the
// monitoring cluster, from the 2768 of the NodePort range (30000-32767) less
// those of Grafana, the app and the ingest gateway: at most ISOLATED_LIMIT
// (921) environments.
// Past that the fleet uses shared tenancy (one Mimir, Loki and Tempo, a
// tenant per environment), which needs no port per environment.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const referenceSpec = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'spec/fabric.yaml');

const NODE_PORTS = { first: 30000, last: 32767 };

/** The ingest gateway's NodePort when a cluster does not set one: the schema's default (one fact, one place). */
const GATEWAY_PORT_DEFAULT = JSON.parse(
  readFileSync(join(dirname(referenceSpec), '../schema/fabric.schema.json'), 'utf8'),
).$defs.cluster.properties.ingest.properties.nodePort.default;

/** The NodePorts on the monitoring cluster the reference spec already uses outside environments (Grafana, apps, the ingest gateway). */
function takenPorts(ref) {
  const monitoring = Object.values(ref.clusters).find((c) => c.role === 'monitoring');
  return new Set(
    [
      ref.grafana?.nodePort,
      ...Object.values(ref.apps ?? {}).map((a) => a.nodePort),
      monitoring?.ingest?.nodePort ?? GATEWAY_PORT_DEFAULT,
    ].filter(Boolean),
  );
}

/** How many environments fit with isolated tenancy: three free NodePorts each. */
export const ISOLATED_LIMIT = (() => {
  const ref = parse(readFileSync(referenceSpec, 'utf8'));
  return Math.floor((NODE_PORTS.last - NODE_PORTS.first + 1 - takenPorts(ref).size) / 3);
})();

export /** A spec with `envs` environments of two member clusters each, derived from the reference spec; isolated tenancy while the NodePorts last, shared past that (or as `tenancy` says). */
function fleetSpec(envs, tenancy = envs <= ISOLATED_LIMIT ? 'isolated' : 'shared') {
  const ref = parse(readFileSync(referenceSpec, 'utf8'));
  const taken = takenPorts(ref);
  let next = NODE_PORTS.first;
  const port = () => {
    while (taken.has(next)) next++;
    if (next > NODE_PORTS.last)
      throw new Error(`${envs} environments do not fit in the NodePort range with isolated tenancy`);
    return next++;
  };
  const member = ref.clusters['stage-cluster'];
  const pad = (i) => String(i + 1).padStart(3, '0');
  // 10.0.0.0/16: .0.1 is the gateway; addresses start at .10 of each /24.
  const ip = (k) => `10.0.${Math.floor(k / 200)}.${10 + (k % 200)}`;
  const clusters = {
    'control-cluster': { ...ref.clusters['control-cluster'], ip: ip(0) },
    'monitoring-cluster': { ...ref.clusters['monitoring-cluster'], ip: ip(1) },
  };
  const environments = {};
  const hosts = {};
  for (let i = 0; i < envs; i++) {
    const env = `env-${pad(i)}`;
    environments[env] = {
      ...(tenancy === 'isolated' ? { ports: { mimir: port(), loki: port(), tempo: port() } } : {}),
      retention: ref.environments.stage.retention,
    };
    for (const side of ['a', 'b'])
      clusters[`${env}-${side}`] = { ...member, environment: env, ip: ip(2 + 2 * i + (side === 'a' ? 0 : 1)) };
    hosts[env] = `app.${env}.local`;
  }
  const app = Object.keys(ref.apps)[0];
  const { memoryBudget, ...platform } = ref.platform;
  return stringify(
    {
      ...ref,
      platform: { ...platform, subnet: '10.0.0.0/16' },
      backends: {
        ...ref.backends,
        tenancy,
        ...(tenancy === 'shared' ? { ports: { mimir: port(), loki: port(), tempo: port() } } : {}),
      },
      clusters,
      environments,
      apps: { [app]: { ...ref.apps[app], hosts } },
    },
    { aliasDuplicateObjects: false },
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  process.stdout.write(fleetSpec(Number(process.argv[2] ?? 100), process.argv[3]));
