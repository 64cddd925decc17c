// ArgoCD Application names share one namespace. The names are the model's
// deployments (compiler/model/deployments.ts: applicationNames), the same list
// render writes the ApplicationSets from; this check only finds duplicates.
import type { PathSegment } from '../../load.ts';
import { applicationNames } from '../../model/deployments.ts';
import { defineCheck } from '../check.ts';
import { fleetShape } from '../fleet-shape.ts';

export default defineCheck({
  name: 'application-names',
  codes: ['FAB221'],
  run({ clusters, envNames, apps, tenancy, report }) {
    const shape = fleetShape({ clusters, envNames, apps, tenancy });
    const first = new Map<string, { what: string; path?: PathSegment[] }>();
    for (const { application, what, declaredAt } of applicationNames(shape)) {
      const claimed = first.get(application);
      if (!claimed) first.set(application, { what, path: declaredAt });
      else if (declaredAt)
        report(
          'FAB221',
          declaredAt,
          `ArgoCD Application '${application}' would be generated twice: for ${what}, and for ${claimed.what}`,
          'rename the app, cluster or environment: ArgoCD names Applications <component>-<cluster> in one namespace',
          { key: true, related: claimed.path ? { path: claimed.path, message: claimed.what, key: true } : undefined },
        );
    }
  },
});
