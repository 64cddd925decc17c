// Mutations of a fabric.yaml. Structure-aware ones edit the parsed YAML
// document (so comments and layout survive and the result is still close to a
// real spec); a few act on the text, where the parser must see what they do
// (duplicate keys, raw control characters, layout); byte mutations act on the
// encoded file.
import {
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  Scalar,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import type { Rng } from './prng.ts';
import {
  EXTREME_NUMBERS,
  HOSTILE_STRINGS,
  SPECIAL_CHARS,
  TRICKY_NAMES,
  VALID_HOSTILE,
  VALID_NUMBERS,
} from './values.ts';

type Path = (string | number)[];

/** A place in the document that holds a value. */
interface Slot {
  path: Path;
  node: unknown;
  set(value: unknown): void;
  remove(): void;
  /** The key scalar, when the slot is a mapping entry. */
  key?: Scalar;
  map?: YAMLMap;
}

interface Mutation {
  doc: Document;
  rng: Rng;
  /** A validity-keeping mutation is wanted (the case should still compile). */
  keepValid: boolean;
  /** A plain scalar that becomes `text` verbatim after serialisation. */
  raw(text: string): Scalar;
  /** Text edits applied after serialisation, in order. */
  textEdits: ((text: string) => string)[];
}

type Operator = (m: Mutation) => string | undefined;

function slotsOf(doc: Document): Slot[] {
  const out: Slot[] = [];
  const walk = (node: unknown, path: Path) => {
    if (isMap(node)) {
      const map = node as YAMLMap;
      for (const pair of [...map.items] as Pair[]) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const p = [...path, key];
        out.push({
          path: p,
          node: pair.value,
          key: isScalar(pair.key) ? (pair.key as Scalar) : undefined,
          map,
          set: (v) => {
            pair.value = v as Node;
          },
          remove: () => {
            map.items.splice(map.items.indexOf(pair), 1);
          },
        });
        walk(pair.value, p);
      }
    } else if (isSeq(node)) {
      const seq = node as YAMLSeq;
      seq.items.forEach((item, i) => {
        const p = [...path, i];
        out.push({
          path: p,
          node: item,
          set: (v) => {
            seq.items[i] = v as Node;
          },
          remove: () => {
            seq.items.splice(i, 1);
          },
        });
        walk(item, p);
      });
    }
  };
  walk(doc.contents, []);
  return out;
}

const same = (path: Path, pattern: (string | RegExp)[]) =>
  path.length === pattern.length &&
  pattern.every((p, i) => (typeof p === 'string' ? p === '*' || p === path[i] : p.test(String(path[i]))));

/** What a field holds, from its path (the schema's $defs, by name). */
function fieldKind(path: Path): string | undefined {
  const rules: [(string | RegExp)[], string][] = [
    [['name'], 'name'],
    [['git', 'repoURL'], 'repoURL'],
    [['git', 'revision'], 'revision'],
    [['git', 'path'], 'gitPath'],
    [['platform', 'network'], 'name'],
    [['platform', 'subnet'], 'subnet'],
    [['platform', 'kubernetesVersion'], 'k8sVersion'],
    [['platform', 'memoryBudget'], 'memory'],
    [['clusters', '*', 'ip'], 'ip'],
    [['clusters', '*', 'memory'], 'memory'],
    [['clusters', '*', 'context'], 'context'],
    [['clusters', '*', 'server'], 'server'],
    [['clusters', '*', 'cpus'], 'cpus'],
    [['environments', '*', 'ports', '*'], 'nodePort'],
    [['backends', 'ports', '*'], 'nodePort'],
    [['grafana', 'nodePort'], 'nodePort'],
    [['apps', '*', 'nodePort'], 'nodePort'],
    [['environments', '*', 'retention', '*'], 'duration'],
    [['environments', '*', 'storage', '*'], 'storage'],
    [['backends', 'storage', '*'], 'storage'],
    [['grafana', 'host'], 'host'],
    [['apps', '*', 'hosts', '*'], 'host'],
    [['grafana', 'adminSecret'], 'name'],
    [['apps', '*', 'image'], 'image'],
    [['apps', '*', 'port'], 'port'],
    [['apps', '*', 'replicas'], 'replicas'],
  ];
  for (const [pattern, kind] of rules) if (same(path, pattern)) return kind;
  // Alerts, at the top level or per environment.
  const alert =
    path[0] === 'alerts'
      ? path.slice(1)
      : path[0] === 'environments' && path[2] === 'alerts'
        ? path.slice(3)
        : undefined;
  if (alert?.length === 2) {
    const [name, field] = alert;
    if (field === 'for' || field === 'window' || (name === 'latencyP95' && field === 'threshold')) return 'duration';
    if (field === 'threshold')
      return name === 'errorRate'
        ? 'ratio'
        : name === 'lowRequestRate'
          ? 'rate'
          : name === 'podRestarts'
            ? 'count'
            : undefined;
  }
  return undefined;
}

