// What scripts/build.mjs compiles ahead of time: the spec's JSON Schema
// validator (ajv standalone code) and the Handlebars templates. The bundle in
// dist/ gets the generated module (dist/generated/precompiled.mjs) in place of
// this one; run from source there is nothing precompiled: validate/schema.ts
// and render/templates.ts compile at first use.
import type { ValidateFunction } from 'ajv';

export const precompiled: {
  validateSchema?: ValidateFunction;
  templates?: Record<string, TemplateSpecification>;
} = {};
