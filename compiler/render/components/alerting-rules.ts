// Each environment's PrometheusRule, the same groups as a plain rule file, and
// their promtool unit tests: the built-in rules (content/rules.ts,
// content/rule-tests.ts) and the spec's own (content/custom-rules.ts).
import { NAMESPACES } from '../../model/index.ts';
import { customPromtoolCases, customRuleGroups } from '../content/custom-rules.ts';
import { builtinTestCases, PROMTOOL_TEST_SUFFIX, promtoolTestFile } from '../content/rule-tests.ts';
import {
  builtinAlertRules,
  builtinRuleGroups,
  plainRuleFile,
  prometheusRule,
  PROMTOOL_RULE_FILE,
} from '../content/rules.ts';
import { components, type RenderContext } from './context.ts';

export function renderAlertingRules({ tree, model }: RenderContext) {
  for (const env of model.environments) {
    const dir = components(`alerting-rules/overlays/${env.name}`);
    tree.sharedYaml(`${dir}/kustomization.yaml`, 'alerting-rules/overlays/kustomization.yaml.hbs', {
      ns: NAMESPACES.monitoring,
    });
    const builtin = builtinAlertRules(model, env);
    const groups = [...builtinRuleGroups(env, builtin), ...customRuleGroups(env)];
    const cases = [...builtinTestCases(model, env, builtin), ...customPromtoolCases(env)];
    tree.data(`${dir}/rules.yaml`, prometheusRule(env, groups));
    const tests = promtoolTestFile(cases);
    if (tests) {
      tree.data(`${dir}/${PROMTOOL_RULE_FILE}`, plainRuleFile(groups));
      tree.data(`${dir}/rules${PROMTOOL_TEST_SUFFIX}`, tests);
    }
  }
}