const mapAt = (doc: Document, key: string): YAMLMap | undefined => {
  const n = doc.get(key, true);
  return isMap(n) ? (n as YAMLMap) : undefined;
};
const keysOf = (map: YAMLMap | undefined): string[] =>
  map ? (map.items as Pair[]).filter((p) => isScalar(p.key)).map((p) => String((p.key as Scalar).value)) : [];

function randomLabel(rng: Rng, max: number): string {
  const len = rng.int(2, max);
  const alnum = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let s = rng.pick([...'abcdefghijklmnopqrstuvwxyz']);
  while (s.length < len - 1) s += rng.chance(0.1) ? '-' : rng.pick([...alnum]);
  return s + rng.pick([...alnum]);
}

/** A new name for a cluster, environment or app: valid, tricky, colliding, or broken. */
function newName(m: Mutation, max: number, existing: string[], old: string): string {
  const { rng } = m;
  const valid = [...TRICKY_NAMES.filter((n) => n.length <= max), randomLabel(rng, max), randomLabel(rng, max)];
  if (m.keepValid) return rng.pick(valid.filter((n) => !existing.includes(n)).concat(randomLabel(rng, max)));
  return rng.weighted<string>([
    [6, rng.pick(valid)],
    [1, existing.length ? rng.pick(existing) : old],
    [1, old.toUpperCase()],
    [1, old.replace(/o/, '\u043e')],
    [1, `${old}\u0301`],
    [1, 'a'.repeat(max + 1)],
    [1, `${old}_x`],
    [1, rng.pick(HOSTILE_STRINGS)],
    [1, old.slice(0, 1)],
  ]);
}

// ---------------------------------------------------------------- operators

const dropKey: Operator = (m) => {
  const slots = slotsOf(m.doc);
  if (!slots.length) return undefined;
  const s = m.rng.pick(slots);
  s.remove();
  return `drop ${s.path.join('.')}`;
};

const retype: Operator = (m) => {
  const slots = slotsOf(m.doc);
  if (!slots.length) return undefined;
  const s = m.rng.pick(slots);
  const old = isScalar(s.node) ? (s.node as Scalar).value : undefined;
  const kind = m.rng.pick(['string', 'number', 'bool', 'list', 'map', 'null', 'empty'] as const);
  const value: unknown = {
    string: m.rng.pick(['x', 'stage', 'true', '', '30090', String(old ?? 'x')]),
    number: m.rng.pick([0, 1, -1, 3.5, 30090]),
    bool: m.rng.chance(0.5),
    list: m.rng.pick([[], [old ?? 'x'], ['a', 1]]),
    map: m.rng.pick([{}, { x: old ?? 1 }]),
    null: null,
    empty: undefined,
  }[kind];
  s.set(kind === 'empty' ? m.raw('') : kind === 'string' ? new Scalar(value) : m.doc.createNode(value));
  return `retype ${s.path.join('.')} to ${kind}`;
};

