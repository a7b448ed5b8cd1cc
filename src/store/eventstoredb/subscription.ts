// Catch-up subscriptions to $all for the projection runner: every ledger event after a position,
// in order, exactly once, across dropped connections.
//
// - Order and exactly once: a feed (one connection) hands events in $all order; the cursor
//   remembers the last position handed to the handler and, after a reconnect, the feed starts
//   again from there, so an event it replays (position ≤ the last handed over) is skipped.
// - Checkpoints: a server-side filtered subscription reports checkpoints, positions up to which
//   it has searched $all, also when nothing matched. Resuming from a checkpoint saves re-scanning
//   other traffic after a reconnect, but only once every event the server sent before the
//   checkpoint has been handled: events still buffered when the connection drops are lost with it.
//   The cursor counts them (the feed's buffered length when the checkpoint arrives).
// - Reconnecting: errors the cluster may recover from (unavailable, no leader, deadline) close the
//   feed and open a new one after a bounded, growing delay; any other error, or the handler's,
//   ends the subscription and close() reports it.
import type { Position } from '@eventstore/db-client';
import type { EventEnvelope } from '../../domain/events.js';
import { StoreUnavailableError, type EventHandler, type Subscription } from '../event-store.js';
import { compareRawPositions, decodePosition } from './positions.js';

export type ResumePoint = Position | 'start';

/** Where a subscription is: pure bookkeeping, no I/O. */
export class ResumeCursor {
  private lastDelivered: bigint;
  private checkpoint: Position | null = null;
  private pending: { position: Position; handledNeeded: number } | null = null;
  /** Counted per connection. */
  private pulls = 0;
  private handled = 0;

  constructor(fromPosition: bigint) {
    if (fromPosition < 0n) throw new RangeError(`subscribe: fromPosition must be ≥ 0, got ${fromPosition}`);
    this.lastDelivered = fromPosition;
  }

  get lastDeliveredPosition(): bigint {
    return this.lastDelivered;
  }

  /** A new connection starts: what it has not handled of an earlier one is gone. */
  reconnected(): void {
    this.pending = null;
    this.pulls = 0;
    this.handled = 0;
  }

  /** An event came off the feed: hand it over, or skip it as already handed over. */
  pulled(position: bigint): 'deliver' | 'duplicate' {
    this.pulls++;
    if (position > this.lastDelivered) return 'deliver';
    this.markHandled();
    return 'duplicate';
  }

  /** The handler finished with the event at `position`. Positions only grow. */
  delivered(position: bigint): void {
    if (position <= this.lastDelivered) {
      throw new Error(`invariant: position ${position} handed over after ${this.lastDelivered}; a subscription only moves forward`);
    }
    this.lastDelivered = position;
    this.markHandled();
  }

  /** The server searched up to `position`; `buffered` events it sent earlier are not pulled yet. */
  checkpointReached(position: Position, buffered: number): void {
    if (!Number.isSafeInteger(buffered) || buffered < 0) throw new RangeError(`buffered must be a count, got ${buffered}`);
    this.pending = { position, handledNeeded: this.pulls + buffered };
    this.applyPending();
  }

  /** Where a new connection starts (exclusive): the later of the last handed-over event and the last effective checkpoint. */
  resumeFrom(): ResumePoint {
    const delivered = this.lastDelivered > 0n ? decodePosition(this.lastDelivered) : null;
    if (delivered && this.checkpoint) return compareRawPositions(delivered, this.checkpoint) >= 0 ? delivered : this.checkpoint;
    return delivered ?? this.checkpoint ?? 'start';
  }

  private markHandled(): void {
    this.handled++;
    this.applyPending();
  }

  private applyPending(): void {
    if (!this.pending || this.handled < this.pending.handledNeeded) return;
    if (!this.checkpoint || compareRawPositions(this.pending.position, this.checkpoint) > 0) this.checkpoint = this.pending.position;
    this.pending = null;
  }
}

/** One connection's worth of events. */
export interface Feed {
  events: AsyncIterable<EventEnvelope>;
  close(): Promise<void>;
}

export interface FeedHooks {
  onCheckpoint(position: Position, buffered: number): void;
}

export type OpenFeed = (resume: ResumePoint, hooks: FeedHooks) => Feed;

export interface CatchUpOptions {
  /** The last position in the log when subscribing (caughtUp resolves once it is handed over). */
  headPosition: () => Promise<bigint>;
  isTransient: (error: unknown) => boolean;
  /** Wraps a final error for close() (e.g. masks credentials, names the hosts). */
  describeFailure: (error: unknown) => Error;
  /** Consecutive failed connections before giving up. */
  maxReconnectAttempts?: number;
}

