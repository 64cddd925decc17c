// Validate built objects against upstream schemas, strictly.
//
// The schemas come from the kubernetes-models packages (Kubernetes ~1.33,
// Argo CD, prometheus-operator), which ship them as ajv validators compiled
// ahead of time from the upstream OpenAPI and CRD schemas. Those schemas
// allow unknown fields, as the API server's OpenAPI does; kubeconform
// -strict closes every object schema that lists properties. A compiled
// validator cannot be edited, so the same rule is applied by watching it:
// the object is validated through a Proxy that records which keys the
// validator looks up on each object, and whether it enumerated the object's
// keys (a map, additionalProperties). On an object where the validator looked
// up named properties and did not enumerate, any other key is unknown to the
// schema. Objects the validator never looks into (free-form fields such as
// Helm values) stay open, as they are in kubeconform. Custom resources of
// other kinds are checked against their CRD when the tree carries it
// (crd-schemas.ts).
import { describeAjvErrors, type AjvError } from './ajv-errors.ts';
import type { CrdSchemas } from './crd-schemas.ts';
import { isRecord, type KubeObject } from './objects.ts';

interface Model {
  prototype: { validate(this: unknown): void };
}

/** apiVersion/kind -> the model whose validator covers it; each is imported once, on first use. */
const MODELS: Record<string, () => Promise<Model>> = {
  'v1/Namespace': () => import('kubernetes-models/v1/Namespace').then((m) => m.Namespace),
  'v1/ConfigMap': () => import('kubernetes-models/v1/ConfigMap').then((m) => m.ConfigMap),
  'v1/Secret': () => import('kubernetes-models/v1/Secret').then((m) => m.Secret),
  'v1/Service': () => import('kubernetes-models/v1/Service').then((m) => m.Service),
  'v1/ServiceAccount': () => import('kubernetes-models/v1/ServiceAccount').then((m) => m.ServiceAccount),
  'v1/PersistentVolumeClaim': () =>
    import('kubernetes-models/v1/PersistentVolumeClaim').then((m) => m.PersistentVolumeClaim),
  'v1/PersistentVolume': () => import('kubernetes-models/v1/PersistentVolume').then((m) => m.PersistentVolume),
  'v1/Pod': () => import('kubernetes-models/v1/Pod').then((m) => m.Pod),
  'v1/Endpoints': () => import('kubernetes-models/v1/Endpoints').then((m) => m.Endpoints),
  'v1/LimitRange': () => import('kubernetes-models/v1/LimitRange').then((m) => m.LimitRange),
  'v1/ResourceQuota': () => import('kubernetes-models/v1/ResourceQuota').then((m) => m.ResourceQuota),
  'apps/v1/Deployment': () => import('kubernetes-models/apps/v1/Deployment').then((m) => m.Deployment),
  'apps/v1/DaemonSet': () => import('kubernetes-models/apps/v1/DaemonSet').then((m) => m.DaemonSet),
  'apps/v1/StatefulSet': () => import('kubernetes-models/apps/v1/StatefulSet').then((m) => m.StatefulSet),
  'apps/v1/ReplicaSet': () => import('kubernetes-models/apps/v1/ReplicaSet').then((m) => m.ReplicaSet),
  'batch/v1/Job': () => import('kubernetes-models/batch/v1/Job').then((m) => m.Job),
  'batch/v1/CronJob': () => import('kubernetes-models/batch/v1/CronJob').then((m) => m.CronJob),
  'autoscaling/v2/HorizontalPodAutoscaler': () =>
    import('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler').then((m) => m.HorizontalPodAutoscaler),
  'networking.k8s.io/v1/Ingress': () => import('kubernetes-models/networking.k8s.io/v1/Ingress').then((m) => m.Ingress),
  'networking.k8s.io/v1/IngressClass': () =>
    import('kubernetes-models/networking.k8s.io/v1/IngressClass').then((m) => m.IngressClass),
  'networking.k8s.io/v1/NetworkPolicy': () =>
    import('kubernetes-models/networking.k8s.io/v1/NetworkPolicy').then((m) => m.NetworkPolicy),
  'policy/v1/PodDisruptionBudget': () =>
    import('kubernetes-models/policy/v1/PodDisruptionBudget').then((m) => m.PodDisruptionBudget),
  'rbac.authorization.k8s.io/v1/ClusterRole': () =>
    import('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole').then((m) => m.ClusterRole),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': () =>
    import('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding').then((m) => m.ClusterRoleBinding),
  'rbac.authorization.k8s.io/v1/Role': () =>
    import('kubernetes-models/rbac.authorization.k8s.io/v1/Role').then((m) => m.Role),
  'rbac.authorization.k8s.io/v1/RoleBinding': () =>
    import('kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding').then((m) => m.RoleBinding),
  'storage.k8s.io/v1/StorageClass': () =>
    import('kubernetes-models/storage.k8s.io/v1/StorageClass').then((m) => m.StorageClass),
  'scheduling.k8s.io/v1/PriorityClass': () =>
    import('kubernetes-models/scheduling.k8s.io/v1/PriorityClass').then((m) => m.PriorityClass),
  'argoproj.io/v1alpha1/Application': () =>
    import('@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application').then((m) => m.Application),
  'argoproj.io/v1alpha1/ApplicationSet': () =>
    import('@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet').then((m) => m.ApplicationSet),
  'argoproj.io/v1alpha1/AppProject': () =>
    import('@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject').then((m) => m.AppProject),
  'monitoring.coreos.com/v1/PrometheusRule': () =>
    import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule').then(
      (m) => m.PrometheusRule,
    ),
  'monitoring.coreos.com/v1/ServiceMonitor': () =>
    import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor').then(
      (m) => m.ServiceMonitor,
    ),
  'monitoring.coreos.com/v1/PodMonitor': () =>
    import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor').then((m) => m.PodMonitor),
};

