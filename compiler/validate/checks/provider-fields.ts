// minikube clusters are created and sized by fabric; existing ones are reached
// through a kube context and an API server URL.
import { defineCheck } from '../check.ts';

export default defineCheck({
  name: 'provider-fields',
  codes: ['FAB212'],
  run({ clusters, providerOf, report }) {
    for (const [name, c] of clusters) {
      const at = (...rest: string[]) => ['clusters', name, ...rest];
      if (providerOf(c) === 'minikube') {
        for (const field of ['context', 'server'] as const)
          if (c[field] !== undefined)
            report(
              'FAB212',
              at(field),
              `'${field}' applies only to clusters with provider existing; fabric creates minikube clusters itself`,
              `remove ${field}:, or set provider: existing`,
              { key: true },
            );
        continue;
      }
      for (const field of ['cpus', 'memory'] as const)
        if (c[field] !== undefined)
          report(
            'FAB212',
            at(field),
            `'${field}' applies only to minikube clusters; fabric does not size existing clusters`,
            `remove ${field}:`,
            { key: true },
          );
      if (c.context === undefined)
        report(
          'FAB212',
          at(),
          `existing cluster '${name}' has no context`,
          "add 'context:' naming the kube context fabric uses to reach it",
          { key: true },
        );
      if (c.role !== 'control' && c.server === undefined)
        report(
          'FAB212',
          at(),
          `existing cluster '${name}' has no server`,
          "add 'server:' with the API server URL that ArgoCD in the control cluster can reach (https://host:port)",
          { key: true },
        );
      if (c.role === 'monitoring' && c.ip === undefined)
        report(
          'FAB212',
          at(),
          `existing monitoring cluster '${name}' has no ip`,
          "add 'ip:' with a node address that member clusters reach the backends' NodePorts at",
          { key: true },
        );
    }
  },
});
