// Fabric's tree inside a work tree: where it lives (the target path), which
// files it owns (the manifest), and writing or deleting exactly those files,
// never through a symlink and never outside the clone.
import { lstat, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_PATH, type Manifest, type RenderedFile } from '../emit-types.ts';
import { PushError } from './errors.ts';

/** A relative posix path with no empty, '.', '..' or '.git' segment. */
export function isSafeRelativePath(p: string): boolean {
  if (p === '' || p.startsWith('/') || p.includes('\\') || p.includes('\0')) return false;
  return p
    .split('/')
    .every((segment) => segment !== '' && segment !== '.' && segment !== '..' && segment.toLowerCase() !== '.git');
}

/** The target path as a prefix: '' for the repository root, else 'a/b/'. */
export function targetPrefix(targetPath: string): string {
  const trimmed = targetPath.replace(/^\/+|\/+$/g, '');
  if (trimmed === '' || trimmed === '.') return '';
  if (!isSafeRelativePath(trimmed)) {
    throw new PushError(
      'bad-tree',
      `the target path '${targetPath}' must be relative, without '..' or '.git'`,
      "set git.path (or --path) to a directory such as 'gitops' or '' for the root",
    );
  }
  return `${trimmed}/`;
}

/** Checks the compiled tree and returns its manifest. A failure here is a compiler bug. */
export function checkTree(files: RenderedFile[]): Manifest {
  const paths = files.map((f) => f.path);
  const bad = paths.filter((p) => !isSafeRelativePath(p));
  if (bad.length > 0)
    throw new PushError('bad-tree', `the compiled tree has unsafe paths: ${bad.join(', ')}`, undefined, bad);
  const rendered = new Set(paths);
  if (rendered.size !== paths.length) {
    const duplicates = [...new Set(paths.filter((p, i) => paths.indexOf(p) !== i))];
    throw new PushError('bad-tree', `the compiled tree repeats paths: ${duplicates.join(', ')}`, undefined, duplicates);
  }
  const manifestFile = files.find((f) => f.path === MANIFEST_PATH);
  if (!manifestFile) throw new PushError('bad-tree', `the compiled tree has no ${MANIFEST_PATH}`);
  const manifest = parseManifest(manifestFile.contents, MANIFEST_PATH);
  const listed = new Set(manifest.files);
  const unlisted = paths.filter((p) => !listed.has(p));
  const missing = manifest.files.filter((p) => !rendered.has(p));
  if (unlisted.length > 0 || missing.length > 0) {
    throw new PushError(
      'bad-tree',
      `the manifest does not match the compiled tree (unlisted: ${unlisted.join(', ') || 'none'}; missing: ${missing.join(', ') || 'none'})`,
    );
  }
  return manifest;
}

/** Parses a manifest; every listed path must be safe, since pruning deletes them. */
export function parseManifest(text: string, where: string): Manifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new PushError('bad-manifest', `${where} is not valid JSON: ${(e as Error).message}`, manifestHint);
  }
  const m = data as Partial<Manifest>;
  if (m?.generator !== 'fabric' || !Array.isArray(m.files) || !m.files.every((f) => typeof f === 'string')) {
    throw new PushError(
      'bad-manifest',
      `${where} is not a fabric manifest (generator 'fabric' and a list of files expected)`,
      manifestHint,
    );
  }
  const unsafe = m.files.filter((f) => !isSafeRelativePath(f));
  if (unsafe.length > 0)
    throw new PushError('bad-manifest', `${where} lists unsafe paths: ${unsafe.join(', ')}`, manifestHint, unsafe);
  return { generator: 'fabric', spec: String(m.spec ?? ''), specHash: String(m.specHash ?? ''), files: m.files };
}

const manifestHint =
  'restore the manifest from the repository history, or pass --force to push without it (then nothing is pruned)';

/** The manifest at `<prefix>.fabric/manifest.json` in the work tree, or null when there is none. */
export async function readWorktreeManifest(cloneDir: string, prefix: string): Promise<Manifest | null> {
  const repoPath = prefix + MANIFEST_PATH;
  const text = await readFile(path.join(cloneDir, repoPath), 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return null;
    throw e;
  });
  return text === null ? null : parseManifest(text, repoPath);
}

/** Refuses when a directory on the way to `repoPath` is a symlink: writing there would leave the clone. */
async function assertNoSymlinkParents(cloneDir: string, repoPath: string, checked: Set<string>): Promise<void> {
  const segments = repoPath.split('/').slice(0, -1);
  for (let i = 1; i <= segments.length; i++) {
    const dir = segments.slice(0, i).join('/');
    if (checked.has(dir)) continue;
    const stat = await lstat(path.join(cloneDir, dir)).catch(() => null);
    if (stat?.isSymbolicLink()) {
      throw new PushError(
        'unsafe-path',
        `${dir} is a symlink in the repository; fabric will not write through it`,
        `replace the symlink with a directory in the repository`,
        [dir],
      );
    }
    checked.add(dir);
  }
}

/**
 * Writes every rendered file under `prefix` and deletes the previously owned
 * files that are no longer rendered. Returns the repository paths it touched
 * (the only paths that get staged).
 */
export async function applyTree(
  cloneDir: string,
  prefix: string,
  files: RenderedFile[],
  previouslyOwned: string[],
): Promise<string[]> {
  const touched: string[] = [];
  const checked = new Set<string>();
  for (const file of files) {
    const repoPath = prefix + file.path;
    await assertNoSymlinkParents(cloneDir, repoPath, checked);
    const target = path.join(cloneDir, repoPath);
    const existing = await lstat(target).catch(() => null);
    if (existing?.isSymbolicLink()) await unlink(target);
    else if (existing?.isDirectory())
      throw new PushError(
        'unsafe-path',
        `${repoPath} is a directory in the repository, but fabric renders a file there`,
        'move or delete that directory in the repository',
        [repoPath],
      );
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.contents);
    touched.push(repoPath);
  }
  const rendered = new Set(files.map((f) => f.path));
  for (const owned of previouslyOwned) {
    if (rendered.has(owned)) continue;
    const repoPath = prefix + owned;
    await assertNoSymlinkParents(cloneDir, repoPath, checked);
    const stat = await lstat(path.join(cloneDir, repoPath)).catch(() => null);
    // A directory where an owned file was is not ours to delete.
    if (!stat || stat.isDirectory()) continue;
    await unlink(path.join(cloneDir, repoPath));
    touched.push(repoPath);
  }
  return touched;
}

/** Rendered files that already exist in the work tree but that fabric does not own. */
export async function unownedCollisions(
  cloneDir: string,
  prefix: string,
  files: RenderedFile[],
  owned: Set<string>,
): Promise<string[]> {
  const collisions: string[] = [];
  for (const file of files) {
    if (owned.has(file.path)) continue;
    const stat = await lstat(path.join(cloneDir, prefix + file.path)).catch(() => null);
    if (stat) collisions.push(prefix + file.path);
  }
  return collisions;
}
