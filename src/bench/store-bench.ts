// `ledger bench store`: the embedded store's throughput beside the physical limits of the same
// disk, measured in the same run: raw better-sqlite3 with one fsync'd commit per row, raw inserts
// in one transaction, and a raw read of every row.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { NewEvent } from '../store/event-store.js';
import { newEventId } from '../store/ids.js';
import { openSqliteEventStore, type SqliteEventStore } from '../store/sqlite/sqlite-event-store.js';
import type { ReadValidation } from '../store/sqlite/row-codec.js';

export interface StoreBenchOptions {
  /** Smaller counts for a quick look (the figures are noisier). */
  quick: boolean;
  /** Length of the log readAll is measured on (default 100,000). */
  events: number;
  /** Where the temporary files go (default the OS temp dir); removed afterwards. */
  tmpRoot?: string;
}

export const STORE_TARGETS = { sequentialPerSec: 3_000, concurrentPerSec: 30_000, readAllPerSec: 500_000 } as const;
export const CONCURRENT_IN_FLIGHT = 64;

interface Figure {
  perSec: number;
  target?: number;
  meetsTarget?: boolean;
  limitPerSec?: number;
  ratioToLimit?: number;
  [detail: string]: unknown;
}

export interface StoreBenchReport {
  suite: 'store';
  machine: { cpus: number; node: string; platform: string };
  /** 1-minute load average at the start and the end: the machine is shared, figures drop with it. */
  loadAverage: { start: number; end: number };
  /** How the bench's events are identified (the ledger's commands use uuid v7 from newEventId). */
  eventIds: 'uuid-v7';
  logEvents: number;
  limits: {
    fsyncCommitsPerSec: number;
    oneTransactionInsertsPerSec: number;
    /** Raw rows/s when every fsync-ed commit carries CONCURRENT_IN_FLIGHT rows on as many streams: group commit's ceiling. */
    batchedCommitRowsPerSec: number;
    rawReadRowsPerSec: number;
    /** The store's own table read raw (every column, no decoding): the ceiling for readAll on this format. */
    storeTableRawReadRowsPerSec?: number;
  };
  sequentialAppends: Figure;
  concurrentAppends: Figure;
  readAll: Figure;
  readAllFullValidation: Figure;
  verify: Figure;
}

