// The subscription's own logic: resume points, exactly-once delivery, reconnecting. Feeds here
// are scripted lists of envelopes standing in for one connection each; they test this code's
// decisions, not EventStoreDB (the contract suite does that against a real server).
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../src/domain/events.js';
import { StoreUnavailableError } from '../../../src/store/event-store.js';
import { decodePosition, encodePosition } from '../../../src/store/eventstoredb/positions.js';
import {
  CatchUpSubscription,
  ResumeCursor,
  reconnectDelayMs,
  type Feed,
  type FeedHooks,
  type OpenFeed,
  type ResumePoint,
} from '../../../src/store/eventstoredb/subscription.js';
import { deposits } from '../../support/store-fixtures.js';
import { sampleLog } from './records.js';

const far = (offset: bigint) => ({ commit: offset, prepare: offset });

describe('the resume cursor', () => {
  it('starts from the subscriber’s position and skips what was already handed over', () => {
    expect(new ResumeCursor(0n).resumeFrom()).toBe('start');
    const cursor = new ResumeCursor(5n);
    expect(cursor.resumeFrom()).toEqual(decodePosition(5n));
    expect(cursor.pulled(5n)).toBe('duplicate');
    expect(cursor.pulled(3n)).toBe('duplicate');
    expect(cursor.pulled(9n)).toBe('deliver');
    cursor.delivered(9n);
    expect(cursor.pulled(9n)).toBe('duplicate');
    expect(cursor.resumeFrom()).toEqual(decodePosition(9n));
    expect(() => cursor.delivered(7n)).toThrow(/only moves forward/);
  });

  it('takes a checkpoint only once the events the server sent before it are handled', () => {
    const cursor = new ResumeCursor(0n);
    cursor.pulled(10n);
    cursor.checkpointReached(far(5_000n), 2); // one in the handler, two more buffered
    cursor.delivered(10n);
    expect(cursor.resumeFrom()).toEqual(decodePosition(10n));
    cursor.pulled(20n);
    cursor.delivered(20n);
    expect(cursor.resumeFrom()).toEqual(decodePosition(20n));
    cursor.pulled(30n);
    cursor.delivered(30n);
    expect(cursor.resumeFrom()).toEqual(far(5_000n));
  });

  it('forgets a checkpoint not yet earned when the connection drops, and never moves back to an older one', () => {
    const cursor = new ResumeCursor(0n);
    cursor.checkpointReached(far(900n), 1);
    cursor.reconnected();
    expect(cursor.resumeFrom()).toBe('start');
    cursor.checkpointReached(far(700n), 0);
    expect(cursor.resumeFrom()).toEqual(far(700n));
    cursor.checkpointReached(far(600n), 0);
    expect(cursor.resumeFrom()).toEqual(far(700n));
    cursor.pulled(801n);
    cursor.delivered(801n);
    expect(cursor.resumeFrom()).toEqual(decodePosition(801n));
    expect(() => new ResumeCursor(-1n)).toThrow(RangeError);
  });

  it('waits 100 ms, then twice as long each time, at most 5 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(reconnectDelayMs)).toEqual([100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000]);
    expect(() => reconnectDelayMs(0)).toThrow(RangeError);
  });
});

class Transient extends Error {
  override readonly name = 'Transient';
}

interface Script {
  /** Throw after handing over this many events on the connection. */
  failAfter?: number;
  error?: unknown;
  /** Start this many events before the resume point (a replay). */
  overlap?: number;
}

/** A growing list of envelopes; each opened feed follows one script and then waits for appends. */
class ScriptedLog {
  private waiters: Array<() => void> = [];
  readonly opened: ResumePoint[] = [];

  constructor(
    readonly events: EventEnvelope[],
    private readonly scripts: Script[],
  ) {}

  append(more: EventEnvelope[]): void {
    this.events.push(...more);
    for (const wake of this.waiters.splice(0)) wake();
  }

  readonly open: OpenFeed = (resume: ResumePoint, _hooks: FeedHooks): Feed => {
    const script = this.scripts[Math.min(this.opened.length, this.scripts.length - 1)] ?? {};
    this.opened.push(resume);
    let closed = false;
    const log = this;
    const after = resume === 'start' ? 0n : encodePosition(resume);
    async function* events(): AsyncGenerator<EventEnvelope> {
      let index = Math.max(0, log.events.findIndex((e) => e.position > after) === -1 ? log.events.length : log.events.findIndex((e) => e.position > after));
      index = Math.max(0, index - (script.overlap ?? 0));
      let sent = 0;
      while (!closed) {
        if (script.failAfter !== undefined && sent >= script.failAfter) throw script.error ?? new Transient('connection dropped');
        const next = log.events[index];
        if (next) {
          index++;
          sent++;
          yield next;
        } else await new Promise<void>((resolve) => log.waiters.push(resolve));
      }
    }
    return {
      events: events(),
      close: async () => {
        closed = true;
        for (const wake of log.waiters.splice(0)) wake();
      },
    };
  };
}

