// Files at the root of the tree: the README and .gitattributes.
import { readme } from '../content/readme.ts';
import { PROMTOOL_TEST_SUFFIX } from '../content/rule-tests.ts';
import { template } from '../engine.ts';
import { headerFor } from '../tree.ts';
import type { RenderContext } from './context.ts';

export function renderRepoFiles({ tree, model }: RenderContext) {
  // Generated files are LF; a checkout with core.autocrlf must not rewrite them.
  tree.text('.gitattributes', `${headerFor(model, '#')}* text eol=lf\n*.json text eol=lf\n`);
  // Rendered after the alerting rules: the README names their test files.
  const ruleTests = tree.files.map((f) => f.path).filter((p) => p.endsWith(PROMTOOL_TEST_SUFFIX));
  tree.text('README.md', headerFor(model, '<!--') + readme(model, template('README.md.hbs'), ruleTests.sort()));
}
