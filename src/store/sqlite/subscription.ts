// A subscription over a log read by position: catch up page by page, then wait for the store's
// commit notification and read again. Reading by position from the last delivered event makes
// delivery exactly once and in order, whether an event arrives during catch-up or live. A commit
// of this process hands over the envelopes it wrote: when they continue exactly where the
// subscriber stands they are delivered as they are, without reading them back from the file.
import type { EventEnvelope } from '../../domain/events.js';
import type { EventHandler, Subscription } from '../event-store.js';

export const SUBSCRIPTION_PAGE_SIZE = 500;
/** Committed envelopes held for a subscriber that has not taken them yet; beyond this it reads the file. */
export const MAX_OFFERED_EVENTS = 10_000;

export type ReadPage = (afterPosition: bigint, limit: number) => EventEnvelope[];

export class PositionSubscription implements Subscription {
  readonly caughtUp: Promise<void>;
  private resolveCaughtUp!: () => void;
  private rejectCaughtUp!: (error: unknown) => void;
  private isCaughtUp = false;
  private closed = false;
  private inHandler = false;
  private failure: unknown = null;
  private wakeup: (() => void) | null = null;
  /** Envelopes committed by this process since the subscriber last read, contiguous, in position order. */
  private offered: EventEnvelope[] = [];
  private readonly done: Promise<void>;

  constructor(
    private readonly readPage: ReadPage,
    fromPosition: bigint,
    private readonly headAtStart: bigint,
    private readonly handler: EventHandler,
    private readonly onClose: (subscription: PositionSubscription) => void,
  ) {
    if (fromPosition < 0n) throw new RangeError(`subscribe: fromPosition must be ≥ 0, got ${fromPosition}`);
    this.caughtUp = new Promise<void>((resolve, reject) => {
      this.resolveCaughtUp = resolve;
      this.rejectCaughtUp = reject;
    });
    this.caughtUp.catch(() => undefined); // a failure is reported by close(); never an unhandled rejection
    this.done = this.run(fromPosition);
  }

  /**
   * Called by the store after each commit, with the envelopes it wrote (in position order) when
   * it has them. Envelopes that do not follow the ones held are dropped: the file has them.
   */
  notify(committed: readonly EventEnvelope[] = []): void {
    this.hold(committed);
    const wake = this.wakeup;
    this.wakeup = null;
    wake?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.notify();
    if (!this.inHandler) await this.done;
    if (this.failure !== null) throw this.failure;
  }

  private async run(fromPosition: bigint): Promise<void> {
    let after = fromPosition;
    try {
      this.markCaughtUpIfAt(after);
      while (!this.closed) {
        const offered = this.takeOffered(after);
        const page = offered ?? this.readPage(after, SUBSCRIPTION_PAGE_SIZE);
        if (page.length === 0) {
          this.markCaughtUpIfAt(this.headAtStart);
          await new Promise<void>((resolve) => (this.wakeup = resolve));
          continue;
        }
        for (const event of page) {
          if (this.closed) break;
          this.inHandler = true;
          try {
            // A handler that answers synchronously takes a whole page in one turn (no tick per event).
            const handled = this.handler(event);
            if (handled instanceof Promise) await handled;
          } finally {
            this.inHandler = false;
          }
          after = event.position;
          this.markCaughtUpIfAt(after);
        }
        // This process's own commit, delivered, and nothing newer held: the file has nothing newer
        // from this process either, so wait for the next commit rather than read an empty page.
        // (Another process's writes are found at the next notify, as before.)
        if (offered !== null && this.offered.length === 0 && !this.closed) await new Promise<void>((resolve) => (this.wakeup = resolve));
      }
    } catch (error) {
      this.failure = error;
      this.closed = true;
      this.rejectCaughtUp(error);
    } finally {
      if (!this.isCaughtUp) this.rejectCaughtUp(new Error('the subscription was closed before it caught up'));
      this.onClose(this);
    }
  }

  private hold(committed: readonly EventEnvelope[]): void {
    if (committed.length === 0 || this.closed) return;
    const last = this.offered.at(-1);
    const contiguous = last === undefined || committed[0]!.position === last.position + 1n;
    if (!contiguous || this.offered.length + committed.length > MAX_OFFERED_EVENTS) {
      this.offered = []; // read from the file instead
      return;
    }
    for (const e of committed) this.offered.push(e);
  }

  /** The held envelopes when they start right after `after`; null when the file must be read. */
  private takeOffered(after: bigint): EventEnvelope[] | null {
    const offered = this.offered;
    if (offered.length === 0) return null;
    this.offered = [];
    const first = offered[0]!.position;
    if (first === after + 1n) return offered;
    if (first <= after) {
      // already read from the file (a page read after the commit): keep what follows
      const rest = offered.filter((e) => e.position > after);
      return rest.length > 0 && rest[0]!.position === after + 1n ? rest : null;
    }
    return null;
  }

  private markCaughtUpIfAt(position: bigint): void {
    if (!this.isCaughtUp && position >= this.headAtStart) {
      this.isCaughtUp = true;
      this.resolveCaughtUp();
    }
  }
}
