// Stage 2b: checks JSON Schema cannot express: references between sections,
// role counts, collisions, addresses, budgets. Each diagnostic is located.
import type { Diagnostic, Severity } from '../diagnostics.ts';
import { aliasOrigin, locate, type LoadedSpec, type PathSegment } from '../load.ts';
import type { FabricYaml } from '../spec-types.ts';
import {
  durationSeconds,
  MAX_DURATION_SECONDS,
  MAX_MEMORY_MIB,
  memoryMiB,
  parseSubnet,
  reservedAddress,
  subnetContains,
} from '../units.ts';
import { closest, dotted, fabricSchema } from './schema.ts';

/** Component directories of the output; an app may not take these names. */
export const RESERVED_APP_NAMES = ['alloy-agent', 'alerting-rules', 'kube-state-metrics', 'monitoring', 'namespaces'];

export const DEFAULT_SUBNET = '192.168.200.0/24';

export function checkSemantics(loaded: LoadedSpec, spec: FabricYaml): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (
    code: string,
    path: PathSegment[],
    message: string,
    hint: string,
    opts: {
      key?: boolean;
      severity?: Severity;
      related?: { path: PathSegment[]; message: string; key?: boolean };
    } = {},
  ) => {
    const at = locate(loaded, path, opts.key ? 'key' : 'value');
    const d: Diagnostic = { code, severity: opts.severity ?? 'error', file: loaded.file, ...at, message, hint };
    if (opts.related)
      d.related = {
        ...locate(loaded, opts.related.path, opts.related.key ? 'key' : 'value'),
        message: opts.related.message,
      };
    else {
      const origin = aliasOrigin(loaded, path, opts.key ? 'key' : 'value');
      if (origin) d.related = { ...origin, message: 'the value comes from the anchored node here' };
    }
    out.push(d);
  };
  // The environment a misspelt reference most likely meant, and where it is defined (RELIABILITY B5).
  const unknownEnvironment = (
    env: string,
  ): { hint: string; related?: { path: PathSegment[]; message: string; key: boolean } } => {
    const guess = closest(env, envNames);
    return guess
      ? {
          hint: `did you mean '${guess}'?`,
          related: { path: ['environments', guess], message: `environment '${guess}' is defined here`, key: true },
        }
      : { hint: `define it under environments:, or use one of: ${envNames.join(', ')}` };
  };

  const clusters = Object.entries(spec.clusters);
  const envNames = Object.keys(spec.environments);
  const tenancy = spec.backends?.tenancy ?? 'isolated';
  const defaultProvider = spec.platform?.provider ?? 'minikube';

  // Exactly one control and one monitoring cluster.
  for (const role of ['control', 'monitoring'] as const) {
    const holders = clusters.filter(([, c]) => c.role === role);
    if (holders.length === 0) {
      report(
        role === 'control' ? 'FAB202' : 'FAB203',
        ['clusters'],
        `there is no cluster with role ${role}`,
        role === 'control'
          ? 'add a cluster with role: control; it runs ArgoCD'
          : 'add a cluster with role: monitoring; it runs Mimir, Loki, Tempo and Grafana',
        { key: true },
      );
    }
    for (const [name] of holders.slice(1)) {
      report(
        role === 'control' ? 'FAB202' : 'FAB203',
        ['clusters', name, 'role'],
        `cluster '${name}' is a second ${role} cluster; there must be exactly one`,
        `change its role (member clusters need an environment), or remove it`,
        { related: { path: ['clusters', holders[0][0], 'role'], message: `the first ${role} cluster` } },
      );
    }
  }

  // Roles, environments, providers and addresses.
  const subnetText = spec.platform?.subnet ?? DEFAULT_SUBNET;
  const subnet = parseSubnet(subnetText);
  const ips = new Map<string, string>();
  const contexts = new Map<string, string>();
  let minikubeMemory = 0;
  for (const [name, c] of clusters) {
    const at = (...rest: PathSegment[]) => ['clusters', name, ...rest];
    if (c.role === 'member') {
      if (c.environment === undefined)
        report(
          'FAB210',
          at(),
          `member cluster '${name}' has no environment`,
          `add 'environment:' with one of: ${envNames.join(', ')}`,
          { key: true },
        );
      else if (!envNames.includes(c.environment)) {
        const { hint, related } = unknownEnvironment(c.environment);
        report(
          'FAB201',
          at('environment'),
          `cluster '${name}' names environment '${c.environment}', which is not defined`,
          hint,
          { related },
        );
      }
    } else if (c.environment !== undefined) {
      report(
        'FAB210',
        at('environment'),
        `a ${c.role} cluster has no environment; only member clusters do`,
        'remove environment: from this cluster',
      );
    }

    const provider = c.provider ?? defaultProvider;
    if (provider === 'minikube') {
      for (const field of ['context', 'server'] as const) {
        if (c[field] !== undefined)
          report(
            'FAB212',
            at(field),
            `'${field}' applies only to clusters with provider existing; fabric creates minikube clusters itself`,
            `remove ${field}:, or set provider: existing`,
            { key: true },
          );
      }
      minikubeMemory += memoryMiB(c.memory ?? '3g');
      if (c.ip === undefined) {
        report(
          'FAB211',
          at(),
          `minikube cluster '${name}' has no static ip`,
          `add 'ip:' with a free address in ${subnetText} (clusters reach each other at these addresses)`,
          { key: true },
        );
      } else if (!subnetContains(subnet, c.ip)) {
        report(
          'FAB207',
          at('ip'),
          `ip ${c.ip} is outside the shared network ${subnetText}`,
          `pick an address inside ${subnetText}, or change platform.subnet`,
        );
      } else {
        const reserved = reservedAddress(subnet, c.ip);
        if (reserved)
          report(
            'FAB216',
            at('ip'),
            `ip ${c.ip} is ${reserved} of ${subnetText}`,
            'pick another address, for example .10 and up',
          );
      }
    } else {
      for (const field of ['cpus', 'memory'] as const) {
        if (c[field] !== undefined)
          report(
            'FAB212',
            at(field),
            `'${field}' applies only to minikube clusters; fabric does not size existing clusters`,
            `remove ${field}:`,
            { key: true },
          );
      }
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
    if (c.ip !== undefined) {
      const other = ips.get(c.ip);
      if (other)
        report(
          'FAB208',
          at('ip'),
          `ip ${c.ip} is already used by cluster '${other}'`,
          'give every cluster its own address',
          { related: { path: ['clusters', other, 'ip'], message: `'${other}' uses it` } },
        );
      else ips.set(c.ip, name);
    }
    // A minikube cluster's context is its name; an explicit one is its context: value.
    const context = c.context ?? (provider === 'minikube' ? name : undefined);
    if (context !== undefined) {
      const other = contexts.get(context);
      if (other) {
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
      } else contexts.set(context, name);
    }
  }

  // Every environment needs somewhere to run.
  for (const env of envNames) {
    if (!clusters.some(([, c]) => c.role === 'member' && c.environment === env)) {
      report(
        'FAB204',
        ['environments', env],
        `environment '${env}' has no member cluster`,
        `add a cluster with role: member and environment: ${env}, or remove the environment`,
        { key: true },
      );
    }
  }

  // Backend ports follow the tenancy mode.
  if (tenancy === 'isolated') {
    if (spec.backends?.ports)
      report(
        'FAB213',
        ['backends', 'ports'],
        'backends.ports applies only to tenancy shared',
        'move the ports to environments.<env>.ports, or set tenancy: shared',
        { key: true },
      );
    for (const env of envNames) {
      if (!spec.environments[env].ports)
        report(
          'FAB213',
          ['environments', env],
          `environment '${env}' has no ports; with tenancy isolated each environment has its own backends`,
          "add 'ports: { mimir: 3009x, loki: 3010x, tempo: 3020x }'",
          { key: true },
        );
    }
  } else {
    if (!spec.backends?.ports)
      report(
        'FAB213',
        ['backends'],
        'tenancy shared needs backends.ports for the one Mimir, Loki and Tempo',
        "add 'ports: { mimir: 30090, loki: 30100, tempo: 30200 }' under backends",
        { key: true },
      );
    for (const env of envNames) {
      if (spec.environments[env].ports)
        report(
          'FAB213',
          ['environments', env, 'ports'],
          `environments.${env}.ports applies only to tenancy isolated; with tenancy shared all environments use backends.ports`,
          'remove it',
          { key: true },
        );
    }
  }

  // NodePorts must be unique per cluster: the monitoring cluster carries every
  // backend and Grafana, each member cluster its environment's apps.
  // Grafana always runs, so its defaults are claimed too, and first: a
  // default has no place in the file, so the written value is the one reported.
  const grafanaDefaults = fabricSchema.$defs.grafana.properties;
  const written = (path: PathSegment[]) =>
    path[0] !== 'grafana' || spec.grafana?.[path[1] as 'nodePort' | 'host'] !== undefined;
  const firstUse = (path: PathSegment[]) => (written(path) ? dotted(path) : `${dotted(path)} (its default)`);
  const related = (path: PathSegment[]) => (written(path) ? { path, message: 'first use' } : undefined);
  const monitoringPorts = new Map<number, PathSegment[]>();
  const claim = (ports: Map<number, PathSegment[]>, port: number, path: PathSegment[], where: string) => {
    const first = ports.get(port);
    if (first)
      report(
        'FAB205',
        path,
        `NodePort ${port} is already used in ${where} by ${firstUse(first)}`,
        'give every Service in a cluster its own NodePort (30000-32767)',
        { related: related(first) },
      );
    else ports.set(port, path);
  };
  claim(
    monitoringPorts,
    spec.grafana?.nodePort ?? grafanaDefaults.nodePort.default,
    ['grafana', 'nodePort'],
    'the monitoring cluster',
  );
  const portOwners: [PathSegment[], Record<string, number>][] =
    tenancy === 'shared'
      ? spec.backends?.ports
        ? [[['backends', 'ports'], spec.backends.ports as unknown as Record<string, number>]]
        : []
      : envNames
          .filter((e) => spec.environments[e].ports)
          .map((e) => [['environments', e, 'ports'], spec.environments[e].ports as unknown as Record<string, number>]);
  for (const [base, ports] of portOwners)
    for (const [k, port] of Object.entries(ports)) claim(monitoringPorts, port, [...base, k], 'the monitoring cluster');

  const apps = Object.entries(spec.apps ?? {});
  for (const [env] of Object.entries(spec.environments)) {
    const memberPorts = new Map<number, PathSegment[]>();
    for (const [app, a] of apps) {
      if (a.nodePort !== undefined && (a.environments ?? envNames).includes(env))
        claim(memberPorts, a.nodePort, ['apps', app, 'nodePort'], `environment '${env}'`);
    }
  }

  // App names become component directories next to fabric's own.
  for (const [app] of apps) {
    if (RESERVED_APP_NAMES.includes(app))
      report(
        'FAB218',
        ['apps', app],
        `app name '${app}' is reserved: fabric generates a component of that name`,
        `rename the app (reserved: ${RESERVED_APP_NAMES.join(', ')})`,
        { key: true },
      );
  }

  // ArgoCD Application names share one namespace. The ApplicationSets name
  // them as templates/argocd/*.hbs do: <component>-<cluster> on members,
  // <backend>-<environment or shared> and fixed names in the monitoring cluster.
  const applications = new Map<string, { what: string; path?: PathSegment[] }>();
  const claimApp = (name: string, what: string, path?: PathSegment[]) => {
    const first = applications.get(name);
    if (!first) applications.set(name, { what, path });
    else if (path)
      report(
        'FAB221',
        path,
        `ArgoCD Application '${name}' would be generated twice: for ${what}, and for ${first.what}`,
        'rename the app, cluster or environment: ArgoCD names Applications <component>-<cluster> in one namespace',
        { key: true, related: first.path ? { path: first.path, message: first.what, key: true } : undefined },
      );
  };
  for (const fixed of ['alerting-rules', 'monitoring-namespace', 'grafana', 'rules-sync'])
    claimApp(fixed, `fabric's ${fixed}`);
  for (const [name] of clusters.filter(([, c]) => c.role === 'monitoring'))
    claimApp(`prometheus-operator-crds-${name}`, `the PrometheusRule CRD of '${name}'`, ['clusters', name]);
  for (const backend of ['mimir', 'loki', 'tempo']) {
    if (tenancy === 'shared') claimApp(`${backend}-shared`, `the shared ${backend}`);
    else
      for (const env of envNames)
        claimApp(`${backend}-${env}`, `${backend} of environment '${env}'`, ['environments', env]);
  }
  const members = clusters.filter(
    ([, c]) => c.role === 'member' && c.environment !== undefined && envNames.includes(c.environment),
  );
  for (const component of ['namespaces', 'alloy-agent', 'kube-state-metrics'])
    for (const [name] of members)
      claimApp(`${component}-${name}`, `${component} on cluster '${name}'`, ['clusters', name]);
  for (const [app, a] of apps.filter(([name]) => !RESERVED_APP_NAMES.includes(name))) {
    for (const [name, c] of members)
      if ((a.environments ?? envNames).includes(c.environment!))
        claimApp(`${app}-${name}`, `app '${app}' on cluster '${name}'`, ['apps', app]);
  }

  // App references, images and hosts.
  const hosts = new Map<string, PathSegment[]>();
  const claimHost = (host: string, path: PathSegment[]) => {
    const first = hosts.get(host);
    if (first)
      report('FAB206', path, `host ${host} is already used by ${firstUse(first)}`, 'give every Ingress its own host', {
        related: related(first),
      });
    else hosts.set(host, path);
  };
  claimHost(spec.grafana?.host ?? grafanaDefaults.host.default, ['grafana', 'host']);
  for (const [app, a] of apps) {
    const runsIn = a.environments ?? envNames;
    (a.environments ?? []).forEach((env, i) => {
      if (!envNames.includes(env)) {
        const { hint, related } = unknownEnvironment(env);
        report(
          'FAB201',
          ['apps', app, 'environments', i],
          `app '${app}' names environment '${env}', which is not defined`,
          hint,
          { related },
        );
      }
    });
    for (const [env, host] of Object.entries(a.hosts ?? {})) {
      if (!envNames.includes(env)) {
        const { hint, related } = unknownEnvironment(env);
        report(
          'FAB201',
          ['apps', app, 'hosts', env],
          `app '${app}' has a host for environment '${env}', which is not defined`,
          hint,
          { key: true, related },
        );
      } else if (!runsIn.includes(env)) {
        report(
          'FAB219',
          ['apps', app, 'hosts', env],
          `app '${app}' has a host for environment '${env}' but does not run there`,
          `add ${env} to apps.${app}.environments, or remove this host`,
          { key: true },
        );
      }
      claimHost(host, ['apps', app, 'hosts', env]);
    }
    const ref = a.image.replace(/^[^/]+(:[0-9]+)\//, 'registry/'); // a registry port is not a tag
    const tag = /@sha256:/.test(ref) ? 'digest' : ref.includes(':') ? ref.slice(ref.lastIndexOf(':') + 1) : undefined;
    if (tag === undefined || tag === 'latest') {
      report(
        'FAB214',
        ['apps', app, 'image'],
        `image ${a.image} is not pinned${tag === 'latest' ? ' (latest moves)' : ' (no tag)'}`,
        'give the image a version tag such as :0.1.0, or a digest @sha256:...; a moving tag makes ArgoCD drift and re-renders unreproducible',
      );
    }
  }

  // Loki keeps data per 24h index period; retention must be whole days.
  for (const [env, e] of Object.entries(spec.environments)) {
    const logs = e.retention?.logs;
    if (logs !== undefined && durationSeconds(logs) <= MAX_DURATION_SECONDS && durationSeconds(logs) % 86400 !== 0) {
      report(
        'FAB217',
        ['environments', env, 'retention', 'logs'],
        `Loki retention ${logs} is not a whole number of days`,
        'Loki deletes logs per 24h index period; use a multiple of 24h such as 7d',
      );
    }
  }

  // The pattern admits any number of digits; the programs that read the value do not.
  const durations: PathSegment[][] = [];
  const alertDurations = (base: PathSegment[], alerts: FabricYaml['alerts']) => {
    for (const [name, a] of Object.entries(alerts ?? {})) {
      for (const [key, v] of Object.entries(a ?? {})) if (typeof v === 'string') durations.push([...base, name, key]);
    }
  };
  alertDurations(['alerts'], spec.alerts);
  for (const [env, e] of Object.entries(spec.environments)) {
    for (const key of Object.keys(e.retention ?? {})) durations.push(['environments', env, 'retention', key]);
    alertDurations(['environments', env, 'alerts'], e.alerts);
  }
  const valueAt = (path: PathSegment[]) => path.reduce<any>((o, k) => o?.[k], spec) as string;
  for (const path of durations) {
    if (durationSeconds(valueAt(path)) > MAX_DURATION_SECONDS) {
      report(
        'FAB220',
        path,
        `${dotted(path)} is ${valueAt(path)}, longer than the 2562047h (about 292 years) a Go duration holds`,
        'Tempo, Alloy and Mimir read durations as Go durations; use a shorter one',
      );
    }
  }
  // The patterns admit URL characters; git and ArgoCD also need the URL to parse (a port above 65535 does not).
  const urls: PathSegment[][] = [
    ['git', 'repoURL'],
    ...clusters.filter(([, c]) => c.server !== undefined).map(([name]) => ['clusters', name, 'server']),
  ];
  for (const path of urls) {
    const url = valueAt(path);
    if (url.startsWith('git@')) continue; // scp-like syntax, not a URL
    try {
      new URL(url);
    } catch {
      report(
        'FAB222',
        path,
        `${dotted(path)} is ${url}, which is not a URL`,
        'check the port (at most 65535) and the host name',
      );
    }
  }
  const memories: PathSegment[][] = [
    ...clusters.filter(([, c]) => c.memory !== undefined).map(([name]) => ['clusters', name, 'memory']),
    ...(spec.platform?.memoryBudget !== undefined ? [['platform', 'memoryBudget']] : []),
  ];
  for (const path of memories) {
    if (memoryMiB(valueAt(path)) > MAX_MEMORY_MIB)
      report(
        'FAB220',
        path,
        `${dotted(path)} is ${valueAt(path)}, more memory than minikube can take`,
        'write the memory in g or m as the machine has it, for example 8g',
      );
  }

  // Memory budget of this machine (a warning: the user may know better).
  const budget = spec.platform?.memoryBudget;
  if (budget !== undefined && minikubeMemory > memoryMiB(budget)) {
    report(
      'FAB209',
      ['platform', 'memoryBudget'],
      `minikube clusters ask for ${minikubeMemory} MiB in all, more than the budget of ${memoryMiB(budget)} MiB`,
      'lower clusters.<name>.memory, raise platform.memoryBudget, or move clusters to provider: existing',
      { severity: 'warning' },
    );
  }
  return out;
}
