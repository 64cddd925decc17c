// The run's progress as events, and three ways to show them: a live display
// on a terminal (a line per step, spinner and elapsed time on running steps),
// plain lines when the output is a file or a pipe, and one JSON object per
// line with --json.
import { JSON_FORMAT } from '../json-format.ts';

export interface StepFailure {
  message: string;
  /** The command that failed, shell-quoted for display. */
  command?: string;
  exitCode?: number;
  /** Last lines of the command's output. */
  tail?: string[];
  hint?: string;
}

export type RunEvent =
  | { type: 'plan'; steps: { id: string; title: string }[] }
  | { type: 'step-start'; id: string; title: string }
  | { type: 'step-progress'; id: string; message: string }
  | { type: 'step-skip'; id: string; title: string; reason: string }
  | { type: 'step-done'; id: string; title: string; ms: number }
  | ({ type: 'step-fail'; id: string; title: string; ms: number } & StepFailure)
  | { type: 'step-interrupted'; id: string; title: string }
  | { type: 'run-end'; status: 'ok' | 'failed' | 'interrupted'; ms: number; resume?: string };

export interface Reporter {
  emit(event: RunEvent): void;
  /** A message outside the step list (the Ctrl-C notice). */
  note(text: string): void;
  close(): void;
}

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  /** Terminal width; live lines are cut to it so redrawing in place stays exact. */
  columns?: number;
}

export function createReporter(out: Output, opts: { json: boolean; color?: boolean }): Reporter {
  if (opts.json) return new JsonReporter(out);
  return out.isTTY ? new LiveReporter(out, opts.color ?? true) : new LineReporter(out);
}

export function formatElapsed(ms: number): string {
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}

function failureLines(e: StepFailure): string[] {
  const lines: string[] = [];
  if (e.command) lines.push(`  command: ${e.command}${e.exitCode !== undefined ? `  (exit code ${e.exitCode})` : ''}`);
  lines.push(`  ${e.message}`);
  if (e.tail?.length) lines.push(`  output (last ${e.tail.length} lines):`, ...e.tail.map((l) => `    ${l}`));
  if (e.hint) lines.push(`  hint: ${e.hint}`);
  return lines;
}

function endLines(e: Extract<RunEvent, { type: 'run-end' }>): string[] {
  if (e.status === 'ok') return [`done in ${formatElapsed(e.ms)}`];
  return [
    e.status === 'interrupted' ? 'interrupted.' : 'stopped.',
    ...(e.resume ? [`resume with: ${e.resume}  (steps already done are checked and skipped)`] : []),
  ];
}

class JsonReporter implements Reporter {
  constructor(private readonly out: Output) {}
  emit(event: RunEvent): void {
    this.out.write(JSON.stringify({ format: JSON_FORMAT, ...event }) + '\n');
  }
  note(text: string): void {
    this.out.write(JSON.stringify({ format: JSON_FORMAT, type: 'note', message: text }) + '\n');
  }
  close(): void {}
}

/** One line per finished step; for logs, CI and pipes. */
class LineReporter implements Reporter {
  private lastProgress = new Map<string, string>();
  constructor(private readonly out: Output) {}
  emit(e: RunEvent): void {
    const w = (lines: string[]): void => {
      this.out.write(lines.map((l) => l + '\n').join(''));
    };
    switch (e.type) {
      case 'plan':
        return w([`fabric apply: ${e.steps.length} steps`]);
      case 'step-start':
        return w([`… ${e.title}`]);
      case 'step-progress':
        if (this.lastProgress.get(e.id) !== e.message) w([`  ${e.message}`]);
        this.lastProgress.set(e.id, e.message);
        return;
      case 'step-skip':
        return w([`· ${e.title}: ${e.reason}`]);
      case 'step-done':
        return w([`✓ ${e.title} (${formatElapsed(e.ms)})`]);
      case 'step-fail':
        return w([`✗ ${e.title} (${formatElapsed(e.ms)})`, ...failureLines(e)]);
      case 'step-interrupted':
        return w([`! ${e.title}: interrupted`]);
      case 'run-end':
        return w(endLines(e));
    }
  }
  note(text: string): void {
    this.out.write(text + '\n');
  }
  close(): void {}
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A terminal display: finished steps scroll up as plain lines; the running
 * ones stay at the bottom with a spinner and their elapsed time, redrawn in
 * place.
 */
class LiveReporter implements Reporter {
  private readonly active = new Map<string, { title: string; started: number; message?: string }>();
  private drawn = 0;
  private frame = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly out: Output,
    private readonly color: boolean,
  ) {}

  emit(e: RunEvent): void {
    switch (e.type) {
      case 'step-start':
        this.active.set(e.id, { title: e.title, started: Date.now() });
        this.startTimer();
        return this.redraw();
      case 'step-progress': {
        const a = this.active.get(e.id);
        if (a) a.message = e.message;
        return this.redraw();
      }
      case 'step-skip':
        return this.settle(e.id, [`${this.paint('2', '·')} ${e.title}: ${this.paint('2', e.reason)}`]);
      case 'step-done':
        return this.settle(e.id, [`${this.paint('32', '✓')} ${e.title} ${this.paint('2', formatElapsed(e.ms))}`]);
      case 'step-fail':
        return this.settle(e.id, [
          `${this.paint('31', '✗')} ${e.title} ${this.paint('2', formatElapsed(e.ms))}`,
          ...failureLines(e),
        ]);
      case 'step-interrupted':
        return this.settle(e.id, [`${this.paint('33', '!')} ${e.title}: interrupted`]);
      case 'run-end':
        return this.settle(undefined, endLines(e));
      case 'plan':
        return;
    }
  }

  note(text: string): void {
    this.settle(undefined, [text]);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private paint(code: string, s: string): string {
    return this.color ? `\u001b[${code}m${s}\u001b[0m` : s;
  }

  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.frame = (this.frame + 1) % SPINNER.length;
      this.redraw();
    }, 100);
    this.timer.unref();
  }

  /** Prints lines above the live area, dropping a finished step from it. */
  private settle(id: string | undefined, lines: string[]): void {
    if (id) this.active.delete(id);
    this.clear();
    this.out.write(lines.map((l) => l + '\n').join(''));
    this.redraw();
  }

  private clear(): void {
    if (this.drawn > 0) this.out.write(`\u001b[${this.drawn}A\u001b[0J`);
    this.drawn = 0;
  }

  private redraw(): void {
    this.clear();
    const now = Date.now();
    const width = (this.out.columns ?? 80) - 1;
    const lines = [...this.active.values()].map((a) => {
      const rest = `${formatElapsed(now - a.started)}${a.message ? `  ${a.message}` : ''}`;
      const room = width - 2 - a.title.length - 1;
      return `${this.paint('36', SPINNER[this.frame])} ${a.title.slice(0, width - 2)}${room > 0 ? ` ${this.paint('2', rest.length > room ? `${rest.slice(0, room - 1)}…` : rest)}` : ''}`;
    });
    if (lines.length) this.out.write(lines.map((l) => l + '\n').join(''));
    this.drawn = lines.length;
  }
}
