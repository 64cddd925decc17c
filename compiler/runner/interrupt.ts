// Two-stage interruption, as Terraform does it (docs/reliability.md F4), for every
// signal that asks fabric to stop: SIGINT (Ctrl-C), SIGTERM (CI cancel,
// `timeout`, kill) and SIGHUP (the terminal closed). The first one stops
// scheduling, forwards SIGINT to the children's process groups (minikube
// treats it as Ctrl-C) and gives them a grace period before they are killed;
// a second one kills them at once. fabric then exits 128 + the number of the
// first signal: 130 (SIGINT), 143 (SIGTERM), 129 (SIGHUP), as a shell reports
// a process that signal ended.
import { constants } from 'node:os';
import type { Exec } from './exec.ts';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP. */
export const exitCodeFor = (signal: StopSignal): number => 128 + constants.signals[signal];

export interface Interrupts {
  readonly interrupted: boolean;
  /** The first stop signal received. */
  readonly by: StopSignal | undefined;
  /** Aborted on the first signal: waits and HTTP requests stop at once. */
  readonly signal: AbortSignal;
  dispose(): void;
}

export function handleInterrupts(
  exec: Exec,
  opts: { graceMs: number; onFirst(signal: StopSignal): void; onSecond(signal: StopSignal): void },
): Interrupts {
  const controller = new AbortController();
  let count = 0;
  let first: StopSignal | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  const on = (signal: StopSignal) => {
    count += 1;
    if (count === 1) {
      first = signal;
      controller.abort(new Error('interrupted'));
      opts.onFirst(signal);
      exec.signalAll('SIGINT');
      graceTimer = setTimeout(() => exec.signalAll('SIGKILL'), opts.graceMs);
      // The timer must not keep fabric alive once every child has exited.
      graceTimer.unref();
    } else {
      opts.onSecond(signal);
      exec.signalAll('SIGKILL');
    }
  };
  const listeners = STOP_SIGNALS.map((s) => [s, () => on(s)] as const);
  for (const [s, fn] of listeners) process.on(s, fn);
  return {
    get interrupted() {
      return count > 0;
    },
    get by() {
      return first;
    },
    signal: controller.signal,
    dispose() {
      for (const [s, fn] of listeners) process.off(s, fn);
      if (graceTimer) clearTimeout(graceTimer);
    },
  };
}