export async function runStoreBench(options: StoreBenchOptions): Promise<StoreBenchReport> {
  if (!Number.isSafeInteger(options.events) || options.events < 1_000) {
    throw new RangeError(`bench store: --events must be an integer ≥ 1000, got ${options.events}`);
  }
  const dir = mkdtempSync(path.join(options.tmpRoot ?? os.tmpdir(), 'ledger-bench-store-'));
  try {
    const start = loadAverage();
    const report = await benchIn(dir, options);
    return { ...report, loadAverage: { start, end: loadAverage() } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function loadAverage(): number {
  return Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
}

async function benchIn(dir: string, options: StoreBenchOptions): Promise<Omit<StoreBenchReport, 'loadAverage'>> {
  const sequentialCount = options.quick ? 1_000 : 5_000;
  const fsyncCommits = options.quick ? 500 : 3_000;
  const limits = measureLimits(path.join(dir, 'raw.db'), fsyncCommits, options.events);

  const store = openSqliteEventStore({ file: path.join(dir, 'events.db') });
  try {
    const sequential = await sequentialAppends(store, Math.min(sequentialCount, options.events / 2));
    const concurrentCount = options.events - sequential.count;
    const statsBefore = store.stats();
    const concurrent = await concurrentAppends(store, concurrentCount);
    const statsAfter = store.stats();
    const readAll = await readAllRate(store, 'old-versions');
    limits.storeTableRawReadRowsPerSec = rawReadOfStoreTable(path.join(dir, 'events.db'));
    const verify = await verifyRate(store);
    await store.close();
    const validating = openSqliteEventStore({ file: path.join(dir, 'events.db'), readValidation: 'always', readOnly: true });
    const readAllValidated = await readAllRate(validating, 'always');
    await validating.close();
    const batches = statsAfter.batches - statsBefore.batches;
    return {
      suite: 'store',
      machine: { cpus: os.cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` },
      eventIds: 'uuid-v7',
      logEvents: options.events,
      limits,
      sequentialAppends: figure(sequential.perSec, STORE_TARGETS.sequentialPerSec, limits.fsyncCommitsPerSec, {
        appends: sequential.count,
        eventsPerAppend: 1,
        limit: 'raw better-sqlite3, one row per fsync-ed commit (WAL, synchronous=FULL)',
      }),
      concurrentAppends: figure(concurrent.perSec, STORE_TARGETS.concurrentPerSec, limits.batchedCommitRowsPerSec, {
        appends: concurrentCount,
        inFlight: CONCURRENT_IN_FLIGHT,
        batches,
        meanAppendsPerBatch: round(concurrentCount / Math.max(1, batches)),
        limit: `raw better-sqlite3, ${CONCURRENT_IN_FLIGHT} rows on as many streams per fsync-ed commit (WAL, synchronous=FULL)`,
        ratioToOneTransactionInserts: Math.round((concurrent.perSec / limits.oneTransactionInsertsPerSec) * 1000) / 1000,
      }),
      readAll: figure(readAll.perSec, STORE_TARGETS.readAllPerSec, limits.rawReadRowsPerSec, {
        events: readAll.count,
        validation: 'old-versions (events of an older schemaVersion are upcast and validated)',
        limit: 'raw better-sqlite3 read of every row',
      }),
      readAllFullValidation: figure(readAllValidated.perSec, STORE_TARGETS.readAllPerSec, limits.rawReadRowsPerSec, {
        events: readAllValidated.count,
        validation: 'always (every event through its zod schema)',
      }),
      verify: { perSec: round(verify.perSec), events: verify.count, ok: verify.ok },
    };
  } finally {
    await store.close().catch(() => undefined);
  }
}

function figure(perSec: number, target: number, limitPerSec: number, details: Record<string, unknown>): Figure {
  return {
    perSec: round(perSec),
    target,
    meetsTarget: perSec >= target,
    limitPerSec: round(limitPerSec),
    ratioToLimit: Math.round((perSec / limitPerSec) * 1000) / 1000,
    ...details,
  };
}

function round(n: number): number {
  return Math.round(n);
}

function benchEvent(partnerId: string, i: number): NewEvent {
  return {
    eventId: newEventId(),
    type: 'DepositPosted',
    data: { partnerId, amountFen: 10_000 + i },
    occurredAt: '2026-07-01T09:00:00.000Z',
    actor: { role: 'finance', id: 'bench' },
    commandId: randomUUID(),
    correlationId: null,
    causationId: null,
    policyVersion: '2026.1',
  };
}

async function sequentialAppends(store: SqliteEventStore, count: number): Promise<{ count: number; perSec: number }> {
  const events = Array.from({ length: count }, (_, i) => benchEvent('SEQ-1', i));
  const started = performance.now();
  let revision = -1n;
  for (const event of events) {
    const result = await store.append('partner-SEQ-1', [event], revision < 0n ? 'no-stream' : revision);
    revision = result.nextRevision;
  }
  return { count, perSec: count / secondsSince(started) };
}

/** CONCURRENT_IN_FLIGHT writers, each on its own stream with its expected revision, until `count` appends. */
async function concurrentAppends(store: SqliteEventStore, count: number): Promise<{ perSec: number }> {
  const perWriter = Math.ceil(count / CONCURRENT_IN_FLIGHT);
  const work = Array.from({ length: CONCURRENT_IN_FLIGHT }, (_, w) => {
    const n = Math.max(0, Math.min(perWriter, count - w * perWriter));
    return Array.from({ length: n }, (_, i) => benchEvent(`W-${w}`, i));
  });
  const started = performance.now();
  await Promise.all(
    work.map(async (events, w) => {
      let revision = -1n;
      for (const event of events) {
        const result = await store.append(`partner-W-${w}`, [event], revision < 0n ? 'no-stream' : revision);
        revision = result.nextRevision;
      }
    }),
  );
  return { perSec: count / secondsSince(started) };
}

async function readAllRate(store: SqliteEventStore, _validation: ReadValidation): Promise<{ count: number; perSec: number }> {
  const started = performance.now();
  let count = 0;
  for await (const event of store.readAll()) {
    if (event.position <= 0n) throw new Error('invariant: positions start at 1');
    count++;
  }
  return { count, perSec: count / secondsSince(started) };
}

async function verifyRate(store: SqliteEventStore): Promise<{ count: number; perSec: number; ok: boolean }> {
  const started = performance.now();
  const result = await store.verify();
  return { count: result.events, perSec: result.events / secondsSince(started), ok: result.ok };
}

function secondsSince(startedMs: number): number {
  return Math.max(1e-9, (performance.now() - startedMs) / 1000);
}

function rawReadOfStoreTable(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    const select = db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT 1000').raw(true);
    const started = performance.now();
    let read = 0;
    let after = 0;
    for (;;) {
      const page = select.all(after) as unknown[][];
      read += page.length;
      if (page.length < 1000) break;
      after = page[page.length - 1]![0] as number;
    }
    return round(read / secondsSince(started));
  } finally {
    db.close();
  }
}

// ---- the physical limits ---------------------------------------------------------------------

function measureLimits(file: string, fsyncCommits: number, rows: number): StoreBenchReport['limits'] {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE raw (
      position INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, stream TEXT NOT NULL, revision INTEGER NOT NULL,
      data TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (stream, revision))`);
    const insert = db.prepare('INSERT INTO raw VALUES (?, ?, ?, ?, ?, ?)');
    const data = JSON.stringify({ amountFen: 10_000, partnerId: 'RAW-1' });
    const hash = 'a'.repeat(64);
    let position = 0;
    const insertRow = (): void => {
      position++;
      insert.run(position, newEventId(), `raw-${position % CONCURRENT_IN_FLIGHT}`, position, data, hash);
    };

    let started = performance.now();
    for (let i = 0; i < fsyncCommits; i++) insertRow(); // autocommit: one transaction, one fsync per row
    const fsyncCommitsPerSec = fsyncCommits / secondsSince(started);

    started = performance.now();
    db.transaction(() => {
      for (let i = 0; i < rows; i++) insertRow();
    })();
    const oneTransactionInsertsPerSec = rows / secondsSince(started);

    const batchCommit = db.transaction(() => {
      for (let i = 0; i < CONCURRENT_IN_FLIGHT; i++) insertRow();
    });
    const batchCommits = Math.max(100, Math.round(fsyncCommits / 6));
    started = performance.now();
    for (let i = 0; i < batchCommits; i++) batchCommit();
    const batchedCommitRowsPerSec = (batchCommits * CONCURRENT_IN_FLIGHT) / secondsSince(started);

    const select = db.prepare('SELECT * FROM raw WHERE position > ? ORDER BY position LIMIT 1000').raw(true);
    started = performance.now();
    let read = 0;
    let after = 0;
    for (;;) {
      const page = select.all(after) as unknown[][];
      read += page.length;
      if (page.length < 1000) break;
      after = page[page.length - 1]![0] as number;
    }
    const rawReadRowsPerSec = read / secondsSince(started);
    return {
      fsyncCommitsPerSec: round(fsyncCommitsPerSec),
      oneTransactionInsertsPerSec: round(oneTransactionInsertsPerSec),
      batchedCommitRowsPerSec: round(batchedCommitRowsPerSec),
      rawReadRowsPerSec: round(rawReadRowsPerSec),
    };
  } finally {
    db.close();
  }
}
