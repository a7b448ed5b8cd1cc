// The contract on the embedded SQLite store, plus what only a file-backed store has: triggers,
// the format check, batching, two connections on one file, read-only opening, the environment.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  IncompatibleStoreError,
  StoreUnavailableError,
  WrongExpectedRevisionError,
  type NewEvent,
} from '../../src/store/event-store.js';
import type { EventEnvelope } from '../../src/domain/events.js';
import { openEventStore } from '../../src/store/open-store.js';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { STORE_FORMAT_VERSION } from '../../src/store/sqlite/schema.js';
import { depositPosted, deposits, partnerSigned, steppingClock, tempDir } from '../support/store-fixtures.js';
import { collect, describeEventStoreContract, type StoreTamper, until } from './event-store.contract.js';

function tamperWith(file: string): StoreTamper {
  const withTriggersDropped = (change: (db: Database.Database) => void) => {
    const db = new Database(file);
    try {
      db.exec('DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;');
      change(db);
    } finally {
      db.close();
    }
  };
  return {
    alterData: (position, data) =>
      withTriggersDropped((db) => db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify(data), position)),
    deleteEvent: (position) => withTriggersDropped((db) => db.prepare('DELETE FROM events WHERE position = ?').run(position)),
  };
}

describeEventStoreContract('sqlite', async () => {
  const { dir, cleanup } = tempDir();
  const file = path.join(dir, 'events.db');
  const clock = steppingClock();
  const store = openSqliteEventStore({ file, clock });
  return {
    store,
    reopen: async () => {
      await store.close();
      return openSqliteEventStore({ file, clock });
    },
    tamper: tamperWith(file),
    cleanup,
  };
});

