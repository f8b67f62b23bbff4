/**
 * Progress of a long operation, on stderr so stdout stays clean for `--json`. On a terminal: a redrawn
 * bar with the current step and a line per finished step with its time. Otherwise (a pipe, CI logs): one
 * plain line per step, stamped with the time since the operation began.
 */
import { STEP_LABELS, type OperationProgress } from '../../src-shared/workspace.js';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const BAR_WIDTH = 20;
/** Plain output repeats a step's changing message at most this often. */
const PLAIN_MESSAGE_INTERVAL_MS = 1000;

export function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

export class StepProgress {
  private current: OperationProgress | null = null;
  private stepStartedAt = 0;
  private startedAt: number | null = null;
  private lastMessage = '';
  private lastMessageAt = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly out: ProgressStream,
    private readonly now: () => number = Date.now,
  ) {}

  private get tty(): boolean {
    return this.out.isTTY === true;
  }

  update(progress: OperationProgress): void {
    const startedAt = Date.parse(progress.startedAt);
    this.startedAt ??= Number.isNaN(startedAt) ? this.now() : Math.min(startedAt, this.now());
    const previous = this.current;
    const stepChanged = previous?.step !== progress.step;
    if (previous && stepChanged) this.endStep(previous, true);
    this.current = progress;
    if (stepChanged) {
      const stamp = Date.parse(progress.stepStartedAt);
      this.stepStartedAt = Number.isNaN(stamp) ? this.now() : Math.min(stamp, this.now());
      this.lastMessage = '';
      if (!this.tty) this.line(STEP_LABELS[progress.step]);
    }
    if (!this.tty && progress.message && progress.message !== this.lastMessage) {
      if (this.now() - this.lastMessageAt >= PLAIN_MESSAGE_INTERVAL_MS) {
        this.line(`  ${progress.message}`);
        this.lastMessageAt = this.now();
      }
    }
    this.lastMessage = progress.message;
    if (this.tty) {
      this.draw();
      this.timer ??= setInterval(() => this.draw(), 100);
      this.timer.unref();
    }
  }

  /** Ends the display with a closing line (to stderr, like the rest). */
  finish(ok: boolean, summary: string): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.current && !this.current.done && this.tty) this.clearLine();
    if (this.current && this.tty) this.endStep(this.current, ok);
    if (this.tty) this.out.write(`${ok ? '✓' : '✗'} ${summary}${this.startedAt !== null ? ` (${seconds(this.now() - this.startedAt)})` : ''}\n`);
    else this.line(summary);
    this.current = null;
  }

  private endStep(progress: OperationProgress, ok: boolean): void {
    if (!this.tty) return;
    this.clearLine();
    this.out.write(`  ${ok ? '✓' : '✗'} ${STEP_LABELS[progress.step]}  ${seconds(this.now() - this.stepStartedAt)}\n`);
  }

  private line(text: string): void {
    const elapsed = this.startedAt === null ? 0 : this.now() - this.startedAt;
    this.out.write(`[${seconds(elapsed).padStart(7)}] ${text}\n`);
  }

  private clearLine(): void {
    this.out.write('\r\x1b[2K');
  }

  private draw(): void {
    const progress = this.current;
    if (!progress || progress.done) return;
    const index = Math.max(0, progress.steps.indexOf(progress.step));
    const total = Math.max(1, progress.steps.length);
    const filled = Math.round((index / total) * BAR_WIDTH);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
    const spinner = SPINNER[this.frame++ % SPINNER.length];
    const message = progress.message ? ` · ${progress.message}` : '';
    let text = `${spinner} [${bar}] ${index + 1}/${total} ${seconds(this.now() - this.stepStartedAt).padStart(6)} ${STEP_LABELS[progress.step]}${message}`;
    const width = this.out.columns ?? 80;
    if (text.length > width - 1) text = `${text.slice(0, width - 2)}…`;
    this.out.write(`\r\x1b[2K${text}`);
  }
}
