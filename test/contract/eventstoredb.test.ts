// The event-store contract on EventStoreDB. It needs a real server: set
// EVENTSTORE_CONNECTION_STRING (e.g. esdb://localhost:2113?tls=false, or the compose cluster).
// Without it every test below is reported as skipped, by name; nothing here fakes a server.
//
// The scenarios are the shared contract's (event-store.contract.ts), stated for what EventStoreDB
// gives: positions grow with $all order but are byte offsets, not 1, 2, 3…; the hash chain is per
// stream; an event id reused in another stream is not detected. Each test uses its own stream
// namespace on the cluster, so it sees an empty log.
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../src/domain/events.js';
import { DuplicateEventError, SchemaViolationError, WrongExpectedRevisionError, type EventStore, type NewEvent } from '../../src/store/event-store.js';
import { GENESIS_HASH } from '../../src/store/hash-chain.js';
import { ChainBrokenError, openEventStoreDbStore, type EventStoreDbEventStore } from '../../src/store/eventstoredb/eventstoredb-event-store.js';
import { depositPosted, deposits, invalidDeposit, partnerSigned } from '../support/store-fixtures.js';
import { collect } from './event-store.contract.js';

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING ?? '';
const title = connectionString
  ? 'event store contract: eventstoredb'
  : 'event store contract: eventstoredb — SKIPPED: EVENTSTORE_CONNECTION_STRING is not set (no EventStoreDB server here)';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the promise to be rejected');
    },
    (error: unknown) => error,
  );
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 5_000; turn++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`gave up waiting for ${what}`);
}

function increasing(positions: bigint[]): boolean {
  return positions.every((p, i) => i === 0 || p > positions[i - 1]!);
}

