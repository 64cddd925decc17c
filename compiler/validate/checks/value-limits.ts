// The patterns admit any number of digits; the programs that read the values do not.
import type { PathSegment } from '../../load.ts';
import type { FabricYaml } from '../../spec-types.ts';
import { durationSeconds, MAX_DURATION_SECONDS, MAX_MEMORY_MIB, memoryMiB } from '../../units.ts';
import { defineCheck } from '../check.ts';
import { dotted } from '../schema.ts';

function durationPaths(spec: FabricYaml): PathSegment[][] {
  const paths: PathSegment[][] = [];
  const alertDurations = (base: PathSegment[], alerts: FabricYaml['alerts']) => {
    for (const [name, a] of Object.entries(alerts ?? {}))
      for (const [key, v] of Object.entries(a ?? {})) if (typeof v === 'string') paths.push([...base, name, key]);
  };
  alertDurations(['alerts'], spec.alerts);
  for (const [env, e] of Object.entries(spec.environments)) {
    for (const key of Object.keys(e.retention ?? {})) paths.push(['environments', env, 'retention', key]);
    alertDurations(['environments', env, 'alerts'], e.alerts);
  }
  return paths;
}

export default defineCheck({
  name: 'value-limits',
  codes: ['FAB220'],
  run({ spec, clusters, report, valueAt }) {
    for (const path of durationPaths(spec)) {
      const value = valueAt(path) as string;
      if (durationSeconds(value) > MAX_DURATION_SECONDS)
        report(
          'FAB220',
          path,
          `${dotted(path)} is ${value}, longer than the 2562047h (about 292 years) a Go duration holds`,
          'Tempo, Alloy and Mimir read durations as Go durations; use a shorter one',
        );
    }
    const memories: PathSegment[][] = [
      ...clusters.filter(([, c]) => c.memory !== undefined).map(([name]) => ['clusters', name, 'memory']),
      ...(spec.platform?.memoryBudget !== undefined ? [['platform', 'memoryBudget']] : []),
    ];
    for (const path of memories) {
      const value = valueAt(path) as string;
      if (memoryMiB(value) > MAX_MEMORY_MIB)
        report(
          'FAB220',
          path,
          `${dotted(path)} is ${value}, more memory than minikube can take`,
          'write the memory in g or m as the machine has it, for example 8g',
        );
    }
  },
});
