// The plan fabric apply prints and runs: --dry-run works with no cluster tool
// on PATH, every command it lists uses flags the tools document, and the
// Applications the health wait expects are predicted from the compiled
// ApplicationSets the way the ApplicationSet controller evaluates them.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RenderedFile } from '../compiler/emit-types.ts';
import { compileSpec, type Compiled } from '../compiler/index.ts';
import { expectedApplications, parseApplications, PredictionError } from '../compiler/runner/applications.ts';
import { forwardTargets } from '../compiler/runner/commands.ts';
import { registeredClusters } from '../compiler/runner/steps.ts';
import { ENGINES } from '../compiler/runner/drivers.ts';
import { kubectl, minikube, type Argv } from '../compiler/runner/tools.ts';
import { fromRoot } from './helpers/paths.ts';
import { requireTool } from './helpers/tools.ts';

const SPEC = fromRoot('spec/fabric.yaml');

function dryRun(...extra: string[]) {
  // PATH holds nothing but an empty directory: the plan must not need minikube, kubectl or docker.
  const empty = mkdtempSync(join(tmpdir(), 'fabric-no-tools-'));
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', fromRoot('tests/fixtures/runner/run-cli.ts'), 'apply', '--dry-run', '--spec', SPEC, ...extra],
    { cwd: fromRoot(), env: { PATH: empty, HOME: empty }, encoding: 'utf8' },
  );
}

const planJson = dryRun('--json');
const plan = JSON.parse(planJson.stdout) as {
  steps: { id: string; title: string; checks: Argv[]; commands: Argv[] }[];
};

test('fabric apply --dry-run prints the whole plan for the reference spec without any cluster tool installed', () => {
  const r = dryRun();
  assert.is(r.status, 0, r.stderr);
  // The preflight comes first and lists every problem at once, each with its fix.
  assert.match(r.stdout, /^preflight: 4 problem\(s\)/);
  assert.match(r.stdout, '✗ kubectl is not installed (not found on PATH)');
  assert.match(r.stdout, '✗ minikube is not installed (not found on PATH)');
  assert.match(r.stdout, '✗ docker is not installed (not found on PATH)');
  assert.match(r.stdout, '✗ git.repoURL is the placeholder https://github.com/you/fabric-gitops.git');
  assert.ok(r.stdout.indexOf('preflight:') < r.stdout.indexOf('fabric apply plan for'));
  assert.match(r.stdout, /^fabric apply plan for lgtm \(.*spec\/fabric\.yaml\): \d+ steps$/m);
  assert.equal(
    plan.steps.map((s) => s.id),
    [
      'network',
      'profile/control-cluster',
      'profile/monitoring-cluster',
      'profile/prod-cluster',
      'profile/stage-cluster',
      'argocd',
      'register/monitoring-cluster',
      'register/prod-cluster',
      'register/stage-cluster',
      'grafana-admin',
      'ingest-credentials',
      'image/prod-cluster/fabric/instrumented-app:0.1.0',
      'image/stage-cluster/fabric/instrumented-app:0.1.0',
      'compile',
      'push',
      'applicationsets',
      'health',
    ],
  );
  assert.match(
    r.stdout,
    '$ minikube start -p stage-cluster --driver=docker --cpus=2 --memory=3072m --kubernetes-version=v1.32.4 --network=fabric --static-ip=192.168.200.11 --cni=calico --keep-context --interactive=false',
  );
  assert.match(
    r.stdout,
    '$ kubectl --context control-cluster apply -n argocd --server-side --force-conflicts -f https://raw.githubusercontent.com/argoproj/argo-cd/v3.5.1/manifests/install.yaml',
  );
  assert.match(r.stdout, 'stdin: Secret argocd/cluster-stage-cluster (labels argocd.argoproj.io/secret-type=cluster');
});

