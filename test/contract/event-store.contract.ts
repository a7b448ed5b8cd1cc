// The contract every event-store adapter passes. Each test gets a fresh, empty store.
import { afterEach, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../src/domain/events.js';
import {
  DuplicateEventError,
  SchemaViolationError,
  WrongExpectedRevisionError,
  type EventStore,
  type NewEvent,
} from '../../src/store/event-store.js';
import { GENESIS_HASH, hashEvent, verifyChain } from '../../src/store/hash-chain.js';
import { depositPosted, deposits, invalidDeposit, partnerSigned } from '../support/store-fixtures.js';

/** Changes a stored log behind the store's back, as an attacker with file access could. */
export interface StoreTamper {
  alterData(position: bigint, data: unknown): void;
  deleteEvent(position: bigint): void;
}

export interface ContractSubject {
  store: EventStore;
  /** Closes `store` and opens the same log again. */
  reopen?: () => Promise<EventStore>;
  tamper?: StoreTamper;
  /** Releases what the subject holds (the harness closes the stores it was given first). */
  cleanup?: () => void | Promise<void>;
}

export async function collect(iterable: AsyncIterable<EventEnvelope>): Promise<EventEnvelope[]> {
  const out: EventEnvelope[] = [];
  for await (const event of iterable) out.push(event);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to be rejected');
}

/** Resolves when `predicate` holds, polling on the event loop (bounded). */
export async function until(predicate: () => boolean, what: string, maxTurns = 5_000): Promise<void> {
  for (let turn = 0; turn < maxTurns; turn++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`gave up waiting for ${what}`);
}

export function describeEventStoreContract(name: string, openFresh: () => Promise<ContractSubject>): void {
  describe(`event store contract: ${name}`, () => {
    const opened: Array<{ stores: EventStore[]; subject: ContractSubject }> = [];

    async function fresh(): Promise<ContractSubject & { track: (store: EventStore) => EventStore }> {
      const subject = await openFresh();
      const entry = { stores: [subject.store], subject };
      opened.push(entry);
      return { ...subject, track: (store) => (entry.stores.push(store), store) };
    }

    afterEach(async () => {
      for (const { stores, subject } of opened.splice(0)) {
        for (const store of stores) await store.close().catch(() => undefined);
        await subject.cleanup?.();
      }
    });

    it('keeps one global order: positions 1, 2, 3… across streams, revisions 0, 1, 2… within each', async () => {
      const { store } = await fresh();
      const a = await store.append('partner-A', deposits(2, 'A'), 'no-stream');
      const b = await store.append('partner-B', deposits(1, 'B'), 'no-stream');
      const a2 = await store.append('partner-A', deposits(1, 'A'), 1n);
      expect([a.position, a.nextRevision, b.position, b.nextRevision, a2.position, a2.nextRevision]).toEqual([2n, 1n, 3n, 0n, 4n, 2n]);
      const all = await collect(store.readAll());
      expect(all.map((e) => [e.position, e.stream, e.revision])).toEqual([
        [1n, 'partner-A', 0n],
        [2n, 'partner-A', 1n],
        [3n, 'partner-B', 0n],
        [4n, 'partner-A', 2n],
      ]);
      expect(await store.headPosition()).toBe(4n);
      expect(a.events.map((e) => e.position)).toEqual([1n, 2n]);
    });

    it('returns stored envelopes with every field of the event and the store-set ones', async () => {
      const { store } = await fresh();
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
        position: 1n,
        occurredAt: event.occurredAt,
        actor: event.actor,
        commandId: event.commandId,
        correlationId: null,
        causationId: null,
        policyVersion: '2026.1',
        prevHash: GENESIS_HASH,
        data: event.data,
      });
      expect(read!.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(read!.hash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('checks each kind of expected revision and names expected and actual when it fails', async () => {
      const { store } = await fresh();
      const wrong = async (p: Promise<unknown>, expected: unknown, actual: unknown) => {
        const error = await rejection(p);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ expected, actual });
        expect((error as Error).message).toContain(String(expected));
        expect((error as Error).message).toContain(String(actual));
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
      expect(await store.headPosition()).toBe(5n);
    });

    it('lets exactly one of two racing writers with the same expected revision win', async () => {
      const { store } = await fresh();
      await store.append('partner-R', deposits(1, 'R'), 'no-stream');
      const outcomes = await Promise.allSettled([
        store.append('partner-R', [depositPosted('R', 111)], 0n),
        store.append('partner-R', [depositPosted('R', 222)], 0n),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(WrongExpectedRevisionError);
      expect(lost.reason).toMatchObject({ expected: 0n, actual: 1n });
      expect(await store.readStream('partner-R')).toHaveLength(2);
    });

    it('answers a re-append of the same event ids as the first time and writes nothing', async () => {
      const { store } = await fresh();
      const events = deposits(2, 'I');
      const first = await store.append('partner-I', events, 'no-stream');
      await store.append('partner-J', deposits(1, 'J'), 'no-stream');
      const again = await store.append('partner-I', events.map((e) => ({ ...e })), 'no-stream');
      expect(again.position).toBe(first.position);
      expect(again.nextRevision).toBe(first.nextRevision);
      expect(again.events).toEqual(first.events);
      expect(await store.headPosition()).toBe(3n);
    });

    it('refuses an event id already stored with other content, in another stream, or in a partly new append', async () => {
      const { store } = await fresh();
      const stored = depositPosted('D', 500);
      await store.append('partner-D', [stored], 'no-stream');
      const otherData = await rejection(store.append('partner-D', [{ ...stored, data: { partnerId: 'D', amountFen: 501 } } as NewEvent], 'any'));
      expect(otherData).toBeInstanceOf(DuplicateEventError);
      expect(otherData).toMatchObject({ eventId: stored.eventId });
      expect(await rejection(store.append('partner-E', [stored], 'any'))).toBeInstanceOf(DuplicateEventError);
      expect(await rejection(store.append('partner-D', [stored, depositPosted('D', 1)], 'any'))).toBeInstanceOf(DuplicateEventError);
      expect(await rejection(store.append('partner-F', [depositPosted('F', 1), stored], 'any'))).toBeInstanceOf(DuplicateEventError);
      const twice = depositPosted('G', 1);
      expect(await rejection(store.append('partner-G', [twice, twice], 'any'))).toBeInstanceOf(DuplicateEventError);
      expect(await store.headPosition()).toBe(1n);
    });

    it('refuses an append with an event that breaks its schema, with the zod issues, and writes nothing', async () => {
      const { store } = await fresh();
      const error = await rejection(store.append('partner-S', [depositPosted('S', 10), invalidDeposit('S')], 'any'));
      expect(error).toBeInstanceOf(SchemaViolationError);
      expect((error as SchemaViolationError).issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'amountFen' })]));
      const unknownType = await rejection(store.append('partner-S', [{ ...depositPosted('S'), type: 'Nope' } as unknown as NewEvent], 'any'));
      expect(unknownType).toBeInstanceOf(SchemaViolationError);
      const badEnvelope = await rejection(store.append('partner-S', [{ ...depositPosted('S'), eventId: 'not-a-uuid' }], 'any'));
      expect(badEnvelope).toBeInstanceOf(SchemaViolationError);
      expect(await store.headPosition()).toBe(0n);
      expect(await store.readStream('partner-S')).toEqual([]);
    });

    it('reads ranges of a stream and of the whole log, in pages, and the log as recorded before an instant', async () => {
      const { store } = await fresh();
      for (let i = 0; i < 6; i++) await store.append(`partner-${i % 2}`, deposits(1, String(i % 2)), 'any');
      expect((await store.readStream('partner-0', { fromRevision: 1n })).map((e) => e.revision)).toEqual([1n, 2n]);
      expect((await store.readStream('partner-0', { fromRevision: 1n, toRevision: 1n })).map((e) => e.position)).toEqual([3n]);
      expect(await store.readStream('partner-none')).toEqual([]);
      expect((await collect(store.readAll({ fromPosition: 2n, toPosition: 4n }))).map((e) => e.position)).toEqual([2n, 3n, 4n]);
      expect((await collect(store.readAll({ batchSize: 2 }))).map((e) => e.position)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
      expect((await collect(store.readAll({ fromPosition: 7n })))).toEqual([]);
      const all = await collect(store.readAll());
      for (let i = 1; i < all.length; i++) expect(all[i]!.recordedAt >= all[i - 1]!.recordedAt).toBe(true);
      const cut = all[3]!.recordedAt;
      const before = await collect(store.readAll({ recordedBefore: cut, batchSize: 2 }));
      expect(before).toEqual(all.filter((e) => e.recordedAt < cut));
      expect(before.map((e) => e.position)).toEqual(all.slice(0, before.length).map((e) => e.position));
      expect(await collect(store.readAll({ recordedBefore: '2000-01-01T00:00:00.000Z' }))).toEqual([]);
    });

    it('hands a subscriber every event after its position once and in order: catch-up, then live', async () => {
      const { store } = await fresh();
      await store.append('partner-L', deposits(3, 'L'), 'no-stream');
      const seen: bigint[] = [];
      const fromTwo: bigint[] = [];
      const subscription = store.subscribe(0n, (e) => {
        seen.push(e.position);
      });
      const later = store.subscribe(2n, async (e) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        fromTwo.push(e.position);
      });
      const during = store.append('partner-M', deposits(2, 'M'), 'no-stream');
      await subscription.caughtUp;
      expect(seen.slice(0, 3)).toEqual([1n, 2n, 3n]);
      await during;
      await store.append('partner-L', deposits(1, 'L'), 2n);
      await Promise.all([store.append('partner-N', deposits(1, 'N'), 'any'), store.append('partner-O', deposits(1, 'O'), 'any')]);
      await until(() => seen.length >= 8 && fromTwo.length >= 6, 'live events');
      await subscription.close();
      await later.close();
      expect(seen).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
      expect(fromTwo).toEqual([3n, 4n, 5n, 6n, 7n, 8n]);
      await store.append('partner-L', deposits(1, 'L'), 'any');
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(seen).toHaveLength(8);
    });

    it('commits concurrent appends together; a bad one fails alone', async () => {
      const { store } = await fresh();
      const duplicate = depositPosted('dup', 1);
      await store.append('partner-dup', [duplicate], 'no-stream');
      const good = Array.from({ length: 200 }, (_, i) => store.append(`partner-C${i}`, deposits(1, `C${i}`), 'no-stream'));
      const staleRevision = store.append('partner-bad', deposits(1, 'bad'), 5n);
      const otherContent = store.append('partner-dup', [{ ...duplicate, data: { partnerId: 'dup', amountFen: 2 } } as NewEvent], 'any');
      const outcomes = await Promise.allSettled([...good, staleRevision, otherContent]);
      expect(outcomes.slice(0, 200).every((o) => o.status === 'fulfilled')).toBe(true);
      expect((outcomes[200] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
      expect((outcomes[201] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateEventError);
      const positions = outcomes.slice(0, 200).map((o) => (o as PromiseFulfilledResult<{ position: bigint }>).value.position);
      expect(new Set(positions).size).toBe(200);
      expect(await store.headPosition()).toBe(201n);
      expect((await store.verify()).ok).toBe(true);
    });

    it('chains every event to the one before it; verify() and verifyChain agree', async () => {
      const { store } = await fresh();
      await store.append('partner-H', deposits(3, 'H'), 'no-stream');
      await store.append('partner-K', [partnerSigned('K')], 'no-stream');
      const all = await collect(store.readAll());
      expect(all[0]!.prevHash).toBe(GENESIS_HASH);
      for (let i = 1; i < all.length; i++) expect(all[i]!.prevHash).toBe(all[i - 1]!.hash);
      for (const e of all) expect(hashEvent(e.prevHash, e)).toBe(e.hash);
      const result = await store.verify();
      expect(result).toEqual({ ok: true, events: 4, headHash: all[3]!.hash });
      expect(verifyChain(all)).toEqual(result);
      expect(await (await fresh()).store.verify()).toEqual({ ok: true, events: 0, headHash: GENESIS_HASH });
    });

    it('names the position of an altered or deleted event', async () => {
      const altered = await fresh();
      if (!altered.tamper) return;
      await altered.store.append('partner-T', deposits(5, 'T'), 'no-stream');
      altered.tamper.alterData(3n, { partnerId: 'T', amountFen: 999_999_999 });
      expect(await altered.store.verify()).toMatchObject({ ok: false, firstBadPosition: 3n, events: 2, problem: expect.stringMatching(/hash mismatch/) });

      const deleted = await fresh();
      await deleted.store.append('partner-T', deposits(5, 'T'), 'no-stream');
      deleted.tamper!.deleteEvent(4n);
      expect(await deleted.store.verify()).toMatchObject({ ok: false, firstBadPosition: 4n, problem: expect.stringMatching(/missing/) });
    });

    it('keeps everything across a reopen and continues the chain', async () => {
      const subject = await fresh();
      if (!subject.reopen) return;
      await subject.store.append('partner-Z', deposits(3, 'Z'), 'no-stream');
      await subject.store.append('partner-Y', deposits(2, 'Y'), 'no-stream');
      const before = await collect(subject.store.readAll());
      const reopened = subject.track(await subject.reopen());
      expect(await collect(reopened.readAll())).toEqual(before);
      await expect(reopened.append('partner-Z', deposits(1, 'Z'), 1n)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      const next = await reopened.append('partner-Z', deposits(1, 'Z'), 2n);
      expect(next.position).toBe(6n);
      expect(next.events[0]!.prevHash).toBe(before[4]!.hash);
      expect(await reopened.verify()).toMatchObject({ ok: true, events: 6 });
    });
  });
}
