// Renders docs/spec.md, the fabric.yaml reference, from schema/fabric.schema.json:
// one table per section (key | type | default | description), then the value
// formats. The whole file is generated.
// Usage: node scripts/gen-spec-docs.mjs [--check]   (--check: exit 1 when stale)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const schema = JSON.parse(readFileSync(new URL('schema/fabric.schema.json', root), 'utf8'));
const docUrl = new URL('docs/spec.md', root);

/**
 * Inline patterns in words. A pattern that is not here stops the script, so a
 * changed pattern cannot leave stale words behind.
 */
const PATTERN_WORDS = {
  '^[A-Za-z0-9][A-Za-z0-9._/-]*$': 'letters, digits, `.`, `_`, `/` and `-`, starting with a letter or digit',
  '^([A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*)?$':
    'a relative path: segments of letters, digits, `.`, `_` and `-` joined by `/`, or empty',
  '^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}/([89]|[12][0-9]|30)$':
    'an IPv4 address, `/` and a prefix length from 8 to 30',
  '^v1\\.[0-9]+\\.[0-9]+$': '`v1.` followed by minor and patch numbers',
  '^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)*$':
    'a registry host (lower-case letters, digits, `.` and `-`), an optional `:port` and optional `/path` segments',
  '^https?://[A-Za-z0-9.-]+(:[0-9]+)?/?$': '`https://` (or `http://`), a host and an optional `:port`; no path',
  '^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}/([0-9]|[12][0-9]|3[0-2])$':
    'an IPv4 address, `/` and a prefix length from 0 to 32',
  '^[A-Za-z_][A-Za-z0-9_]*$': 'an environment variable name: letters, digits and `_`, not starting with a digit',
  '^[A-Za-z0-9][A-Za-z0-9._@:/-]*$':
    'letters, digits, `.`, `_`, `@`, `:`, `/` and `-`, starting with a letter or digit',
  "^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~:/?#\\[\\]@!$&'()*+,;=%-]*)?$":
    '`https://`, a host, an optional `:port` and an optional path',
  "^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~:/?\\[\\]@!$&'()*+,;=%-]*)?$":
    '`https://`, a host, an optional `:port` and an optional path, without a `#fragment`',
  "^(https?://[A-Za-z0-9._~:/?#\\[\\]@!$&'()*+,;=%-]+|ssh://[A-Za-z0-9._~:/?#\\[\\]@!$&'()*+,;=%-]+|git@[A-Za-z0-9.-]+:[A-Za-z0-9._~:/?#\\[\\]@!$&'()*+,;=%-]+|file://[A-Za-z0-9._~:/?#\\[\\]@!$&'()*+,;=%-]+)$":
    'an `https://`, `http://`, `ssh://` or `file://` URL, or `git@host:path`; URL characters only (no spaces, quotes or braces)',
  '^([a-z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$':
    'a lowercase image reference: optional `registry[:port]/`, a repository path, then `:tag` and/or `@sha256:digest`',
  '^/[^\\s]*$': 'an absolute URL path: `/` followed by anything but spaces',
  '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$':
    'a number with an optional Kubernetes unit (`m`, `k`, `M`, `G`, `T`, `Ki`, `Mi`, `Gi`, `Ti`)',
  '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$':
    'lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit',
  '^[A-Z][A-Za-z0-9]*$': 'a Kubernetes kind: letters and digits, starting with an uppercase letter',
  '^[^@\\s]+@[^@\\s]+$': 'an email address: one `@`, no spaces',
  '^[A-Za-z0-9.-]+:[0-9]{1,5}$': '`host:port`',
  '^[a-zA-Z_][a-zA-Z0-9_]*$': 'a Prometheus label name: letters, digits and `_`, not starting with a digit',
  '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$':
    'a Kubernetes object name: lowercase letters, digits, `-` and `.`',
  '^[-._a-zA-Z0-9]+$': 'letters, digits, `-`, `_` and `.`',
};
const FORMAT_WORDS = { ipv4: 'an IPv4 address' };

const defs = schema.$defs;
const defName = (ref) => ref.replace('#/$defs/', '');
const resolve = (s) => (s.$ref ? resolve(defs[defName(s.$ref)]) : s);
/** The named value formats (scalar $defs) get one table of their own; references to them link there. */
const isFormat = (name) => defs[name] && resolve(defs[name]).type !== 'object';