// minikube flags, as documented in kubernetes/minikube @eb25dbc site/content/en/docs/commands/:
// start.md: --cni (l.34), --cpus (l.36), -d/--driver (l.50), --interactive (l.75), --keep-context (l.77),
// --kubernetes-version (l.78), -m/--memory (l.86), --network (l.100), --static-ip (l.120);
// every command inherits -p/--profile (start.md l.145); status.md -o/--output (l.29);
// addons.md: addons list -o/--output (l.286), addons enable ADDON_NAME; image.md: image build -t/--tag (l.69), -f/--file ("Path to the Dockerfile to use"), image ls;
// version.md: --short (l.25); ip.md; delete.md.
const MINIKUBE: Record<string, string[]> = {
  version: ['--short'],
  status: ['-p', '-o'],
  start: [
    '-p',
    '--driver',
    '--cpus',
    '--memory',
    '--kubernetes-version',
    '--network',
    '--static-ip',
    '--cni',
    '--keep-context',
    '--interactive',
  ],
  ip: ['-p'],
  'addons list': ['-p', '-o'],
  'addons enable': ['-p'],
  'image ls': ['-p'],
  'image build': ['-p', '-t', '-f'],
  delete: ['-p'],
};
// docker, as documented at https://docs.docker.com/reference/cli/docker/: version --format, info --format,
// network inspect, network create --driver/--subnet/--label, network rm, build -t/-f (image build), push.
const DOCKER: Record<string, string[]> = {
  version: ['--format'],
  info: ['--format'],
  'network inspect': [],
  'network create': ['--driver', '--subnet', '--label'],
  'network rm': [],
  build: ['-t', '-f'],
  push: [],
};
// podman: podman-version(1), podman-info(1) (--format), podman-network-inspect(1), podman-network-create(1)
// (--driver, --subnet, --label), podman-network-rm(1), podman-build(1) (-t, -f), podman-push(1).
// The Go template fields differ from docker's.
const PODMAN = DOCKER;

const flagsOf = (argv: Argv) => argv.filter((a) => /^-[A-Za-z-]/.test(a)).map((a) => a.split('=')[0]);
const words = (argv: Argv) =>
  argv
    .slice(1)
    .filter(
      (a, i, all) =>
        !a.startsWith('-') && !['-p', '-n', '--context', '-o', '-t', '-f', '-k', '--format'].includes(all[i - 1]),
    );

/** Every command fabric can run: the apply plan's, and those of status, down, verify and port-forward. */
function allCommands(): Argv[] {
  const compiled = compileSpec(SPEC) as Compiled;
  const pf = forwardTargets(compiled.model).grafana;
  return [
    ...plan.steps.flatMap((s) => [...s.checks, ...s.commands]).filter((argv) => argv[0] !== 'fabric'),
    minikube.delete('stage-cluster'),
    ENGINES.docker.networkRemove('fabric'),
    ...Object.values(ENGINES).flatMap((e) => [
      e.version(),
      e.memoryBytes(),
      e.networkInspect('fabric'),
      e.networkCreate('fabric', '192.168.200.0/24', 'lgtm'),
      e.build('registry.example.com/fabric/fabric/instrumented-app:0.1.0', '.', 'runtime-app/Dockerfile'),
      e.push('registry.example.com/fabric/fabric/instrumented-app:0.1.0'),
    ]),
    ENGINES.podman.networkRemove('fabric'),
    kubectl('stage-cluster', 'get', '--raw', '/readyz'),
    kubectl(pf.context, '-n', pf.namespace, 'port-forward', `svc/${pf.service}`, `${pf.localPort}:${pf.remotePort}`),
  ];
}

test('every minikube and docker command uses only documented subcommands and flags', () => {
  const seen = new Set<string>();
  for (const argv of allCommands().filter((a) => ['minikube', 'docker', 'podman'].includes(a[0]))) {
    const table = argv[0] === 'minikube' ? MINIKUBE : argv[0] === 'podman' ? PODMAN : DOCKER;
    const w = words(argv);
    const sub = table[`${w[0]} ${w[1]}`] ? `${w[0]} ${w[1]}` : w[0];
    assert.ok(table[sub], `undocumented subcommand: ${argv.join(' ')}`);
    for (const f of flagsOf(argv))
      assert.ok(table[sub].includes(f), `${argv[0]} ${sub}: ${f} is not a documented flag (${argv.join(' ')})`);
    seen.add(`${argv[0]} ${sub}`);
  }
  assert.ok(seen.has('minikube start') && seen.has('docker network create') && seen.has('minikube image build'));
  assert.ok(seen.has('docker build') && seen.has('podman push'));
});

