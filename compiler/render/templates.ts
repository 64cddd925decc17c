// The Handlebars templates under templates/. They ship with fabric; a spec can
// never name a template (docs/reliability.md C7). The bundle carries them precompiled
// (scripts/build.mjs); from source they are read and compiled here.
import { readdirSync, readFileSync } from 'node:fs';
import { sep } from 'node:path';
import Handlebars from 'handlebars';
import { packageRoot } from '../paths.ts';
import { precompiled } from '../precompiled.ts';

/** strict: a name the context lacks is an error; noEscape: every value goes through an escaping helper instead of HTML escaping. */
const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

export type Template = (ctx: object) => string;

/** Every template as [path under templates/, source], sorted by path. */
export function templateSources(): [string, string][] {
  const dir = `${packageRoot()}/templates`;
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.hbs'))
    .map((file) => file.split(sep).join('/'))
    .sort()
    .map((file) => [file, readFileSync(`${dir}/${file}`, 'utf8')]);
}

/** Every template, bound to the Handlebars environment `hb` (and so to its helpers). */
export function compileTemplates(hb: typeof Handlebars): Map<string, Template> {
  if (precompiled.templates)
    return new Map(Object.entries(precompiled.templates).map(([file, spec]) => [file, hb.template(spec)]));
  return new Map(templateSources().map(([file, source]) => [file, hb.compile(source, COMPILE_OPTIONS)]));
}

/** The module scripts/build.mjs writes: every template as Handlebars.precompile output, same options. */
export function precompiledTemplatesModule(): string {
  const entries = templateSources().map(
    ([file, source]) => `  ${JSON.stringify(file)}: ${Handlebars.precompile(source, COMPILE_OPTIONS)},`,
  );
  return `module.exports = {\n${entries.join('\n')}\n};\n`;
}