function logOf(count: number): EventEnvelope[] {
  return sampleLog(Array.from({ length: count }, (_, i) => ({ stream: `partner-${i % 3}`, events: deposits(1, String(i % 3)) })));
}

function subscribe(log: ScriptedLog, from: bigint, seen: bigint[], options: { maxReconnectAttempts?: number; handler?: (e: EventEnvelope) => Promise<void> } = {}) {
  return new CatchUpSubscription(log.open, from, options.handler ?? (async (e) => void seen.push(e.position)), {
    headPosition: async () => log.events.at(-1)?.position ?? 0n,
    isTransient: (error) => error instanceof Transient,
    describeFailure: (error) => new Error(`described: ${(error as Error).message}`),
    maxReconnectAttempts: options.maxReconnectAttempts,
  });
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 2_000; turn++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('the catch-up subscription over feeds that drop', () => {
  it('hands over every event after its position once and in order, across dropped connections that replay', async () => {
    const all = logOf(12);
    const log = new ScriptedLog(all.slice(0, 9), [{ failAfter: 3 }, { failAfter: 4, overlap: 2 }, { overlap: 3 }]);
    const seen: bigint[] = [];
    const subscription = subscribe(log, all[1]!.position, seen);
    await subscription.caughtUp;
    log.append(all.slice(9));
    await until(() => seen.length === 10, 'live events');
    await subscription.close();
    expect(seen).toEqual(all.slice(2).map((e) => e.position));
    expect(log.opened).toEqual([decodePosition(all[1]!.position), decodePosition(all[4]!.position), decodePosition(all[6]!.position)]);
  });

  it('resolves caughtUp at once for an empty log and delivers what comes later', async () => {
    const all = logOf(2);
    const log = new ScriptedLog([], [{}]);
    const seen: bigint[] = [];
    const subscription = subscribe(log, 0n, seen);
    await subscription.caughtUp;
    log.append(all);
    await until(() => seen.length === 2, 'two events');
    await subscription.close();
    expect(seen).toEqual(all.map((e) => e.position));
    expect(log.opened).toEqual(['start']);
  });

  it('ends on an error the cluster does not recover from, and close() reports it', async () => {
    const log = new ScriptedLog(logOf(4), [{ failAfter: 1, error: new TypeError('access denied') }]);
    const seen: bigint[] = [];
    const subscription = subscribe(log, 0n, seen);
    await expect(subscription.caughtUp).rejects.toThrow(/described: access denied/);
    await expect(subscription.close()).rejects.toThrow(/described: access denied/);
    expect(seen).toHaveLength(1);
  });

  it('ends when the handler throws, without handing over the next events', async () => {
    const log = new ScriptedLog(logOf(4), [{}]);
    const seen: bigint[] = [];
    const subscription = subscribe(log, 0n, seen, {
      handler: async (e) => {
        if (seen.length === 2) throw new RangeError('projection bug');
        seen.push(e.position);
      },
    });
    await expect(subscription.caughtUp).rejects.toThrow(/projection bug/);
    await expect(subscription.close()).rejects.toBeInstanceOf(RangeError);
    expect(seen).toHaveLength(2);
  });

  it('gives up with StoreUnavailable after the allowed connections in a row fail without progress', async () => {
    const log = new ScriptedLog(logOf(3), [{ failAfter: 0 }]);
    const seen: bigint[] = [];
    const subscription = subscribe(log, 0n, seen, { maxReconnectAttempts: 2 });
    await expect(subscription.close().then(() => 'closed', (e: unknown) => e)).resolves.toBe('closed'); // closing early is clean
    const stubborn = subscribe(log, 0n, seen, { maxReconnectAttempts: 2 });
    const failure = await stubborn.caughtUp.then(() => null, (e: unknown) => e);
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect((failure as Error).message).toMatch(/lost its connection 2 times in a row: described: connection dropped/);
    expect(stubborn.connections).toBe(3);
    await expect(stubborn.close()).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