describe('the SQLite event store file', () => {
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  function freshDir(): string {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    return dir;
  }
  function open(file: string, options: Partial<Parameters<typeof openSqliteEventStore>[0]> = {}): SqliteEventStore {
    const store = openSqliteEventStore({ file, ...options });
    cleanups.push(() => store.close());
    return store;
  }

  it('refuses UPDATE and DELETE through triggers and runs in WAL with synchronous=FULL', async () => {
    const file = path.join(freshDir(), 'events.db');
    const store = open(file);
    await store.append('partner-U', deposits(2, 'U'), 'no-stream');
    const db = new Database(file);
    try {
      expect(() => db.prepare("UPDATE events SET data = '{}' WHERE position = 1").run()).toThrow(/append-only: UPDATE refused/);
      expect(() => db.prepare('DELETE FROM events WHERE position = 2').run()).toThrow(/append-only: DELETE refused/);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
    expect((await store.verify()).ok).toBe(true);
  });

  it("with durability 'close' (bulk loads) leaves every commit in the database file itself once closed", async () => {
    const file = path.join(freshDir(), 'events.db');
    const store = openSqliteEventStore({ file, durability: 'close' });
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.append(`partner-B${i}`, deposits(3, `B${i}`), 'no-stream')));
    await store.append('partner-B0', deposits(1, 'B0'), 2n);
    await store.close();
    const wal = `${file}-wal`;
    expect(existsSync(wal) ? readFileSync(wal).length : 0).toBe(0);
    const reopened = open(file);
    expect(await reopened.verify()).toMatchObject({ ok: true, events: 61 });
  });

  it('takes chained history whole (import): the same chain as appended, and a call that does not continue the log writes nothing', async () => {
    const sourceFile = path.join(freshDir(), 'events.db');
    const source = open(sourceFile, { clock: steppingClock() });
    await source.append('partner-P-1', [partnerSigned('P-1')], 'no-stream');
    await Promise.all([source.append('partner-P-2', [partnerSigned('P-2'), ...deposits(2, 'P-2')], 'no-stream'), source.append('partner-P-1', deposits(2), 0n)]);
    const history = await collect(source.readAll());
    const target = open(path.join(freshDir(), 'events.db'), { durability: 'close' });
    expect(() => target.importChained(history.slice(1))).toThrow(/position 2: position 1 is missing/);
    const forged = history.map((e, i) => (i === 3 ? { ...e, data: { ...(e.data as object), amountFen: 1 } } : e)) as EventEnvelope[];
    expect(() => target.importChained(forged)).toThrow(/position 4: hash mismatch/);
    expect(await target.headPosition()).toBe(0n);
    target.importChained(history.slice(0, 2));
    target.importChained(history.slice(2));
    expect(await collect(target.readAll())).toEqual(history);
    expect(await target.verify()).toMatchObject({ ok: true, events: history.length, headHash: history.at(-1)!.hash });
  });

  it('takes chained history on its writer thread (import): a call chained onto the one still being written, a refusal at once and nothing of it sent', async () => {
    const source = open(path.join(freshDir(), 'events.db'), { clock: steppingClock() });
    await source.append('partner-P-1', [partnerSigned('P-1')], 'no-stream');
    await Promise.all([source.append('partner-P-2', [partnerSigned('P-2'), ...deposits(2, 'P-2')], 'no-stream'), source.append('partner-P-1', deposits(2), 0n)]);
    const history = await collect(source.readAll());
    const target = open(path.join(freshDir(), 'events.db'), { durability: 'close' });
    const first = target.importChainedOnThread(history.slice(0, 2));
    const forged = history.slice(2).map((e, i) => (i === 1 ? { ...e, data: { ...(e.data as object), amountFen: 1 } } : e)) as EventEnvelope[];
    expect(() => target.importChainedOnThread(forged)).toThrow(/position 4: hash mismatch/);
    const second = target.importChainedOnThread(history.slice(2));
    await Promise.all([first, second]);
    expect(await collect(target.readAll())).toEqual(history);
    expect(await target.verify()).toMatchObject({ ok: true, events: history.length, headHash: history.at(-1)!.hash });
    await expect(target.append('partner-P-1', deposits(1, 'P-1b'), 2n)).resolves.toMatchObject({ position: BigInt(history.length + 1) });
  });

  it('creates its directory and file, under $LEDGER_DATA_DIR by default', async () => {
    const dataDir = path.join(freshDir(), 'nested', 'data');
    const store = await openEventStore({ LEDGER_DATA_DIR: dataDir });
    cleanups.push(() => store.close());
    expect(store.kind).toBe('sqlite');
    await store.append('partner-E', deposits(1, 'E'), 'no-stream');
    expect(existsSync(path.join(dataDir, 'events.db'))).toBe(true);
  });

  it('opens EventStoreDB instead when EVENTSTORE_CONNECTION_STRING is set (nothing listens here: StoreUnavailable naming the host)', async () => {
    const error = await openEventStore({ EVENTSTORE_CONNECTION_STRING: 'esdb://ledger:secret@127.0.0.1:1?tls=false', LEDGER_DATA_DIR: freshDir() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/EventStoreDB at 127\.0\.0\.1:1 is unavailable/);
    expect((error as Error).message).not.toMatch(/secret/);
  });

  it('refuses a file that is not a ledger store, or of another format version, and leaves it untouched', async () => {
    const dir = freshDir();
    const text = path.join(dir, 'notes.db');
    writeFileSync(text, 'these are not events, just some text that is long enough to look like a header of a file\n'.repeat(20));
    const textBefore = readFileSync(text);
    expect(() => openSqliteEventStore({ file: text })).toThrow(IncompatibleStoreError);
    expect(() => openSqliteEventStore({ file: text })).toThrow(/not a ledger event store/);
    expect(readFileSync(text).equals(textBefore)).toBe(true);

    const other = path.join(dir, 'other.db');
    const otherDb = new Database(other);
    otherDb.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)');
    otherDb.close();
    expect(() => openSqliteEventStore({ file: other })).toThrow(/SQLite database but not a ledger event store/);

    const future = path.join(dir, 'future.db');
    const store = openSqliteEventStore({ file: future });
    await store.append('partner-V', deposits(1, 'V'), 'no-stream');
    await store.close();
    const db = new Database(future);
    db.exec(`DROP TRIGGER meta_no_update; UPDATE ledger_meta SET value = '${STORE_FORMAT_VERSION + 1}' WHERE key = 'formatVersion'`);
    db.close();
    const error = (() => {
      try {
        openSqliteEventStore({ file: future });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(IncompatibleStoreError);
    expect((error as Error).message).toMatch(new RegExp(`format version ${STORE_FORMAT_VERSION + 1}.*reads format version ${STORE_FORMAT_VERSION} only.*never migrates or overwrites`));
    const check = new Database(future, { readonly: true });
    expect(check.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1);
    check.close();
  });

  it('writes concurrent appends in a few transactions, not one each', async () => {
    const store = open(path.join(freshDir(), 'events.db'));
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.append(`partner-B${i}`, deposits(1, `B${i}`), 'no-stream')));
    const stats = store.stats();
    expect(stats.appends).toBe(200);
    expect(stats.batches).toBeLessThan(200);
    expect(stats.largestBatch).toBeGreaterThan(1);
  });

  it('serialises two stores on one file: exactly one racing writer wins and the chain stays whole', async () => {
    const file = path.join(freshDir(), 'events.db');
    const first = open(file);
    const second = open(file);
    await first.append('partner-W', deposits(1, 'W'), 'no-stream');
    const outcomes = await Promise.allSettled([
      first.append('partner-W', [depositPosted('W', 1)], 0n),
      second.append('partner-W', [depositPosted('W', 2)], 0n),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
    await second.append('partner-X', deposits(2, 'X'), 'no-stream');
    await first.append('partner-X', deposits(1, 'X'), 1n);
    expect(await first.verify()).toMatchObject({ ok: true, events: 5 });
  });


  it('hands a live subscriber the envelopes it wrote exactly as the file returns them, and reads what another connection wrote', async () => {
    const file = path.join(freshDir(), 'events.db');
    const store = open(file);
    const other = open(file);
    const seen: EventEnvelope[] = [];
    const subscription = store.subscribe(0n, (e) => {
      seen.push(e);
    });
    await subscription.caughtUp;
    await store.append('partner-S', [partnerSigned('S'), depositPosted('S', 7)], 'no-stream');
    await Promise.all([store.append('partner-T', deposits(2, 'T'), 'no-stream'), store.append('partner-U', deposits(1, 'U'), 'no-stream')]);
    await other.append('partner-V', deposits(1, 'V'), 'no-stream'); // this store learns of it only from the file
    await store.append('partner-S', [depositPosted('S', 9)], 1n);
    await until(() => seen.length >= 7, 'seven live events');
    await subscription.close();
    expect(seen.map((e) => e.position)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    expect(seen).toEqual(await collect(store.readAll()));
  });
  it('never lets recordedAt go backwards when the clock does', async () => {
    const times = ['2026-07-01T10:00:00.000Z', '2026-07-01T09:00:00.000Z', '2026-07-01T11:00:00.000Z'];
    let call = 0;
    const store = open(path.join(freshDir(), 'events.db'), { clock: () => times[Math.min(call++, times.length - 1)]! });
    for (let i = 0; i < 3; i++) await store.append('partner-C', deposits(1, 'C'), 'any');
    expect((await collect(store.readAll())).map((e) => e.recordedAt)).toEqual([times[0], times[0], times[2]]);
    expect(await store.lastPositionRecordedBefore('2026-07-01T10:30:00.000Z')).toBe(2n);
  });

  it('opens read-only for verification and refuses to append', async () => {
    const file = path.join(freshDir(), 'events.db');
    const writer = open(file);
    await writer.append('partner-Q', deposits(2, 'Q'), 'no-stream');
    const reader = open(file, { readOnly: true, readValidation: 'always' });
    expect(await reader.verify()).toMatchObject({ ok: true, events: 2 });
    expect((await collect(reader.readAll())).length).toBe(2);
    await expect(reader.append('partner-Q', deposits(1, 'Q'), 'any')).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(() => openSqliteEventStore({ file: path.join(freshDir(), 'missing.db'), readOnly: true })).toThrow(StoreUnavailableError);
  });

  it('answers every waiting append with StoreUnavailable when the writer thread dies, and keeps reading', async () => {
    const file = path.join(freshDir(), 'events.db');
    const store = open(file);
    await store.append('partner-Z', deposits(2, 'Z'), 'no-stream');
    store.crashWriterForTest();
    const waiting = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.append(`partner-Z${i}`, deposits(1, `Z${i}`), 'no-stream')));
    for (const outcome of waiting) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
    }
    await expect(store.append('partner-Z', deposits(1, 'Z'), 1n)).rejects.toThrow(/writer thread/);
    expect((await collect(store.readAll())).map((e) => e.position)).toEqual([1n, 2n]);
    expect(await store.verify()).toMatchObject({ ok: true, events: 2 });
    await store.close();
    const reopened = open(file);
    await expect(reopened.append('partner-Z', deposits(1, 'Z'), 1n)).resolves.toMatchObject({ position: 3n });
  });

  it('answers StoreUnavailable while another process holds the write lock past the busy timeout, and writes once it is released', async () => {
    const file = path.join(freshDir(), 'events.db');
    const store = open(file, { writeBusyTimeoutMs: 50 });
    await store.append('partner-Y', deposits(1, 'Y'), 'no-stream');
    const other = new Database(file);
    try {
      other.exec('BEGIN IMMEDIATE'); // another process writing the file, for longer than the busy timeout
      await expect(store.append('partner-Y', deposits(1, 'Y'), 0n)).rejects.toThrow(/not written: database is locked/);
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    // The writer thread lived through it: the next append is written and the chain is whole.
    await expect(store.append('partner-Y', deposits(1, 'Y'), 0n)).resolves.toMatchObject({ position: 2n });
    expect(await store.verify()).toMatchObject({ ok: true, events: 2 });
  });

  it('decides appends against batches still being written: revisions, idempotent re-appends and refusals', async () => {
    const store = open(path.join(freshDir(), 'events.db'));
    const first = deposits(2, 'P');
    const outcomes = await Promise.allSettled([
      store.append('partner-P', first, 'no-stream'),
      store.append('partner-P', first.map((e) => ({ ...e })), 'no-stream'), // same ids, not yet durable: the first answer
      store.append('partner-P', deposits(1, 'P'), 1n),
      store.append('partner-P', deposits(1, 'P'), 1n), // stale: fails alone
      store.append('partner-P', deposits(1, 'P'), 'exists'),
      store.append('partner-P', [{ ...first[0]!, data: { partnerId: 'P', amountFen: 7 } } as NewEvent], 'any'), // same id, other content
      ...Array.from({ length: 300 }, (_, i) => store.append(`partner-Q${i % 7}`, deposits(1, `Q${i % 7}`), 'any')),
    ]);
    const [a, again, b, stale, c, conflict] = outcomes;
    expect(a).toMatchObject({ status: 'fulfilled', value: { position: 2n, nextRevision: 1n } });
    expect(again).toEqual(a);
    expect(b).toMatchObject({ status: 'fulfilled', value: { nextRevision: 2n } });
    expect((stale as PromiseRejectedResult).reason).toMatchObject({ name: 'WrongExpectedRevision', expected: 1n, actual: 2n });
    expect(c).toMatchObject({ status: 'fulfilled', value: { nextRevision: 3n } });
    expect((conflict as PromiseRejectedResult).reason).toMatchObject({ name: 'DuplicateEvent' });
    expect(outcomes.slice(6).every((o) => o.status === 'fulfilled')).toBe(true);
    expect((await store.readStream('partner-P')).map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n]);
    expect(await store.verify()).toMatchObject({ ok: true, events: 304 });
    expect(store.stats().batches).toBeGreaterThan(0);
  });

  it('re-decides a batch another connection got ahead of, so both stores keep one whole chain', async () => {
    const file = path.join(freshDir(), 'events.db');
    const first = open(file);
    const second = open(file);
    const appends = Array.from({ length: 200 }, (_, i) =>
      (i % 2 === 0 ? first : second).append(`partner-S${i % 5}`, deposits(1 + (i % 3), `S${i % 5}`), 'any'),
    );
    const results = await Promise.all(appends);
    const positions = results.flatMap((r) => r.events.map((e) => e.position));
    expect(new Set(positions).size).toBe(positions.length);
    const all = await collect(first.readAll());
    expect(all.map((e) => e.position)).toEqual(all.map((_, i) => BigInt(i + 1)));
    for (const result of results) for (const event of result.events) expect(all[Number(event.position) - 1]).toEqual(event);
    expect(await second.verify()).toMatchObject({ ok: true, events: positions.length });
  });

  it('answers appends queued before close() and refuses appends after it', async () => {
    const file = path.join(freshDir(), 'events.db');
    const store = openSqliteEventStore({ file });
    const pending = store.append('partner-K', deposits(1, 'K'), 'no-stream');
    await store.close();
    await expect(pending).resolves.toMatchObject({ position: 1n });
    await expect(store.append('partner-K', deposits(1, 'K'), 'any')).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