/**
 * String fields the kubernetes-models validators do not know, by path (`[]`: any list index), checked here:
 * - the generator strips every schema key named "description", which also drops real properties of that
 *   name; these are the ones in the kinds above (checked against the upstream OpenAPI and CRDs);
 * - an AppProject's clusterResourceWhitelist/-Blacklist entry `name` (ArgoCD >= 3.3, docs/runner.md,
 *   "Upstream formats"): @kubernetes-models/argo-cd 2.7.2 lists only group and kind, and its only newer
 *   release needs Node 22.
 */
const ADDED_STRING_PROPERTIES: Record<string, Set<string>> = {
  'scheduling.k8s.io/v1/PriorityClass': new Set(['description']),
  'argoproj.io/v1alpha1/AppProject': new Set([
    'spec.description',
    'spec.clusterResourceWhitelist[].name',
    'spec.clusterResourceBlacklist[].name',
  ]),
};

/** CRDs can be megabytes of schema; only their envelope is checked. */
const CRD = 'apiextensions.k8s.io/v1/CustomResourceDefinition';
const CRD_TOP_LEVEL = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
const loadObjectMeta = () =>
  import('@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta').then((m) => m.ObjectMeta as Model);

const loaded = new Map<string, Promise<Model>>();
function model(key: string, load: () => Promise<Model>): Promise<Model> {
  if (!loaded.has(key)) loaded.set(key, load());
  return loaded.get(key)!;
}

export type SchemaResult = { covered: true; errors: string[] } | { covered: false };

export const isCoveredKind = (apiVersion: string, kind: string): boolean =>
  `${apiVersion}/${kind}` in MODELS || `${apiVersion}/${kind}` === CRD;

/**
 * Problems with one object's fields; `covered: false` when neither the
 * upstream models nor a CRD in the tree know its kind.
 */
export async function validateObject(object: KubeObject, crds?: CrdSchemas): Promise<SchemaResult> {
  const key = `${String(object.apiVersion)}/${String(object.kind)}`;
  if (key === CRD) {
    const errors = Object.keys(object)
      .filter((k) => !CRD_TOP_LEVEL.has(k))
      .map((k) => `unknown field "${k}"`);
    if (!isRecord(object.metadata)) errors.push('metadata: must be an object');
    else errors.push(...prefixed('metadata', runTraced(await model('ObjectMeta', loadObjectMeta), object.metadata)));
    return { covered: true, errors };
  }
  const load = MODELS[key];
  if (!load) {
    const errors = crds?.validate(object);
    return errors ? { covered: true, errors } : { covered: false };
  }
  return { covered: true, errors: runTraced(await model(key, load), object, ADDED_STRING_PROPERTIES[key]) };
}

const prefixed = (at: string, errors: string[]) =>
  errors.map((e) =>
    e.startsWith('unknown field "') ? e.replace('unknown field "', `unknown field "${at}.`) : `${at}.${e}`,
  );

interface Reads {
  keys: Set<string>;
  enumerated: boolean;
}

/** Validates data with the model's compiled validator, then reports keys it never looked up. */
function runTraced(m: Model, data: KubeObject, knownPaths = new Set<string>()): string[] {
  const reads = new WeakMap<object, Reads>();
  const proxies = new WeakMap<object, object>();
  const watch = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    const existing = proxies.get(value);
    if (existing) return existing;
    const seen: Reads = { keys: new Set(), enumerated: false };
    reads.set(value, seen);
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        if (typeof key === 'string') seen.keys.add(key);
        return watch(Reflect.get(target, key, receiver));
      },
      has(target, key) {
        if (typeof key === 'string') seen.keys.add(key);
        return Reflect.has(target, key);
      },
      getOwnPropertyDescriptor(target, key) {
        if (typeof key === 'string') seen.keys.add(key);
        return Reflect.getOwnPropertyDescriptor(target, key);
      },
      ownKeys(target) {
        seen.enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };

  const errors: string[] = [];
  try {
    m.prototype.validate.call(watch(data));
  } catch (error) {
    const ajvErrors = (error as { errors?: AjvError[] }).errors;
    if (!Array.isArray(ajvErrors)) throw error;
    errors.push(...describeAjvErrors(ajvErrors));
  }
  errors.push(...unknownFields(data, reads, '', knownPaths));
  return errors;
}

function unknownFields(value: unknown, reads: WeakMap<object, Reads>, path: string, knownPaths: Set<string>): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => unknownFields(item, reads, `${path}[${i}]`, knownPaths));
  if (!isRecord(value)) return [];
  const seen = reads.get(value);
  if (!seen) return [];
  const closed = seen.keys.size > 0 && !seen.enumerated;
  const problems: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (closed && !seen.keys.has(key) && knownPaths.has(childPath.replace(/\[\d+\]/g, '[]'))) {
      if (typeof child !== 'string') problems.push(`${childPath}: must be string`);
    } else if (closed && !seen.keys.has(key)) problems.push(`unknown field "${childPath}"`);
    else problems.push(...unknownFields(child, reads, childPath, knownPaths));
  }
  return problems;
}
