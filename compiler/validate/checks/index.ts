// The semantic checks, in the order they run (their diagnostics are sorted by
// position afterwards). To add one: write checks/<name>.ts with defineCheck,
// listing its codes (each needs an entry in compiler/diagnostic-catalog.ts),
// and add it here.
import type { Check } from '../check.ts';
import alertBounds from './alert-bounds.ts';
import alertingReceivers from './alerting-receivers.ts';
import appEnvironments from './app-environments.ts';
import applicationNames from './application-names.ts';
import backendPorts from './backend-ports.ts';
import clusterAddresses from './cluster-addresses.ts';
import clusterEnvironments from './cluster-environments.ts';
import clusterRoles from './cluster-roles.ts';
import customRules from './custom-rules.ts';
import environmentMembers from './environment-members.ts';
import gitValues from './git-values.ts';
import imagePins from './image-pins.ts';
import ingest from './ingest.ts';
import ingressHosts from './ingress-hosts.ts';
import lokiRetention from './loki-retention.ts';
import memoryBudget from './memory-budget.ts';
import nodePorts from './node-ports.ts';
import overrides from './overrides.ts';
import providerFields from './provider-fields.ts';
import repoReach from './repo-reach.ts';
import reservedAppNames from './reserved-app-names.ts';
import reservedEnvironmentNames from './reserved-environment-names.ts';
import subnet from './subnet.ts';
import urls from './urls.ts';
import valueLimits from './value-limits.ts';

export const CHECKS: readonly Check<any>[] = [
  clusterRoles,
  clusterEnvironments,
  providerFields,
  subnet,
  clusterAddresses,
  environmentMembers,
  backendPorts,
  nodePorts,
  reservedAppNames,
  reservedEnvironmentNames,
  applicationNames,
  appEnvironments,
  ingressHosts,
  imagePins,
  lokiRetention,
  valueLimits,
  alertBounds,
  repoReach,
  urls,
  gitValues,
  ingest,
  memoryBudget,
  overrides,
  alertingReceivers,
  customRules,
];
