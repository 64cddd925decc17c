// Shared by the CLI (main.ts) and the answer replayed before it loads (replay.ts).
/**
 * A reader that goes away (`fabric compile --json | head -c1`) is not a failure of fabric: stop
 * writing to that stream and finish with the command's own exit code, without a stack trace.
 */
export function tolerateClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
      throw e;
    });
  }
}
