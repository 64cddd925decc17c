// `fabric init [dir]`: write a starter fabric.yaml (compiler/init/starter.ts) for the user's own
// repository, the JSON Schema beside it for editors, and /out/ in .gitignore. Asks on a terminal
// for what the flags did not give; without one, --yes takes the defaults. The text is validated
// before anything is written.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { hasErrors } from '../../diagnostics.ts';
import { FabricError, UsageError, EXIT } from '../../errors.ts';
import { loadAndValidate } from '../../index.ts';
import {
  MAX_STARTER_ENVIRONMENTS,
  SCHEMA_FILE,
  SPEC_FILE,
  starterDefaults,
  starterSpec,
  type StarterAnswers,
} from '../../init/starter.ts';
import { packageRoot } from '../../paths.ts';
import { printDiagnostics, say } from '../output.ts';

export interface InitFlags {
  dir?: string;
  yes?: boolean;
  force?: boolean;
  name?: string;
  repoUrl?: string;
  environments?: string;
  gitignore: boolean;
}

const environmentList = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((e) => e.trim())
    .filter(Boolean);

async function answers(flags: InitFlags, dir: string): Promise<StarterAnswers> {
  const defaults = starterDefaults(basename(dir));
  const given = {
    name: flags.name,
    repoURL: flags.repoUrl,
    environments: flags.environments === undefined ? undefined : environmentList(flags.environments),
  };
  const missing = (Object.keys(given) as (keyof typeof given)[]).filter((k) => given[k] === undefined);
  if (missing.length > 0 && !flags.yes) {
    if (!process.stdin.isTTY || !process.stdout.isTTY)
      throw new UsageError(
        'fabric init asks for the fleet name, the GitOps repository and the environments, and there is no terminal to ask on',
        'pass --yes for the defaults, or give --name, --repo-url and --environments',
      );
    const { createInterface } = await import('node:readline');
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    // Lines read as they come (typed, or pasted several at once); Ctrl-C or Ctrl-D ends the questions.
    rl.on('SIGINT', () => rl.close());
    const lines = rl[Symbol.asyncIterator]();
    try {
      const ask = async (q: string, d: string) => {
        rl.setPrompt(`${q} [${d}]: `);
        rl.prompt();
        const line = await lines.next();
        if (line.done)
          throw new FabricError('fabric init stopped before all questions were answered; nothing was written', {
            exitCode: EXIT.interrupted,
          });
        return String(line.value).trim() || d;
      };
      given.name ??= await ask('Fleet name', defaults.name);
      given.repoURL ??= await ask('GitOps repository URL (fabric pushes, ArgoCD reads)', defaults.repoURL);
      given.environments ??= environmentList(
        await ask('Environments, comma-separated', defaults.environments.join(',')),
      );
    } finally {
      rl.close();
    }
  }
  const result = {
    name: given.name ?? defaults.name,
    repoURL: given.repoURL ?? defaults.repoURL,
    environments: given.environments ?? defaults.environments,
  };
  if (result.environments.length === 0)
    throw new UsageError('give at least one environment', '--environments stage,prod');
  if (result.environments.length > MAX_STARTER_ENVIRONMENTS)
    throw new UsageError(
      `fabric init sets up at most ${MAX_STARTER_ENVIRONMENTS} environments`,
      'add more by hand afterwards',
    );
  return result;
}

export async function initCommand(flags: InitFlags): Promise<number> {
  const dir = resolve(flags.dir ?? '.');
  const specPath = join(dir, SPEC_FILE);
  const shown = relative(process.cwd(), specPath) || SPEC_FILE;
  if (existsSync(specPath) && !flags.force)
    throw new FabricError(`${shown} exists; fabric init does not overwrite it`, {
      hint: 'edit it, or pass --force to replace it with the starter',
    });
  const text = starterSpec(await answers(flags, dir));
  // What the answers make must validate (a name with capitals, say): check before writing anything.
  const { diagnostics, source } = loadAndValidate(shown, text);
  if (hasErrors(diagnostics)) {
    printDiagnostics(diagnostics, source, false);
    throw new UsageError('the answers do not make a valid fabric.yaml (above); nothing was written');
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(specPath, text);
  writeFileSync(join(dir, SCHEMA_FILE), readFileSync(join(packageRoot(), 'schema', SCHEMA_FILE)));
  const written = [shown, relative(process.cwd(), join(dir, SCHEMA_FILE))];
  if (flags.gitignore) {
    const ignore = join(dir, '.gitignore');
    const lines = existsSync(ignore) ? readFileSync(ignore, 'utf8').split('\n') : [];
    if (!lines.some((l) => ['out', 'out/', '/out', '/out/'].includes(l.trim()))) {
      appendFileSync(
        ignore,
        `${lines.length > 0 && lines.at(-1) !== '' ? '\n' : ''}# fabric compile's output; fabric push publishes it\n/out/\n`,
      );
      written.push(relative(process.cwd(), ignore));
    }
  }
  say(
    [
      `wrote ${written.join(', ')}`,
      'next: edit fabric.yaml, then',
      `  fabric validate${flags.dir ? ` ${join(flags.dir, SPEC_FILE)}` : ''}`,
      `  fabric compile${flags.dir ? ` ${join(flags.dir, SPEC_FILE)}` : ''}   # writes out/`,
      '  fabric push --create-branch   # commits the tree to git.repoURL',
      '  fabric apply   # minikube clusters, ArgoCD, health',
    ].join('\n'),
  );
  return EXIT.ok;
}

/** `fabric schema`: the JSON Schema of fabric.yaml, as shipped with this fabric. */
export function schemaCommand(): number {
  process.stdout.write(readFileSync(join(packageRoot(), 'schema', SCHEMA_FILE)));
  return EXIT.ok;
}
