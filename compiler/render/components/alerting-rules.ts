// Each environment's PrometheusRule and its promtool unit tests: the built-in
// rules (content/rules.ts) and the spec's own (content/custom-rules.ts).
import { NAMESPACES } from '../../model/index.ts';
import { customPromtoolCases, customRuleGroups } from '../content/custom-rules.ts';
import { prometheusRule, PROMTOOL_RULE_FILE, promtoolTests } from '../content/rules.ts';
import { components, type RenderContext } from './context.ts';

export function renderAlertingRules({ tree, model }: RenderContext) {
  for (const env of model.environments) {
    const dir = components(`alerting-rules/overlays/${env.name}`);
    tree.yaml(`${dir}/kustomization.yaml`, 'alerting-rules/overlays/kustomization.yaml.hbs', {
      ns: NAMESPACES.monitoring,
    });
    const rule = prometheusRule(env);
    rule.spec.groups.push(...customRuleGroups(env));
    tree.data(`${dir}/rules.yaml`, rule);
    const builtIn = promtoolTests(model, env);
    const custom = customPromtoolCases(env);
    const tests =
      custom.length === 0
        ? builtIn
        : {
            ...(builtIn ?? { rule_files: [PROMTOOL_RULE_FILE], evaluation_interval: '1m' }),
            tests: [...(builtIn?.tests ?? []), ...custom],
          };
    if (tests) tree.data(`${dir}/rules.promtool-test.yaml`, tests);
  }
}
