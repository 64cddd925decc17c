// Each environment's PrometheusRule and its promtool unit tests (content/rules.ts).
import { NAMESPACES } from '../../model/index.ts';
import { prometheusRule, promtoolTests } from '../content/rules.ts';
import { components, type RenderContext } from './context.ts';

export function renderAlertingRules({ tree, model }: RenderContext) {
  for (const env of model.environments) {
    const dir = components(`alerting-rules/overlays/${env.name}`);
    tree.yaml(`${dir}/kustomization.yaml`, 'alerting-rules/overlays/kustomization.yaml.hbs', {
      ns: NAMESPACES.monitoring,
    });
    tree.data(`${dir}/rules.yaml`, prometheusRule(env));
    const tests = promtoolTests(model, env);
    if (tests) tree.data(`${dir}/rules.promtool-test.yaml`, tests);
  }
}