const code = (v) => '`' + (typeof v === 'string' ? v : JSON.stringify(v)) + '`';
/** Table cells: `|` would end the cell. */
const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
/** Schema prose is plain text: `<env>` would be read as an HTML tag. */
const prose = (text) => (text ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const sentence = (text) => (text && !/[.)]$/.test(text) ? `${text}.` : (text ?? ''));

function range(s) {
  const lower =
    s.exclusiveMinimum !== undefined ? `${s.exclusiveMinimum} <` : s.minimum !== undefined ? `${s.minimum} ≤` : '';
  const upper =
    s.exclusiveMaximum !== undefined ? `< ${s.exclusiveMaximum}` : s.maximum !== undefined ? `≤ ${s.maximum}` : '';
  if (s.minimum !== undefined && s.maximum !== undefined) return `${s.minimum}–${s.maximum}`;
  return lower || upper ? [lower, 'x', upper].filter(Boolean).join(' ') : '';
}
const lengths = (s) =>
  s.minLength && s.maxLength
    ? `${s.minLength}–${s.maxLength} characters`
    : s.maxLength
      ? `at most ${s.maxLength} characters`
      : s.minLength
        ? `at least ${s.minLength} characters`
        : '';

/** Sections of the reference, in the order of the file; each object gets its own table. */
const SECTIONS = [
  { key: 'git', title: 'git' },
  { key: 'platform', title: 'platform' },
  { key: 'backends', title: 'backends' },
  { key: 'clusters', title: 'clusters.<name>', map: true },
  { key: 'environments', title: 'environments.<env>', map: true },
  { key: 'grafana', title: 'grafana' },
  { key: 'apps', title: 'apps.<name>', map: true },
  { key: 'alerts', title: 'alerts' },
  { def: 'customAlert', title: 'alerts.custom.<name>' },
  { def: 'customAlertTest', title: 'alerts.custom.<name>.tests[]' },
  { key: 'overrides', title: 'overrides.<component>', map: true },
  { def: 'patch', title: 'overrides.<component>.patches[]' },
  { def: 'toleration', title: 'overrides.<component>.tolerations[]' },
  { key: 'alerting', title: 'alerting' },
  { def: 'receiver', title: 'alerting.receivers.<name>' },
  { def: 'route', title: 'alerting.route.routes[]' },
  { def: 'secretRef', title: 'secret references' },
];
/** Objects referenced from elsewhere that keep their own table (environments.<env>.alerts). */
const sectionOfDef = {
  alerts: 'alerts',
  customAlert: 'alerts.custom.<name>',
  customAlertTest: 'alerts.custom.<name>.tests[]',
  alerting: 'alerting',
  receiver: 'alerting.receivers.<name>',
  route: 'alerting.route.routes[]',
  secretRef: 'secret references',
};
/** The def a property refers to directly, or through its map values or list items. */
const refOf = (prop) => prop.$ref ?? prop.additionalProperties?.$ref ?? prop.items?.$ref;

/** The type column: a base type with its constraints, a value format, or the allowed values. */
function typeOf(prop) {
  if (prop.$ref && isFormat(defName(prop.$ref))) return code(defName(prop.$ref));
  const s = resolve(prop);
  if (s.enum) return s.enum.map(code).join(' | ');
  if (s.type === 'array') {
    const items = s.items.$ref ? code(defName(s.items.$ref)) : s.items.type;
    const extra = [s.minItems && `at least ${s.minItems}`, s.uniqueItems && 'no repeats'].filter(Boolean).join(', ');
    return `list of ${items}${extra ? ` (${extra})` : ''}`;
  }
  if (s.type === 'object') {
    if (typeof s.additionalProperties !== 'object') return 'mapping';
    const key = s.propertyNames?.$ref ? code(defName(s.propertyNames.$ref)) : 'key';
    const valueRef = s.additionalProperties.$ref && defName(s.additionalProperties.$ref);
    return `mapping of ${key} → ${valueRef ? (isFormat(valueRef) ? code(valueRef) : valueRef) : 'value'}`;
  }
  const constraint = [range(s), lengths(s)].filter(Boolean).join(', ');
  return constraint ? `${s.type} (${constraint})` : s.type;
}

function formatWords(s) {
  if (s.pattern) {
    const words = PATTERN_WORDS[s.pattern];
    if (!words)
      throw new Error(`scripts/gen-spec-docs.mjs: no words for the pattern ${s.pattern}; add it to PATTERN_WORDS`);
    return words;
  }
  return s.format ? FORMAT_WORDS[s.format] : undefined;
}

