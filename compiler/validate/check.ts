// What a semantic check is: a name, the codes it may emit, and a function over
// a spec the schema accepted. The context locates each report (path ->
// file:line:col), takes its severity from the catalog, and carries the facts
// several checks read (cluster list, environment names, tenancy, ...).
import type { Code } from '../diagnostic-catalog.ts';
import { diagnostic, type Diagnostic } from '../diagnostics.ts';
import { aliasOrigin, locate, locateWithin, type LoadedSpec, type PathSegment } from '../load.ts';
import type { FabricYaml } from '../spec-types.ts';
import { closest, dotted, fabricSchema } from './schema.ts';

type Cluster = FabricYaml['clusters'][string];
type App = NonNullable<FabricYaml['apps']>[string];

export interface Related {
  path: PathSegment[];
  message: string;
  /** Point at the key that names the node rather than its value. */
  key?: boolean;
}

export interface ReportOptions {
  /** Point at the key that names the node rather than its value. */
  key?: boolean;
  /** A second place the problem involves; without it, an alias's anchored node is named. */
  related?: Related;
  /** Point at this character of the string value (a parse error inside an expression). */
  within?: number;
}

export interface CheckContext<C extends Code> {
  loaded: LoadedSpec;
  spec: FabricYaml;
  clusters: [string, Cluster][];
  envNames: string[];
  apps: [string, App][];
  tenancy: 'isolated' | 'shared';
  /** The provider of a cluster, platform.provider when it names none. */
  providerOf(cluster: Cluster): string;
  /** Report a problem at a path of the spec. */
  report(code: C, path: PathSegment[], message: string, hint: string, opts?: ReportOptions): void;
  /** The hint and related place for a reference to an environment that is not defined. */
  unknownEnvironment(env: string): { hint: string; related?: Related };
  /** The value at a path. */
  valueAt(path: PathSegment[]): unknown;
  /** Grafana's defaults (nodePort, host) from the schema. */
  grafanaDefaults: (typeof fabricSchema)['$defs']['grafana']['properties'];
  /** How a first claim of a port or host is named: the path, or the path and "(its default)". */
  firstUse(path: PathSegment[]): string;
  /** The related place of a first claim, when it is written in the file. */
  firstUseRelated(path: PathSegment[]): Related | undefined;
}

export interface Check<C extends Code = Code> {
  /** kebab-case, as the file is named. */
  name: string;
  /** Every code the check may report; report() accepts only these. */
  codes: readonly C[];
  run(ctx: CheckContext<C>): void;
}

/** A check, typed so that it can report only the codes it declares. */
export const defineCheck = <const C extends Code>(check: Check<C>): Check<C> => check;

/** What every check reads of the spec, listed once for all of them (a fleet has hundreds of clusters). */
export type SpecFacts = Pick<CheckContext<never>, 'clusters' | 'envNames' | 'apps'>;

export const specFacts = (spec: FabricYaml): SpecFacts => ({
  clusters: Object.entries(spec.clusters),
  envNames: Object.keys(spec.environments),
  apps: Object.entries(spec.apps ?? {}),
});

export function runCheck<C extends Code>(
  check: Check<C>,
  loaded: LoadedSpec,
  spec: FabricYaml,
  { clusters, envNames, apps }: SpecFacts = specFacts(spec),
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const place = (path: PathSegment[], key?: boolean) => locate(loaded, path, key ? 'key' : 'value');
  // A path the file does not spell out is a default (Grafana's nodePort and host, the gateway's nodePort).
  const written = (path: PathSegment[]) => path.reduce<any>((o, k) => o?.[k], spec) !== undefined;
  check.run({
    loaded,
    spec,
    clusters,
    envNames,
    apps,
    tenancy: spec.backends?.tenancy ?? 'isolated',
    providerOf: (c) => c.provider ?? spec.platform?.provider ?? 'minikube',
    report(code, path, message, hint, opts = {}) {
      const at = opts.within === undefined ? place(path, opts.key) : locateWithin(loaded, path, opts.within);
      const d = diagnostic(code, loaded.file, { line: at.line, column: at.column }, message, hint);
      if (opts.related) d.related = { ...place(opts.related.path, opts.related.key), message: opts.related.message };
      else {
        const origin = aliasOrigin(loaded, path, opts.key ? 'key' : 'value');
        if (origin) d.related = { ...origin, message: 'the value comes from the anchored node here' };
      }
      out.push(d);
    },
    // The environment a misspelt reference most likely meant, and where it is defined.
    unknownEnvironment(env) {
      const guess = closest(env, envNames);
      return guess
        ? {
            hint: `did you mean '${guess}'?`,
            related: { path: ['environments', guess], message: `environment '${guess}' is defined here`, key: true },
          }
        : { hint: `define it under environments:, or use one of: ${envNames.join(', ')}` };
    },
    valueAt: (path) => path.reduce<any>((o, k) => o?.[k], spec),
    grafanaDefaults: fabricSchema.$defs.grafana.properties,
    // A default has no place in the file, so the written value is the one reported.
    firstUse: (path) => (written(path) ? dotted(path) : `${dotted(path)} (its default)`),
    firstUseRelated: (path) => (written(path) ? { path, message: 'first use' } : undefined),
  });
  return out;
}
