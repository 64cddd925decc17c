// overrides: keys are the components of the model's deployments (the list
// render and ArgoCD follow), scopes name environments or member clusters the
// component deploys to through an overlay of its own, a patch has one form.
// Targets and containers are checked after render (render/components/overrides.ts),
// against the objects fabric renders. Also apps.<name>.env: fabric's own variables.
import { APP_ENV_NAMES } from '../../model/constants.ts';
import { deploymentsOf, overlayScopes } from '../../model/deployments.ts';
import { overrideOverlays } from '../../model/overrides.ts';
import { defineCheck } from '../check.ts';
import { fleetShape } from '../fleet-shape.ts';
import { closest } from '../schema.ts';

export default defineCheck({
  name: 'overrides',
  codes: ['FAB240', 'FAB241', 'FAB242', 'FAB243'],
  run(ctx) {
    const { spec, envNames, clusters, apps, report } = ctx;
    for (const [name, app] of apps)
      for (const v of Object.keys(app.env ?? {}))
        if ((APP_ENV_NAMES as readonly string[]).includes(v))
          report(
            'FAB243',
            ['apps', name, 'env', v],
            `apps.${name}.env sets ${v}, which fabric sets itself`,
            'remove it: fabric sets PORT from port: and the OTEL_* variables to reach the Alloy agent',
            { key: true },
          );
    const overrides = Object.entries(spec.overrides ?? {});
    if (overrides.length === 0) return;
    const scopes = overlayScopes(deploymentsOf(fleetShape(ctx)), envNames);
    const components = [...new Set(scopes.map((s) => s.component))].sort();
    for (const [component, o] of overrides) {
      const at = ['overrides', component];
      if (!components.includes(component)) {
        const guess = closest(component, components);
        report(
          'FAB240',
          at,
          `overrides.${component}: fabric deploys no component named '${component}'`,
          guess ? `did you mean '${guess}'?` : `components: ${components.join(', ')}`,
          { key: true },
        );
        continue;
      }
      (o.patches ?? []).forEach((p, i) => {
        if ((p.patch === undefined) === (p.ops === undefined) || p.ops?.length === 0)
          report(
            'FAB242',
            [...at, 'patches', i],
            `patches[${i}] gives ${p.patch ? 'both patch and ops' : p.ops ? 'an empty ops list' : 'neither patch nor ops'}`,
            'give patch: (strategic merge) or ops: (JSON 6902), not both',
          );
      });
      checkScope(
        ctx,
        component,
        o,
        scopes,
        clusters.map(([n]) => n),
      );
    }
  },
});

type Ctx = Parameters<Parameters<typeof defineCheck<'FAB241'>>[0]['run']>[0];

function checkScope(
  ctx: Ctx,
  component: string,
  o: any,
  scopes: ReturnType<typeof overlayScopes>,
  clusterNames: string[],
) {
  const { report, envNames } = ctx;
  const at = ['overrides', component];
  const own = scopes.filter((s) => s.component === component);
  if (o.environments && o.clusters) {
    report(
      'FAB241',
      [...at, 'clusters'],
      `overrides.${component} gives both environments and clusters`,
      'give one scope: environments or clusters',
      { key: true },
    );
    return;
  }
  if (o.clusters) {
    o.clusters.forEach((c: string, i: number) => {
      if (!clusterNames.includes(c)) {
        const guess = closest(c, clusterNames);
        report(
          'FAB241',
          [...at, 'clusters', i],
          `cluster '${c}' is not defined`,
          guess ? `did you mean '${guess}'?` : `clusters: ${clusterNames.join(', ')}`,
        );
      } else if (!own.some((s) => s.cluster === c))
        report(
          'FAB241',
          [...at, 'clusters', i],
          `${component} has no overlay for cluster '${c}'`,
          own.some((s) => s.cluster)
            ? `${component} deploys to: ${own.map((s) => s.cluster).join(', ')}`
            : `${component} is not deployed per member cluster: scope it with environments, or drop the scope`,
        );
    });
  }
  if (o.environments) {
    o.environments.forEach((e: string, i: number) => {
      if (!envNames.includes(e)) {
        const { hint } = ctx.unknownEnvironment(e);
        report('FAB241', [...at, 'environments', i], `environment '${e}' is not defined`, hint);
      } else if (!overrideOverlays(scopes, component, { environments: [e] }).length)
        report(
          'FAB241',
          [...at, 'environments', i],
          own.some((s) => s.environments.includes(e))
            ? `${component} serves '${e}' together with other environments in one overlay, so no override can reach '${e}' alone`
            : `${component} does not deploy to environment '${e}'`,
          own.some((s) => s.environments.includes(e))
            ? 'drop the scope: that overlay serves every environment'
            : `${component} deploys to: ${[...new Set(own.flatMap((s) => s.environments))].join(', ')}`,
        );
    });
  }
}
