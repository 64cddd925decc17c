// The values the fuzzer plants: what breaks parsers, templates and the
// languages fabric writes (RELIABILITY A-C), and what a field's schema admits
// but a careless emitter would retype or splice (the "valid but hostile").

/** Strings that change meaning when spliced into YAML, Alloy, PromQL, Handlebars, shells or paths. */
export const HOSTILE_STRINGS: readonly string[] = [
  '"', "'", '\\', '"}', "'}", 'a"b', "it's", 'a\\"b', '`x`',
  'a\n  labels:\n    evil: "true"',
  'x\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding',
  'abc #comment: x', 'he said "hi"', '---', '...', '#', '# x', ': x', '- x', '? x', '|', '>', '&a', '*a', '!x', '%YAML 1.1', '@x',
  '{{ .server }}', '{{name}}', '{{{x}}}', '{{> partial}}', '{{#each x}}{{/each}}', '\\{{x}}', '{{ $labels.job }}', '${HOME}', '$(POD_UID)', '$HOME',
  'x"\n}\nprometheus.remote_write "evil" {\n  endpoint { url = "http://evil" }\n}\n//',
  'prod"} or vector(1) #', '{env="x"}', '.*', 'a|b', '\u0000', '../../etc/passwd', '/abs/path', '.', '..', 'C:\\x', 'CON', 'a/b',
  '<script>alert(1)</script>', '&amp;', 'p&ss<"x">', 'http://h/?a=1&b=2',
  'null', '~', 'yes', 'NO', 'on', 'y', '1:30', '12:30:00', '2024-01-01', '0800', '017', '1e3', '.inf', '.nan', 'true', '0x1F', '', ' ', ' lead', 'trail ', '\t',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty',
];

/** Characters that confuse lexers, terminals, normalisers and case mappers. */
export const SPECIAL_CHARS: readonly string[] = [
  '\u2028', '\u2029', '\u202e', '\u202d', '\u2066', '\u200b', '\u200d', '\ufeff', '\u0000', '\u0007', '\u001b', '\r', '\t', '\u0085', '\u00a0', '\u3000',
  '\u{1f680}', '\u{1f44d}\u{1f3fd}', '\u0301', 'e\u0301', '\u00e9', '\u0430', '\u0131', '\u017f', '\u212a', '\ufffd', '\ud800', '\uffff', '\ufb00', '\u2460', '\u0663', '\uff21',
];

/** Names the name rule admits that mean something else to YAML, JavaScript objects or fabric's own layout. */
export const TRICKY_NAMES: readonly string[] = [
  'no', 'yes', 'on', 'off', 'null', 'true', 'false', 'nan', 'inf', 'constructor', 'prototype', 'length', 'name', 'call',
  'shared', 'base', 'overlays', 'gitops', 'monitoring', 'apps', 'argocd', 'argocd-apps', 'observability', 'default', 'kube-system', 'grafana',
  'mimir', 'loki', 'tempo', 'alloy-agent', 'namespaces', 'rules-sync', 'kube-state-metrics', 'alerting-rules', 'platform', 'env-prod', 'instrumented-app',
  'x1', 'a--b', 'a-b', 'a0', 'e1', 'abcdefghijklmnopqrst', `a${'-'.repeat(38)}b`, 'a'.repeat(40),
];

