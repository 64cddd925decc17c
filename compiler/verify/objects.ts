// The Kubernetes objects a built target produces, and how to name them in a
// finding.

import { apiGroupOfVersion, CLUSTER_SCOPED_KINDS } from '../model/constants.ts';
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
export const apiGroupOf = (o: KubeObject): string => apiGroupOfVersion(apiVersionOf(o));

/** "Deployment monitoring/grafana", the way kubectl names objects. */
export function describeObject(o: KubeObject): string {
  const ns = namespaceOf(o);
  return `${kindOf(o) || '(no kind)'} ${ns ? `${ns}/` : ''}${nameOf(o) || '(no name)'}`;
}

export const isClusterScoped = (o: KubeObject): boolean => CLUSTER_SCOPED_KINDS.has(`${apiGroupOf(o)}/${kindOf(o)}`);

export const isConfigMap = (o: KubeObject): boolean => kindOf(o) === 'ConfigMap' && o.apiVersion === 'v1';
