// Kubernetes name rules per kind, as the API server applies them
// (k8s.io/apimachinery validation; the same table Helm's lint uses): a
// Service name is a DNS-1035 label, a Namespace a DNS-1123 label, RBAC kinds
// a path segment, everything else a DNS-1123 subdomain. Label keys and values
// follow the qualified-name and label-value rules.
import { apiGroupOf, isRecord, kindOf, metadataOf, type KubeObject } from './objects.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function dns1123Label(s: string): string | undefined {
  if (s.length > 63) return 'must be at most 63 characters (a DNS-1123 label)';
  if (!DNS1123_LABEL.test(s))
    return 'must be a DNS-1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit';
  return undefined;
}

function dns1035Label(s: string): string | undefined {
  if (s.length > 63) return 'must be at most 63 characters (a DNS-1035 label)';
  if (!DNS1035_LABEL.test(s))
    return 'must be a DNS-1035 label: lower-case letters, digits and "-", starting with a letter and ending with a letter or digit';
  return undefined;
}

function dns1123Subdomain(s: string): string | undefined {
  if (s.length > 253) return 'must be at most 253 characters (a DNS-1123 subdomain)';
  if (!DNS1123_SUBDOMAIN.test(s))
    return 'must be a DNS-1123 subdomain: lower-case letters, digits, "-" and ".", each part starting and ending with a letter or digit';
  return undefined;
}

function pathSegment(s: string): string | undefined {
  if (s === '.' || s === '..') return `may not be "${s}"`;
  if (/[/%]/.test(s)) return 'may not contain "/" or "%"';
  return undefined;
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function nameRule(o: KubeObject): (s: string) => string | undefined {
  const group = apiGroupOf(o);
  const kind = kindOf(o);
  if (group === '' && kind === 'Service') return dns1035Label;
  if (group === '' && kind === 'Namespace') return dns1123Label;
  if (group === RBAC_GROUP) return pathSegment;
  return dns1123Subdomain;
}

function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix === '') return 'has an empty prefix';
  const prefixProblem = prefix === undefined ? undefined : dns1123Subdomain(prefix);
  if (prefixProblem) return `prefix "${prefix}" ${prefixProblem}`;
  if (name.length === 0 || name.length > 63) return 'name part must be 1 to 63 characters';
  if (!QUALIFIED_NAME_PART.test(name))
    return 'name part must be letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
  return undefined;
}

function labelValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > 63) return `is ${value.length} characters; at most 63 are allowed`;
  if (!LABEL_VALUE.test(value))
    return 'must be empty or letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
  return undefined;
}

/** Label maps that Kubernetes validates as labels: the object's, a pod template's, and selectors. */
function labelMaps(o: KubeObject): [string, unknown][] {
  const maps: [string, unknown][] = [['metadata.labels', metadataOf(o).labels]];
  const spec = isRecord(o.spec) ? o.spec : undefined;
  if (apiGroupOf(o) === '' && kindOf(o) === 'Service') maps.push(['spec.selector', spec?.selector]);
  if (['apps', 'batch'].includes(apiGroupOf(o)) && spec) {
    if (isRecord(spec.selector)) maps.push(['spec.selector.matchLabels', spec.selector.matchLabels]);
    const template = isRecord(spec.template) && isRecord(spec.template.metadata) ? spec.template.metadata : undefined;
    maps.push(['spec.template.metadata.labels', template?.labels]);
  }
  return maps;
}

/** Every name, namespace and label problem of one object. */
export function nameProblems(o: KubeObject): string[] {
  const problems: string[] = [];
  const meta = metadataOf(o);
  if (typeof meta.name !== 'string' || meta.name === '') problems.push('metadata.name is missing');
  else {
    const problem = nameRule(o)(meta.name);
    if (problem) problems.push(`metadata.name "${meta.name}" ${problem}`);
  }
  if (meta.namespace !== undefined) {
    const problem = typeof meta.namespace === 'string' ? dns1123Label(meta.namespace) : 'must be a string';
    if (problem) problems.push(`metadata.namespace "${String(meta.namespace)}" ${problem}`);
  }
  for (const [where, labels] of labelMaps(o)) {
    if (!isRecord(labels)) continue;
    for (const [key, value] of Object.entries(labels)) {
      const keyProblem = labelKeyProblem(key);
      if (keyProblem) problems.push(`${where} key "${key}" ${keyProblem}`);
      const valueProblem = labelValueProblem(value);
      if (valueProblem) problems.push(`${where}["${key}"] value ${JSON.stringify(value)} ${valueProblem}`);
    }
  }
  if (isRecord(meta.annotations)) {
    for (const key of Object.keys(meta.annotations)) {
      const keyProblem = labelKeyProblem(key);
      if (keyProblem) problems.push(`metadata.annotations key "${key}" ${keyProblem}`);
    }
  }
  return problems;
}
