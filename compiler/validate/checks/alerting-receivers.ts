// Every receiver an alerting route names is defined where the route is used:
// an environment's route sees the top-level receivers and its own; the
// top-level route is checked against what each environment that uses it sees.
import type { FabricYaml } from '../../spec-types.ts';
import type { PathSegment } from '../../load.ts';
import { defineCheck } from '../check.ts';

type Route = { receiver: string; routes?: Route[] };

/** Every route node under `route`, with its spec path. */
function routeNodes(route: Route, path: PathSegment[]): { receiver: string; path: PathSegment[] }[] {
  return [
    { receiver: route.receiver, path: [...path, 'receiver'] },
    ...(route.routes ?? []).flatMap((child, i) => routeNodes(child, [...path, 'routes', i])),
  ];
}

/** (route owner, the receivers it sees) for every environment, plus the top level when no environment uses it. */
function scopes(spec: FabricYaml, envNames: string[]): { at: PathSegment[]; route: Route; receivers: string[] }[] {
  const top = Object.keys(spec.alerting?.receivers ?? {});
  const out: { at: PathSegment[]; route: Route; receivers: string[] }[] = [];
  let topUsed = false;
  for (const env of envNames) {
    const own = spec.environments[env].alerting;
    const receivers = [...new Set([...top, ...Object.keys(own?.receivers ?? {})])];
    if (own?.route) out.push({ at: ['environments', env, 'alerting', 'route'], route: own.route, receivers });
    else if (spec.alerting?.route) {
      topUsed = true;
      out.push({ at: ['alerting', 'route'], route: spec.alerting.route, receivers });
    }
  }
  if (spec.alerting?.route && !topUsed)
    out.push({ at: ['alerting', 'route'], route: spec.alerting.route, receivers: top });
  return out;
}

export default defineCheck({
  name: 'alerting-receivers',
  codes: ['FAB228'],
  run({ spec, envNames, report }) {
    const reported = new Set<string>();
    for (const { at, route, receivers } of scopes(spec, envNames))
      for (const node of routeNodes(route, at)) {
        const key = JSON.stringify(node.path);
        if (receivers.includes(node.receiver) || reported.has(key)) continue;
        reported.add(key);
        report(
          'FAB228',
          node.path,
          `route names receiver '${node.receiver}', which is not defined`,
          receivers.length > 0
            ? `name one of ${receivers.sort().join(', ')}, or define '${node.receiver}' under alerting.receivers`
            : `define '${node.receiver}' under alerting.receivers`,
        );
      }
  },
});