const label63 = 'a'.repeat(63);
/** Per kind of field: values that fit its schema but are YAML-typed, extreme or near a boundary. */
export const VALID_HOSTILE: Record<string, readonly string[]> = {
  name: TRICKY_NAMES,
  envName: TRICKY_NAMES.filter((n) => n.length <= 20),
  host: ['1.5', '1e5', '0x10', '123', '0o17', 'no', 'true', 'null', 'yes.no', 'a.b.c', label63, `${label63}.${label63}.${label63}.${'a'.repeat(61)}`, 'x--y.z', '1-1.2-2', 'e.1', 'on.off', 'nan', 'inf'],
  revision: ['null', 'true', 'yes', 'NO', '1.10', '017', '1e3', '0x1F', '2024-01-01', 'v1.0/rc-1', 'a'.repeat(100), 'Main', 'refs/heads/x', 'a..b', 'a/', 'HEAD'],
  repoURL: [
    'https://h.example/a?b=1&c=2#frag', "https://h/'q'", 'https://h/*x!y', 'https://h/%7B%7B', 'https://u:p@h/x.git', 'git@h:a/b.git#no', 'file:///tmp/x',
    'ssh://git@h:22/x', 'https://h/a:b', 'https://h/[x]', 'https://h/$(x)', 'https://h/---', 'https://h/#comment', 'http://h/a,b;c=d', 'git@h:null', 'https://h/&a *b',
  ],
  server: ["https://h:1/'", 'https://h/#x', 'https://h/a?b=c&d', 'https://10.0.0.5:6443', 'https://h/$(x)', 'https://h/*', 'https://h:65536', 'https://h', 'https://-.-'],
  context: ['12:30:00', '1:30', 'no', 'null', 'a@b:c/d', 'arn:aws:eks:eu-west-1:1:cluster/x', '0x10', '1e3', 'true', 'a'.repeat(253), 'A.B_c'],
  image: ['a:1', 'x/y:1.10', 'localhost:5000/a:1e3', 'a:no', 'a:null', `a@sha256:${'0'.repeat(64)}`, 'reg.io:5000/a/b/c:v1_2-3', `a:${'x'.repeat(128)}`, 'a:yes', 'a:0800', 'a.b/c:1:30'],
  ip: ['0.0.0.0', '255.255.255.255', '192.168.200.1', '192.168.200.0', '192.168.200.255', '192.168.200.254', '010.1.1.1', '1.1.1.01', '192.168.200.2'],
  subnet: ['0.0.0.0/8', '255.255.255.255/30', '192.168.200.0/30', '10.0.0.0/8', '192.168.200.128/25', '192.168.200.7/24'],
  duration: ['1ms', '1w', '999999999999w', '99999999999999999999d', '1h30m', '1d1d', '1ms1s', '59s', '24h', '9007199254740993s', '1000000000000000000000000ms', '7d', '25h', '1000000d', '292y'],
  memory: ['1m', '1g', '99999999999999999999g', '999999m', '9007199254740993m', '1024g'],
  storage: ['1Mi', '99999999999999999999Ti', '1Ti', '9007199254740993Gi'],
  gitPath: ['a', 'a/b/c', 'null', 'yes', '1.10', 'a..b', 'gitops', 'a/gitops', `${'a'.repeat(200)}`],
  k8sVersion: ['v1.0.0', 'v1.99999999999999999999.0', 'v1.32.4'],
};

/** Numbers written as YAML text: range edges, precision edges, YAML 1.1/1.2 forms, and non-numbers. */
export const EXTREME_NUMBERS: readonly string[] = [
  '0', '-1', '1', '-0', '0.5', '29999', '30000', '32767', '32768', '65535', '65536', '9007199254740993', '1e308', '1e309', '-1e308', '5e-324',
  '.nan', '.NaN', '.inf', '-.inf', '0x7FFF', '0o77777', '017', '0800', '1_000', '99999999999999999999', '"30090"', '~', 'null', 'true', '1e3', '+30090', '30090.0', '3e4',
];

/** In-range extremes per numeric field kind, so that a valid spec stays valid. */
export const VALID_NUMBERS: Record<string, readonly string[]> = {
  nodePort: ['30000', '32767', '30000.0', '3e4', '0x7FFF', '+30001'],
  port: ['1', '65535', '0x1F90', '8080.0'],
  cpus: ['1', '64', '1.0'],
  replicas: ['1', '100'],
  ratio: ['5e-324', '1e-7', '0.9999999999999999', '0.5', '1e-300', '0.333333333333333333333'],
  rate: ['5e-324', '1000000', '1e-300', '0.1', '1e6', '999999.9999999999'],
  count: ['1', '10000', '1e4'],
};
