// The minikube clusters' memory against this machine's budget (a warning: the user may know better).
import { memoryMiB } from '../../units.ts';
import { defineCheck } from '../check.ts';
import { fabricSchema } from '../schema.ts';

/** The memory of a minikube cluster that names none (the schema's default). */
const DEFAULT_MINIKUBE_MEMORY = fabricSchema.$defs.cluster.properties.memory.default;

export default defineCheck({
  name: 'memory-budget',
  codes: ['FAB209'],
  run({ spec, clusters, providerOf, report }) {
    const budget = spec.platform?.memoryBudget;
    if (budget === undefined) return;
    const asked = clusters
      .filter(([, c]) => providerOf(c) === 'minikube')
      .reduce((sum, [, c]) => sum + memoryMiB(c.memory ?? DEFAULT_MINIKUBE_MEMORY), 0);
    if (asked > memoryMiB(budget))
      report(
        'FAB209',
        ['platform', 'memoryBudget'],
        `minikube clusters ask for ${asked} MiB in all, more than the budget of ${memoryMiB(budget)} MiB`,
        'lower clusters.<name>.memory, raise platform.memoryBudget, or move clusters to provider: existing',
      );
  },
});