const swapReference: Operator = (m) => {
  const { rng, doc } = m;
  const clusters = mapAt(doc, 'clusters');
  const envs = keysOf(mapAt(doc, 'environments'));
  const clusterNames = keysOf(clusters);
  const apps = mapAt(doc, 'apps');
  const appNames = keysOf(apps);
  const choice = rng.pick(['cluster-env', 'app-envs', 'app-hosts', 'role', 'provider', 'ip'] as const);
  if (choice === 'cluster-env' && clusters && envs.length) {
    const members = clusterNames.filter((n) => doc.getIn(['clusters', n, 'role']) === 'member');
    if (m.keepValid && !members.length) return undefined;
    const c = rng.pick(m.keepValid ? members : clusterNames);
    const target = m.keepValid
      ? rng.pick(envs)
      : rng.pick([
          rng.pick(envs),
          `${rng.pick(envs)}x`,
          rng.pick(envs).slice(1),
          rng.pick(clusterNames),
          rng.pick(envs).toUpperCase(),
          'nowhere',
        ]);
    doc.setIn(['clusters', c, 'environment'], target);
    return `clusters.${c}.environment = ${JSON.stringify(target)}`;
  }
  if (choice === 'app-envs' && appNames.length && envs.length) {
    const a = rng.pick(appNames);
    const subset = rng.shuffle(envs).slice(0, rng.int(1, envs.length));
    const list = m.keepValid
      ? subset
      : rng.pick([
          subset,
          [...subset, 'nowhere'],
          [subset[0], subset[0]],
          [],
          envs.map((e) => e.toUpperCase()),
          [clusterNames[0]],
        ]);
    if (m.keepValid) doc.deleteIn(['apps', a, 'hosts']);
    doc.setIn(['apps', a, 'environments'], doc.createNode(list, { flow: rng.chance(0.5) }));
    return `apps.${a}.environments = ${JSON.stringify(list)}`;
  }
  if (choice === 'app-hosts' && appNames.length && envs.length) {
    const a = rng.pick(appNames);
    const env = m.keepValid ? rng.pick(envs) : rng.pick([...envs, 'nowhere', clusterNames[0]]);
    const host = m.keepValid
      ? `h${rng.int(0, 999)}.${env}.local`
      : rng.pick(['grafana.monitoring.local', 'app.prod.local', 'app.stage.local', `${env}.local`]);
    if (m.keepValid) doc.deleteIn(['apps', a, 'environments']);
    doc.setIn(['apps', a, 'hosts', env], host);
    return `apps.${a}.hosts.${env} = ${host}`;
  }
  if (m.keepValid || !clusters) return undefined;
  const c = rng.pick(clusterNames);
  if (choice === 'role') {
    const role = rng.pick(['control', 'monitoring', 'member', 'Member', 'admin']);
    doc.setIn(['clusters', c, 'role'], role);
    return `clusters.${c}.role = ${role}`;
  }
  if (choice === 'provider') {
    const p = rng.pick(['existing', 'minikube', 'kind']);
    doc.setIn(['clusters', c, 'provider'], p);
    return `clusters.${c}.provider = ${p}`;
  }
  const other = rng.pick(clusterNames);
  const ip = doc.getIn(['clusters', other, 'ip']);
  if (ip === undefined) return undefined;
  doc.setIn(['clusters', c, 'ip'], ip);
  return `clusters.${c}.ip = clusters.${other}.ip`;
};

const rename: Operator = (m) => {
  const { rng, doc } = m;
  const section = rng.pick(['clusters', 'environments', 'apps'] as const);
  const map = mapAt(doc, section);
  if (!map || !map.items.length) return undefined;
  const pair = rng.pick(map.items as Pair[]);
  if (!isScalar(pair.key)) return undefined;
  const old = String((pair.key as Scalar).value);
  const max = section === 'environments' ? 20 : 40;
  // Names from the other sections too: a cluster may share an environment's name, an app a backend's.
  const others = (['clusters', 'environments', 'apps'] as const)
    .filter((x) => x !== section)
    .flatMap((x) => keysOf(mapAt(doc, x)));
  const name =
    m.keepValid && others.length && rng.chance(0.3)
      ? rng.pick(others.filter((n) => n.length <= max).concat(randomLabel(rng, max)))
      : newName(
          m,
          max,
          keysOf(map).filter((k) => k !== old),
          old,
        );
  (pair.key as Scalar).value = name;
  const consistent = m.keepValid || rng.chance(0.6);
  if (consistent && section === 'environments') {
    for (const c of keysOf(mapAt(doc, 'clusters')))
      if (doc.getIn(['clusters', c, 'environment']) === old) doc.setIn(['clusters', c, 'environment'], name);
    for (const a of keysOf(mapAt(doc, 'apps'))) {
      const list = doc.getIn(['apps', a, 'environments'], true);
      if (isSeq(list))
        for (const item of (list as YAMLSeq).items) if (isScalar(item) && item.value === old) item.value = name;
      const hosts = doc.getIn(['apps', a, 'hosts'], true);
      if (isMap(hosts))
        for (const p of (hosts as YAMLMap).items as Pair[])
          if (isScalar(p.key) && p.key.value === old) p.key.value = name;
    }
  }
  return `rename ${section}.${old} to ${JSON.stringify(name)}${section === 'environments' ? (consistent ? ' (with references)' : ' (references left)') : ''}`;
};

