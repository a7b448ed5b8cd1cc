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

/** Rounds the write measurements alternate between the raw limit and the store (the disk is shared and its speed drifts). */
const INTERLEAVED_ROUNDS = 5;

async function benchIn(dir: string, options: StoreBenchOptions): Promise<Omit<StoreBenchReport, 'loadAverage'>> {
  const sequentialCount = options.quick ? 1_000 : 5_000;
  const fsyncCommits = options.quick ? 500 : 3_000;
  const raw = new RawDisk(path.join(dir, 'raw.db'));
  const store = openSqliteEventStore({ file: path.join(dir, 'events.db') });
  try {
    // Each write figure and its limit are measured in alternating rounds, so both see the same disk.
    const sequentialTotal = Math.min(sequentialCount, options.events / 2);
    const sequential = { count: 0, ms: 0 };
    const fsyncLimit = { count: 0, ms: 0 };
    let revision = -1n;
    for (let r = 0; r < INTERLEAVED_ROUNDS; r++) {
      add(fsyncLimit, raw.oneRowCommits(Math.round(fsyncCommits / INTERLEAVED_ROUNDS)));
      const n = Math.round(sequentialTotal / INTERLEAVED_ROUNDS);
      const round = await sequentialAppends(store, n, revision);
      revision = round.revision;
      add(sequential, { count: n, ms: round.ms });
    }
    const concurrentCount = options.events - sequential.count;
    const statsBefore = store.stats();
    const concurrent = { count: 0, ms: 0 };
    const batchedLimit = { count: 0, ms: 0 };
    const revisions: bigint[] = [];
    const batchCommits = Math.max(20, Math.round(fsyncCommits / 6 / INTERLEAVED_ROUNDS));
    for (let r = 0; r < INTERLEAVED_ROUNDS; r++) {
      add(batchedLimit, raw.batchCommits(batchCommits, CONCURRENT_IN_FLIGHT));
      const n = r === INTERLEAVED_ROUNDS - 1 ? concurrentCount - concurrent.count : Math.round(concurrentCount / INTERLEAVED_ROUNDS);
      add(concurrent, { count: n, ms: await concurrentAppends(store, n, revisions) });
    }
    const statsAfter = store.stats();
    const oneTransactionInsertsPerSec = perSec(raw.oneTransactionInserts(options.events));
    const rawReadRowsPerSec = raw.readAllRowsPerSec();
    raw.close();
    const readAllFirst = await readAllRate(store);
    const readAll = await readAllRate(store);
    const storeTableRawReadRowsPerSec = rawReadOfStoreTable(path.join(dir, 'events.db'));
    const verify = await verifyRate(store);
    await store.close();
    const validating = openSqliteEventStore({ file: path.join(dir, 'events.db'), readValidation: 'always', readOnly: true });
    const readAllValidated = await readAllRate(validating);
    await validating.close();
    const limits: StoreBenchReport['limits'] = {
      fsyncCommitsPerSec: round(perSec(fsyncLimit)),
      oneTransactionInsertsPerSec: round(oneTransactionInsertsPerSec),
      batchedCommitRowsPerSec: round(perSec(batchedLimit)),
      rawReadRowsPerSec: round(rawReadRowsPerSec),
      storeTableRawReadRowsPerSec,
    };
    const batches = statsAfter.batches - statsBefore.batches;
    return {
      suite: 'store',
      machine: { cpus: os.cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` },
      eventIds: 'uuid-v7',
      logEvents: options.events,
      limits,
      sequentialAppends: figure(perSec(sequential), STORE_TARGETS.sequentialPerSec, limits.fsyncCommitsPerSec, {
        appends: sequential.count,
        eventsPerAppend: 1,
        limit: `raw better-sqlite3, one row per fsync-ed commit (WAL, synchronous=FULL), in ${INTERLEAVED_ROUNDS} rounds alternating with the store's`,
      }),
      concurrentAppends: figure(perSec(concurrent), STORE_TARGETS.concurrentPerSec, limits.batchedCommitRowsPerSec, {
        appends: concurrent.count,
        inFlight: CONCURRENT_IN_FLIGHT,
        batches,
        meanAppendsPerBatch: round(concurrent.count / Math.max(1, batches)),
        limit: `raw better-sqlite3, ${CONCURRENT_IN_FLIGHT} rows on as many streams per fsync-ed commit (WAL, synchronous=FULL), alternating with the store's rounds`,
        ratioToOneTransactionInserts: Math.round((perSec(concurrent) / oneTransactionInsertsPerSec) * 1000) / 1000,
      }),
      readAll: figure(readAll.perSec, STORE_TARGETS.readAllPerSec, limits.rawReadRowsPerSec, {
        events: readAll.count,
        pass: 'second pass (the first warms the code and the page cache)',
        firstPassPerSec: round(readAllFirst.perSec),
        ratioToStoreTableRawRead: Math.round((readAll.perSec / storeTableRawReadRowsPerSec) * 1000) / 1000,
        validation: 'old-versions (events of an older schemaVersion are upcast and validated)',
        limit: 'raw better-sqlite3 read of every row of a 6-column table',
      }),
      readAllFullValidation: figure(readAllValidated.perSec, STORE_TARGETS.readAllPerSec, limits.rawReadRowsPerSec, {
        events: readAllValidated.count,
        validation: 'always (every event through its zod schema), first pass of a freshly opened read-only store',
      }),
      verify: { perSec: round(verify.perSec), events: verify.count, ok: verify.ok },
    };
  } finally {
    raw.close();
    await store.close().catch(() => undefined);
  }
}

