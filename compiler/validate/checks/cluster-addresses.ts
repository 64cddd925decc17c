// minikube clusters get static addresses on the shared network; no two
// clusters share an address or a kube context.
import { parseSubnet, reservedAddress, subnetContains } from '../../units.ts';
import { defineCheck } from '../check.ts';
import { DEFAULT_SUBNET } from '../constants.ts';

export default defineCheck({
  name: 'cluster-addresses',
  codes: ['FAB207', 'FAB208', 'FAB211', 'FAB216'],
  run({ spec, clusters, providerOf, report }) {
    const subnetText = spec.platform?.subnet ?? DEFAULT_SUBNET;
    const subnet = parseSubnet(subnetText);
    const ips = new Map<string, string>();
    const contexts = new Map<string, string>();
    for (const [name, c] of clusters) {
      const at = (...rest: string[]) => ['clusters', name, ...rest];
      const minikube = providerOf(c) === 'minikube';
      if (minikube && c.ip === undefined)
        report(
          'FAB211',
          at(),
          `minikube cluster '${name}' has no static ip`,
          `add 'ip:' with a free address in ${subnetText} (clusters reach each other at these addresses)`,
          { key: true },
        );
      else if (minikube && !subnetContains(subnet, c.ip!))
        report(
          'FAB207',
          at('ip'),
          `ip ${c.ip} is outside the shared network ${subnetText}`,
          `pick an address inside ${subnetText}, or change platform.subnet`,
        );
      else if (minikube && reservedAddress(subnet, c.ip!))
        report(
          'FAB216',
          at('ip'),
          `ip ${c.ip} is ${reservedAddress(subnet, c.ip!)} of ${subnetText}`,
          'pick another address, for example .10 and up',
        );
      if (c.ip !== undefined) {
        const other = ips.get(c.ip);
        if (other)
          report(
            'FAB208',
            at('ip'),
            `ip ${c.ip} is already used by cluster '${other}'`,
            'give every cluster its own address',
            {
              related: { path: ['clusters', other, 'ip'], message: `'${other}' uses it` },
            },
          );
        else ips.set(c.ip, name);
      }
      // A minikube cluster's context is its name; an explicit one is its context: value.
      const context = c.context ?? (minikube ? name : undefined);
      if (context === undefined) continue;
      const other = contexts.get(context);
      if (!other) {
        contexts.set(context, name);
        continue;
      }
      const explicit = c.context !== undefined;
      const otherExplicit = spec.clusters[other].context !== undefined;
      report(
        'FAB208',
        explicit ? at('context') : at(),
        `kube context '${context}' is already used by cluster '${other}'`,
        explicit
          ? 'each cluster needs its own context'
          : `a minikube cluster's context is its name; rename the cluster, or change the context of '${other}'`,
        {
          key: !explicit,
          related: {
            path: otherExplicit ? ['clusters', other, 'context'] : ['clusters', other],
            message: `'${other}' uses it`,
            key: !otherExplicit,
          },
        },
      );
    }
  },
});