const extremeNumber: Operator = (m) => {
  const slots = slotsOf(m.doc).filter(
    (s) => isScalar(s.node) && (typeof (s.node as Scalar).value === 'number' || m.rng.chance(0.1)),
  );
  if (!slots.length) return undefined;
  const s = m.rng.pick(slots);
  const kind = fieldKind(s.path);
  const pool = m.keepValid ? (kind ? VALID_NUMBERS[kind] : undefined) : EXTREME_NUMBERS;
  if (!pool) return undefined;
  const text = m.rng.pick(pool);
  s.set(m.raw(text));
  return `${s.path.join('.')} = ${text}`;
};

const stringSlots = (m: Mutation) =>
  slotsOf(m.doc).filter((s) => isScalar(s.node) && typeof (s.node as Scalar).value === 'string');

const unicode: Operator = (m) => {
  const { rng } = m;
  const ch = rng.pick(SPECIAL_CHARS);
  if (rng.chance(0.3)) {
    // Unescaped, somewhere in the text: inside a plain scalar, a key, indentation or a comment.
    m.textEdits.push((text) => {
      const at = rng.int(0, text.length);
      return text.slice(0, at) + ch + text.slice(at);
    });
    return `raw ${JSON.stringify(ch)} in the text`;
  }
  const slots = slotsOf(m.doc).filter(
    (s) => (s.key && rng.chance(0.3)) || (isScalar(s.node) && typeof (s.node as Scalar).value === 'string'),
  );
  if (!slots.length) return undefined;
  const s = rng.pick(slots);
  const onKey = s.key !== undefined && (!isScalar(s.node) || rng.chance(0.4));
  const target = onKey ? s.key! : (s.node as Scalar);
  const old = String(target.value);
  const at = rng.int(0, old.length);
  target.value = rng.chance(0.2) ? old.normalize('NFD') + ch : old.slice(0, at) + ch + old.slice(at);
  return `${JSON.stringify(ch)} into ${onKey ? 'key' : 'value'} ${s.path.join('.')}`;
};

const hostile: Operator = (m) => {
  const { rng } = m;
  const slots = rng.chance(0.7) ? stringSlots(m) : slotsOf(m.doc);
  if (!slots.length) return undefined;
  const s = rng.pick(slots);
  const value = rng.pick(HOSTILE_STRINGS);
  if (s.key && rng.chance(0.25)) {
    s.key.value = value;
    return `key ${s.path.join('.')} = ${JSON.stringify(value)}`;
  }
  // Escaped (the parser sees the string) or spliced raw (the text changes structure).
  const spliced = rng.chance(0.4);
  s.set(spliced ? m.raw(value) : new Scalar(value));
  return `${s.path.join('.')} = ${JSON.stringify(value)}${spliced ? ' (raw)' : ''}`;
};

const validHostile: Operator = (m) => {
  const slots = slotsOf(m.doc).filter((s) => {
    const k = fieldKind(s.path);
    return k !== undefined && VALID_HOSTILE[k] !== undefined;
  });
  if (!slots.length) return undefined;
  const s = m.rng.pick(slots);
  const value = m.rng.pick(VALID_HOSTILE[fieldKind(s.path)!]);
  s.set(new Scalar(value));
  return `${s.path.join('.')} = ${JSON.stringify(value)}`;
};

const longString: Operator = (m) => {
  const slots = stringSlots(m);
  if (!slots.length) return undefined;
  const s = m.rng.pick(slots);
  const n = m.rng.pick([39, 40, 41, 62, 63, 64, 100, 253, 254, 1000, 100_000, 1_100_000]);
  const value = m.rng.chance(0.5) ? 'a'.repeat(n) : `a${'-b'.repeat(Math.floor(n / 2))}`.slice(0, n);
  const onKey = s.key !== undefined && m.rng.chance(0.3);
  if (onKey) s.key!.value = value;
  else s.set(new Scalar(value));
  return `${onKey ? 'key' : 'value'} ${s.path.join('.')} = ${n} characters`;
};