interface Timed {
  count: number;
  ms: number;
}

function add(total: Timed, part: Timed): void {
  total.count += part.count;
  total.ms += part.ms;
}

function perSec(t: Timed): number {
  return t.count / Math.max(1e-6, t.ms / 1000);
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

async function sequentialAppends(store: SqliteEventStore, count: number, fromRevision: bigint): Promise<{ ms: number; revision: bigint }> {
  const events = Array.from({ length: count }, (_, i) => benchEvent('SEQ-1', i));
  const started = performance.now();
  let revision = fromRevision;
  for (const event of events) {
    const result = await store.append('partner-SEQ-1', [event], revision < 0n ? 'no-stream' : revision);
    revision = result.nextRevision;
  }
  return { ms: performance.now() - started, revision };
}

/** CONCURRENT_IN_FLIGHT writers, each on its own stream with its expected revision (kept across rounds in `revisions`), until `count` appends. */
async function concurrentAppends(store: SqliteEventStore, count: number, revisions: bigint[]): Promise<number> {
  const perWriter = Math.ceil(count / CONCURRENT_IN_FLIGHT);
  const work = Array.from({ length: CONCURRENT_IN_FLIGHT }, (_, w) => {
    const n = Math.max(0, Math.min(perWriter, count - w * perWriter));
    return Array.from({ length: n }, (_, i) => benchEvent(`W-${w}`, i));
  });
  const started = performance.now();
  await Promise.all(
    work.map(async (events, w) => {
      let revision = revisions[w] ?? -1n;
      for (const event of events) {
        const result = await store.append(`partner-W-${w}`, [event], revision < 0n ? 'no-stream' : revision);
        revision = result.nextRevision;
      }
      revisions[w] = revision;
    }),
  );
  return performance.now() - started;
}

async function readAllRate(store: SqliteEventStore): Promise<{ count: number; perSec: number }> {
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

/** The same-run limits other suites print beside their figures (raw SQLite on the same disk). */
export interface DiskLimits {
  /** Raw rows/s with one fsync'd commit per row. */
  fsyncCommitsPerSec: number;
  /** Raw rows/s when every fsync'd commit carries CONCURRENT_IN_FLIGHT rows. */
  batchedCommitRowsPerSec: number;
  /** Raw rows/s inserted in one transaction. */
  oneTransactionInsertsPerSec: number;
}

/**
 * Measures the disk limits in `dir` (a file of its own, removed after): `commits` one-row
 * fsync'd commits, commits/6 batched commits and `inserts` rows in one transaction.
 */
export function measureDiskLimits(dir: string, commits = 500, inserts = 50_000): DiskLimits {
  const file = path.join(dir, `limits-${process.pid}-${Date.now()}.db`);
  const raw = new RawDisk(file);
  try {
    const fsync = perSec(raw.oneRowCommits(commits));
    const batched = perSec(raw.batchCommits(Math.max(10, Math.round(commits / 6)), CONCURRENT_IN_FLIGHT));
    const oneTx = perSec(raw.oneTransactionInserts(inserts));
    return { fsyncCommitsPerSec: round(fsync), batchedCommitRowsPerSec: round(batched), oneTransactionInsertsPerSec: round(oneTx) };
  } finally {
    raw.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
}

/** Raw better-sqlite3 on a 6-column table with the store's two unique indexes, on the same disk. */
class RawDisk {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private position = 0;
  private closed = false;
  private readonly data = JSON.stringify({ amountFen: 10_000, partnerId: 'RAW-1' });
  private readonly hash = 'a'.repeat(64);

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`CREATE TABLE raw (
      position INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, stream TEXT NOT NULL, revision INTEGER NOT NULL,
      data TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (stream, revision))`);
    this.insert = this.db.prepare('INSERT INTO raw VALUES (?, ?, ?, ?, ?, ?)');
  }

  private insertRow(): void {
    this.position++;
    this.insert.run(this.position, newEventId(), `raw-${this.position % CONCURRENT_IN_FLIGHT}`, this.position, this.data, this.hash);
  }

  /** Autocommit: one transaction, one fsync per row. */
  oneRowCommits(commits: number): Timed {
    const started = performance.now();
    for (let i = 0; i < commits; i++) this.insertRow();
    return { count: commits, ms: performance.now() - started };
  }

  /** `commits` fsync-ed transactions of `rowsPerCommit` rows each; counts rows. */
  batchCommits(commits: number, rowsPerCommit: number): Timed {
    const batch = this.db.transaction(() => {
      for (let i = 0; i < rowsPerCommit; i++) this.insertRow();
    });
    const started = performance.now();
    for (let i = 0; i < commits; i++) batch();
    return { count: commits * rowsPerCommit, ms: performance.now() - started };
  }

  oneTransactionInserts(rows: number): Timed {
    const started = performance.now();
    this.db.transaction(() => {
      for (let i = 0; i < rows; i++) this.insertRow();
    })();
    return { count: rows, ms: performance.now() - started };
  }

  readAllRowsPerSec(): number {
    const select = this.db.prepare('SELECT * FROM raw WHERE position > ? ORDER BY position LIMIT 1000').raw(true);
    const started = performance.now();
    let read = 0;
    let after = 0;
    for (;;) {
      const page = select.all(after) as unknown[][];
      read += page.length;
      if (page.length < 1000) break;
      after = page[page.length - 1]![0] as number;
    }
    return read / secondsSince(started);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
