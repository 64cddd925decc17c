// Schemas for custom resources whose CustomResourceDefinition is in the tree
// itself: the CRD's openAPIV3Schema, turned into a strict JSON Schema the way
// kubeconform's openapi2jsonschema does (every object that lists properties
// is closed, unless it preserves unknown fields), compiled with ajv once per
// kind and version, on first use.
import { Ajv, type ValidateFunction } from 'ajv';
import { describeAjvErrors } from './ajv-errors.ts';
import { isRecord, kindOf, type KubeObject } from './objects.ts';

type Schema = Record<string, unknown>;

/** A structural CRD schema as plain JSON Schema, closed where it lists properties. */
function strict(schema: unknown): unknown {
  if (!isRecord(schema)) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-kubernetes-') || key === 'nullable' || key === 'description') continue;
    if (key === 'properties' && isRecord(value))
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strict(v)]));
    else if (['items', 'additionalProperties', 'not'].includes(key)) out[key] = strict(value);
    else if (['allOf', 'anyOf', 'oneOf'].includes(key) && Array.isArray(value)) out[key] = value.map(strict);
    else out[key] = value;
  }
  if (schema['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (schema.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  const open =
    schema['x-kubernetes-preserve-unknown-fields'] === true || schema['x-kubernetes-embedded-resource'] === true;
  if (isRecord(out.properties) && out.additionalProperties === undefined && !open) out.additionalProperties = false;
  return out;
}

/** The CRD's schema for one served version, with the envelope every object has. */
function rootSchema(openAPIV3Schema: unknown): Schema {
  const base = strict(openAPIV3Schema) as Schema;
  const properties = isRecord(base.properties) ? base.properties : {};
  return {
    ...base,
    properties: {
      ...properties,
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
    },
  };
}

export class CrdSchemas {
  private readonly schemas = new Map<string, Schema>();
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });

  constructor(objects: KubeObject[]) {
    for (const crd of objects.filter((o) => kindOf(o) === 'CustomResourceDefinition')) {
      const spec = isRecord(crd.spec) ? crd.spec : {};
      const kind = isRecord(spec.names) ? spec.names.kind : undefined;
      if (typeof spec.group !== 'string' || typeof kind !== 'string' || !Array.isArray(spec.versions)) continue;
      for (const version of spec.versions.filter(isRecord)) {
        const schema = isRecord(version.schema) ? version.schema.openAPIV3Schema : undefined;
        if (typeof version.name === 'string' && isRecord(schema))
          this.schemas.set(`${spec.group}/${version.name}/${kind}`, rootSchema(schema));
      }
    }
  }

  /** Problems with the object, or undefined when no CRD in the tree defines its kind. */
  validate(object: KubeObject): string[] | undefined {
    const key = `${String(object.apiVersion)}/${kindOf(object)}`;
    const schema = this.schemas.get(key);
    if (!schema) return undefined;
    if (!this.compiled.has(key)) this.compiled.set(key, this.ajv.compile(schema));
    const validate = this.compiled.get(key)!;
    return validate(object) ? [] : describeAjvErrors(validate.errors ?? []);
  }
}
