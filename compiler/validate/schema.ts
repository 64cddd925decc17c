// Stage 2a: the JSON Schema check. ajv reports every problem; each becomes a
// located diagnostic with a fix taken from the schema's own descriptions.
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { capDiagnostics, sortDiagnostics, type Diagnostic } from '../diagnostics.ts';
import { aliasOrigin, locate, sourceText, type LoadedSpec, type PathSegment } from '../load.ts';
import { precompiled } from '../precompiled.ts';
import schema from '../../schema/fabric.schema.json' with { type: 'json' };

const require = createRequire(import.meta.url);

/** The one ajv configuration, for compiling at first use and for the standalone code the build generates. */
function newAjv(opts: { standaloneCode: boolean }) {
  const Ajv2020 = require('ajv/dist/2020.js').default;
  const addFormats = require('ajv-formats').default;
  // strict: schema typos fail at start-up; no coercion, no removal, no $data.
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    verbose: true,
    allowUnionTypes: false,
    code: { source: opts.standaloneCode },
  });
  addFormats(ajv, ['ipv4']);
  return ajv;
}

/** The schema's validator, compiled by ajv now (from source; the bundle has it precompiled). */
export const compileSchemaValidator = (): ValidateFunction => newAjv({ standaloneCode: false }).compile(schema);

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  return (compiled ??= precompiled.validateSchema ?? compileSchemaValidator());
}

/** The module scripts/build.mjs writes: the schema's validator as ajv standalone code (CommonJS). */
export function standaloneValidatorModule(): string {
  const ajv = newAjv({ standaloneCode: true });
  const standaloneCode = require('ajv/dist/standalone/index.js').default;
  return standaloneCode(ajv, ajv.compile(schema));
}

export { schema as fabricSchema };

const pointerToPath = (pointer: string): PathSegment[] =>
  pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

export const dotted = (path: readonly PathSegment[]): string => (path.length ? path.join('.') : 'the top level');

/**
 * The candidate a typo most likely meant, for did-you-mean hints. Short words
 * get one edit: with two, `cpu` would suggest `cni`.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const allowed = word.length <= 4 ? 1 : Math.max(2, Math.floor(word.length / 3));
  return best !== undefined && bestD <= allowed ? best : undefined;
}

/** Edits between two words, a swap of neighbours counting as one (`nmae` -> `name`). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The nearest DNS-1123 label that starts with a letter (`Prod_EU` -> `prod-eu`), if there is one. */
function asLabel(name: string, maxLength: number): string | undefined {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, maxLength)
    .replace(/-+$/, '');
  return label.length >= 2 ? label : undefined;
}

const typeName = (v: unknown) =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'a list'
      : typeof v === 'object'
        ? 'a mapping'
        : typeof v === 'number' && !Number.isFinite(v)
          ? String(v)
          : `${typeof v} ${JSON.stringify(v)}`;

function describe(e: ErrorObject): string | undefined {
  const d = (e.parentSchema as { description?: string } | undefined)?.description;
  return d;
}

/** What a pattern or format asks for, in words: the named format (`#/$defs/duration`), else the key. */
function expected(e: ErrorObject, path: PathSegment[]): string {
  if (e.keyword === 'format') return e.params.format === 'ipv4' ? 'an IPv4 address' : `a valid ${e.params.format}`;
  const name = /^#\/\$defs\/(\w+)\/pattern$/.exec(e.schemaPath)?.[1] ?? String(path[path.length - 1] ?? 'value');
  const words =
    name === 'memory'
      ? 'memory size'
      : name
          .replace(/([a-z])([A-Z])/g, '$1 $2')
          .split(' ')
          .map((w) => (w === w.toUpperCase() ? w : w.toLowerCase()))
          .join(' ');
  return `a valid ${words}`;
}

/** FAB105: a name (map key) that is not a DNS label, with a rename that is. */
function invalidName(spec: LoadedSpec, e: ErrorObject, path: PathSegment[], propertyName: string): Diagnostic {
  const base = { severity: 'error' as const, file: spec.file };
  const p = e.params as Record<string, unknown>;
  const at = locate(spec, [...path, propertyName], 'key');
  const why =
    e.keyword === 'minLength' || e.keyword === 'maxLength'
      ? `; it must have ${e.keyword === 'minLength' ? 'at least' : 'at most'} ${p.limit} characters`
      : '';
  const rename = asLabel(propertyName, (e.parentSchema as { maxLength?: number } | undefined)?.maxLength ?? 40);
  const rule = describe(e) ?? 'use lowercase letters, digits and -, starting with a letter';
  return {
    ...base,
    code: 'FAB105',
    ...at,
    message: `invalid name '${propertyName}' in ${dotted(path)}${why}`,
    hint: rename && rename !== propertyName ? `rename it, for example to '${rename}'. ${rule}` : rule,
  };
}

