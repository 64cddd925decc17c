// What this fleet left running that the spec no longer has: minikube profiles
// on the fleet's network (its containers carry the profile names) and ArgoCD
// cluster registrations labelled with the fleet. `fabric apply` plans their
// removal (shown in --dry-run, confirmed with the rest of the plan), as
// terraform plans a destroy for a resource removed from the configuration;
// `fabric down` removes them with the rest.
import { CLUSTER_LABELS, NAMESPACES, type Model } from '../model/index.ts';
import { clusterSecretName } from './cluster-secret.ts';
import { engineFor, FLEET_LABEL } from './drivers.ts';
import type { Exec } from './exec.ts';
import { minikubeClusters, type RunContext, type Step } from './steps.ts';
import { kubectl, minikube, type Argv } from './tools.ts';

export interface Orphans {
  /** minikube profiles on the fleet's network that the spec does not name. */
  profiles: string[];
  /** ArgoCD cluster Secrets of this fleet for clusters the spec does not name. */
  registrations: string[];
  /** What could not be looked at (the control cluster down, ...): said, not fatal. */
  unknown: string[];
}

const REGISTRATION_SELECTOR = (fleet: string) =>
  `argocd.argoproj.io/secret-type=cluster,${CLUSTER_LABELS.fleet}=${fleet}`;

export const listRegistrations = (model: Model): Argv =>
  kubectl(
    model.control.context,
    '-n',
    NAMESPACES.argocd,
    'get',
    'secrets',
    '-l',
    REGISTRATION_SELECTOR(model.name),
    '-o',
    'json',
  );

async function tryRun(exec: Exec, argv: Argv, okExitCodes?: number[]) {
  try {
    return await exec.run(argv, { okExitCodes });
  } catch (e) {
    return e as Error;
  }
}

/** Profiles on the fleet's network (when fabric created it for this fleet). */
export async function fleetProfiles(exec: Exec, model: Model): Promise<string[] | Error> {
  const engine = engineFor(model);
  const r = await tryRun(exec, engine.networkInspect(model.platform.network), [engine.missingNetworkExit]);
  if (r instanceof Error) return r;
  if (r.exitCode !== 0) return [];
  const info = engine.parseNetwork(r.stdout);
  return info && info.labels[FLEET_LABEL] === model.name ? info.containers : [];
}

export async function findOrphans(exec: Exec, model: Model): Promise<Orphans> {
  const orphans: Orphans = { profiles: [], registrations: [], unknown: [] };
  const wanted = new Set(model.clusters.map((c) => c.name));
  if (minikubeClusters(model).length) {
    const onNetwork = await fleetProfiles(exec, model);
    if (onNetwork instanceof Error) orphans.unknown.push(`profiles on ${model.platform.network}: ${onNetwork.message}`);
    else orphans.profiles = onNetwork.filter((p) => !wanted.has(p));
  }
  const secrets = await tryRun(exec, listRegistrations(model));
  if (secrets instanceof Error)
    orphans.unknown.push(`ArgoCD registrations in ${model.control.name}: ${secrets.message}`);
  else {
    const known = new Set(model.clusters.map((c) => clusterSecretName(c.name)));
    orphans.registrations = ((JSON.parse(secrets.stdout) as { items?: { metadata: { name: string } }[] }).items ?? [])
      .map((s) => s.metadata.name)
      .filter((n) => !known.has(n))
      .sort();
  }
  return orphans;
}

export const removalCommands = (model: Model, o: Orphans): Argv[] => [
  ...o.registrations.map((name) =>
    kubectl(model.control.context, '-n', NAMESPACES.argocd, 'delete', 'secret', name, '--ignore-not-found'),
  ),
  ...o.profiles.map((p) => minikube.delete(p)),
];

/** The plan step that removes what the spec dropped; registrations first, so ArgoCD stops deploying there. */
export function removeOrphans(ctx: RunContext, o: Orphans): Step {
  const commands = removalCommands(ctx.compiled.model, o);
  const names = [...o.registrations.map((r) => `registration ${r}`), ...o.profiles.map((p) => `profile ${p}`)];
  return {
    id: 'orphans',
    title: `Remove what the spec no longer has: ${names.join(', ')}`,
    checks: [],
    commands,
    notes: ['the spec no longer names these clusters; fabric created them for this fleet'],
    check: async () => false,
    action: async (report) => {
      for (const argv of commands) {
        report(argv.slice(1).join(' '));
        await ctx.exec.run(argv, { okExitCodes: argv[0] === 'kubectl' ? [] : [85] });
      }
    },
  };
}

/** The plan with the removal step before the ApplicationSets are applied (a no-op without orphans). */
export async function withOrphanRemoval(plan: Step[], ctx: RunContext): Promise<Step[]> {
  const o = await findOrphans(ctx.exec, ctx.compiled.model);
  if (!o.profiles.length && !o.registrations.length) return plan;
  const at = plan.findIndex((s) => s.id === 'applicationsets');
  return [...plan.slice(0, at), removeOrphans(ctx, o), ...plan.slice(at)];
}