/** The description column: what it is, the format of an inline pattern, an example. */
function describe(prop) {
  const s = resolve(prop);
  const parts = [sentence(prose(prop.description ?? s.description))];
  const isNamedFormat = prop.$ref && isFormat(defName(prop.$ref));
  if (!isNamedFormat && !s.enum && (s.pattern || s.format)) parts.push(`Format: ${formatWords(s)}.`);
  const examples = prop.examples ?? (isNamedFormat ? undefined : s.examples);
  if (examples && s.type !== 'object') parts.push(`Example: ${examples.map(code).join(', ')}.`);
  return parts.filter(Boolean).join(' ');
}

function defaultOf(prop, required) {
  if (required) return '**required**';
  const d = prop.default ?? resolve(prop).default;
  if (d === undefined) return '';
  return d === '' ? '`""`' : code(d);
}

const row = (name, type, dflt, description) =>
  `| ${code(name)} | ${cell(type)} | ${cell(dflt)} | ${cell(description)} |`;

/** Rows for an object's properties; nested objects are expanded as dotted keys unless they have a table of their own. */
function rows(objectSchema, { prefix = '', sectionFor = () => undefined } = {}) {
  const s = resolve(objectSchema);
  const out = [];
  for (const [key, prop] of Object.entries(s.properties ?? {})) {
    const name = prefix + key;
    const target = resolve(prop);
    const section = sectionFor(key) ?? (refOf(prop) ? sectionOfDef[defName(refOf(prop))] : undefined);
    const description = section ? `${describe(prop)} See the ${code(section)} table.` : describe(prop);
    out.push(row(name, typeOf(prop), defaultOf(prop, s.required?.includes(key)), description));
    if (target.type === 'object' && target.properties && !section) out.push(...rows(prop, { prefix: `${name}.` }));
  }
  return out;
}

const table = (heading, intro, tableRows) =>
  [
    heading,
    '',
    sentence(prose(intro)),
    '',
    '| key | type | default | description |',
    '| --- | --- | --- | --- |',
    ...tableRows,
    '',
  ].join('\n');

function formatsTable() {
  const lines = [
    '### Value formats',
    '',
    'The types in `code` in the tables above.',
    '',
    '| format | rule | examples |',
    '| --- | --- | --- |',
  ];
  for (const name of Object.keys(defs).filter(isFormat)) {
    const s = resolve(defs[name]);
    const limits = [range(s) && `Range: ${range(s)}.`, lengths(s) && `Length: ${lengths(s)}.`];
    const rule = [sentence(prose(defs[name].description ?? s.description)), ...limits].filter(Boolean).join(' ');
    lines.push(`| ${code(name)} | ${cell(rule)} | ${cell((s.examples ?? []).map(code).join(', '))} |`);
  }
  return lines.join('\n') + '\n';
}

const titleOf = Object.fromEntries(SECTIONS.filter((x) => x.key).map((x) => [x.key, x.title]));
const sections = [
  table('### Top level', schema.description, rows(schema, { sectionFor: (key) => titleOf[key] })),
  ...SECTIONS.map(({ key, def, title, map }) => {
    if (def) return table(`### \`${title}\``, defs[def].description ?? title, rows(defs[def]));
    const prop = schema.properties[key];
    const target = map ? prop.additionalProperties : prop;
    const intro = [prop.description, resolve(target).description].filter(Boolean).map(sentence).join(' ');
    return table(`### \`${title}\``, intro, rows(target));
  }),
  formatsTable(),
];

const generated = [
  '# fabric.yaml reference',
  '',
  '<!-- Generated from schema/fabric.schema.json by scripts/gen-spec-docs.mjs; edit the schema, then run it. -->',
  '',
  'Every key of `fabric.yaml`, from the JSON Schema that `fabric validate` applies (`fabric schema` prints it).',
  'Examples of whole specs: `spec/fabric.yaml` (the reference fleet) and `tests/golden/*/fabric.yaml`.',
  '',
  ...sections,
  '',
].join('\n');

const current = existsSync(docUrl) ? readFileSync(docUrl, 'utf8') : '';
if (process.argv.includes('--check')) {
  if (generated !== current) {
    console.error('docs/spec.md is stale: run node scripts/gen-spec-docs.mjs');
    process.exit(1);
  }
} else if (generated !== current) writeFileSync(docUrl, generated);