/** FAB103: a value of the wrong type, with the fix for the common cases (quoted numbers, 1.10 read as 1.1). */
function wrongType(spec: LoadedSpec, e: ErrorObject, path: PathSegment[]): Diagnostic {
  const base = { severity: 'error' as const, file: spec.file };
  const p = e.params as Record<string, unknown>;
  const at = locate(spec, path);
  const want = String(p.type);
  const quotedNumber =
    (want === 'integer' || want === 'number') && typeof e.data === 'string' && /^-?[0-9.]+$/.test(e.data);
  // An unquoted 1.10 is the number 1.1 before fabric sees it: quote it as written, when that is valid.
  const written =
    want === 'string' && (typeof e.data === 'number' || typeof e.data === 'boolean')
      ? sourceText(spec, path)
      : undefined;
  const pattern = (e.parentSchema as { pattern?: string } | undefined)?.pattern;
  const quotable = written !== undefined && (pattern === undefined || new RegExp(pattern, 'u').test(written));
  const hint = quotedNumber
    ? 'remove the quotes around the number'
    : want === 'boolean' && typeof e.data === 'string'
      ? 'write true or false, without quotes'
      : quotable
        ? `quote it as written: "${written}"${describe(e) ? `. ${describe(e)}` : ''}`
        : describe(e);
  return {
    ...base,
    code: 'FAB103',
    ...at,
    message: `${dotted(path)} must be ${want === 'object' ? 'a mapping' : want === 'array' ? 'a list' : `a${/^[aeiou]/.test(want) ? 'n' : ''} ${want}`}, not ${typeName(e.data)}`,
    hint,
  };
}

function toDiagnostic(spec: LoadedSpec, e: ErrorObject): Diagnostic | undefined {
  const path = pointerToPath(e.instancePath);
  const base = { severity: 'error' as const, file: spec.file };
  const p = e.params as Record<string, unknown>;
  const propertyName = (e as ErrorObject & { propertyName?: string }).propertyName;
  if (e.keyword === 'propertyNames') return undefined; // reported through the inner error, which carries propertyName
  if (propertyName !== undefined) return invalidName(spec, e, path, propertyName);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const at = locate(spec, [...path, key], 'key');
      const allowed = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      const guess = closest(key, allowed);
      return {
        ...base,
        code: 'FAB101',
        ...at,
        message: `unknown key '${key}' in ${dotted(path)}`,
        hint: guess ? `did you mean '${guess}'?` : allowed.length ? `allowed keys: ${allowed.join(', ')}` : 'remove it',
      };
    }
    case 'required': {
      const key = String(p.missingProperty);
      const at = locate(spec, path, 'key');
      const propSchema = (e.parentSchema as { properties?: Record<string, { description?: string }> })?.properties?.[
        key
      ];
      return {
        ...base,
        code: 'FAB102',
        ...at,
        message: `${dotted(path)} is missing required key '${key}'`,
        hint: `add '${key}:'${propSchema?.description ? ` (${propSchema.description})` : ''}`,
      };
    }
    case 'minProperties':
      return {
        ...base,
        code: 'FAB102',
        ...locate(spec, path, 'key'),
        message: `${dotted(path)} must not be empty`,
        hint: describe(e),
      };
    case 'type':
      return wrongType(spec, e, path);
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(String);
      const guess = typeof e.data === 'string' ? closest(e.data, allowed) : undefined;
      return {
        ...base,
        code: 'FAB104',
        ...locate(spec, path),
        message: `${dotted(path)} is ${JSON.stringify(e.data)}; it must be one of: ${allowed.join(', ')}`,
        hint: guess ? `did you mean '${guess}'?` : describe(e),
      };
    }
    case 'pattern':
    case 'format':
      return {
        ...base,
        code: 'FAB104',
        ...locate(spec, path),
        message: `${dotted(path)} is ${JSON.stringify(e.data)}, which is not ${expected(e, path)}`,
        hint: describe(e),
      };
    case 'minLength':
    case 'maxLength':
      return {
        ...base,
        code: 'FAB104',
        ...locate(spec, path),
        message: `${dotted(path)} is ${JSON.stringify(e.data)}; it must have ${e.keyword === 'minLength' ? 'at least' : 'at most'} ${p.limit} characters`,
        hint: describe(e),
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        ...base,
        code: 'FAB104',
        ...locate(spec, path),
        message: `${dotted(path)} is ${JSON.stringify(e.data)}; it ${e.message}`,
        hint: describe(e),
      };
    default:
      return {
        ...base,
        code: 'FAB104',
        ...locate(spec, path),
        message: `${dotted(path)} ${e.message}`,
        hint: describe(e),
      };
  }
}

/** The path (and whether its key or value) a diagnostic of `e` is located at, as toDiagnostic locates it. */
function reportedPath(e: ErrorObject): [PathSegment[], 'value' | 'key'] {
  const path = pointerToPath(e.instancePath);
  const propertyName = (e as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) return [[...path, propertyName], 'key'];
  if (e.keyword === 'additionalProperties') return [[...path, String(e.params.additionalProperty)], 'key'];
  return [path, ['required', 'minProperties'].includes(e.keyword) ? 'key' : 'value'];
}

export function checkSchema(spec: LoadedSpec): Diagnostic[] {
  const validate = validator();
  if (validate(spec.data)) return [];
  const out: Diagnostic[] = [];
  for (const e of validate.errors ?? []) {
    const d = toDiagnostic(spec, e);
    if (!d) continue;
    const origin = aliasOrigin(spec, ...reportedPath(e));
    if (origin) d.related = { ...origin, message: 'the value comes from the anchored node here' };
    out.push(d);
  }
  return capDiagnostics(sortDiagnostics(out), spec.file, { what: 'schema errors' });
}