describe.skipIf(!connectionString)(title, () => {
  const opened: EventStore[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close().catch(() => undefined);
  });

  async function fresh(namespace = `t${randomUUID().slice(0, 8)}.`): Promise<EventStoreDbEventStore> {
    const store = await openEventStoreDbStore({ connectionString, namespace });
    opened.push(store);
    return store;
  }

  it('keeps one global order: positions grow across streams with $all, revisions 0, 1, 2… within each', async () => {
    const store = await fresh();
    const a = await store.append('partner-A', deposits(2, 'A'), 'no-stream');
    const b = await store.append('partner-B', deposits(1, 'B'), 'no-stream');
    const a2 = await store.append('partner-A', deposits(1, 'A'), 1n);
    expect([a.nextRevision, b.nextRevision, a2.nextRevision]).toEqual([1n, 0n, 2n]);
    const all = await collect(store.readAll());
    expect(all.map((e) => [e.stream, e.revision])).toEqual([
      ['partner-A', 0n],
      ['partner-A', 1n],
      ['partner-B', 0n],
      ['partner-A', 2n],
    ]);
    expect(all.map((e) => e.position)).toEqual([...a.events, ...b.events, ...a2.events].map((e) => e.position));
    expect(increasing(all.map((e) => e.position))).toBe(true);
    expect([a.position, b.position, a2.position]).toEqual([all[1]!.position, all[2]!.position, all[3]!.position]);
    expect(await store.headPosition()).toBe(all[3]!.position);
  });

  it('returns stored envelopes with every field of the event and the store-set ones', async () => {
    const store = await fresh();
    const event = partnerSigned('P-7', 'gold');
    const { events } = await store.append('partner-P-7', [event], 'no-stream');
    const [read] = await store.readStream('partner-P-7');
    expect(read).toEqual(events[0]);
    expect(read).toMatchObject({
      eventId: event.eventId,
      type: 'PartnerSigned',
      schemaVersion: 1,
      stream: 'partner-P-7',
      revision: 0n,
      occurredAt: event.occurredAt,
      actor: event.actor,
      commandId: event.commandId,
      correlationId: null,
      causationId: null,
      policyVersion: '2026.1',
      prevHash: GENESIS_HASH,
      data: event.data,
    });
    expect(read!.position > 0n).toBe(true);
    expect(read!.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(read!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('checks each kind of expected revision and names expected and actual when it fails', async () => {
    const store = await fresh();
    const wrong = async (p: Promise<unknown>, expected: unknown, actual: unknown) => {
      const error = await rejection(p);
      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      expect(error).toMatchObject({ expected, actual });
    };
    await wrong(store.append('partner-X', deposits(1, 'X'), 'exists'), 'exists', 'no-stream');
    await wrong(store.append('partner-X', deposits(1, 'X'), 0n), 0n, 'no-stream');
    await store.append('partner-X', deposits(1, 'X'), 'no-stream');
    await wrong(store.append('partner-X', deposits(1, 'X'), 'no-stream'), 'no-stream', 0n);
    await store.append('partner-X', deposits(1, 'X'), 'exists');
    await store.append('partner-X', deposits(1, 'X'), 1n);
    await wrong(store.append('partner-X', deposits(1, 'X'), 1n), 1n, 2n);
    await wrong(store.append('partner-X', deposits(1, 'X'), 7n), 7n, 2n);
    await store.append('partner-X', deposits(1, 'X'), 'any');
    await store.append('partner-Y', deposits(1, 'Y'), 'any');
    expect((await store.readStream('partner-X')).map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n]);
    expect(await collect(store.readAll())).toHaveLength(5);
  });

  it('lets exactly one of two racing writers with the same expected revision win, also from two app instances', async () => {
    const store = await fresh();
    const other = await fresh(store.namespace);
    await store.append('partner-R', deposits(1, 'R'), 'no-stream');
    const outcomes = await Promise.allSettled([
      store.append('partner-R', [depositPosted('R', 111)], 0n),
      other.append('partner-R', [depositPosted('R', 222)], 0n),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(WrongExpectedRevisionError);
    expect(lost.reason).toMatchObject({ expected: 0n, actual: 1n });
    expect(await store.readStream('partner-R')).toHaveLength(2);
  });

  it('answers a re-append of the same event ids as the first time and writes nothing', async () => {
    const store = await fresh();
    const events = deposits(2, 'I');
    const first = await store.append('partner-I', events, 'no-stream');
    await store.append('partner-J', deposits(1, 'J'), 'no-stream');
    const head = await store.headPosition();
    const again = await store.append('partner-I', events.map((e) => ({ ...e })), 'no-stream');
    expect(again).toEqual(first);
    const anyAgain = await store.append('partner-I', events.map((e) => ({ ...e })), 'any');
    expect(anyAgain).toEqual(first);
    expect(await store.headPosition()).toBe(head);
  });

  it('refuses an event id already stored in the stream with other content, or in a partly new append', async () => {
    const store = await fresh();
    const stored = depositPosted('D', 500);
    await store.append('partner-D', [stored], 'no-stream');
    const otherData = await rejection(store.append('partner-D', [{ ...stored, data: { partnerId: 'D', amountFen: 501 } } as NewEvent], 'any'));
    expect(otherData).toBeInstanceOf(DuplicateEventError);
    expect(otherData).toMatchObject({ eventId: stored.eventId });
    expect(await rejection(store.append('partner-D', [stored, depositPosted('D', 1)], 'any'))).toBeInstanceOf(DuplicateEventError);
    const twice = depositPosted('G', 1);
    expect(await rejection(store.append('partner-G', [twice, twice], 'any'))).toBeInstanceOf(DuplicateEventError);
    expect(await collect(store.readAll())).toHaveLength(1);
  });

  it('does not detect an event id reused in ANOTHER stream (EventStoreDB keeps no index by event id)', async () => {
    const store = await fresh();
    const stored = depositPosted('D', 500);
    await store.append('partner-D', [stored], 'no-stream');
    await store.append('partner-E', [{ ...stored, data: { partnerId: 'E', amountFen: 500 } } as NewEvent], 'any');
    expect((await collect(store.readAll())).map((e) => e.eventId)).toEqual([stored.eventId, stored.eventId]);
  });

  it('refuses an append with an event that breaks its schema, with the zod issues, and writes nothing', async () => {
    const store = await fresh();
    const error = await rejection(store.append('partner-S', [depositPosted('S', 10), invalidDeposit('S')], 'any'));
    expect(error).toBeInstanceOf(SchemaViolationError);
    expect((error as SchemaViolationError).issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'amountFen' })]));
    expect(await rejection(store.append('orders-1', deposits(1, 'S'), 'any'))).toBeInstanceOf(SchemaViolationError);
    expect(await store.headPosition()).toBe(0n);
    expect(await store.readStream('partner-S')).toEqual([]);
  });

  it('reads ranges of a stream and of the whole log, in pages, and the log as recorded before an instant', async () => {
    const store = await fresh();
    for (let i = 0; i < 6; i++) await store.append(`partner-${i % 2}`, deposits(1, String(i % 2)), 'any');
    const all = await collect(store.readAll());
    const p = all.map((e) => e.position);
    expect((await store.readStream('partner-0', { fromRevision: 1n })).map((e) => e.revision)).toEqual([1n, 2n]);
    expect((await store.readStream('partner-0', { fromRevision: 1n, toRevision: 1n })).map((e) => e.position)).toEqual([p[2]]);
    expect(await store.readStream('partner-none')).toEqual([]);
    expect((await collect(store.readAll({ fromPosition: p[1], toPosition: p[3] }))).map((e) => e.position)).toEqual(p.slice(1, 4));
    expect((await collect(store.readAll({ batchSize: 2 }))).map((e) => e.position)).toEqual(p);
    expect(await collect(store.readAll({ fromPosition: p[5], toPosition: p[5] }))).toEqual([all[5]]);
    expect(await collect(store.readAll({ toPosition: p[0]! - 1n }))).toEqual([]);
    for (let i = 1; i < all.length; i++) expect(all[i]!.recordedAt >= all[i - 1]!.recordedAt).toBe(true);
    const cut = all[3]!.recordedAt;
    const before = await collect(store.readAll({ recordedBefore: cut, batchSize: 2 }));
    expect(before).toEqual(all.filter((e) => e.recordedAt < cut));
    expect(await collect(store.readAll({ recordedBefore: '2000-01-01T00:00:00.000Z' }))).toEqual([]);
  });

  it('hands a subscriber every event after its position once and in order: catch-up, then live', async () => {
    const store = await fresh();
    const first = await store.append('partner-L', deposits(3, 'L'), 'no-stream');
    const seen: EventEnvelope[] = [];
    const fromSecond: EventEnvelope[] = [];
    const subscription = store.subscribe(0n, (e) => void seen.push(e));
    const later = store.subscribe(first.events[1]!.position, async (e) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      fromSecond.push(e);
    });
    const during = store.append('partner-M', deposits(2, 'M'), 'no-stream');
    await subscription.caughtUp;
    expect(seen.slice(0, 3)).toEqual(first.events);
    await during;
    await store.append('partner-L', deposits(1, 'L'), 2n);
    await Promise.all([store.append('partner-N', deposits(1, 'N'), 'any'), store.append('partner-O', deposits(1, 'O'), 'any')]);
    await until(() => seen.length >= 8 && fromSecond.length >= 6, 'live events');
    await subscription.close();
    await later.close();
    const all = await collect(store.readAll());
    expect(seen).toEqual(all);
    expect(fromSecond).toEqual(all.slice(2));
    await store.append('partner-L', deposits(1, 'L'), 'any');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toHaveLength(8);
  });

  it('takes concurrent appends from two app instances; a bad one fails alone; verify() holds', async () => {
    const store = await fresh();
    const other = await fresh(store.namespace);
    const duplicate = depositPosted('dup', 1);
    await store.append('partner-dup', [duplicate], 'no-stream');
    const good = Array.from({ length: 60 }, (_, i) => (i % 2 ? store : other).append(`partner-C${i}`, deposits(1, `C${i}`), 'no-stream'));
    const staleRevision = store.append('partner-bad', deposits(1, 'bad'), 5n);
    const otherContent = other.append('partner-dup', [{ ...duplicate, data: { partnerId: 'dup', amountFen: 2 } } as NewEvent], 'any');
    const outcomes = await Promise.allSettled([...good, staleRevision, otherContent]);
    expect(outcomes.slice(0, 60).every((o) => o.status === 'fulfilled')).toBe(true);
    expect((outcomes[60] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
    expect((outcomes[61] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateEventError);
    expect(await collect(store.readAll())).toHaveLength(61);
    expect(await store.verify()).toMatchObject({ ok: true, events: 61 });
    expect(await other.verify()).toEqual(await store.verify());
  });

  it('chains every stream: revision 0 to GENESIS, each event to the one before it in its stream', async () => {
    const store = await fresh();
    await store.append('partner-H', deposits(3, 'H'), 'no-stream');
    await store.append('partner-K', [partnerSigned('K')], 'no-stream');
    await store.append('partner-H', deposits(1, 'H'), 2n);
    const all = await collect(store.readAll());
    const h = all.filter((e) => e.stream === 'partner-H');
    expect(h[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < h.length; i++) expect(h[i]!.prevHash).toBe(h[i - 1]!.hash);
    expect(all.find((e) => e.stream === 'partner-K')!.prevHash).toBe(GENESIS_HASH);
    expect(await store.verify()).toMatchObject({ ok: true, events: 5, headHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await (await fresh()).verify()).toEqual({ ok: true, events: 0, headHash: GENESIS_HASH });
  });

  it('names the position of an event written behind the ledger’s back, and refuses to read it', async () => {
    const store = await fresh();
    await store.append('partner-T', deposits(2, 'T'), 'no-stream');
    const [, last] = await store.readStream('partner-T');
    const raw = EventStoreDBClient.connectionString(connectionString);
    try {
      const forged = depositPosted('T', 999_999);
      await raw.appendToStream(
        `${store.namespace}partner-T`,
        jsonEvent({
          id: forged.eventId,
          type: 'DepositPosted',
          data: forged.data as Record<string, unknown>,
          metadata: { ledgerFormat: 1, schemaVersion: 1, occurredAt: forged.occurredAt, actor: forged.actor, commandId: null, correlationId: null, causationId: null, policyVersion: null, prevHash: last!.hash, hash: 'f'.repeat(64) },
        }),
      );
    } finally {
      await raw.dispose();
    }
    const all = await collect(store.readAll()).catch((e: unknown) => e);
    expect(all).toBeInstanceOf(ChainBrokenError);
    const result = await store.verify();
    expect(result).toMatchObject({ ok: false, events: 2, problem: expect.stringMatching(/hash mismatch/) });
    expect(result.firstBadPosition! > last!.position).toBe(true);
    await expect(store.readStream('partner-T')).rejects.toBeInstanceOf(ChainBrokenError);
  });

  it('keeps everything for another instance on the same cluster, which continues the chains', async () => {
    const store = await fresh();
    await store.append('partner-Z', deposits(3, 'Z'), 'no-stream');
    await store.append('partner-Y', deposits(2, 'Y'), 'no-stream');
    const before = await collect(store.readAll());
    await store.close();
    const reopened = await fresh(store.namespace);
    expect(await collect(reopened.readAll())).toEqual(before);
    await expect(reopened.append('partner-Z', deposits(1, 'Z'), 1n)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    const next = await reopened.append('partner-Z', deposits(1, 'Z'), 2n);
    expect(next.position > before[4]!.position).toBe(true);
    expect(next.events[0]!.prevHash).toBe(before[2]!.hash);
    expect(await reopened.verify()).toMatchObject({ ok: true, events: 6 });
  });
});
