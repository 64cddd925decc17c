// Names and defaults the checks share with the model.

/** Component directories of the output; an app may not take these names. */
export const RESERVED_APP_NAMES = ['alloy-agent', 'alerting-rules', 'kube-state-metrics', 'monitoring', 'namespaces'];

export const DEFAULT_SUBNET = '192.168.200.0/24';

/**
 * Environment names Grafana cannot take as a datasource uid, which the environment's Mimir datasource is
 * (model/index.ts): `default` resolves to the default datasource, `grafana` is the built-in one's uid.
 */
export const RESERVED_ENVIRONMENT_NAMES = ['default', 'grafana'];
