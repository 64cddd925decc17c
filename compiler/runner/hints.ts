// What to do about a failed command, from the tool, its exit code and its
// output. minikube exit codes: docs/runner.md, "Upstream formats".
import type { CommandFailed } from './exec.ts';

const INSTALL: Record<string, string> = {
  minikube: 'https://minikube.sigs.k8s.io/docs/start/',
  kubectl: 'https://kubernetes.io/docs/tasks/tools/',
  docker: 'https://docs.docker.com/engine/install/',
  podman: 'https://podman.io/docs/installation',
};

export function hintFor(e: CommandFailed): string | undefined {
  const tool = e.argv[0];
  if (e.reason === 'missing')
    return `install ${tool}${INSTALL[tool] ? ` (${INSTALL[tool]})` : ''} and run fabric apply again`;
  const out = e.output;
  // Only a command about one profile names it (`minikube version` has none: never the user's default `minikube`).
  const profile = tool === 'minikube' && e.argv.includes('-p') ? e.argv[e.argv.indexOf('-p') + 1] : undefined;
  if (tool === 'minikube' && e.exitCode !== undefined) {
    const code = e.exitCode;
    if (code === 23)
      return `minikube found too little memory for ${profile}: lower clusters.${profile}.memory, or give the docker engine more memory`;
    if (code === 29) return `minikube found too few CPUs for ${profile}: lower clusters.${profile}.cpus`;
    if (code === 63 || code === 69)
      return 'the container engine is not running: start docker and run fabric apply again';
    if (code === 55 || code === 65)
      return 'minikube cannot find its driver: install docker (platform.driver) and run fabric apply again';
    if (code >= 70 && code <= 79)
      return `a network problem on the shared network: 'docker network inspect <network>' shows which containers hold which address; each cluster needs a free static ip`;
    if (code === 85) return `the profile ${profile} does not exist`;
    if (profile)
      return `see 'minikube logs -p ${profile}'; if the profile is broken, 'minikube delete -p ${profile}' and run fabric apply again`;
    return `minikube itself fails: run '${e.argv.join(' ')}' to see why, reinstall minikube if needed (https://minikube.sigs.k8s.io/docs/start/)`;
  }
  if (tool === 'kubectl') {
    const context = e.argv[e.argv.indexOf('--context') + 1];
    if (/context .* (was )?not found|no context exists|cannot locate context/i.test(out))
      return `there is no kube context '${context}': check clusters.<name>.context, or start the minikube profile`;
    if (/Unable to connect to the server|connection refused|i\/o timeout|no route to host/i.test(out))
      return `the API server of '${context}' is not reachable: is the cluster running? (fabric status)`;
    if (/forbidden/i.test(out))
      return `the credentials of '${context}' are not allowed to do this: fabric needs cluster-admin there`;
  }
  if (
    (tool === 'docker' || tool === 'podman') &&
    /Cannot connect to the Docker daemon|Is the docker daemon running/i.test(out)
  )
    return 'the docker engine is not running: start it and run fabric apply again';
  return undefined;
}
