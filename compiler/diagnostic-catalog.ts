// Every diagnostic code fabric emits, in one table. A Diagnostic's code is typed
// as a key of this table, so a code cannot be used without an entry here;
// docs/diagnostics.md is generated from it (node scripts/gen-diagnostics-docs.mjs)
// and tests/diagnostic-catalog.test.ts checks that every entry has a bad-spec
// fixture in tests/fixtures/bad (or says here why it cannot have one).
//
// To add a code: add an entry (the next free number in its range), use it from
// a check (validate/checks/*.ts lists it in `codes`), add a fixture whose first
// line is `# expect: FABnnn at line:col`, and regenerate the doc.
//   FAB0xx reading and parsing the file   FAB1xx the JSON Schema   FAB2xx semantic checks

export type Severity = 'error' | 'warning';

export interface CatalogEntry {
  /** Stable kebab-case name, e.g. unknown-key. */
  name: string;
  severity: Severity;
  /** What the problem is, one sentence. */
  summary: string;
  /** A fabric.yaml excerpt (or a command) that produces it. */
  example: string;
  /** What fixes it, in general (each diagnostic's hint says it for its case). */
  fix: string;
  /** Why no file in tests/fixtures/bad expects this code, and where it is tested instead. */
  noFixture?: string;
}

export const CATALOG = {
  FAB001: {
    name: 'unreadable-spec',
    severity: 'error',
    summary: 'The spec cannot be read: it does not exist, is a directory, is not a regular file, or is not readable.',
    example: 'fabric validate --spec /dev/zero',
    fix: 'Pass the path of a regular file with --spec (default spec/fabric.yaml).',
    noFixture:
      'a missing file, a device or a FIFO cannot be a committed fixture; tests/validate-fixtures.test.ts and tests/validate-limits.test.ts run them through the CLI',
  },
  FAB002: {
    name: 'spec-too-large',
    severity: 'error',
    summary: 'The spec is larger than 1 MiB; it is refused before parsing.',
    example: 'fabric validate --spec a-2-MiB-file.yaml',
    fix: 'Check the path: a fleet spec is a few kilobytes.',
    noFixture: 'a 1 MiB fixture is not worth committing; tests/validate-fixtures.test.ts writes one',
  },
  FAB003: {
    name: 'empty-spec',
    severity: 'error',
    summary: 'The spec has no content (empty, only comments, or null).',
    example: '# nothing but a comment',
    fix: 'Start from spec/fabric.yaml, which describes the reference deployment.',
  },
  FAB010: {
    name: 'yaml-syntax',
    severity: 'error',
    summary:
      'The file is not valid YAML (unclosed quote or bracket, bad indentation, tab indentation, alias without anchor).',
    example: 'clusters: { control: { role: control }',
    fix: 'Fix the YAML at the position shown; for an unclosed quote or bracket the position is where it opens.',
  },
  FAB011: {
    name: 'duplicate-key',
    severity: 'error',
    summary: 'A key appears twice in one mapping; YAML would silently keep one of them.',
    example: 'name: lgtm\nname: other',
    fix: 'Remove one of the two keys (both places are shown).',
  },
  FAB012: {
    name: 'yaml-tag',
    severity: 'error',
    summary: 'An explicit YAML tag (!!set, !vault, !!timestamp) would smuggle a non-plain value past the schema.',
    example: 'name: !vault lgtm',
    fix: 'Remove the tag; write a plain string, number, list or mapping.',
  },
  FAB013: {
    name: 'yaml-too-deep',
    severity: 'error',
    summary:
      'The document nests too deeply to parse ([ and { more than 64 deep are refused before parsing), or its aliases expand too far (more than 100 expansions).',
    example: 'name: [[[[[[[[[[ ... thousands of brackets',
    fix: 'A fabric.yaml is a few levels deep; look for unclosed [ or {, and write repeated values out.',
  },
  FAB014: {
    name: 'merge-key',
    severity: 'error',
    summary: 'A merge key (<<) is YAML 1.1, not 1.2; tools disagree on what it means.',
    example: 'prod:\n  <<: *stage',
    fix: 'Write the keys out, or use environment overrides (environments.<env>.alerts).',
  },
  FAB015: {
    name: 'multiple-documents',
    severity: 'error',
    summary: 'The file holds a second YAML document (a second ---).',
    example: 'name: lgtm\n---\nname: other',
    fix: 'Remove the extra --- and what follows, or merge it into the first document.',
  },
  FAB016: {
    name: 'yaml-1.1-value',
    severity: 'warning',
    summary: 'A plain value that YAML 1.1 tools (Kubernetes, kubectl) read differently (no -> false, 0o17, 1:30).',
    example: 'environments:\n  no: {}',
    fix: 'Quote the value: "no".',
  },
  FAB017: {
    name: 'top-level-not-mapping',
    severity: 'error',
    summary: 'The top level of the file is a list or a single value, not a mapping.',
    example: '- name: lgtm',
    fix: 'Write the spec as keys and values (name:, git:, clusters:, ...), as in spec/fabric.yaml.',
  },
  FAB018: {
    name: 'self-referencing-alias',
    severity: 'error',
    summary: 'An alias inside the node it refers to: the value would contain itself.',
    example: 'apps: &apps\n  web: *apps',
    fix: 'Point the alias at a node outside this one, or write the value out.',
  },
  FAB100: {
    name: 'more-not-shown',
    severity: 'error',
    summary: 'More than 50 diagnostics: the first 50 are shown, the rest counted in this one.',
    example: 'a long line of garbage, or a file with 60 unknown keys',
    fix: 'Fix the problems shown and validate again.',
    noFixture:
      'it is always the 51st diagnostic, never the first; tests/validate-limits.test.ts and tests/schema.test.ts check it',
  },
  FAB101: {
    name: 'unknown-key',
    severity: 'error',
    summary: 'A key the schema does not define (often a typo).',
    example: 'clusters:\n  control:\n    rol: control',
    fix: 'Use the key the hint suggests, or remove it; docs/spec.md lists every key.',
  },
  FAB102: {
    name: 'missing-key',
    severity: 'error',
    summary: 'A required key is missing, or a mapping that must have entries is empty.',
    example: 'git:\n  revision: main   # no repoURL',
    fix: 'Add the key named in the message.',
  },
  FAB103: {
    name: 'wrong-type',
    severity: 'error',
    summary: 'A value has the wrong type (a string where a number is expected, a list for a mapping, ...).',
    example: 'grafana:\n  nodePort: "30300"',
    fix: 'Write the type named in the message; quote strings that look like numbers, unquote numbers.',
  },
  FAB104: {
    name: 'invalid-value',
    severity: 'error',
    summary: 'A value of the right type that the schema does not allow (pattern, range, length, allowed values).',
    example: 'clusters:\n  control:\n    role: master',
    fix: 'Use a value of the format the hint describes; docs/spec.md lists each format.',
  },
  FAB105: {
    name: 'invalid-name',
    severity: 'error',
    summary: 'A name (cluster, environment, app) that is not a DNS label: lowercase letters, digits and -.',
    example: 'environments:\n  Prod_EU: {}',
    fix: 'Rename it as the hint suggests (prod-eu).',
  },
  FAB201: {
    name: 'unknown-environment',
    severity: 'error',
    summary: 'A cluster, app or custom alert names an environment that is not defined under environments:.',
    example: 'clusters:\n  prod-cluster:\n    role: member\n    environment: prdo',
    fix: 'Use a defined environment (the hint suggests the closest), or define it.',
  },
  FAB202: {
    name: 'control-cluster-count',
    severity: 'error',
    summary: 'There must be exactly one cluster with role control (it runs ArgoCD).',
    example: 'clusters:\n  a: { role: control }\n  b: { role: control }',
    fix: 'Keep one control cluster.',
  },
  FAB203: {
    name: 'monitoring-cluster-count',
    severity: 'error',
    summary: 'There must be exactly one cluster with role monitoring (it runs Mimir, Loki, Tempo and Grafana).',
    example: 'clusters:\n  control: { role: control }   # no monitoring cluster',
    fix: 'Keep one monitoring cluster.',
  },
  FAB204: {
    name: 'environment-without-member',
    severity: 'error',
    summary: 'An environment that no member cluster runs.',
    example: 'environments:\n  qa: {}   # no cluster has environment: qa',
    fix: 'Add a member cluster with environment: <env>, or remove the environment.',
  },
  FAB205: {
    name: 'nodeport-collision',
    severity: 'error',
    summary: 'Two Services in one cluster would take the same NodePort.',
    example: 'grafana:\n  nodePort: 30090   # also environments.stage.ports.mimir',
    fix: 'Give every Service in a cluster its own NodePort (30000-32767).',
  },
  FAB206: {
    name: 'host-collision',
    severity: 'error',
    summary: 'Two Ingresses would take the same host name.',
    example: 'apps:\n  web:\n    hosts: { stage: grafana.local }',
    fix: 'Give every Ingress its own host.',
  },
  FAB207: {
    name: 'ip-outside-subnet',
    severity: 'error',
    summary: "A minikube cluster's ip is outside platform.subnet.",
    example: 'clusters:\n  control:\n    ip: 10.0.0.5   # subnet 192.168.200.0/24',
    fix: 'Pick an address inside the subnet, or change platform.subnet.',
  },
  FAB208: {
    name: 'address-collision',
    severity: 'error',
    summary: 'Two clusters use the same ip or the same kube context.',
    example: 'clusters:\n  a: { ip: 192.168.200.10 }\n  b: { ip: 192.168.200.10 }',
    fix: 'Give every cluster its own address and context.',
  },
  FAB209: {
    name: 'memory-budget',
    severity: 'warning',
    summary: 'The minikube clusters ask for more memory than platform.memoryBudget.',
    example: 'platform:\n  memoryBudget: 8g   # four clusters of 3g',
    fix: 'Lower clusters.<name>.memory, raise the budget, or move clusters to provider: existing.',
  },
  FAB210: {
    name: 'environment-role-mismatch',
    severity: 'error',
    summary: 'A member cluster without an environment, or a control/monitoring cluster with one.',
    example: 'clusters:\n  stage-cluster:\n    role: member   # no environment:',
    fix: 'Give member clusters an environment; remove it from the others.',
  },
  FAB211: {
    name: 'minikube-without-ip',
    severity: 'error',
    summary: 'A minikube cluster has no static ip; clusters reach each other at these addresses.',
    example: 'clusters:\n  control:\n    role: control   # no ip:',
    fix: 'Add ip: with a free address in platform.subnet.',
  },
  FAB212: {
    name: 'provider-field-mismatch',
    severity: 'error',
    summary: 'A field that does not apply to the cluster provider, or one an existing cluster needs is missing.',
    example: 'clusters:\n  cloud:\n    provider: existing\n    cpus: 4',
    fix: 'minikube clusters take cpus/memory/ip; existing ones take context/server (and ip for monitoring).',
  },
  FAB213: {
    name: 'backend-ports-tenancy',
    severity: 'error',
    summary: 'Backend ports in the wrong place for the tenancy mode.',
    example: 'backends:\n  tenancy: isolated\n  ports: { mimir: 30090, loki: 30100, tempo: 30200 }',
    fix: 'isolated: ports under environments.<env>.ports; shared: one set under backends.ports.',
  },
  FAB214: {
    name: 'unpinned-image',
    severity: 'error',
    summary: 'An app image without a version tag or digest, or with :latest.',
    example: 'apps:\n  web:\n    image: fabric/web:latest',
    fix: 'Pin the image: a version tag such as :0.1.0, or @sha256:<digest>.',
  },
  FAB216: {
    name: 'reserved-address',
    severity: 'error',
    summary: "A cluster ip is the subnet's network, broadcast or gateway address.",
    example: 'clusters:\n  control:\n    ip: 192.168.200.1',
    fix: 'Pick another address, for example .10 and up.',
  },
  FAB217: {
    name: 'loki-retention-days',
    severity: 'error',
    summary: 'Loki retention that is not a whole number of days.',
    example: 'environments:\n  prod:\n    retention: { logs: 36h }',
    fix: 'Use a multiple of 24h, such as 7d.',
  },
  FAB218: {
    name: 'reserved-app-name',
    severity: 'error',
    summary: 'An app named like a component fabric generates (alloy-agent, monitoring, ...).',
    example: 'apps:\n  monitoring: { image: x:1 }',
    fix: 'Rename the app.',
  },
  FAB280: {
    name: 'reserved-environment-name',
    severity: 'error',
    summary:
      "An environment named default or grafana: the name is its Mimir datasource's uid in Grafana, and Grafana reads those two uids as its own datasources.",
    example: 'environments:\n  default: {}',
    fix: 'Rename the environment (and the environment: of its member clusters).',
  },
  FAB219: {
    name: 'host-without-app',
    severity: 'error',
    summary: 'An app has a host for an environment it does not run in.',
    example: 'apps:\n  web:\n    environments: [stage]\n    hosts: { prod: web.local }',
    fix: 'Add the environment to apps.<name>.environments, or remove the host.',
  },
  FAB220: {
    name: 'value-too-large',
    severity: 'error',
    summary: 'A duration longer than a Go duration holds, or more memory than minikube can take.',
    example: 'environments:\n  prod:\n    retention: { metrics: 9999999h }',
    fix: 'Use a smaller value.',
  },
  FAB221: {
    name: 'application-name-collision',
    severity: 'error',
    summary: 'Two ArgoCD Applications would get the same name.',
    example: 'apps:\n  alloy-agent-prod: ...   # and a cluster named prod',
    fix: 'Rename the app, cluster or environment.',
  },
  FAB222: {
    name: 'invalid-url',
    severity: 'error',
    summary: 'A URL that matches the pattern but does not parse (a port above 65535, a bad host).',
    example: 'clusters:\n  cloud:\n    server: https://api.example.com:99999',
    fix: 'Check the port (at most 65535) and the host name.',
  },
  FAB223: {
    name: 'credentials-in-repo-url',
    severity: 'error',
    summary:
      'git.repoURL carries a user name or token; it would be written into generated files and pushed in plain text.',
    example: 'git:\n  repoURL: https://user:ghp_xxxx@github.com/you/fleet.git',
    fix: 'Remove the credentials from the URL; use a credential file or environment variable, not the URL.',
  },
  FAB224: {
    name: 'unpushable-revision',
    severity: 'error',
    summary:
      'git.revision is not a branch name fabric can push: HEAD, a tag, a commit SHA, a full ref, or a name git check-ref-format refuses.',
    example: 'git:\n  revision: HEAD',
    fix: 'Name the branch that fabric pushes to and ArgoCD tracks, such as main.',
  },
  FAB225: {
    name: 'subnet-host-bits',
    severity: 'error',
    summary: 'platform.subnet has host bits set (192.168.200.5/24); docker refuses such a network.',
    example: 'platform:\n  subnet: 192.168.200.5/24',
    fix: 'Write the network address: 192.168.200.0/24.',
  },
  FAB250: {
    name: 'ingest-unreachable',
    severity: 'error',
    summary:
      "An existing member cluster would send telemetry to the monitoring node's address on this machine's private minikube network.",
    example:
      'clusters:\n  monitoring-cluster: { role: monitoring, ip: 192.168.200.13 }\n  prod-eks: { role: member, environment: prod, provider: existing, context: prod }',
    fix: 'Set clusters.<monitoring>.ingest.url to an https address every member can reach, with ingest.tls.secret.',
  },
  FAB251: {
    name: 'ingest-plaintext',
    severity: 'error',
    summary: 'An existing member would send its ingest credentials and telemetry over plain http.',
    example: 'clusters:\n  monitoring-cluster:\n    ingest: { url: http://ingest.example.com }',
    fix: 'Use an https:// ingest.url, with ingest.tls.secret or a TLS-terminating load balancer.',
  },
  FAB252: {
    name: 'egress-cidrs-missing',
    severity: 'error',
    summary: "An existing member has no egressCIDRs: the gateway's NetworkPolicy would have to admit 0.0.0.0/0.",
    example: 'clusters:\n  prod-eks: { role: member, environment: prod, provider: existing, context: prod }',
    fix: 'Set clusters.<name>.egressCIDRs to the addresses the cluster sends from (its NAT gateway IPs).',
  },
  FAB253: {
    name: 'egress-cidr-invalid',
    severity: 'error',
    summary: 'An egressCIDRs entry has host bits set, or is 0.0.0.0/0.',
    example: 'clusters:\n  prod-eks:\n    egressCIDRs: [203.0.113.5/24]',
    fix: 'Write the network address (203.0.113.0/24) or the one address (203.0.113.5/32).',
  },
  FAB254: {
    name: 'cni-no-network-policy',
    severity: 'warning',
    summary: 'platform.cni is a CNI that enforces no NetworkPolicy (kindnet): the generated policies do nothing.',
    example: 'platform:\n  cni: kindnet',
    fix: 'Use calico (the default) or cilium.',
  },
  FAB255: {
    name: 'app-image-unpullable',
    severity: 'error',
    summary: 'An app built locally (runtime-app/) runs on an existing cluster whose nodes cannot pull it.',
    example: 'apps:\n  shop: { image: fabric/instrumented-app:0.1.0, port: 8080 }   # with an existing member',
    fix: 'Set platform.registry (a registry the nodes pull from), or use an image from a public registry.',
  },
  FAB256: {
    name: 'ingest-misplaced',
    severity: 'error',
    summary: 'clusters.<name>.ingest is set on a cluster that is not the monitoring cluster.',
    example: 'clusters:\n  stage-cluster: { role: member, ingest: { url: https://x.example.com } }',
    fix: 'Move it to the monitoring cluster.',
  },
  FAB226: {
    name: 'repo-unreachable-from-cluster',
    severity: 'warning',
    summary:
      'ArgoCD reads git.repoURL from inside the control cluster, where a file:// path, localhost or 127.0.0.1 is not the repository fabric pushed to.',
    example: 'git:\n  repoURL: file:///srv/gitops.git',
    fix: 'Use a repository the cluster can reach: https or ssh on a host it resolves.',
    noFixture:
      'a warning, and tests/fixtures/bad holds specs that fail; tests/runner-preflight.test.ts validates file://, localhost and 127.0.0.1 URLs through the CLI',
  },
  FAB227: {
    name: 'credential-sources',
    severity: 'error',
    summary: 'git.credentials names none or more than one of tokenEnv, tokenFile and sshKeyFile.',
    example: 'git:\n  credentials: { tokenEnv: GITOPS_TOKEN, sshKeyFile: ~/.ssh/id_ed25519 }',
    fix: 'Give one: a token (tokenEnv or tokenFile) for https, a key (sshKeyFile) for ssh.',
  },
  FAB240: {
    name: 'unknown-override-component',
    severity: 'error',
    summary: 'overrides names a component fabric does not deploy.',
    example: 'overrides:\n  mimri: { replicas: 1 }',
    fix: 'Use a component name: mimir, loki, tempo, grafana, rules-sync, alloy-agent, kube-state-metrics, namespaces, alerting-rules, or an app.',
  },
  FAB241: {
    name: 'override-scope',
    severity: 'error',
    summary:
      'An override scope names an environment or cluster that does not exist, where the component does not deploy, or that no overlay of its own serves (the shared backends, the monitoring cluster).',
    example: 'overrides:\n  mimir:\n    environments: [prdo]',
    fix: 'Name environments or member clusters the component deploys to, give only one of environments and clusters, or drop the scope.',
  },
  FAB242: {
    name: 'override-patch-form',
    severity: 'error',
    summary: 'A patch gives both or neither of patch (strategic merge) and ops (JSON 6902).',
    example: 'patches:\n  - target: { kind: Service, name: mimir }',
    fix: 'Give exactly one of patch: and ops:.',
  },
  FAB243: {
    name: 'app-env-reserved',
    severity: 'error',
    summary: 'apps.<name>.env sets a variable fabric sets itself (PORT, POD_UID, OTEL_*).',
    example: 'apps:\n  web:\n    env: { PORT: "9000" }',
    fix: 'Use port: for the port; the OTEL_* variables wire the app to its Alloy agent.',
  },
  FAB244: {
    name: 'override-target-not-found',
    severity: 'error',
    summary:
      "A patch target (kind and name) matches no object in the component's base; kustomize would skip the patch silently.",
    example: 'overrides:\n  mimir:\n    patches:\n      - target: { kind: StatefulSet, name: mimir-prod }',
    fix: "Name an object of the component's base by its base name (without the overlay's suffix); the hint lists them.",
    noFixture: 'found at compile, after render: tests/overrides.test.ts runs it through `fabric compile`',
  },
  FAB245: {
    name: 'override-object-mismatch',
    severity: 'error',
    summary:
      'A patch names a container its target does not have (kustomize would add an image-less container), or resourcesDir defines an object fabric already renders.',
    example: 'patch: { spec: { template: { spec: { containers: [ { name: mimri, resources: {} } ] } } } }',
    fix: 'Name an existing container (or give a new one an image); rename the extra object.',
    noFixture: 'found at compile, after render: tests/overrides.test.ts runs it through `fabric compile`',
  },
  FAB246: {
    name: 'override-not-applicable',
    severity: 'error',
    summary:
      'replicas on a DaemonSet, or resources/replicas/env/nodeSelector/tolerations on a component without exactly one workload.',
    example: 'overrides:\n  alloy-agent: { replicas: 2 }',
    fix: 'Remove the setting, or use patches: with an explicit target.',
    noFixture: 'found at compile, after render: tests/overrides.test.ts runs it through `fabric compile`',
  },
  FAB247: {
    name: 'bad-resources-dir',
    severity: 'error',
    summary:
      'overrides.<component>.resourcesDir is missing, not a directory, or holds something other than small regular YAML files of Kubernetes objects.',
    example: 'overrides:\n  mimir:\n    resourcesDir: extra/mimir   # does not exist',
    fix: 'Point it at a directory (relative to the spec) of *.yaml files, each document with apiVersion, kind and metadata.name.',
    noFixture: 'needs a directory beside the spec; tests/overrides.test.ts writes one',
  },
  FAB228: {
    name: 'unknown-receiver',
    severity: 'error',
    summary:
      "An alerting route names a receiver that is not defined under alerting.receivers (or the environment's own alerting.receivers).",
    example: 'alerting:\n  receivers:\n    chat: ...\n  route:\n    receiver: pager',
    fix: 'Define the receiver under alerting.receivers, or name one that is defined.',
  },
  FAB260: {
    name: 'alert-duration-too-short',
    severity: 'error',
    summary:
      "A built-in alert's `for` is shorter than Mimir's 1m rule evaluation interval, or podRestarts.window is shorter than 2m (two samples at a 1m interval): the rule could not do what it says.",
    example: 'alerts:\n  podRestarts: { window: 1m }',
    fix: 'Use at least 1m for `for` and 2m for the window.',
  },
  FAB261: {
    name: 'alert-duration-too-long',
    severity: 'error',
    summary:
      "A built-in alert's `for` is longer than 6h, or podRestarts.window longer than 7d: its promtool test would evaluate the rules every minute for that long, and the ruler would read that much data every minute.",
    example: 'alerts:\n  errorRate: { for: 1d }',
    fix: 'Use at most 6h for `for` and 7d for the window.',
  },
  FAB262: {
    name: 'latency-threshold-unreachable',
    severity: 'error',
    summary:
      'alerts.latencyP95.threshold is 10s or more: OpenTelemetry SDKs bucket http.server.request.duration up to 10s, so the computed p95 never exceeds it and the alert never fires.',
    example: 'alerts:\n  latencyP95: { threshold: 30s }',
    fix: 'Use a threshold below 10s.',
  },
  FAB270: {
    name: 'custom-alert-name',
    severity: 'error',
    summary:
      'A custom alert name (a key of alerts.custom) is not a Prometheus alert name, or is the name of a built-in alert.',
    example: 'alerts:\n  custom:\n    queue-backlog: { expr: queue_depth > 100, severity: warning, summary: Backlog }',
    fix: 'Use letters, digits, _ and : only, not starting with a digit, and not HighErrorRate, HighLatencyP95, LowRequestRate, PodRestarting or ServiceDown.',
  },
  FAB271: {
    name: 'custom-alert-promql',
    severity: 'error',
    summary: "A custom alert's expr is not valid PromQL; the position is where it stops parsing.",
    example:
      'alerts:\n  custom:\n    QueueBacklog: { expr: sum(queue_depth > 100, severity: warning, summary: Backlog }',
    fix: 'Fix the expression at the position shown.',
  },
  FAB272: {
    name: 'custom-alert-test-input',
    severity: 'error',
    summary:
      'A custom alert test\'s input cannot be loaded by promtool: a series that is not metric{label="value"}, values not in promtool\'s expanding notation (or more than a week of samples), or a label that is not a label name.',
    example: "tests:\n  - { series: { 'queue_depth{job=~\"w.*\"}': '150 by 20' }, firesAt: 10m }",
    fix: "Write series as metric{label=\"value\"} and values as 'a+bxN', 'axN', '_', '_xN', 'stale' or numbers, separated by spaces.",
  },
  FAB273: {
    name: 'custom-alert-test-expectation',
    severity: 'error',
    summary:
      "A custom alert test gives neither or both of firesAt and silentAt, a time after its series end or longer than a day, firesAt before the rule's for: has passed, labels with silentAt, or labels that fabric sets itself (alertname, alertstate, severity, env).",
    example: "tests:\n  - { series: { 'queue_depth{job=\"worker\"}': '150x5' }, firesAt: 10m }",
    fix: "Give exactly one of firesAt and silentAt, at a time the series cover (and, for firesAt, at least the rule's for:).",
  },
  FAB274: {
    name: 'custom-alert-duration',
    severity: 'error',
    summary: "A custom alert's for: or a test's interval is longer than a Go duration holds.",
    example:
      'alerts:\n  custom:\n    QueueBacklog: { expr: queue_depth > 100, for: 9999999h, severity: warning, summary: Backlog }',
    fix: 'Use a shorter duration.',
  },
  FAB275: {
    name: 'custom-alert-scope',
    severity: 'error',
    summary:
      'alerts.custom is written under an environment; custom alerts are defined at the top level and scoped with environments:.',
    example: 'environments:\n  prod:\n    alerts:\n      custom: { ... }',
    fix: 'Move the rules to the top-level alerts.custom and give each environments: [<env>].',
  },
} as const satisfies Record<`FAB${number}`, CatalogEntry>;

/** A code with a catalog entry; Diagnostic.code has this type. */
export type Code = keyof typeof CATALOG;

export const catalogEntry = (code: Code): CatalogEntry => CATALOG[code];