const deepNesting: Operator = (m) => {
  const slots = slotsOf(m.doc);
  if (!slots.length) return undefined;
  const s = m.rng.pick(slots);
  const d = m.rng.pick([10, 100, 1000, 5000, 20000]);
  const text = m.rng.chance(0.5) ? '['.repeat(d) + ']'.repeat(d) : `${'{a: '.repeat(d)}1${'}'.repeat(d)}`;
  s.set(m.raw(text));
  return `${s.path.join('.')} nested ${d} deep`;
};

/** Adds environments, each with a member cluster (and ports when backends are isolated). */
const manyEnvironments: Operator = (m) => {
  const { rng, doc } = m;
  const clusters = mapAt(doc, 'clusters');
  const envs = mapAt(doc, 'environments');
  if (!clusters || !envs) return undefined;
  const n = rng.weighted([
    [6, 3],
    [3, 10],
    [1, 40],
    [0.2, 150],
  ] as const);
  const shared = doc.getIn(['backends', 'tenancy']) === 'shared';
  const usedIps = new Set(keysOf(clusters).map((c) => String(doc.getIn(['clusters', c, 'ip']))));
  const usedPorts = new Set<number>();
  for (const s of slotsOf(doc))
    if (isScalar(s.node) && typeof (s.node as Scalar).value === 'number')
      usedPorts.add((s.node as Scalar).value as number);
  const subnet = String(doc.getIn(['platform', 'subnet']) ?? '192.168.200.0/24');
  const prefix = subnet.split('.').slice(0, 3).join('.');
  let port = 31000;
  const nextPort = () => {
    while (usedPorts.has(port)) port++;
    usedPorts.add(port);
    return port;
  };
  let host = 20;
  let added = 0;
  for (let i = 0; i < n; i++) {
    while (usedIps.has(`${prefix}.${host}`)) host++;
    if (host > 250) break;
    const env = `e${i}-${rng.int(0, 99)}`;
    if (keysOf(envs).includes(env)) continue;
    const ip = `${prefix}.${host}`;
    usedIps.add(ip);
    envs.set(
      env,
      doc.createNode(shared ? {} : { ports: { mimir: nextPort(), loki: nextPort(), tempo: nextPort() } }, {
        flow: true,
      }),
    );
    clusters.set(`m${i}-${env}`, doc.createNode({ role: 'member', environment: env, ip }, { flow: true }));
    added++;
  }
  return `add ${added} environments with a member each`;
};

/** Valid changes of shape: optional sections gone, alerts off, the other tenancy, a member on an existing cluster. */
const reshape: Operator = (m) => {
  const { rng, doc } = m;
  const envs = keysOf(mapAt(doc, 'environments'));
  const what = rng.pick(['drop-optional', 'alerts-off', 'tenancy', 'existing-member'] as const);
  if (what === 'drop-optional') {
    const section = rng.pick(['apps', 'alerts', 'grafana', 'platform', 'backends.storage', 'git.revision', 'git.path']);
    if (section === 'platform' && doc.getIn(['platform', 'subnet']) !== undefined) return undefined;
    doc.deleteIn(section.split('.'));
    return `drop ${section}`;
  }
  if (what === 'alerts-off') {
    const names = rng
      .shuffle(['errorRate', 'latencyP95', 'podRestarts', 'lowRequestRate', 'serviceDown'])
      .slice(0, rng.int(1, 5));
    const base = rng.chance(0.5) || !envs.length ? ['alerts'] : ['environments', rng.pick(envs), 'alerts'];
    for (const n of names) doc.setIn([...base, n, 'enabled'], false);
    return `${base.join('.')}: ${names.join(', ')} off`;
  }
  if (what === 'tenancy') {
    if (doc.getIn(['backends', 'tenancy']) === 'shared') {
      doc.setIn(['backends', 'tenancy'], 'isolated');
      doc.deleteIn(['backends', 'ports']);
      envs.forEach((e, i) =>
        doc.setIn(
          ['environments', e, 'ports'],
          doc.createNode({ mimir: 31500 + i, loki: 31700 + i, tempo: 31900 + i }, { flow: true }),
        ),
      );
      return 'tenancy shared -> isolated';
    }
    doc.setIn(['backends', 'tenancy'], 'shared');
    doc.setIn(['backends', 'ports'], doc.createNode({ mimir: 31500, loki: 31501, tempo: 31502 }, { flow: true }));
    for (const e of envs) doc.deleteIn(['environments', e, 'ports']);
    return 'tenancy isolated -> shared';
  }
  const members = keysOf(mapAt(doc, 'clusters')).filter((c) => doc.getIn(['clusters', c, 'role']) === 'member');
  if (!members.length) return undefined;
  const c = rng.pick(members);
  doc.setIn(['clusters', c, 'provider'], 'existing');
  for (const k of ['cpus', 'memory']) doc.deleteIn(['clusters', c, k]);
  doc.setIn(['clusters', c, 'context'], rng.pick(VALID_HOSTILE.context));
  doc.setIn(
    ['clusters', c, 'server'],
    rng.pick(VALID_HOSTILE.server.filter((s) => /^https:\/\/[A-Za-z0-9.-]+(:[0-9]+)?(\/|$)/.test(s))),
  );
  return `clusters.${c} becomes an existing cluster`;
};

