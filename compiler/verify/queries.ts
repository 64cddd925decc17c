// Parse every PromQL, LogQL and TraceQL query the tree carries (PrometheusRule
// expressions, Grafana dashboard panels) with the grammars Prometheus and
// Grafana ship for their own editors; an error node in the tree is a query
// Mimir, Loki or Tempo would reject.
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as traceqlParser } from '@grafana/lezer-traceql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { firstErrorOffset } from '../validate/promql.ts';
import { parse as parseYaml } from 'yaml';
import { isRecord, type KubeObject } from './objects.ts';

export type QueryLanguage = 'promql' | 'logql' | 'traceql';

interface LezerParser {
  parse(input: string): { iterate(spec: { enter(node: { type: { isError: boolean }; from: number }): void }): void };
}

const PARSERS: Record<QueryLanguage, LezerParser> = {
  promql: promqlParser,
  logql: logqlParser,
  traceql: traceqlParser,
};

/** The first syntax error in a query, or undefined when it parses. */
export function queryError(language: QueryLanguage, query: string): string | undefined {
  if (query.trim() === '') return 'the query is empty';
  const errorAt = firstErrorOffset(PARSERS[language].parse(query));
  if (errorAt === undefined) return undefined;
  const near = query.slice(errorAt, errorAt + 20);
  return `syntax error at column ${errorAt + 1}${near ? ` near ${JSON.stringify(near)}` : ' (unexpected end)'}`;
}

/**
 * Grafana template variables are not PromQL or LogQL; replace each with a
 * value of the kind its position needs: a duration inside a range selector or
 * after a subquery colon, a number after an operator, a plain word elsewhere
 * (inside a quoted matcher any word will do).
 */
export function substituteGrafanaVariables(query: string): string {
  return query.replace(/\$\{[^}]*\}|\[\[[^\]]*\]\]|\$[A-Za-z_][A-Za-z0-9_]*/g, (match, offset: number) => {
    const name = match.replace(/^\$\{|^\[\[|^\$|\}$|\]\]$/g, '').split(':')[0];
    const before = query.slice(0, offset).trimEnd().slice(-1);
    if (/^__(rate_)?interval$|^__range$|^__auto$/.test(name) || before === '[' || before === ':') return '5m';
    if (/^__\w*_(ms|s)$/.test(name) || /[-+*/%^<>=,]/.test(before)) return '1';
    return 'fabric_placeholder';
  });
}

export interface QuerySite {
  language: QueryLanguage;
  /** As written in the tree. */
  query: string;
  /** What is parsed: the query with Grafana variables replaced. */
  parsed: string;
  /** Where it sits, for the finding: "rule HighErrorRate", "panel "Errors" target A". */
  where: string;
}

/** Expressions of a PrometheusRule's alerting and recording rules. */
export function ruleQueries(rule: KubeObject): QuerySite[] {
  const spec = isRecord(rule.spec) ? rule.spec : {};
  const groups = Array.isArray(spec.groups) ? spec.groups : [];
  return groups.flatMap((group) => {
    if (!isRecord(group) || !Array.isArray(group.rules)) return [];
    return group.rules.filter(isRecord).map((r) => ({
      language: 'promql' as const,
      query: String(r.expr ?? ''),
      parsed: String(r.expr ?? ''),
      where: `group "${String(group.name)}" ${r.alert !== undefined ? `alert ${String(r.alert)}` : `record ${String(r.record)}`}`,
    }));
  });
}

/** Datasource uid or name -> plugin type, from Grafana datasource provisioning files in ConfigMaps. */
export function provisionedDatasourceTypes(configMaps: KubeObject[]): Map<string, string> {
  const types = new Map<string, string>();
  for (const cm of configMaps) {
    for (const text of Object.values(isRecord(cm.data) ? cm.data : {})) {
      if (typeof text !== 'string' || !/^\s*datasources\s*:/m.test(text)) continue;
      let doc: unknown;
      try {
        doc = parseYaml(text);
      } catch {
        continue;
      }
      if (!isRecord(doc) || !Array.isArray(doc.datasources)) continue;
      for (const ds of doc.datasources.filter(isRecord)) {
        if (typeof ds.type !== 'string') continue;
        if (typeof ds.uid === 'string') types.set(ds.uid, ds.type);
        if (typeof ds.name === 'string') types.set(ds.name, ds.type);
      }
    }
  }
  return types;
}

const LANGUAGE_OF_TYPE: Record<string, QueryLanguage> = { prometheus: 'promql', loki: 'logql', tempo: 'traceql' };

/** Resolves a panel or target datasource reference to its plugin type. */
function datasourceType(
  ref: unknown,
  variables: Map<string, string>,
  provisioned: Map<string, string>,
): string | undefined {
  if (isRecord(ref)) {
    if (typeof ref.type === 'string' && !ref.type.startsWith('$')) return ref.type;
    return datasourceType(ref.uid, variables, provisioned);
  }
  if (typeof ref !== 'string') return undefined;
  const variable = /^\$\{?([A-Za-z0-9_]+)\}?$/.exec(ref);
  if (variable) return variables.get(variable[1]);
  return provisioned.get(ref);
}

/**
 * Queries of every panel (rows and nested panels included) whose datasource
 * is Prometheus-compatible, Loki or Tempo (a TraceQL target's query is its
 * `query`, the others' `expr`); `unresolved` lists the targets whose
 * datasource type cannot be told, so they are not skipped silently.
 */
export function dashboardQueries(
  dashboardJson: unknown,
  provisioned: Map<string, string>,
): { sites: QuerySite[]; unresolved: string[] } {
  const dashboard =
    isRecord(dashboardJson) && isRecord(dashboardJson.dashboard) ? dashboardJson.dashboard : dashboardJson;
  const sites: QuerySite[] = [];
  const unresolved: string[] = [];
  if (!isRecord(dashboard)) return { sites, unresolved };

  const variables = new Map<string, string>();
  const templating =
    isRecord(dashboard.templating) && Array.isArray(dashboard.templating.list) ? dashboard.templating.list : [];
  for (const v of templating.filter(isRecord)) {
    if (v.type === 'datasource' && typeof v.name === 'string' && typeof v.query === 'string')
      variables.set(v.name, v.query);
  }

  const panels: Record<string, unknown>[] = [];
  const collect = (list: unknown) => {
    for (const p of Array.isArray(list) ? list.filter(isRecord) : []) {
      panels.push(p);
      collect(p.panels);
    }
  };
  collect(dashboard.panels);
  for (const row of Array.isArray(dashboard.rows) ? dashboard.rows.filter(isRecord) : []) collect(row.panels);

  for (const panel of panels) {
    const targets = Array.isArray(panel.targets) ? panel.targets.filter(isRecord) : [];
    for (const target of targets) {
      const where = `panel ${JSON.stringify(String(panel.title ?? panel.id ?? '?'))} target ${String(target.refId ?? '?')}`;
      const type = datasourceType(target.datasource ?? panel.datasource, variables, provisioned);
      const language = type ? LANGUAGE_OF_TYPE[type] : undefined;
      const query = language === 'traceql' ? target.query : target.expr;
      if (typeof query !== 'string') continue;
      if (language) sites.push({ language, query, parsed: substituteGrafanaVariables(query), where });
      else if (!type) unresolved.push(where);
    }
  }
  return { sites, unresolved };
}

export const isGrafanaDashboardKey = (key: string): boolean => key.endsWith('.json');
