// What every component's render function receives: the tree it adds files to
// and lookups built once (a fleet has hundreds of clusters).
import type { ClusterModel, EnvironmentModel, Model } from '../../model/index.ts';
import { Tree } from '../tree.ts';

/** An override that cannot apply, found against the rendered base (render/components/overrides.ts). */
export interface RenderProblem {
  code: 'FAB244' | 'FAB245' | 'FAB246';
  path: PathSegment[];
  message: string;
  hint: string;
}
import type { PathSegment } from '../../load.ts';

export interface RenderContext {
  tree: Tree;
  model: Model;
  members: ClusterModel[];
  envOf: (c: ClusterModel) => EnvironmentModel;
  clusterByName: (name: string) => ClusterModel;
  /** Overrides that cannot apply (render/components/overrides.ts); compileSpec reports them located. */
  problems: RenderProblem[];
}

export function renderContext(model: Model): RenderContext {
  const environments = new Map(model.environments.map((e) => [e.name, e]));
  const clusters = new Map(model.clusters.map((c) => [c.name, c]));
  return {
    tree: new Tree(model),
    model,
    members: model.clusters.filter((c) => c.role === 'member'),
    envOf: (c) => environments.get(c.environment!)!,
    clusterByName: (name) => clusters.get(name)!,
    problems: [],
  };
}

/** A directory of the output tree, from its path under gitops/components/. */
export const components = (rel: string) => `gitops/components/${rel}`;