const style: Operator = (m) => {
  const { rng } = m;
  const collections = slotsOf(m.doc).filter((s) => isMap(s.node) || isSeq(s.node));
  const what = rng.pick(['flow', 'comment', 'shuffle'] as const);
  if (!collections.length) return undefined;
  const s = rng.pick(collections);
  const node = s.node as YAMLMap | YAMLSeq;
  if (what === 'flow') node.flow = !node.flow;
  else if (what === 'comment') node.commentBefore = ` ${rng.pick(['note', '---', 'a: b', '{{ x }}', 'é \u2028 x'])}`;
  else node.items = rng.shuffle(node.items as unknown[]) as typeof node.items;
  return `${what} ${s.path.join('.')}`;
};

const anchors: Operator = (m) => {
  const { rng, doc } = m;
  const slots = slotsOf(doc);
  if (slots.length < 2) return undefined;
  if (!m.keepValid && rng.chance(0.1)) {
    m.textEdits.push((text) => {
      const levels = ['lol: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
      for (let i = 1; i < 9; i++)
        levels.push(
          `l${i}: &${String.fromCharCode(97 + i)} [${Array(9)
            .fill(`*${String.fromCharCode(96 + i)}`)
            .join(',')}]`,
        );
      return `${text}\n${levels.join('\n')}\n`;
    });
    return 'alias bomb at the end';
  }
  // Share one node between two places with the same kind of value (valid) or any two (not).
  const a = rng.pick(slots.filter((s) => s.node && typeof s.node === 'object'));
  const pool = m.keepValid
    ? slots.filter(
        (s) => s !== a && s.path[s.path.length - 1] === a.path[a.path.length - 1] && s.path.length === a.path.length,
      )
    : slots.filter((s) => s !== a);
  if (!a || !pool.length) return undefined;
  const b = rng.pick(pool);
  if (b.path.join('.').startsWith(a.path.join('.')) && m.keepValid) return undefined;
  const alias = doc.createAlias(a.node as Scalar, `x${rng.int(0, 999)}`);
  b.set(alias);
  return `${b.path.join('.')} = *alias of ${a.path.join('.')}`;
};

const tags: Operator = (m) => {
  const slots = slotsOf(m.doc).filter((s) => s.node && typeof s.node === 'object');
  if (!slots.length) return undefined;
  const s = m.rng.pick(slots);
  const tag = m.rng.pick([
    '!!str',
    '!!int',
    '!!binary',
    '!!set',
    '!!omap',
    '!!timestamp',
    '!vault',
    '!!js/function',
    '!!map',
    '!!seq',
    '!!float',
    '!!null',
    '!!bool',
    '!<tag:yaml.org,2002:str>',
  ]);
  (s.node as Node).tag = tag;
  return `tag ${s.path.join('.')} ${tag}`;
};

const unknownKey: Operator = (m) => {
  const { rng } = m;
  const maps = [{ path: [] as Path, node: m.doc.contents as unknown }, ...slotsOf(m.doc)].filter((s) => isMap(s.node));
  if (!maps.length) return undefined;
  const s = rng.pick(maps);
  const map = s.node as YAMLMap;
  const keys = keysOf(map);
  const base = keys.length ? rng.pick(keys) : 'name';
  const typo =
    base.length > 2
      ? rng.pick([base.slice(1), base[1] + base[0] + base.slice(2), `${base}s`, base.toUpperCase(), `${base} `])
      : `${base}x`;
  const key = rng.pick([typo, 'prots', 'nmae', 'x-extra', '<<', '$schema', '']);
  if (keys.includes(key)) return undefined;
  map.set(new Scalar(key), m.doc.createNode(rng.pick([1, 'x', null, { a: 1 }])));
  return `add key ${JSON.stringify(key)} at ${s.path.join('.') || 'top'}`;
};

/** Text level: a key written twice (plain, or quoted so that only the parser's string comparison catches it). */
const duplicateKey: Operator = (m) => {
  const { rng } = m;
  m.textEdits.push((text) => {
    const lines = text.split('\n');
    const candidates = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*[A-Za-z0-9_$-]+:(\s|$)/.test(l));
    if (!candidates.length) return text;
    const [line, i] = rng.pick(candidates);
    const [, indent, key] = /^(\s*)([A-Za-z0-9_$-]+):/.exec(line)!;
    const spelled = rng.pick([key, `"${key}"`, `'${key}'`, `? ${key}\n${indent}`]);
    const value = rng.pick(['x', '1', '{}', '[]', '', 'true']);
    lines.splice(i, 0, `${indent}${spelled}: ${value}`);
    return lines.join('\n');
  });
  return 'duplicate a key';
};

