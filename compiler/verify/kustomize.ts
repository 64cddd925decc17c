// Build every kustomization in the tree with the real `kubectl kustomize`, a
// few at a time, and hand back the objects each one renders.
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { execa } from 'execa';
import fg from 'fast-glob';
import { parse, parseAllDocuments } from 'yaml';
import { isRecord, type KubeObject } from './objects.ts';
import { mapWithLimit } from './pool.ts';

/** kubectl is CPU-bound; the build machines have two cores. */
const BUILD_CONCURRENCY = 2;
const BUILD_TIMEOUT_MS = 120_000;
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export type KustomizeBuild =
  | { dir: string; status: 'built'; objects: KubeObject[] }
  /** Built as part of the target `by`, which includes it. */
  | { dir: string; status: 'covered'; by: string }
  | { dir: string; status: 'failed'; error: string }
  /** Needs the network (a remote base or a Helm chart), which an offline check cannot fetch. */
  | { dir: string; status: 'remote'; reason: string };

/** Directories (relative, POSIX, sorted) that hold a kustomization file. */
export async function findKustomizationDirs(root: string): Promise<string[]> {
  const files = await fg(
    KUSTOMIZATION_FILES.map((f) => `**/${f}`),
    { cwd: root, ignore: ['**/node_modules/**', '**/.git/**'], dot: false },
  );
  return [...new Set(files.map((f) => posix.dirname(f)))].sort();
}

/** A resource entry is remote when it is a URL or a repository path (the forms kustomize fetches with git). */
const isRemoteEntry = (entry: string): boolean =>
  /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ||
  /^(git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/)/.test(entry) ||
  /[?&]ref=/.test(entry);

async function readKustomization(root: string, dir: string): Promise<Record<string, unknown> | undefined> {
  for (const name of KUSTOMIZATION_FILES) {
    try {
      const doc = parse(await readFile(join(root, dir, name), 'utf8'));
      return isRecord(doc) ? doc : {};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined; // kubectl reports the parse error
    }
  }
  return undefined;
}

interface Node {
  /** Local kustomization directories it builds on (resources, bases, components). */
  deps: string[];
  /** Why it needs the network on its own, if it does. */
  remote?: string;
}

async function readGraph(root: string, dirs: string[]): Promise<Map<string, Node>> {
  const known = new Set(dirs);
  const graph = new Map<string, Node>();
  for (const dir of dirs) {
    const k = await readKustomization(root, dir);
    const node: Node = { deps: [] };
    if (k && Array.isArray(k.helmCharts) && k.helmCharts.length > 0) node.remote = `${dir} inflates a Helm chart`;
    for (const field of ['resources', 'bases', 'components'] as const) {
      for (const entry of k && Array.isArray(k[field]) ? (k[field] as unknown[]) : []) {
        if (typeof entry !== 'string') continue;
        if (isRemoteEntry(entry)) node.remote ??= `${dir} uses the remote resource ${entry}`;
        else if (known.has(posix.normalize(posix.join(dir, entry))))
          node.deps.push(posix.normalize(posix.join(dir, entry)));
      }
    }
    graph.set(dir, node);
  }
  return graph;
}

/** dir and every local kustomization it builds on, transitively. */
function closure(graph: Map<string, Node>, dir: string, into = new Set<string>()): Set<string> {
  if (into.has(dir)) return into;
  into.add(dir);
  for (const dep of graph.get(dir)?.deps ?? []) closure(graph, dep, into);
  return into;
}

function buildError(stderr: string, fallback: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length > 0 ? lines.slice(0, 5).join(' ') : fallback;
}

async function build(root: string, dir: string, kubectl: string, graph: Map<string, Node>): Promise<KustomizeBuild> {
  const remote = [...closure(graph, dir)].map((d) => graph.get(d)?.remote).find(Boolean);
  if (remote) return { dir, status: 'remote', reason: remote };
  const result = await execa(kubectl, ['kustomize', join(root, dir)], {
    reject: false,
    timeout: BUILD_TIMEOUT_MS,
    stripFinalNewline: false,
  });
  if (result.failed)
    return {
      dir,
      status: 'failed',
      error: buildError(String(result.stderr ?? ''), result.shortMessage ?? 'kubectl kustomize failed'),
    };
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(String(result.stdout))) {
    const value = doc.toJS();
    if (isRecord(value)) objects.push(value);
  }
  return { dir, status: 'built', objects };
}

/**
 * Builds the targets, then every other kustomization that no successful
 * target build already went through (kustomize builds a base in full when an
 * overlay includes it, so a base an overlay built needs no build of its own).
 */
export async function buildKustomizations(
  root: string,
  dirs: string[],
  kubectl: string,
  targets: string[],
): Promise<Map<string, KustomizeBuild>> {
  const graph = await readGraph(root, dirs);
  const targetDirs = dirs.filter((d) => targets.includes(d));
  const builds = new Map<string, KustomizeBuild>();
  for (const b of await mapWithLimit(targetDirs, BUILD_CONCURRENCY, (dir) => build(root, dir, kubectl, graph)))
    builds.set(b.dir, b);

  const coveredBy = new Map<string, string>();
  for (const b of builds.values()) {
    if (b.status === 'built')
      for (const dep of closure(graph, b.dir)) if (!builds.has(dep) && !coveredBy.has(dep)) coveredBy.set(dep, b.dir);
  }
  for (const [dir, by] of coveredBy) builds.set(dir, { dir, status: 'covered', by });
  const rest = dirs.filter((d) => !builds.has(d));
  for (const b of await mapWithLimit(rest, BUILD_CONCURRENCY, (dir) => build(root, dir, kubectl, graph)))
    builds.set(b.dir, b);
  return builds;
}