test('every kubectl command uses flags that `kubectl <command> --help` documents', () => {
  if (!requireTool('kubectl', 'kubectl flags of the plan', ['version', '--client'])) return;
  const SUBCOMMANDS = [
    'config get-contexts',
    'config view',
    'create namespace',
    'rollout status',
    'rollout restart',
    'patch',
    'apply',
    'create',
    'get',
    'wait',
    'diff',
    'version',
    'port-forward',
    'annotate',
  ];
  const globals = execFileSync('kubectl', ['options'], { encoding: 'utf8' });
  const helps = new Map<string, string>();
  let checked = 0;
  for (const argv of allCommands().filter((a) => a[0] === 'kubectl')) {
    const w = words(argv).join(' ');
    const sub = SUBCOMMANDS.find((s) => w === s || w.startsWith(`${s} `));
    assert.ok(sub, `unknown kubectl subcommand: ${argv.join(' ')}`);
    if (!helps.has(sub!))
      helps.set(sub!, execFileSync('kubectl', [...sub!.split(' '), '--help'], { encoding: 'utf8' }));
    for (const f of flagsOf(argv)) {
      const documented = new RegExp(`(^|[\\s,])${f.replace(/[-]/g, '\\-')}[=,\\s]`, 'm');
      assert.ok(
        documented.test(helps.get(sub!)!) || documented.test(globals),
        `kubectl ${sub}: ${f} is not documented (${argv.join(' ')})`,
      );
      checked += 1;
    }
  }
  assert.ok(checked > 20);
});

// Prediction of Application names.
const file = (path: string, contents: string): RenderedFile => ({ path: `gitops/argocd-apps/${path}`, contents });
const CLUSTERS = [
  { name: 'mon', server: 'https://10.0.0.1:8443', labels: { role: 'monitoring', env: 'none' } },
  { name: 'stage-a', server: 'https://10.0.0.2:8443', labels: { role: 'member', env: 'stage' } },
  { name: 'stage-b', server: 'https://10.0.0.3:8443', labels: { role: 'member', env: 'stage' } },
  { name: 'prod-a', server: 'https://10.0.0.4:8443', labels: { role: 'member', env: 'prod' } },
];

test('Application names: clusters, list and matrix generators, go templates, plain Applications', () => {
  const files = [
    file('kustomization.yaml', 'resources: [stack.yaml, members.yaml, single.yaml]\n'),
    file(
      'stack.yaml',
      `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: stack }
spec:
  goTemplate: true
  generators:
    - matrix:
        generators:
          - clusters: { selector: { matchLabels: { role: monitoring } } }
          - list: { elements: [{ app: mimir }, { app: loki }] }
  template: { metadata: { name: '{{.app}}-{{.name}}' } }
`,
    ),
    file(
      'members.yaml',
      `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: members }
spec:
  goTemplate: true
  generators:
    - clusters: { selector: { matchLabels: { role: member, env: stage } }, values: { component: agent } }
    - clusters: { selector: { matchLabels: { role: member, env: prod } }, values: { component: agent } }
  template: { metadata: { name: '{{.values.component}}-{{ index .metadata.labels "env" }}-{{.name}}' } }
`,
    ),
    file(
      'single.yaml',
      'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: rules }\n---\napiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: { name: ignored }\n',
    ),
    file(
      'unlisted.yaml',
      'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: not-in-the-kustomization }\n',
    ),
  ];
  assert.equal(expectedApplications(files, CLUSTERS), [
    'agent-prod-prod-a',
    'agent-stage-stage-a',
    'agent-stage-stage-b',
    'loki-mon',
    'mimir-mon',
    'rules',
  ]);
});