/** Text level: keys that differ as YAML scalars but collide as JavaScript property names (docs/reliability.md A3). */
const typedDuplicateKeys: Operator = (m) => {
  const pair = m.rng.pick([
    ['1', '"1"'],
    ['true', '"true"'],
    ['null', '"null"'],
    ['~', '""'],
    ['0x1', '1'],
    ['1.0', '1'],
  ]);
  m.textEdits.push((text) => `${text}\n${pair[0]}: a\n${pair[1]}: b\n`);
  return `top-level keys ${pair[0]} and ${pair[1]}`;
};

const layout: Operator = (m) => {
  const { rng } = m;
  const what = rng.pick([
    'crlf',
    'cr',
    'bom',
    'tab',
    'second-doc',
    'doc-end',
    'yaml11',
    'yaml12',
    'comments-only',
    'no-final-newline',
    'ls-newlines',
    'empty',
    'complex-key',
  ] as const);
  const edits: Record<typeof what, (t: string) => string> = {
    crlf: (t) => t.replace(/\n/g, '\r\n'),
    cr: (t) => t.replace(/\n/g, '\r'),
    bom: (t) => `\ufeff${t}`,
    tab: (t) => {
      const lines = t.split('\n');
      const indented = lines.map((l, i) => [l, i] as const).filter(([l]) => /^ {2}/.test(l));
      if (!indented.length) return t;
      const [l, i] = rng.pick(indented);
      lines[i] = l.replace(/^ {2}/, '\t');
      return lines.join('\n');
    },
    'second-doc': (t) => `${t}\n---\nname: other\n`,
    'doc-end': (t) => `${t}\n...\n`,
    yaml11: (t) => `%YAML 1.1\n---\n${t}`,
    yaml12: (t) => `%YAML 1.2\n---\n${t}`,
    'comments-only': (t) =>
      t
        .split('\n')
        .map((l) => `# ${l}`)
        .join('\n'),
    'no-final-newline': (t) => t.replace(/\n+$/, ''),
    'ls-newlines': (t) => t.replace(/\n/g, () => (rng.chance(0.1) ? '\u2028' : '\n')),
    empty: () => rng.pick(['', '\n', '   ', '---\n', '~\n', '[]\n', '"x"\n', '--- |\n  x\n']),
    'complex-key': (t) => `${t}\n? [a, b]\n: x\n? { c: 1 }\n: y\n`,
  };
  m.textEdits.push(edits[what]);
  return `layout: ${what}`;
};

const OPERATORS: readonly (readonly [number, Operator, boolean])[] = [
  // [weight, operator, keeps a spec valid when asked to]
  [3, dropKey, false],
  [3, retype, false],
  [3, swapReference, true],
  [3, rename, true],
  [3, extremeNumber, true],
  [3, unicode, false],
  [3, hostile, false],
  [5, validHostile, true],
  [1, longString, false],
  [1, deepNesting, false],
  [1, manyEnvironments, true],
  [2, reshape, true],
  [2, style, true],
  [1, anchors, true],
  [1, tags, false],
  [1, unknownKey, false],
  [2, duplicateKey, false],
  [1, typedDuplicateKeys, false],
  [1, layout, false],
];

