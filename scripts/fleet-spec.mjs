// The big specs of the benchmark: `envs` environments of two member clusters
// each, derived from the reference spec. Also a CLI, to profile one by hand:
//   node scripts/fleet-spec.mjs 100 > /tmp/fleet-100.yaml
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const referenceSpec = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'spec/fabric.yaml');

export /** A spec with `envs` environments of two member clusters each, derived from the reference spec. */
function fleetSpec(envs) {
  const ref = parse(readFileSync(referenceSpec, 'utf8'));
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
    // Three NodePorts per environment from 31000: clear of Grafana's 30300 and the app's 30800.
    environments[env] = {
      ports: { mimir: 31000 + 3 * i, loki: 31001 + 3 * i, tempo: 31002 + 3 * i },
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
      clusters,
      environments,
      apps: { [app]: { ...ref.apps[app], hosts } },
    },
    { aliasDuplicateObjects: false },
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(fleetSpec(Number(process.argv[2] ?? 100)));