export const MAX_RECONNECT_ATTEMPTS = 30;
const FIRST_RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 5_000;

/** 100 ms, 200 ms, 400 ms … at most 5 s: the wait before connection attempt `attempt` (1-based). */
export function reconnectDelayMs(attempt: number): number {
  if (!Number.isSafeInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be ≥ 1, got ${attempt}`);
  return Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** Math.min(attempt - 1, 16));
}

class HandlerFailure {
  constructor(readonly error: unknown) {}
}

export class CatchUpSubscription implements Subscription {
  readonly caughtUp: Promise<void>;
  private resolveCaughtUp!: () => void;
  private rejectCaughtUp!: (error: unknown) => void;
  private isCaughtUp = false;
  private head: bigint | null = null;
  private closed = false;
  private inHandler = false;
  private failure: unknown = null;
  private feed: Feed | null = null;
  private wakeup: (() => void) | null = null;
  private readonly cursor: ResumeCursor;
  private readonly done: Promise<void>;
  /** Connections opened (for tests and diagnostics). */
  connections = 0;

  constructor(
    private readonly openFeed: OpenFeed,
    fromPosition: bigint,
    private readonly handler: EventHandler,
    private readonly options: CatchUpOptions,
  ) {
    this.cursor = new ResumeCursor(fromPosition);
    this.caughtUp = new Promise<void>((resolve, reject) => {
      this.resolveCaughtUp = resolve;
      this.rejectCaughtUp = reject;
    });
    this.caughtUp.catch(() => undefined); // reported by close(); never an unhandled rejection
    this.done = this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    const feed = this.feed;
    if (feed) await feed.close().catch(() => undefined);
    if (!this.inHandler) await this.done;
    if (this.failure !== null) throw this.failure;
  }

  private async run(): Promise<void> {
    const maxAttempts = this.options.maxReconnectAttempts ?? MAX_RECONNECT_ATTEMPTS;
    let failedAttempts = 0;
    try {
      while (!this.closed) {
        try {
          if (this.head === null) {
            this.head = await this.options.headPosition();
            this.markCaughtUpIfAt(this.cursor.lastDeliveredPosition);
          }
          if (await this.followOneConnection()) failedAttempts = 0;
        } catch (error) {
          if (error instanceof HandlerFailure) throw error.error;
          if (this.closed) break;
          if (!this.options.isTransient(error)) throw this.options.describeFailure(error);
          if (++failedAttempts > maxAttempts) {
            throw new StoreUnavailableError(`the subscription lost its connection ${maxAttempts} times in a row: ${this.options.describeFailure(error).message}`, {
              cause: error,
            });
          }
        }
        if (!this.closed) await this.sleep(reconnectDelayMs(Math.max(1, failedAttempts)));
      }
    } catch (error) {
      this.failure = error;
      this.closed = true;
      this.rejectCaughtUp(error);
    } finally {
      if (!this.isCaughtUp) this.rejectCaughtUp(new Error('the subscription was closed before it caught up'));
    }
  }

  /** Follows one connection until it ends or fails; true when it handed over at least one event. */
  private async followOneConnection(): Promise<boolean> {
    this.cursor.reconnected();
    this.connections++;
    const feed = this.openFeed(this.cursor.resumeFrom(), { onCheckpoint: (position, buffered) => this.cursor.checkpointReached(position, buffered) });
    this.feed = feed;
    let progressed = false;
    try {
      for await (const event of feed.events) {
        if (this.closed) break;
        if (this.cursor.pulled(event.position) === 'duplicate') continue;
        this.inHandler = true;
        try {
          await this.handler(event);
        } catch (error) {
          throw new HandlerFailure(error);
        } finally {
          this.inHandler = false;
        }
        this.cursor.delivered(event.position);
        progressed = true;
        this.markCaughtUpIfAt(event.position);
      }
    } finally {
      this.feed = null;
      await feed.close().catch(() => undefined);
    }
    return progressed;
  }

  private markCaughtUpIfAt(position: bigint): void {
    if (!this.isCaughtUp && this.head !== null && position >= this.head) {
      this.isCaughtUp = true;
      this.resolveCaughtUp();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.wakeup = null;
        resolve();
      }, ms);
      this.wakeup = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private wake(): void {
    const wake = this.wakeup;
    this.wakeup = null;
    wake?.();
  }
}
