// The verify stage's input and output, as the compiler and the CLI see them.

export interface VerifyTarget {
  /** Directory relative to the tree root holding a kustomization.yaml (a leaf ArgoCD syncs). */
  path: string;
  /** Destination cluster name. */
  cluster: string;
  /** The ArgoCD project of the Application that syncs it (none for gitops/argocd-apps, which the runner applies). */
  project?: string;
  /** That Application's destination namespace, which ArgoCD creates (CreateNamespace=true). */
  namespace?: string;
}

/** A cluster-scoped object an AppProject admits or an Application creates: group ("" core), kind, name. */
export interface ClusterObjectRef {
  group: string;
  kind: string;
  name: string;
}

/** Cluster-scoped objects an Application creates from a source outside the tree (the upstream CRD). */
export interface UpstreamObjects {
  project: string;
  objects: ClusterObjectRef[];
}

export type FindingCheck =
  | 'kustomize'
  | 'schema'
  | 'name'
  | 'collision'
  | 'project'
  | 'promtool'
  | 'amtool'
  | 'alloy'
  | 'promql'
  | 'logql'
  | 'traceql'
  | 'dashboard';

export interface Finding {
  check: FindingCheck;
  /** A path relative to the tree root, with `:line` when one is known, or a target directory. */
  file: string;
  message: string;
  severity: 'error' | 'warning';
}

export interface VerifyReport {
  findings: Finding[];
  /** How many things each check covered. */
  checked: Record<string, number>;
  /** Checks skipped because a tool is missing (or turned off), with the reason. */
  skipped: string[];
  /** What a check adapted to the installed tool (e.g. an older amtool), said so that nothing passes silently. */
  notes?: string[];
}
