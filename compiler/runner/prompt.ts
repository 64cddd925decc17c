// Questions on the terminal, and what happens to the output when nobody reads it.
import { createInterface } from 'node:readline/promises';

/**
 * Asks a yes/no question. stdin at its end (closed, </dev/null, a finished
 * pipe) answers "no", with a line saying so, instead of leaving the question
 * pending until Node exits 13 ("unsettled top-level await").
 */
export async function askYesNo(
  question: string,
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
): Promise<boolean> {
  const rl = createInterface({ input, output });
  try {
    const closed = new Promise<null>((resolve) => rl.once('close', () => resolve(null)));
    const answer = await Promise.race([rl.question(`${question} [y/N] `), closed]);
    if (answer === null) {
      output.write('\nno answer (stdin is closed): taken as no; pass --yes to apply without asking\n');
      return false;
    }
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/**
 * `fabric apply | head`: once the reader is gone, writes fail with EPIPE,
 * which Node raises as an 'error' event (a stack trace, exit 1). Output stops
 * quietly instead, and the run goes on to its end, so no half-started step is
 * abandoned because a pager closed.
 */
export function quietOnBrokenPipe(stream: NodeJS.WriteStream): void {
  const marked = stream as { fabricQuietPipe?: boolean };
  if (marked.fabricQuietPipe) return;
  marked.fabricQuietPipe = true;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    stream.write = (() => true) as typeof stream.write;
  });
}
