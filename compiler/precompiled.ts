// What scripts/build.mjs compiles ahead of time: the spec's JSON Schema
// validator (ajv standalone code), the Handlebars templates, and the parsed
// shapes of the templates' output for the reference spec (render/shapes.ts).
// The bundle in dist/ gets the generated module (dist/generated/precompiled.mjs)
// in place of this one; run from source there is nothing precompiled:
// validate/schema.ts and render/templates.ts compile at first use and
// render/shapes.ts parses every shape.
import type { ValidateFunction } from 'ajv';

export const precompiled: {
  validateSchema?: ValidateFunction;
  templates?: Record<string, TemplateSpecification>;
  shapes?: Record<string, unknown[]>;
} = {};
