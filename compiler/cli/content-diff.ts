// Content diffs for `fabric compile --check` and `fabric diff`: one unified diff per file
// (jsdiff, the `diff` package), coloured on a terminal, a `--stat` list, and the same as JSON.
import { useColor } from './output.ts';

export type FileKind = 'added' | 'changed' | 'removed';

/** One file's change: its text before (undefined: did not exist) and after (undefined: removed). */
export interface FileContents {
  path: string;
  kind: FileKind;
  before: string | undefined;
  after: string | undefined;
}

export interface FileDiff {
  path: string;
  kind: FileKind;
  added: number;
  removed: number;
  /** The unified diff, git's `--- a/path` / `+++ b/path` headers, 3 lines of context. */
  patch: string;
}

export async function fileDiffs(files: FileContents[]): Promise<FileDiff[]> {
  const { createTwoFilesPatch, FILE_HEADERS_ONLY } = await import('diff');
  return files.map((f) => {
    const patch = createTwoFilesPatch(
      f.before === undefined ? '/dev/null' : `a/${f.path}`,
      f.after === undefined ? '/dev/null' : `b/${f.path}`,
      f.before ?? '',
      f.after ?? '',
      undefined,
      undefined,
      { headerOptions: FILE_HEADERS_ONLY, context: 3 },
    );
    const body = patch.split('\n').filter((l) => !l.startsWith('--- ') && !l.startsWith('+++ '));
    return {
      path: f.path,
      kind: f.kind,
      added: body.filter((l) => l.startsWith('+')).length,
      removed: body.filter((l) => l.startsWith('-')).length,
      patch,
    };
  });
}

const paint = (on: boolean, code: string) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

/** The patches as text, coloured like git's when the stream is a terminal (useColor). */
export function formatPatches(diffs: FileDiff[], stream: NodeJS.WriteStream = process.stdout): string {
  const on = useColor(stream);
  const [bold, red, green, cyan] = ['1', '31', '32', '36'].map((c) => paint(on, c));
  return diffs
    .map((d) =>
      d.patch
        .split('\n')
        .map((l) =>
          l.startsWith('--- ') || l.startsWith('+++ ')
            ? bold(l)
            : l.startsWith('@@')
              ? cyan(l)
              : l.startsWith('+')
                ? green(l)
                : l.startsWith('-')
                  ? red(l)
                  : l,
        )
        .join('\n'),
    )
    .join('');
}

/** `--stat`: one line per file, its kind and the lines added and removed, then the totals. */
export function formatStat(diffs: FileDiff[]): string {
  if (diffs.length === 0) return '';
  const width = Math.max(...diffs.map((d) => d.path.length));
  const lines = diffs.map((d) => `  ${d.kind.padEnd(7)}  ${d.path.padEnd(width)}  +${d.added} -${d.removed}`);
  const added = diffs.reduce((n, d) => n + d.added, 0);
  const removed = diffs.reduce((n, d) => n + d.removed, 0);
  return `${lines.join('\n')}\n  ${diffs.length} file${diffs.length === 1 ? '' : 's'} changed, ${added} insertion${added === 1 ? '' : 's'}(+), ${removed} deletion${removed === 1 ? '' : 's'}(-)\n`;
}