test('Application names: what cannot be predicted is an error, never a guess', () => {
  const appSet = (spec: string) => [
    file('kustomization.yaml', 'resources: [a.yaml]\n'),
    file('a.yaml', `kind: ApplicationSet\nmetadata: { name: a }\nspec:\n${spec}`),
  ];
  const cases: [string, string][] = [
    [
      '  goTemplate: true\n  generators: [{ git: { repoURL: x } }]\n  template: { metadata: { name: x } }\n',
      'the git generator is not predicted',
    ],
    [
      '  goTemplate: true\n  generators: [{ clusters: { selector: { matchExpressions: [] } } }]\n  template: { metadata: { name: x } }\n',
      'matchExpressions',
    ],
    [
      '  goTemplate: true\n  generators: [{ list: { elements: [{ a: 1 }] } }]\n  template: { metadata: { name: "{{.b}}" } }\n',
      'cannot evaluate {{.b}}',
    ],
    [
      '  generators: [{ list: { elements: [{ a: 1 }] } }]\n  template: { metadata: { name: "{{a}}" } }\n',
      'only goTemplate',
    ],
  ];
  for (const [spec, message] of cases) {
    assert.throws(
      () => expectedApplications(appSet(spec), CLUSTERS),
      (e: Error) => e instanceof PredictionError && e.message.includes(message),
    );
  }
});

test('Application names for the reference spec: per member cluster and per monitoring component, none for the control cluster', () => {
  const compiled = compileSpec(SPEC) as Compiled;
  const names = expectedApplications(compiled.files, registeredClusters(compiled.model));
  for (const n of [
    'alloy-agent-stage-cluster',
    'alloy-agent-prod-cluster',
    'instrumented-app-stage-cluster',
    'mimir-stage',
    'loki-prod',
    'tempo-stage',
    'grafana',
    'alerting-rules',
    'prometheus-operator-crds-monitoring-cluster',
  ])
    assert.ok(names.includes(n), n);
  assert.not.ok(names.some((n) => n.endsWith('-control-cluster') || n === 'alloy-agent-monitoring-cluster'));
  assert.ok(plan.steps.find((s) => s.id === 'health')!.title.startsWith(`Wait for ${names.length} Applications`));
});

test('Application status: sync, health and why, from kubectl get applications -o json', () => {
  const apps = parseApplications(
    JSON.stringify({
      items: [
        { metadata: { name: 'b' }, status: { sync: { status: 'Synced' }, health: { status: 'Healthy' } } },
        {
          metadata: { name: 'a' },
          status: {
            sync: { status: 'OutOfSync' },
            health: { status: 'Degraded' },
            conditions: [{ type: 'ComparisonError', message: 'repo not found' }],
            operationState: { phase: 'Failed', message: 'one or more objects failed to apply' },
            resources: [
              { kind: 'Deployment', name: 'x', health: { status: 'Degraded', message: 'ImagePullBackOff' } },
              { kind: 'Service', name: 'x', health: { status: 'Healthy' } },
            ],
          },
        },
        { metadata: { name: 'c' } },
      ],
    }),
  );
  assert.equal(apps, [
    {
      name: 'a',
      sync: 'OutOfSync',
      health: 'Degraded',
      message:
        'ComparisonError: repo not found; sync Failed: one or more objects failed to apply; Deployment/x Degraded: ImagePullBackOff',
    },
    { name: 'b', sync: 'Synced', health: 'Healthy' },
    { name: 'c', sync: 'Unknown', health: 'Unknown' },
  ]);
});

test('with platform.registry and existing members the plan builds the demo image and pushes it (--dry-run)', () => {
  const empty = mkdtempSync(join(tmpdir(), 'fabric-no-tools-'));
  const spec = fromRoot('tests/golden/existing-cluster/fabric.yaml');
  const out = spawnSync(
    process.execPath,
    ['--import', 'tsx', fromRoot('tests/fixtures/runner/run-cli.ts'), 'apply', '--dry-run', '--json', '--spec', spec],
    { cwd: fromRoot(), env: { PATH: empty, HOME: empty }, encoding: 'utf8' },
  );
  const steps = (JSON.parse(out.stdout) as typeof plan).steps;
  const ref = 'registry.example.com/fabric/fabric/instrumented-app:0.1.0';
  const step = steps.find((s) => s.id === `image/registry/${ref}`);
  assert.ok(step, steps.map((s) => s.id).join(', '));
  assert.equal(step!.commands, [
    ['docker', 'build', '-t', ref, '-f', 'runtime-app/Dockerfile', fromRoot()],
    ['docker', 'push', ref],
  ]);
  // Before the tree is pushed, so the existing member can pull it when ArgoCD deploys the app.
  assert.ok(steps.indexOf(step!) < steps.findIndex((s) => s.id === 'push'));
});

test.run();
