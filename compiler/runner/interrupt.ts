// Two-stage Ctrl-C, as Terraform does it (RELIABILITY F4): the first SIGINT
// stops scheduling, forwards SIGINT to the children's process groups and gives
// them a grace period before they are killed; the second kills them at once.
import type { Exec } from './exec.ts';

export interface Interrupts {
  readonly interrupted: boolean;
  /** Aborted on the first SIGINT: waits and HTTP requests stop at once. */
  readonly signal: AbortSignal;
  dispose(): void;
}

export function handleInterrupts(exec: Exec, opts: { graceMs: number; onFirst(): void; onSecond(): void }): Interrupts {
  const controller = new AbortController();
  let count = 0;
  let graceTimer: NodeJS.Timeout | undefined;
  const onSigint = () => {
    count += 1;
    if (count === 1) {
      controller.abort(new Error('interrupted'));
      opts.onFirst();
      exec.signalAll('SIGINT');
      graceTimer = setTimeout(() => exec.signalAll('SIGKILL'), opts.graceMs);
      // The timer must not keep fabric alive once every child has exited.
      graceTimer.unref();
    } else {
      opts.onSecond();
      exec.signalAll('SIGKILL');
    }
  };
  process.on('SIGINT', onSigint);
  return {
    get interrupted() {
      return count > 0;
    },
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSigint);
      if (graceTimer) clearTimeout(graceTimer);
    },
  };
}
