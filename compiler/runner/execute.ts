// Runs a plan: steps in order, consecutive steps that share a `parallel` key
// through a bounded pool. The first failure stops scheduling (steps already
// running finish), and so does Ctrl-C; either way the next `fabric apply`
// resumes, because every step checks before it acts.
import { CredentialsError } from './cluster-secret.ts';
import { CommandFailed } from './exec.ts';
import { hintFor } from './hints.ts';
import type { Interrupts } from './interrupt.ts';
import { PlanError } from './plan.ts';
import type { Reporter, StepFailure } from './progress.ts';
import { StepError, type Step } from './steps.ts';
import { displayArgv } from './tools.ts';

export type RunStatus = 'ok' | 'failed' | 'interrupted';

export async function executePlan(
  steps: Step[],
  opts: { parallel: number; reporter: Reporter; interrupts: Interrupts },
): Promise<RunStatus> {
  const { reporter, interrupts } = opts;
  let status: RunStatus = 'ok';
  const stopped = () => status !== 'ok' || interrupts.interrupted;

  const runStep = async (step: Step) => {
    if (step.skip) return reporter.emit({ type: 'step-skip', id: step.id, title: step.title, reason: step.skip });
    const started = Date.now();
    try {
      if (await step.check())
        return reporter.emit({ type: 'step-skip', id: step.id, title: step.title, reason: 'already done' });
      if (interrupts.interrupted) return;
      reporter.emit({ type: 'step-start', id: step.id, title: step.title });
      await step.action((message) => reporter.emit({ type: 'step-progress', id: step.id, message }));
      reporter.emit({ type: 'step-done', id: step.id, title: step.title, ms: Date.now() - started });
    } catch (e) {
      if (interrupts.interrupted) {
        status = 'interrupted';
        return reporter.emit({ type: 'step-interrupted', id: step.id, title: step.title });
      }
      status = 'failed';
      reporter.emit({
        type: 'step-fail',
        id: step.id,
        title: step.title,
        ms: Date.now() - started,
        ...describeFailure(e),
      });
    }
  };

  reporter.emit({ type: 'plan', steps: steps.map((s) => ({ id: s.id, title: s.title })) });
  for (let i = 0; i < steps.length && !stopped();) {
    const key = steps[i].parallel;
    let end = i + 1;
    while (key && end < steps.length && steps[end].parallel === key) end += 1;
    const group = steps.slice(i, end);
    let next = 0;
    const worker = async () => {
      while (next < group.length && !stopped()) await runStep(group[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(key ? opts.parallel : 1, group.length) }, worker));
    i = end;
  }
  return status === 'ok' && interrupts.interrupted ? 'interrupted' : status;
}

export function describeFailure(e: unknown): StepFailure {
  if (e instanceof StepError) return { message: e.message, tail: e.details, hint: e.hint };
  if (e instanceof CommandFailed) {
    return { message: e.message, command: displayArgv(e.argv), exitCode: e.exitCode, tail: e.tail(), hint: hintFor(e) };
  }
  if (e instanceof CredentialsError || e instanceof PlanError) return { message: e.message, hint: e.hint };
  const err = e as Error;
  return {
    message: `internal error: ${err.stack ?? err.message}`,
    hint: 'this is a bug in fabric; please report it with the spec',
  };
}
