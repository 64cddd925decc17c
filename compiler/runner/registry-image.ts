// The demo image for existing clusters: their nodes cannot see an image built
// into minikube, so with platform.registry `fabric apply` builds it with the
// container engine and pushes it to `<registry>/fabric/instrumented-app:<tag>`,
// the name the existing members' app overlays rewrite the image to
// (render/components/app.ts, kustomize `images`).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_IMAGE_REPOSITORY, isDemoImage, registryImageName, type Model } from '../model/index.ts';
import { engineFor, isRegistryAuthFailure } from './drivers.ts';
import { CommandFailed } from './exec.ts';
import { DEMO_DOCKERFILE, StepError, type RunContext, type Step } from './steps.ts';

/** The demo images that existing members run, each with the reference it is pushed as; none without a registry. */
export function registryPushes(model: Model): { image: string; ref: string }[] {
  const registry = model.platform.registry;
  if (!registry) return [];
  const existingEnvs = new Set(
    model.clusters.filter((c) => c.role === 'member' && c.provider === 'existing').map((c) => c.environment!),
  );
  const images = model.apps
    .filter((a) => isDemoImage(a.image) && a.environments.some((e) => existingEnvs.has(e)))
    .map((a) => a.image);
  return [...new Set(images)].sort().map((image) => {
    // What follows the repository (`:0.1.0`, `@sha256:...`) is kept: kustomize's newName rewrites only the name.
    const rest = image.slice(image.indexOf(DEMO_IMAGE_REPOSITORY) + DEMO_IMAGE_REPOSITORY.length);
    return { image, ref: `${registryImageName(registry)}${rest || ':latest'}` };
  });
}

/** The registry host, for `docker login` (the part before the first `/`). */
const registryHost = (ref: string) => ref.slice(0, ref.indexOf('/'));

export function pushAppImage(ctx: RunContext, image: string, ref: string): Step {
  const engine = engineFor(ctx.compiled.model);
  const build = engine.build(ref, ctx.appDir, DEMO_DOCKERFILE);
  const push = engine.push(ref);
  return {
    id: `image/registry/${ref}`,
    title: `Build ${image} and push it to ${ref} (for the existing clusters)`,
    checks: [],
    commands: [build, push],
    notes: [
      'runs on every apply: whether the registry holds this build cannot be read without pushing; the build is cached and the push sends only missing layers',
    ],
    // Nothing to observe first (see the note): the step is safe to repeat.
    check: async () => false,
    action: async () => {
      if (!existsSync(join(ctx.appDir, DEMO_DOCKERFILE)))
        throw new StepError(
          `${join(ctx.appDir, DEMO_DOCKERFILE)} is missing`,
          'the demo app image is built from runtime-app/Dockerfile; restore it, or point apps.<name>.image at an image the clusters can pull',
        );
      await ctx.exec.run(build);
      try {
        await ctx.exec.run(push);
      } catch (e) {
        if (!(e instanceof CommandFailed) || e.reason === 'missing' || !isRegistryAuthFailure(e.output)) throw e;
        throw new StepError(
          `${registryHost(ref)} refused the push of ${ref}: ${e.tail(1)[0] ?? ''}`.trim(),
          `log in with '${engine.name} login ${registryHost(ref)}' (an account that may push to ${registryImageName(ctx.compiled.model.platform.registry!)}) and run fabric apply again`,
          e.tail(5),
        );
      }
    },
  };
}