export interface StructuredCase {
  text: string;
  mutations: string[];
}

/** Applies `count` operators to the spec `source`; keepValid draws only from the validity-keeping ones. */
export function mutateSpec(source: string, rng: Rng, count: number, keepValid: boolean): StructuredCase {
  const doc = parseDocument(source, { version: '1.2' });
  const raws = new Map<string, string>();
  const m: Mutation = {
    doc,
    rng,
    keepValid,
    textEdits: [],
    raw: (text) => {
      const token = `FUZZRAW${raws.size}X${rng.int(0, 1e9)}Q`;
      raws.set(token, text);
      return new Scalar(token);
    },
  };
  const ops = OPERATORS.filter(([, , keeps]) => keeps || !keepValid).map(([w, op]) => [w, op] as const);
  const mutations: string[] = [];
  for (let tries = 0; mutations.length < count && tries < count * 10; tries++) {
    const op = rng.weighted(ops);
    let what: string | undefined;
    try {
      what = op(m);
    } catch (e) {
      // An edit the yaml library refuses (e.g. a tag it cannot print) is skipped, not a finding.
      what = undefined;
    }
    if (what) mutations.push(what);
  }
  let text: string;
  try {
    text = doc.toString({ lineWidth: 0 });
  } catch {
    text = source;
    mutations.push('(the document could not be printed; base text kept)');
  }
  for (const [token, value] of raws) text = text.split(token).join(value);
  for (const edit of m.textEdits) text = edit(text);
  return { text, mutations };
}

const INTERESTING_BYTES = [
  0x00, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x27, 0x3a, 0x2d, 0x23, 0x7b, 0x7d, 0x5b, 0x5d, 0x26, 0x2a, 0x21, 0x7c, 0x3e,
  0x25, 0x40, 0x60, 0x5c, 0xff, 0xfe, 0xc3, 0xe2, 0x80, 0xef, 0xbb, 0xbf,
];

/** 1-4 byte-level edits of the encoded file. */
export function mutateBytes(input: Buffer, rng: Rng): { bytes: Buffer; mutations: string[] } {
  let b = Buffer.from(input);
  const mutations: string[] = [];
  const n = rng.int(1, 4);
  for (let i = 0; i < n; i++) {
    const at = rng.int(0, Math.max(0, b.length - 1));
    const op = rng.pick(['flip', 'insert', 'overwrite', 'delete', 'duplicate', 'truncate', 'swap-lines'] as const);
    if (op === 'flip' && b.length) {
      const bit = rng.int(0, 7);
      b[at] ^= 1 << bit;
      mutations.push(`flip bit ${bit} of byte ${at}`);
    } else if (op === 'insert' || (op === 'overwrite' && b.length)) {
      const byte = rng.chance(0.7) ? rng.pick(INTERESTING_BYTES) : rng.int(0, 255);
      b =
        op === 'insert' ? Buffer.concat([b.subarray(0, at), Buffer.from([byte]), b.subarray(at)]) : ((b[at] = byte), b);
      mutations.push(`${op} 0x${byte.toString(16)} at ${at}`);
    } else if (op === 'delete') {
      const len = rng.int(1, 16);
      b = Buffer.concat([b.subarray(0, at), b.subarray(at + len)]);
      mutations.push(`delete ${len} bytes at ${at}`);
    } else if (op === 'duplicate') {
      const len = rng.int(1, 64);
      b = Buffer.concat([b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len)]);
      mutations.push(`duplicate ${len} bytes at ${at}`);
    } else if (op === 'truncate') {
      b = b.subarray(0, at);
      mutations.push(`truncate at ${at}`);
    } else if (op === 'swap-lines') {
      const lines = b.toString('latin1').split('\n');
      const x = rng.int(0, lines.length - 1);
      const y = rng.int(0, lines.length - 1);
      [lines[x], lines[y]] = [lines[y], lines[x]];
      b = Buffer.from(lines.join('\n'), 'latin1');
      mutations.push(`swap lines ${x + 1} and ${y + 1}`);
    }
  }
  return { bytes: b, mutations };
}
