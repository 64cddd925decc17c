// The FleetShape (model/types.ts) of a spec being validated, for the checks that
// ask the model's pure functions what would be deployed (FAB221, overrides).
import type { FleetShape } from '../model/types.ts';
import type { CheckContext } from './check.ts';
import { RESERVED_APP_NAMES } from './constants.ts';

export function fleetShape({
  clusters,
  envNames,
  apps,
  tenancy,
}: Pick<CheckContext<any>, 'clusters' | 'envNames' | 'apps' | 'tenancy'>): FleetShape {
  const defined = new Set(envNames);
  const members = clusters.filter(
    ([, c]) => c.role === 'member' && c.environment !== undefined && defined.has(c.environment),
  );
  return {
    tenancy,
    environments: envNames,
    // Another check reports a count of monitoring clusters other than one.
    monitoring: clusters.find(([, c]) => c.role === 'monitoring')?.[0] ?? '',
    members: members.map(([name, c]) => ({ name, environment: c.environment! })),
    apps: apps
      .filter(([name]) => !RESERVED_APP_NAMES.includes(name))
      .map(([name, a]) => ({ name, environments: a.environments ?? envNames })),
  };
}
