// Secure by default, checked over the output of every golden case.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, GOLDEN_CASES, yamlDocs } from './helpers/compile.ts';

const CASES = ['spec/fabric.yaml', ...GOLDEN_CASES.map((c) => `tests/golden/${c}/fabric.yaml`)];
const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection', 'escalate', 'bind', 'impersonate', '*'];

for (const spec of CASES) {
  const c = compile(spec);
  const all = yamlDocs(c.files);
  // Override patch files (overlays/*/overrides/*.yaml) are fragments merged into the objects, not objects.
  const docs = all.filter(
    (d) => d.doc && typeof d.doc === 'object' && 'kind' in d.doc && !/\/overrides\/[^/]+\.yaml$/.test(d.path),
  );

  test(`${spec}: RBAC is read-only, never secrets, never wildcards`, () => {
    const roles = docs.filter((d) => d.doc.kind === 'ClusterRole' || d.doc.kind === 'Role');
    assert.ok(roles.length >= 3);
    for (const { path, doc } of roles) {
      for (const rule of doc.rules) {
        for (const v of rule.verbs) assert.not.ok(WRITE_VERBS.includes(v), `${path} ${doc.metadata.name} grants ${v}`);
        for (const r of rule.resources ?? []) {
          assert.is.not(r, '*', `${path} wildcard resource`);
          assert.not.ok(r === 'secrets' || r === 'configmaps', `${path} ${doc.metadata.name} reads ${r}`);
        }
        for (const gr of rule.apiGroups ?? []) assert.is.not(gr, '*');
      }
    }
  });

  test(`${spec}: every pod runs as non-root with limits, a read-only root file system and no privilege escalation`, () => {
    const workloads = docs.filter((d) => ['Deployment', 'DaemonSet', 'StatefulSet'].includes(d.doc.kind));
    assert.ok(workloads.length >= 5);
    for (const { path, doc } of workloads) {
      const pod = doc.spec.template.spec;
      assert.is(pod.securityContext?.runAsNonRoot, true, `${path} runAsNonRoot`);
      assert.is(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault', `${path} seccomp`);
      for (const ct of pod.containers) {
        assert.ok(
          ct.resources?.requests?.memory && ct.resources?.limits?.memory,
          `${path} ${ct.name} memory request and limit`,
        );
        assert.ok(ct.resources?.requests?.cpu, `${path} ${ct.name} cpu request`);
        assert.is(ct.securityContext?.readOnlyRootFilesystem, true, `${path} ${ct.name} read-only root`);
        assert.is(ct.securityContext?.allowPrivilegeEscalation, false, `${path} ${ct.name} no escalation`);
        assert.equal(ct.securityContext?.capabilities?.drop, ['ALL'], `${path} ${ct.name} drops capabilities`);
        assert.match(ct.image, /^[^:@]+(:[^:@/]+)?(@sha256:[a-f0-9]{64})?$/);
        assert.ok(/:[^/]+$/.test(ct.image) || ct.image.includes('@sha256:'), `${path} image ${ct.image} is pinned`);
        assert.not.match(ct.image, /:latest$/, `${path} image ${ct.image} uses latest`);
      }
    }
  });

  test(`${spec}: monitoring, agent and app namespaces deny ingress by default`, () => {
    const policies = docs.filter((d) => d.doc.kind === 'NetworkPolicy');
    for (const ns of ['monitoring', 'observability', 'apps']) {
      const deny = policies.find(
        (p) => p.doc.metadata.namespace === ns && p.doc.metadata.name === 'default-deny-ingress',
      );
      assert.ok(deny, `default deny in ${ns}`);
      assert.equal(deny!.doc.spec.podSelector, {});
      assert.equal(deny!.doc.spec.policyTypes, ['Ingress']);
      assert.is(deny!.doc.spec.ingress, undefined);
    }
    // Members reach the ingest gateway only: no policy opens a backend to addresses outside the namespace.
    const fromOutside = policies.filter((p) =>
      (p.doc.spec.ingress ?? []).some((r: any) => (r.from ?? []).some((f: any) => f.ipBlock)),
    );
    assert.equal(
      fromOutside.map((p) => p.doc.metadata.name),
      ['allow-members-to-ingest-gateway'],
      'only the gateway admits addresses from outside the cluster',
    );
    const gateway = fromOutside[0].doc;
    assert.equal(gateway.spec.podSelector.matchLabels, { 'app.kubernetes.io/name': 'ingest-gateway' });
    const cidrs = gateway.spec.ingress[0].from.map((f: any) => f.ipBlock.cidr);
    const members = c.model.clusters.filter((x) => x.role === 'member');
    const expected = members.flatMap((m) => (m.provider === 'minikube' ? [`${m.ip}/32`] : m.egressCIDRs));
    assert.equal(cidrs, [...new Set(expected)].sort(), 'member nodes and egressCIDRs, nothing wider');
    assert.not.ok(cidrs.includes('0.0.0.0/0'), 'never the whole internet');
  });

  test(`${spec}: Grafana asks for a login and reads its admin password from a Secret; datasources are not editable`, () => {
    const grafana = docs.find((d) => d.doc.kind === 'Deployment' && d.doc.metadata.name === 'grafana')!.doc;
    const env = Object.fromEntries(grafana.spec.template.spec.containers[0].env.map((e: any) => [e.name, e]));
    assert.is(env.GF_AUTH_ANONYMOUS_ENABLED.value, 'false');
    assert.is(env.GF_AUTH_DISABLE_LOGIN_FORM.value, 'false');
    assert.is(env.GF_SECURITY_ADMIN_PASSWORD.valueFrom.secretKeyRef.name, c.model.grafana.adminSecret);
    assert.is(env.GF_SECURITY_ADMIN_PASSWORD.value, undefined);
    const ds = all.find((d) => d.path.endsWith('datasources.yaml'))!.doc;
    assert.ok(ds.datasources.every((d: any) => d.editable === false));
  });

  test(`${spec}: ArgoCD is confined: a project per environment, no mass deletion, strict templates`, () => {
    const projects = docs.filter((d) => d.doc.kind === 'AppProject').map((d) => d.doc);
    for (const env of c.model.environments) {
      const p = projects.find((x) => x.metadata.name === env.project);
      assert.ok(p, `project ${env.project}`);
      assert.equal(p.spec.sourceRepos, [c.model.git.repoURL]);
      const servers = new Set(p.spec.destinations.map((d: any) => d.server));
      const members = c.model.clusters
        .filter((x) => x.role === 'member' && x.environment === env.name)
        .map((x) => x.server);
      assert.equal(
        [...servers].sort(),
        [...new Set(members)].sort(),
        `${env.project} reaches only ${env.name}'s clusters`,
      );
    }
    for (const { doc } of docs.filter((d) => d.doc.kind === 'ApplicationSet')) {
      assert.is(doc.spec.goTemplate, true);
      assert.equal(doc.spec.goTemplateOptions, ['missingkey=error']);
      assert.is(
        doc.spec.syncPolicy.applicationsSync,
        'create-update',
        `${doc.metadata.name} cannot delete Applications`,
      );
      assert.not.ok(
        /\{\{/.test(JSON.stringify(doc.spec.template.spec.project)) &&
          !doc.spec.generators.every((g: any) => g.clusters?.values?.project),
        `${doc.metadata.name}: project comes from fabric, not from cluster labels`,
      );
      assert.is.not(doc.spec.template.spec.project, 'default');
    }
    const stack = docs.find((d) => d.doc.kind === 'ApplicationSet' && d.doc.metadata.name === 'monitoring-stack')!.doc;
    assert.is(stack.spec.syncPolicy.preserveResourcesOnDeletion, true);
    // Cluster-scoped objects only by name (compile --verify checks they are exactly the ones the tree creates).
    for (const p of projects)
      for (const e of p.spec.clusterResourceWhitelist ?? [])
        assert.ok(typeof e.name === 'string' && !/[*?[\\]/.test(e.name), `${p.metadata.name} admits ${e.kind} by name`);
    const locked = projects.find((x) => x.metadata.name === 'default');
    assert.ok(locked, 'the default project is rendered');
    assert.equal(
      [locked.spec.sourceRepos, locked.spec.destinations, locked.spec.clusterResourceWhitelist],
      [[], [], []],
    );
    for (const { doc } of docs.filter((d) => d.doc.kind === 'Application'))
      assert.ok(doc.spec.project && doc.spec.project !== 'default', `${doc.metadata.name} names its own project`);
  });
}

test.run();
