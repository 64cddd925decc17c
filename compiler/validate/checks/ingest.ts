// Existing (cloud) members must really work: their agents need an ingest
// address they can reach over TLS, the gateway's NetworkPolicy needs their
// egress addresses (never 0.0.0.0/0), their nodes need an image they can pull;
// and a CNI that enforces no NetworkPolicy is said out loud.
import { isDemoImage } from '../../model/constants.ts';
import { intToIp, parseSubnet } from '../../units.ts';
import { defineCheck } from '../check.ts';

/** minikube CNIs that do not enforce NetworkPolicy (minikube's handbook, network_policy.md). */
const NON_ENFORCING_CNIS = new Set(['kindnet']);

export default defineCheck({
  name: 'ingest',
  codes: ['FAB250', 'FAB251', 'FAB252', 'FAB253', 'FAB254', 'FAB255', 'FAB256'],
  run({ spec, clusters, envNames, apps, providerOf, report }) {
    const monitoring = clusters.find(([, c]) => c.role === 'monitoring');
    const ingest = monitoring?.[1].ingest;
    for (const [name, c] of clusters) {
      if (c.ingest && c.role !== 'monitoring')
        report(
          'FAB256',
          ['clusters', name, 'ingest'],
          `clusters.${name}.ingest is set, but ${name} is a ${c.role} cluster; the ingest gateway runs in the monitoring cluster`,
          monitoring ? `move it to clusters.${monitoring[0]}.ingest` : 'move it to the cluster with role: monitoring',
          { key: true },
        );
      for (const [i, cidr] of (c.egressCIDRs ?? []).entries()) {
        const { network, prefix } = parseSubnet(cidr);
        const corrected = `${intToIp(network)}/${prefix}`;
        if (prefix === 0)
          report(
            'FAB253',
            ['clusters', name, 'egressCIDRs', i],
            `${cidr} admits every address to the ingest gateway`,
            `list the addresses ${name} really sends from (its NAT gateway IPs, as /32)`,
          );
        else if (corrected !== cidr)
          report(
            'FAB253',
            ['clusters', name, 'egressCIDRs', i],
            `${cidr} has host bits set; the network it lies in is ${corrected}`,
            `write ${corrected}, or ${cidr.split('/')[0]}/32 for the one address`,
          );
      }
    }
    const existingMembers = clusters.filter(([, c]) => c.role === 'member' && providerOf(c) === 'existing');
    for (const [name, c] of existingMembers) {
      if (!ingest?.url && monitoring && providerOf(monitoring[1]) === 'minikube')
        report(
          'FAB250',
          ['clusters', name, 'provider'],
          `${name} is an existing cluster but would send its telemetry to ${monitoring[1].ip ?? 'the monitoring node'}, an address on this machine's private minikube network`,
          `set clusters.${monitoring[0]}.ingest: { url: https://<a name ${name} can reach>, tls: { secret: <a kubernetes.io/tls Secret> } } and point that name at the gateway's LoadBalancer`,
        );
      else if (ingest?.url?.startsWith('http://'))
        report(
          'FAB251',
          ['clusters', monitoring![0], 'ingest', 'url'],
          `${name} would send credentials and telemetry to ${ingest.url} in plain text`,
          'use an https:// URL, with ingest.tls.secret (or a TLS-terminating load balancer in front of the gateway)',
        );
      if (!c.egressCIDRs)
        report(
          'FAB252',
          ['clusters', name, 'provider'],
          `the ingest gateway's NetworkPolicy would have to admit 0.0.0.0/0 for ${name}: fabric cannot know the addresses an existing cluster sends from`,
          `set clusters.${name}.egressCIDRs to its egress addresses (e.g. its cloud NAT gateway IPs as /32)`,
        );
    }
    const cni = spec.platform?.cni;
    if (cni && NON_ENFORCING_CNIS.has(cni) && clusters.some(([, c]) => providerOf(c) === 'minikube'))
      report(
        'FAB254',
        ['platform', 'cni'],
        `platform.cni ${cni} enforces no NetworkPolicy: the default-deny and ingest-gateway-only policies fabric generates do nothing`,
        'use calico (the default) or cilium; basic auth on the ingest gateway still applies',
      );
    if (!spec.platform?.registry) {
      const existingEnvs = new Set(existingMembers.map(([, c]) => c.environment));
      for (const [name, a] of apps) {
        const on = (a.environments ?? envNames).filter((e) => existingEnvs.has(e));
        if (on.length && isDemoImage(a.image))
          report(
            'FAB255',
            ['apps', name, 'image'],
            `${a.image} is built only into minikube members, but app '${name}' also runs on existing clusters (environment ${on.join(', ')}) whose nodes cannot pull it`,
            'set platform.registry to a registry those nodes can pull from (fabric apply builds the image and pushes it there), or use an image from a public registry',
          );
      }
    }
  },
});
