// The plan of `fabric apply`: from the model, the ordered steps that bring
// the clusters to match the spec. Pure: building and printing it runs no tool,
// so `fabric apply --dry-run` works on a machine without any of them.
import { deployedApplications, expectedApplications, PredictionError } from './applications.ts';
import {
  applyApplicationSets,
  buildAppImage,
  compileTree,
  containerEngine,
  grafanaAdminSecret,
  installArgocd,
  minikubeClusters,
  pushTree,
  registerCluster,
  registeredClusters,
  sharedNetwork,
  startProfile,
  waitForApplications,
  type RunContext,
  type Step,
} from './steps.ts';
import { isDemoImage } from '../model/constants.ts';
import { ingestCredentials } from './ingest-credentials.ts';
import { registerRepository } from './repo-credentials.ts';
import { pushAppImage, registryPushes } from './registry-image.ts';
import { displayArgv } from './tools.ts';
import { EXIT, FabricError } from '../errors.ts';

/** The spec asks for something the runner cannot do (exit 1, like an invalid spec). */
export class PlanError extends FabricError {
  constructor(message: string, hint: string) {
    super(message, { exitCode: EXIT.invalidSpec, hint });
  }
}

export function buildPlan(ctx: RunContext): Step[] {
  const model = ctx.compiled.model;
  const profiles = minikubeClusters(model);
  if (profiles.length && !['docker', 'podman'].includes(model.platform.driver)) {
    // minikube start.md: --static-ip is for the "Docker and Podman drivers only".
    throw new PlanError(
      `fabric apply cannot give minikube clusters static IPs with the ${model.platform.driver} driver`,
      'use platform.driver: docker (or podman), or clusters with provider: existing',
    );
  }
  const expected = deployedApplications(model);
  let generated: string[];
  try {
    generated = expectedApplications(ctx.compiled.files, registeredClusters(model));
  } catch (e) {
    if (e instanceof PredictionError)
      throw new PlanError(
        `cannot predict the Applications the ApplicationSets create: ${e.message}`,
        'this is a bug in fabric; please report it with the spec',
      );
    throw e;
  }
  if (generated.join('\n') !== expected.join('\n'))
    throw new PlanError(
      `the ApplicationSets create [${generated.join(', ')}], the model's deployments are [${expected.join(', ')}]`,
      'this is a bug in fabric; please report it with the spec',
    );
  const demoImages = profiles
    .filter((c) => c.role === 'member')
    .flatMap((c) =>
      [
        ...new Set(
          model.apps.filter((a) => a.environments.includes(c.environment!) && isDemoImage(a.image)).map((a) => a.image),
        ),
      ].map((image) => buildAppImage(ctx, c, image)),
    );
  const pushes = registryPushes(model);
  const pinned = pushes.find((p) => p.image.includes('@'));
  if (pinned)
    throw new PlanError(
      `${pinned.image} is pinned by digest, which an image fabric builds cannot have, so it cannot be pushed to platform.registry for the existing clusters`,
      `give the app image a tag (e.g. ${pinned.image.slice(0, pinned.image.indexOf('@'))}:0.1.0)`,
    );
  return [
    ...(profiles.length ? [sharedNetwork(ctx)] : []),
    ...profiles.map((c) => startProfile(ctx, c)),
    installArgocd(ctx),
    ...(model.git.credentials ? [registerRepository(ctx)] : []),
    ...model.clusters.filter((c) => c.role !== 'control').map((c) => registerCluster(ctx, c)),
    grafanaAdminSecret(ctx),
    ingestCredentials(ctx),
    ...demoImages,
    ...pushes.map((p) => pushAppImage(ctx, p.image, p.ref)),
    compileTree(ctx),
    pushTree(ctx),
    applyApplicationSets(ctx),
    waitForApplications(ctx, expected),
  ];
}

/** The plan as text: each step, the commands its check reads with (`?`) and its action runs (`$`). */
export function formatPlan(steps: Step[], ctx: RunContext): string {
  const model = ctx.compiled.model;
  const lines = [
    `fabric apply plan for ${model.name} (${ctx.specPath}): ${steps.length} steps`,
    `clusters: ${model.clusters.map((c) => `${c.name} (${c.role}, ${c.provider}${c.provider === 'minikube' ? ` via ${containerEngine(model)}` : `, context ${c.context}`})`).join(', ')}`,
    'Each step first checks whether it is already done (lines with ?) and runs its commands ($) only if not.',
    '',
  ];
  steps.forEach((s, i) => {
    const tags = [s.parallel ? `parallel: ${s.parallel}` : '', s.skip ?? ''].filter(Boolean);
    lines.push(`${i + 1}. ${s.title}${tags.length ? `  [${tags.join('; ')}]` : ''}`);
    for (const argv of s.checks) lines.push(`   ? ${displayArgv(argv)}`);
    for (const argv of s.commands) lines.push(`   $ ${displayArgv(argv)}`);
    for (const note of s.notes ?? []) lines.push(`     ${note}`);
  });
  return lines.join('\n') + '\n';
}

export function planJSON(steps: Step[]): object {
  return {
    steps: steps.map((s) => ({
      id: s.id,
      title: s.title,
      parallel: s.parallel,
      skip: s.skip,
      checks: s.checks,
      commands: s.commands,
      notes: s.notes ?? [],
    })),
  };
}
