// compile --verify's AppProject check (compiler/verify/projects.ts): every
// cluster-scoped object an Application syncs is admitted by its project's
// whitelist by group, kind and name, nothing more is whitelisted, and the
// `default` project is locked down and unused. The reference tree passes
// (tests/verify-output.test.ts); here a copy of it is broken in five ways at
// once and the check must report exactly those five.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';
import { verifyOptions, verifyTargets } from '../compiler/targets.ts';
import { verifyTree } from '../compiler/verify/index.ts';
import { compile } from './helpers/compile.ts';
import { fromRoot } from './helpers/paths.ts';
import { requireTool } from './helpers/tools.ts';

const PROJECTS = 'gitops/argocd-apps/projects.yaml';

/** Replaces `from` (which must occur) once. */
function edit(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `the tree has ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

test('the reference projects name every cluster-scoped object; default is locked down', () => {
  const docs = parseAllDocuments(readFileSync(fromRoot('out', PROJECTS), 'utf8')).map((d) => d.toJS());
  const whitelist = (name: string) =>
    docs
      .find((d) => d.metadata.name === name)
      .spec.clusterResourceWhitelist.map(
        (e: { group: string; kind: string; name: string }) => `${e.group}/${e.kind}/${e.name}`,
      );
  assert.equal(whitelist('env-stage'), [
    '/Namespace/apps',
    '/Namespace/observability',
    'rbac.authorization.k8s.io/ClusterRole/fabric-alloy-agent',
    'rbac.authorization.k8s.io/ClusterRole/fabric-kube-state-metrics',
    'rbac.authorization.k8s.io/ClusterRoleBinding/fabric-alloy-agent',
    'rbac.authorization.k8s.io/ClusterRoleBinding/fabric-kube-state-metrics',
  ]);
  assert.equal(whitelist('platform'), [
    '/Namespace/monitoring',
    'apiextensions.k8s.io/CustomResourceDefinition/prometheusrules.monitoring.coreos.com',
    'rbac.authorization.k8s.io/ClusterRole/fabric-rules-sync',
    'rbac.authorization.k8s.io/ClusterRoleBinding/fabric-rules-sync',
  ]);
  const dflt = docs.find((d) => d.metadata.name === 'default').spec;
  assert.equal([dflt.sourceRepos, dflt.destinations, dflt.clusterResourceWhitelist], [[], [], []]);
  assert.equal(dflt.namespaceResourceBlacklist, [{ group: '*', kind: '*' }]);
});

test('a whitelist that admits too much or too little, an open default project and an Application in it are errors', async () => {
  if (!requireTool('kubectl', 'verify projects', ['version', '--client'])) return;
  const c = compile('spec/fabric.yaml');
  const root = mkdtempSync(join(tmpdir(), 'fabric-projects-'));
  try {
    cpSync(fromRoot('out'), root, { recursive: true });
    let projects = readFileSync(join(root, PROJECTS), 'utf8');
    // env-prod: the alloy agent's ClusterRoleBinding no longer admitted.
    projects = edit(
      projects,
      '    - group: rbac.authorization.k8s.io\n      kind: ClusterRoleBinding\n      name: fabric-alloy-agent\n',
      '',
    );
    // env-prod (the first project): cluster-admin admitted, which nothing in the tree creates.
    projects = edit(
      projects,
      '      name: fabric-kube-state-metrics\n---',
      '      name: fabric-kube-state-metrics\n    - group: rbac.authorization.k8s.io\n      kind: ClusterRoleBinding\n      name: cluster-admin\n---',
    );
    // platform: the CRD entry without a name (every CRD).
    projects = edit(projects, '      name: prometheusrules.monitoring.coreos.com\n', '');
    // default: open to every repository.
    projects = edit(projects, '  sourceRepos: []\n', "  sourceRepos: ['*']\n");
    writeFileSync(join(root, PROJECTS), projects);
    const rules = join(root, 'gitops/argocd-apps/alerting-rules.yaml');
    writeFileSync(rules, edit(readFileSync(rules, 'utf8'), 'project: platform', 'project: default'));

    const report = await verifyTree(root, verifyTargets(c.model), { ...verifyOptions(c.model), promtool: false });
    const found = report.findings.filter((f) => f.check === 'project').map((f) => `${f.file}: ${f.message}`);
    assert.equal(found.length, 5, found.join('\n'));
    const expect = [
      /^gitops\/argocd-apps: AppProject default must set spec\.sourceRepos: \[\]/,
      /^gitops\/argocd-apps: Application argocd\/alerting-rules uses the project "default"/,
      /^gitops\/components\/alloy-agent\/overlays\/prod-cluster: ClusterRoleBinding fabric-alloy-agent \(group "rbac\.authorization\.k8s\.io"\) is not admitted by AppProject env-prod/,
      /^gitops\/argocd-apps: AppProject env-prod clusterResourceWhitelist entry ClusterRoleBinding cluster-admin .* admits an object none of the project's Applications creates/,
      /^gitops\/argocd-apps: AppProject platform clusterResourceWhitelist entry CustomResourceDefinition \(every name\) .* admits more than one object/,
    ];
    for (const re of expect)
      assert.ok(
        found.some((f) => re.test(f)),
        `${re}\nin:\n${found.join('\n')}`,
      );
    // Nothing else in the tree broke.
    assert.equal(
      report.findings.filter((f) => f.severity === 'error' && f.check !== 'project'),
      [],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
