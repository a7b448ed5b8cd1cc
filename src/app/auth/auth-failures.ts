// Repeated failed authentication is slowed down: per client address, unknown tokens presented
// within a window are counted; past a free allowance each further failure waits longer before
// its 401 (capped). Bounded: at most MAX_TRACKED_CLIENTS addresses are remembered.
export const FAILURE_WINDOW_MS = 60_000;
export const FREE_FAILURES = 10;
export const DELAY_STEP_MS = 200;
export const MAX_DELAY_MS = 3_000;
export const MAX_TRACKED_CLIENTS = 10_000;

interface Window {
  startedAtMs: number;
  failures: number;
}

export class AuthFailures {
  private readonly clients = new Map<string, Window>();

  constructor(private readonly nowMs: () => number = Date.now) {}

  /** Records a failure and answers how long to wait before refusing it. */
  fail(client: string): number {
    const now = this.nowMs();
    let window = this.clients.get(client);
    if (!window || now - window.startedAtMs > FAILURE_WINDOW_MS) {
      window = { startedAtMs: now, failures: 0 };
      this.clients.delete(client);
      if (this.clients.size >= MAX_TRACKED_CLIENTS) {
        const oldest = this.clients.keys().next().value;
        if (oldest !== undefined) this.clients.delete(oldest);
      }
      this.clients.set(client, window);
    }
    window.failures += 1;
    return delayForFailures(window.failures);
  }
}

/** No delay for the first FREE_FAILURES failures of a window, then DELAY_STEP_MS more each time, capped. */
export function delayForFailures(failures: number): number {
  if (!Number.isInteger(failures) || failures < 0) throw new RangeError(`failures must be a count, got ${failures}`);
  return Math.min(MAX_DELAY_MS, Math.max(0, failures - FREE_FAILURES) * DELAY_STEP_MS);
}
