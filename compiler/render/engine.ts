// The Handlebars environment every template renders in, and the YAML writer
// for data. Values reach a template's text only through a helper:
//   {{yaml v}}   a YAML scalar: plain when the `yaml` library would write it
//                plain on one line (and no flow indicator could end it), else
//                double-quoted JSON, which YAML reads back as the same string;
//   {{{alloy v}}} an Alloy string literal (JSON escapes are a subset of Go's);
//   {{portNumber "name"}}, {{labelKey "name"}}, {{urlPath "name"}}: the constants of
//                model/constants.ts by name, so no template types a port,
//                a fabric.dev/ key or a URL path.
import Handlebars from 'handlebars';
import { stringify } from 'yaml';
import { LABEL_KEYS, PORTS, URL_PATHS } from '../model/constants.ts';
import { compileTemplates, type Template } from './templates.ts';
import { scalarText, toYaml, YAML_OPTIONS } from './yaml-emit.ts';

export class RenderError extends Error {}

/**
 * Data (rules, datasources, promtool tests) as YAML: what the `yaml` library
 * writes, by yaml-emit.ts's fast path (docs/performance.md has what it saves).
 */
export const dataYaml = toYaml;

/** Scalars repeat across a fleet's files (names, URLs): each is asked of the library once per process. */
const scalarCache = new Map<string | number | boolean, string>();

/** One scalar as YAML text for a block context (a mapping value, a sequence item, a key). */
export function yamlScalar(v: string | number | boolean): string {
  let text = scalarCache.get(v);
  if (text === undefined) {
    const written = scalarText(v) ?? stringify(v, YAML_OPTIONS).replace(/\n$/, '');
    // Multi-line output is a block scalar, which a one-line splice cannot hold;
    // flow indicators would end a plain scalar inside [..] or {..}.
    const oneLine = !written.includes('\n') && !(typeof v === 'string' && /^[^'"].*[,[\]{}]/.test(written));
    text = oneLine ? written : JSON.stringify(v);
    // Bounded: a long-lived process (the tests, the fuzzer) renders many fleets.
    if (scalarCache.size >= 100_000) scalarCache.clear();
    scalarCache.set(v, text);
  }
  return text;
}

function constant<T extends Record<string, string | number>>(table: T, kind: string) {
  return (name: unknown) => {
    if (typeof name !== 'string' || !Object.hasOwn(table, name))
      throw new RenderError(`no ${kind} named ${String(name)}`);
    return String(table[name]);
  };
}

/** Built-in helpers no template uses: Handlebars wraps every registered helper anew on each template call. */
const UNUSED_BUILTINS = ['with', 'lookup', 'log'];

export function createEngine() {
  const hb = Handlebars.create();
  for (const name of UNUSED_BUILTINS) hb.unregisterHelper(name);
  hb.registerHelper('yaml', (v: unknown) => {
    if (v === undefined || v === null) throw new RenderError('a template asked for a value the model does not have');
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return yamlScalar(v);
    throw new RenderError(`a template tried to splice a ${typeof v} as a scalar`);
  });
  hb.registerHelper('alloy', (v: unknown) => {
    if (typeof v !== 'string') throw new RenderError('alloy helper takes a string');
    return JSON.stringify(v);
  });
  // nginx.conf: names and host:port only (DNS labels from the schema); anything
  // that could end a directive or open a block is a render error, not output.
  hb.registerHelper('nginx', (v: unknown) => {
    if (typeof v !== 'string' || !/^[A-Za-z0-9._:-]+$/.test(v))
      throw new RenderError(`nginx helper takes a name or host:port, not ${JSON.stringify(v)}`);
    return v;
  });
  hb.registerHelper('portNumber', constant(PORTS, 'port'));
  hb.registerHelper('labelKey', constant(LABEL_KEYS, 'label key'));
  hb.registerHelper('urlPath', constant(URL_PATHS, 'URL path'));
  return hb;
}

let compiled: Map<string, Template> | undefined;

/** A template by its path under templates/. */
export function template(name: string): Template {
  compiled ??= compileTemplates(createEngine());
  const t = compiled.get(name);
  if (!t) throw new RenderError(`no template ${name}`);
  return t;
}
