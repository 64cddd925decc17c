// Stage 4: render. The model becomes a list of files, one component at a time
// (components/<component>.ts, each with its templates under
// templates/<component>/, laid out like gitops/components/<component>/ of the
// output). Templates lay out the model's values through escaping helpers
// (engine.ts); data (rules, dashboards, datasources) is built as objects and
// written by the yaml library.
import type { RenderedFile } from '../emit-types.ts';
import type { Model } from '../model/index.ts';
import { RenderError } from './engine.ts';
import { renderAlertingRules } from './components/alerting-rules.ts';
import { renderAlloyAgent } from './components/alloy-agent.ts';
import { renderApps } from './components/app.ts';
import { renderArgocdApps } from './components/argocd-apps.ts';
import { renderContext, type RenderContext } from './components/context.ts';
import { renderGrafana } from './components/grafana.ts';
import { renderIngestGateway } from './components/ingest-gateway.ts';
import { renderKubeStateMetrics } from './components/kube-state-metrics.ts';
import { renderLoki } from './components/loki.ts';
import { renderMimir } from './components/mimir.ts';
import { renderNamespaces } from './components/namespaces.ts';
import { renderOverrides, type RenderProblem } from './components/overrides.ts';
import { renderRepoFiles } from './components/repo.ts';
import { renderRulesSync } from './components/rules-sync.ts';
import { renderTempo } from './components/tempo.ts';

export { createEngine, RenderError } from './engine.ts';
export { headerFor } from './tree.ts';

/** Every component of the output, in no particular order (the files are sorted at the end). */
const COMPONENTS: ((ctx: RenderContext) => void)[] = [
  renderNamespaces,
  renderAlloyAgent,
  renderKubeStateMetrics,
  renderApps,
  renderMimir,
  renderLoki,
  renderTempo,
  renderGrafana,
  renderIngestGateway,
  renderRulesSync,
  renderAlertingRules,
  renderArgocdApps,
  renderRepoFiles,
  // Last: it reads the bases the others rendered and adds to their overlays.
  renderOverrides,
];

export type { RenderProblem };

/** The tree, and the overrides that cannot apply to it (located by compileSpec). */
export function renderChecked(model: Model): { files: RenderedFile[]; problems: RenderProblem[] } {
  const ctx = renderContext(model);
  for (const component of COMPONENTS) component(ctx);
  return {
    files: ctx.tree.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    problems: ctx.problems,
  };
}

/** The tree of a model whose overrides apply (compileSpec reports the ones that do not). */
export function render(model: Model): RenderedFile[] {
  const { files, problems } = renderChecked(model);
  if (problems.length) throw new RenderError(problems.map((p) => p.message).join('; '));
  return files;
}
