// A progress bar on stderr for long commands (replay, import, demo). On a terminal one line is
// redrawn in place (at most ten times a second); otherwise a line is printed at every tenth, so
// logs stay short. Nothing here goes to stdout: the result there stays machine-readable.
export interface ProgressTarget {
  write(text: string): unknown;
  isTTY?: boolean;
}

export const BAR_WIDTH = 30;
const REDRAW_MS = 100;

/** "[#########---------------------]  30%  3,000/10,000 commands  1,234 events/s" */
export function progressBarLine(done: number, total: number, unit: string, detail = ''): string {
  const share = total <= 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(share * BAR_WIDTH);
  const percent = String(Math.floor(share * 100)).padStart(3);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${percent}%  ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit}${detail ? `  ${detail}` : ''}`;
}

export class ProgressBar {
  private lastDrawMs = -Infinity;
  private lastTenth = -1;
  private drawn = false;

  constructor(
    private readonly out: ProgressTarget,
    private readonly label: string,
    private readonly unit: string,
    private readonly nowMs: () => number = () => performance.now(),
    /** Draw only on a terminal (a command whose stderr must stay empty in scripts). */
    private readonly terminalOnly = false,
  ) {}

  update(done: number, total: number, detail = ''): void {
    const line = `${this.label} ${progressBarLine(done, total, this.unit, detail)}`;
    if (this.out.isTTY) {
      const now = this.nowMs();
      if (now - this.lastDrawMs < REDRAW_MS && done < total) return;
      this.lastDrawMs = now;
      this.out.write(`\r${line}\x1b[K`);
      this.drawn = true;
      return;
    }
    if (this.terminalOnly) return;
    const tenth = total <= 0 ? 10 : Math.floor((Math.min(done, total) * 10) / total);
    if (tenth === this.lastTenth) return;
    this.lastTenth = tenth;
    this.out.write(`${line}\n`);
  }

  /** Ends the bar's line on a terminal. */
  finish(): void {
    if (this.out.isTTY && this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
