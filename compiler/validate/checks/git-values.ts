// git.repoURL is written into generated files and pushed, so it must carry no
// credentials; git.revision is the branch fabric pushes to and ArgoCD tracks,
// so it must be a branch name git accepts and push can create.
import { defineCheck } from '../check.ts';

/** Why git check-ref-format refuses refs/heads/<name> (its rules, in order), or undefined. */
export function refFormatProblem(name: string): string | undefined {
  if (name.startsWith('-')) return 'a branch name cannot start with -';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//'))
    return 'a ref name cannot start or end with / or contain //';
  if (name.includes('..')) return 'a ref name cannot contain ..';
  if (name.includes('@{')) return 'a ref name cannot contain @{';
  if (name.endsWith('.')) return 'a ref name cannot end with .';
  const bad = /[\u0000-\u0020\u007f~^:?*[\\]/.exec(name);
  if (bad) return `a ref name cannot contain ${JSON.stringify(bad[0])}`;
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return `a ref name component cannot start with . ('${part}')`;
    if (part.endsWith('.lock')) return `a ref name component cannot end with .lock ('${part}')`;
  }
  return undefined;
}

/** Why fabric cannot push to git.revision, or undefined when it names a branch. */
function revisionProblem(revision: string): string | undefined {
  if (revision === 'HEAD')
    return 'HEAD is not a branch: push would create a branch literally named HEAD while ArgoCD deploys the default branch';
  if (revision.startsWith('refs/tags/')) return 'it names a tag; fabric pushes commits to a branch';
  if (revision.startsWith('refs/')) return 'it is a full ref; write the branch name alone';
  if (/^[0-9a-f]{7,64}$/.test(revision)) return 'it looks like a commit SHA; fabric pushes to a branch, not a commit';
  return refFormatProblem(revision);
}

/** The user (and password or token) part of a URL, or undefined. */
function credentialsOf(url: string): string | undefined {
  if (url.startsWith('git@')) return undefined; // scp-like syntax: git@ is the ssh user, not a secret
  try {
    const parsed = new URL(url);
    if (parsed.password) return 'a user name and password or token';
    // ssh://git@host is the ssh user; a user alone in http(s) is often a token (https://<token>@github.com).
    if (parsed.username && parsed.protocol !== 'ssh:') return 'a user name or token';
  } catch {
    // Not a URL: reported by the urls check.
  }
  return undefined;
}

export default defineCheck({
  name: 'git-values',
  codes: ['FAB223', 'FAB224'],
  run({ spec, report }) {
    const credentials = credentialsOf(spec.git.repoURL);
    if (credentials)
      report(
        'FAB223',
        ['git', 'repoURL'],
        `git.repoURL contains ${credentials}; it would be written in plain text into the generated files and pushed`,
        'remove the credentials from the URL: use a credential file or environment variable, not the URL',
      );
    const revision = spec.git.revision;
    const problem = revision === undefined ? undefined : revisionProblem(revision);
    if (problem)
      report(
        'FAB224',
        ['git', 'revision'],
        `git.revision ${JSON.stringify(revision)} is not a branch fabric can push: ${problem}`,
        'name the branch that fabric pushes to and ArgoCD tracks, for example main',
      );
  },
});
