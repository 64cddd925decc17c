// The Kubernetes objects a built target produces, and how to name them in a
// finding.

import type { VerifyTarget } from './types.ts';

export type KubeObject = Record<string, unknown>;

export interface BuiltObject {
  target: VerifyTarget;
  object: KubeObject;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function metadataOf(o: KubeObject): Record<string, unknown> {
  return isRecord(o.metadata) ? o.metadata : {};
}

export const kindOf = (o: KubeObject): string => (typeof o.kind === 'string' ? o.kind : '');
export const apiVersionOf = (o: KubeObject): string => (typeof o.apiVersion === 'string' ? o.apiVersion : '');
export const nameOf = (o: KubeObject): string =>
  typeof metadataOf(o).name === 'string' ? (metadataOf(o).name as string) : '';
export const namespaceOf = (o: KubeObject): string | undefined => {
  const ns = metadataOf(o).namespace;
  return typeof ns === 'string' && ns !== '' ? ns : undefined;
};

/** The API group: "" for the core group, "apps" for apps/v1. */
export function apiGroupOf(o: KubeObject): string {
  const apiVersion = apiVersionOf(o);
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** "Deployment monitoring/grafana", the way kubectl names objects. */
export function describeObject(o: KubeObject): string {
  const ns = namespaceOf(o);
  return `${kindOf(o) || '(no kind)'} ${ns ? `${ns}/` : ''}${nameOf(o) || '(no name)'}`;
}

/** Kinds that are cluster-scoped, from the upstream API groups fabric can emit. */
const CLUSTER_SCOPED = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'scheduling.k8s.io/PriorityClass',
  'networking.k8s.io/IngressClass',
  'node.k8s.io/RuntimeClass',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'apiregistration.k8s.io/APIService',
]);

export const isClusterScoped = (o: KubeObject): boolean => CLUSTER_SCOPED.has(`${apiGroupOf(o)}/${kindOf(o)}`);

export const isConfigMap = (o: KubeObject): boolean => kindOf(o) === 'ConfigMap' && o.apiVersion === 'v1';
