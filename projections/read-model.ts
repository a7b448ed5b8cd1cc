// The read-model database: its own SQLite file beside the log, written only by the runner.
// Every batch of events is applied in one transaction together with the checkpoint of every
// projection it advanced, so the tables and their checkpoints never disagree. An event at or
// below a projection's checkpoint is ignored (idempotence).
import Database from 'better-sqlite3';
import type { EventEnvelope } from '../src/domain/events.js';
import { type BulkStatement, BulkWriter } from './bulk-writer.js';
import { eventOf } from './envelope.js';
import type { Applier } from './projection.js';
import type { ProjectionRules } from './rules.js';
import { metaTables, type ProjectionName, projectionModules, projectionNames, readModelSchemaVersion } from './schema.js';
import type { AccountTotals } from '../src/domain/accounts.js';
import { besideRecords, prepareProjectionVersions } from './rebuild-beside.js';
import { BACKSTOP_AUTOCHECKPOINT_PAGES, DEFAULT_AUTOCHECKPOINT_PAGES } from './wal-checkpointer.js';

type Db = Database.Database;
type Stmt = Database.Statement;

/** Live batches handed to the thread and not yet committed: one committing, one waiting; more events gather meanwhile. */
export const LIVE_BATCHES_IN_FLIGHT = 2;
/** A live batch up to this many events is written on the runner's connection when the thread is idle. */
export const LIVE_WRITE_HERE_MAX_EVENTS = 16;

export function openReadModelDb(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // synchronous=NORMAL, not FULL: the read model is a cache rebuildable from the log. In WAL mode
  // NORMAL makes a commit an append to the WAL without fsync; the WAL is fsynced before any
  // checkpoint copies it into the database file. So after a power loss the file holds a prefix
  // of the committed transactions (the last few may be gone), never part of one. Each batch's
  // rows and the checkpoints they advance are one transaction, so a lost tail loses both
  // together: no checkpoint can ever be ahead of its rows, and the runner replays the tail from
  // the log. (OFF would not do: it drops the fsync before checkpoints too, and a power loss
  // could then leave database pages of a transaction without the rest, i.e. a checkpoint row
  // ahead of its rows, or a corrupt file. A killed process loses nothing under either.)
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
  db.pragma('busy_timeout = 5000');
  db.exec(metaTables);
  const version = db.prepare<[], { value: string }>(`SELECT value FROM meta WHERE key = 'schemaVersion'`).get();
  if (version && Number(version.value) !== readModelSchemaVersion) {
    for (const name of projectionNames) for (const t of projectionModules[name].tables) db.exec(`DROP TABLE IF EXISTS ${t}`);
    db.exec('DELETE FROM checkpoints');
  }
  // Each projection's recorded version against the code's: a changed one is rebuilt beside the live tables.
  prepareProjectionVersions(db);
  for (const name of projectionNames) db.exec(projectionModules[name].create);
  db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('schemaVersion', ?)`).run(String(readModelSchemaVersion));
  // A rebuild under way indexes its tables when it reaches the head; otherwise they must exist.
  if (!db.prepare(`SELECT 1 FROM meta WHERE key = '${rebuildingKey}'`).get()) createIndexes(db);
  return db;
}

/** Set while a rebuild has dropped the tables and not reached the head: its tables are not indexed yet. */
export const rebuildingKey = 'rebuildingSince';

/** Creates every projection's secondary indexes (idempotent). */
export function createIndexes(db: Db): void {
  for (const name of projectionNames) for (const sql of projectionModules[name].indexes) db.exec(sql);
}

export class ReadModelWriter {
  private readonly checkpoints = new Map<ProjectionName, number>();
  /**
   * Projections being rebuilt beside with no old tables to answer from (rebuild-beside.ts): the
   * live path skips them, and position() does not wait for them.
   */
  private readonly paused = new Set<ProjectionName>();
  private rebuilding = false;
  /** The auto-checkpoint outside bulk mode (raised while a worker checkpoints: wal-checkpointer.ts). */
  private liveAutocheckpointPages = DEFAULT_AUTOCHECKPOINT_PAGES;
  private writes: Record<string, Stmt>;
  private balancesApplier: Applier | null = null;
  /** Every projection's applier, in projectionNames order (made again after a reset). */
  private appliers: Applier[];
  private r: ReturnType<typeof prepareReads>;
  /** During a rebuild: the worker that runs the writes (null: they run here, in the batch's transaction). */
  private bulk: BulkWriter | null = null;
  /** The current batch's writes while the bulk writer runs them. */
  private ops: unknown[] = [];
  /**
   * The live path's writer thread (null: live batches are written on this connection). The
   * events are folded here as they come, their writes gathered in liveOps and handed over as one
   * transaction whenever the thread has fewer than LIVE_BATCHES_IN_FLIGHT batches.
   */
  private liveWorker: BulkWriter | null = null;
  private liveOps: unknown[] = [];
  /** The position liveOps reach (0: none waiting). */
  private liveOpsPosition = 0;
  /** Batches handed to the live thread and the position each one completes, oldest first. */
  private livePosted: Array<{ batch: number; position: number }> = [];
  /** The position every committed live batch reaches: what the file holds. */
  private liveCommitted = 0;
  private readonly applyBatchTx: Database.Transaction<(events: readonly EventEnvelope[]) => number>;
  /** PRAGMA data_version when the file was last checked for other writers (null: check). */
  private seenDataVersion: number | null = null;

  constructor(
    readonly db: Db,
    private readonly rules: ProjectionRules,
    /** bulkWorker: a rebuild (bulk mode) writes on a worker thread (projections/bulk-writer.ts). */
    private readonly options: { bulkWorker?: boolean } = {},
  ) {
    this.writes = prepareWrites(db);
    this.r = prepareReads(db);
    this.appliers = this.makeAppliers();
    this.loadCheckpoints();
    for (const [name, r] of besideRecords(db)) if (r.serving === 'unavailable') this.paused.add(name);
    this.applyBatchTx = db.transaction((events: readonly EventEnvelope[]) => this.applyInTransaction(events));
  }

  /** The lowest checkpoint over every projection: the read model includes every event up to it. */
  position(): number {
    let lowest = Number.POSITIVE_INFINITY;
    for (const n of projectionNames) if (!this.paused.has(n)) lowest = Math.min(lowest, this.checkpoints.get(n) ?? 0);
    return lowest === Number.POSITIVE_INFINITY ? 0 : lowest;
  }

  /** True while the projection is rebuilt beside with nothing to answer from (its reads answer 503). */
  isPaused(name: ProjectionName): boolean {
    return this.paused.has(name);
  }

  /**
   * A rebuild beside switched this projection's tables (rebuild-beside.ts): the live path goes
   * on from its checkpoint with a fresh applier (no cache of the old tables survives).
   */
  replaceProjection(name: ProjectionName, checkpoint: number): void {
    const i = projectionNames.indexOf(name);
    this.appliers[i]?.forget?.();
    const ctx = { write: (w: string, args: unknown[]) => this.w(w, args), drain: () => this.drain(), db: this.db, rules: this.rules };
    this.appliers[i] = projectionModules[name].applier(ctx);
    if (name === 'balances') this.balancesApplier = this.appliers[i]!;
    this.paused.delete(name);
    this.checkpoints.set(name, checkpoint);
    this.writes = prepareWrites(this.db);
    this.r = prepareReads(this.db);
  }

  checkpointOf(name: ProjectionName): number {
    return this.checkpoints.get(name) ?? 0;
  }

  /** Applies a batch in one transaction; returns how many (projection, event) pairs were new. */
  applyBatch(events: readonly EventEnvelope[]): number {
    if (events.length === 0) return 0;
    try {
      if (this.liveWorker) return this.applyLive(this.liveWorker, events);
      if (this.bulk) return this.applyBulk(this.bulk, events);
      return this.applyBatchTx.immediate(events);
    } catch (error) {
      // The transaction rolled back: forget in-memory heads that may describe unwritten rows.
      // (In bulk mode, batches handed over before this one land first, so the file is re-read settled.)
      try {
        if (this.liveWorker) this.postLive(true);
        this.bulk?.drain();
        this.liveWorker?.drain();
      } catch {
        // the bulk writer failed: its batches rolled back, and every later one is dropped
      }
      this.seenDataVersion = null;
      this.forgetCaches();
      this.loadCheckpoints();
      throw error;
    }
  }

  /** The batch's writes go to the bulk writer as one transaction; its checkpoints are the last writes. */
  private applyBulk(bulk: BulkWriter, events: readonly EventEnvelope[]): number {
    this.ops = [];
    try {
      const applied = this.applyInTransaction(events);
      if (this.ops.length > 0) bulk.send(this.ops);
      return applied;
    } finally {
      this.ops = [];
    }
  }

  /**
   * The live path folds here and writes on its thread: the batch's writes join those waiting
   * for the thread (one transaction per hand-over, its checkpoints last), and go at once when
   * the thread has room. Never waits for the thread.
   */
  private applyLive(worker: BulkWriter, events: readonly EventEnvelope[]): number {
    this.ops = [];
    try {
      const applied = this.applyInTransaction(events);
      const ops = this.ops;
      const position = Number(events[events.length - 1]!.position);
      if (worker.inFlight() === 0 && this.liveOps.length === 0 && events.length <= LIVE_WRITE_HERE_MAX_EVENTS) {
        this.writeHere(ops, position);
        return applied;
      }
      for (let i = 0; i < ops.length; i++) this.liveOps.push(ops[i]);
      this.liveOpsPosition = position;
      if (worker.inFlight() < LIVE_BATCHES_IN_FLIGHT) this.postLive(false);
      return applied;
    } finally {
      this.ops = [];
    }
  }

  /**
   * A small batch while the thread has nothing to do is written and committed on this
   * connection (as the store writes a lone append itself): one caller waiting for each answer
   * pays no thread hop. The thread holds no transaction then, so nothing waits for a lock.
   */
  private writeHere(ops: readonly unknown[], position: number): void {
    const db = this.db;
    const tx = (this.hereTx ??= { begin: db.prepare('BEGIN IMMEDIATE'), commit: db.prepare('COMMIT'), rollback: db.prepare('ROLLBACK') });
    tx.begin.run();
    try {
      for (let i = 0; i < ops.length; i += 2) this.writes[writeNames[ops[i] as number]!]!.run(ops[i + 1] as unknown[]);
      tx.commit.run();
    } catch (error) {
      if (db.inTransaction) tx.rollback.run();
      throw error;
    }
    this.committedPosition(); // every batch posted is committed (none in flight): take them in first
    this.liveCommitted = position;
    this.liveCommitsHere++;
  }

  private hereTx: { begin: Stmt; commit: Stmt; rollback: Stmt } | null = null;

  /** Live batches committed on this connection (the runner tells the WAL checkpointer). */
  liveCommitsHere = 0;

  /** Hands the waiting live writes to the thread (when it has room, or `always`). */
  postLive(always: boolean): void {
    const worker = this.liveWorker;
    if (!worker || this.liveOps.length === 0) return;
    if (!always && worker.inFlight() >= LIVE_BATCHES_IN_FLIGHT) return;
    const ops = this.liveOps;
    this.liveOps = [];
    const batch = worker.post(ops);
    this.livePosted.push({ batch, position: this.liveOpsPosition });
    this.liveOpsPosition = 0;
  }

  /** True while the live path writes on its own thread. */
  hasLiveWorker(): boolean {
    return this.liveWorker !== null;
  }

  /** The live thread (for the runner to wait for its commits), or null. */
  liveThread(): BulkWriter | null {
    return this.liveWorker;
  }

  /**
   * Every event up to this position is on the file (committed). Equal to position() unless the
   * live path writes on its thread, where it lags by the batches in flight.
   */
  committedPosition(): number {
    const worker = this.liveWorker;
    if (!worker) return this.position();
    const committed = worker.committedBatches();
    while (this.livePosted.length > 0 && this.livePosted[0]!.batch <= committed) this.liveCommitted = this.livePosted.shift()!.position;
    return this.liveCommitted;
  }

  /** A partner's running totals after every event folded so far, when held in memory (the live check's fast path). */
  foldedAccountTotals(partnerId: string): AccountTotals | undefined {
    return this.balancesApplier?.accountTotals?.(partnerId);
  }

  /**
   * Moves the live path's writes to a thread with its own connection (synchronous=NORMAL, as
   * here): false when there is no file to share, or a rebuild or a thread is already on.
   */
  startLiveWorker(): boolean {
    if (this.liveWorker || this.bulk || this.rebuilding || this.db.memory || this.db.readonly) return false;
    if (this.db.inTransaction) throw new Error('invariant: the live thread starts with no transaction open here');
    this.liveWorker = new BulkWriter(this.db.name, bulkStatements, {
      synchronous: 'NORMAL',
      autocheckpointPages: BACKSTOP_AUTOCHECKPOINT_PAGES,
      cacheSizeKib: 16_384,
      // A `ledger replay` elsewhere drops the tables: refuse to write into them, as syncWithFile does here.
      guard: {
        sql: `SELECT 1 FROM meta WHERE key = '${rebuildingKey}'`,
        message: 'the read models are being rebuilt (ledger replay); run it with the server stopped, or wait for it to finish',
      },
    });
    this.liveCommitted = this.position();
    this.livePosted = [];
    return true;
  }

  /** Hands over what waits, waits for the thread's last commit and closes it (its failure is thrown). */
  stopLiveWorker(): void {
    const worker = this.liveWorker;
    if (!worker) return;
    try {
      this.postLive(true);
      worker.close();
    } finally {
      this.liveWorker = null;
      this.liveOps = [];
      this.livePosted = [];
      this.loadCheckpoints();
    }
  }

  /** One write: run now (inside the batch's transaction), or queued for the bulk writer's transaction. */
  private w(name: string, args: unknown[]): void {
    if (this.bulk === null && this.liveWorker === null) {
      this.writes[name]!.run(args);
      return;
    }
    this.ops.push(writeIndex[name]!, args);
  }

  private makeAppliers(): Applier[] {
    const ctx = { write: (name: string, args: unknown[]) => this.w(name, args), drain: () => this.drain(), db: this.db, rules: this.rules };
    const appliers = projectionNames.map((name) => projectionModules[name].applier(ctx));
    this.balancesApplier = appliers[projectionNames.indexOf('balances')] ?? null;
    return appliers;
  }

  /**
   * Blocks until the bulk writer has committed every batch it was given (no-op outside a
   * rebuild): called before anything reads the file.
   */
  drain(): void {
    this.bulk?.drain();
    if (this.liveWorker) {
      this.postLive(true);
      this.liveWorker.drain();
    }
  }

  /** Drops the named projections' tables and checkpoints (a full rebuild drops them all). */
  reset(names: readonly ProjectionName[] = projectionNames): void {
    this.db.transaction(() => {
      for (const name of names) {
        for (const t of projectionModules[name].tables) this.db.exec(`DROP TABLE IF EXISTS ${t}`);
        this.db.exec(projectionModules[name].create);
        this.db.prepare('DELETE FROM checkpoints WHERE projection = ?').run(name);
      }
    })();
    for (const name of names) this.paused.delete(name);
    this.writes = prepareWrites(this.db);
    this.r = prepareReads(this.db);
    this.appliers = this.makeAppliers();
    this.forgetCaches();
    this.loadCheckpoints();
  }

  /**
   * Bulk mode for a rebuild: no fsync at all (a killed process loses nothing committed; after an
   * OS crash the read model is rebuilt from the log) and rarer WAL checkpoints.
   */
  setBulkMode(on: boolean): void {
    if (on === this.rebuilding) return;
    if (on) this.stopLiveWorker();
    try {
      if (!on) this.stopBulkWriter();
    } finally {
      this.rebuilding = on;
      this.db.pragma(on ? 'synchronous = OFF' : 'synchronous = NORMAL');
      this.db.pragma(on ? 'wal_autocheckpoint = 20000' : `wal_autocheckpoint = ${this.liveAutocheckpointPages}`);
      if (!on) this.db.pragma('wal_checkpoint(TRUNCATE)');
    }
    // A file database gets a second thread for the writes; an in-memory one has no file to share.
    if (on && !this.db.memory && this.options.bulkWorker === true) this.bulk = new BulkWriter(this.db.name, bulkStatements);
  }

  /** Closes the bulk writer (after its last commit); a failure leaves the in-memory state re-read from the file. */
  private stopBulkWriter(): void {
    const bulk = this.bulk;
    this.bulk = null;
    if (!bulk) return;
    try {
      bulk.close();
    } catch (error) {
      this.forgetCaches();
      throw error;
    } finally {
      this.loadCheckpoints();
    }
  }

  /** The WAL auto-checkpoint (pages) outside bulk mode; applied now unless a rebuild runs. */
  setLiveAutocheckpointPages(pages: number): void {
    if (!Number.isSafeInteger(pages) || pages < 0) throw new RangeError(`wal_autocheckpoint must be a page count, got ${pages}`);
    this.liveAutocheckpointPages = pages;
    if (!this.rebuilding) this.db.pragma(`wal_autocheckpoint = ${pages}`);
  }

  /** Indexes the tables a rebuild loaded (once, at the head: faster than indexing row by row). */
  indexTables(): void {
    createIndexes(this.db);
  }

  setMeta(key: string, value: string | null): void {
    if (value === null) this.db.prepare('DELETE FROM meta WHERE key = ?').run(key);
    else this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  getMeta(key: string): string | null {
    return (this.r.metaGet.get(key) as { value: string } | undefined)?.value ?? null;
  }

  /**
   * Another process (a `ledger report` beside the server) may have advanced the same file: the
   * checkpoints are re-read inside each transaction, and the caches dropped when they moved. A
   * rebuild under way elsewhere is refused rather than interleaved with.
   */
  private syncWithFile(): void {
    if (this.bulk) return; // a rebuild is exclusive (rebuildingKey), and the worker's commits are ours
    // The live thread's commits are ours too. Another process catching the same file up writes
    // the rows this one writes for the same positions (every write is keyed by position and
    // replaces or ignores), so neither needs the other's caches; the thread's guard refuses a rebuild.
    if (this.liveWorker) return;
    // data_version moves only when another connection commits: unchanged means nothing to re-read.
    // (The batch runs in an IMMEDIATE transaction, so no other commit can land after this look.)
    const version = this.r.dataVersion.get() as number;
    if (version === this.seenDataVersion) return;
    const rows = this.r.checkpoints.all() as Array<{ projection: string; position: number }>;
    const onFile = new Map(rows.map((r) => [r.projection, r.position]));
    const moved = projectionNames.some((n) => (onFile.get(n) ?? 0) !== this.checkpointOf(n));
    if (moved) {
      this.forgetCaches();
      this.loadCheckpoints();
    }
    if (!this.rebuilding && this.getMeta(rebuildingKey) !== null) {
      throw new Error('the read models are being rebuilt (ledger replay); run it with the server stopped, or wait for it to finish');
    }
    this.seenDataVersion = version;
  }

  private forgetCaches(): void {
    for (const a of this.appliers) a.forget?.();
  }

  private loadCheckpoints(): void {
    this.checkpoints.clear();
    const rows = this.db.prepare<[], { projection: string; position: number }>('SELECT projection, position FROM checkpoints').all();
    for (const r of rows) this.checkpoints.set(r.projection as ProjectionName, r.position);
  }

  private applyInTransaction(events: readonly EventEnvelope[]): number {
    this.syncWithFile();
    let applied = 0;
    let lastPosition = 0;
    let lastRecordedAt = '';
    const appliers = this.appliers;
    // Each projection's checkpoint, in appliers order: the loop below asks for them on every event.
    const from = projectionNames.map((n) => (this.paused.has(n) ? Number.POSITIVE_INFINITY : this.checkpointOf(n)));
    for (const a of appliers) a.beginBatch?.();
    for (const e of events) {
      const position = Number(e.position);
      if (!Number.isSafeInteger(position) || position <= lastPosition) {
        throw new Error(`positions must grow within a batch: ${position} after ${lastPosition}`);
      }
      if (e.recordedAt < lastRecordedAt) throw new Error(`recordedAt decreases at position ${position}`);
      lastPosition = position;
      lastRecordedAt = e.recordedAt;
      const ev = eventOf(e); // one view of the event for every projection
      for (let i = 0; i < appliers.length; i++) if (position > from[i]!) applied += appliers[i]!.apply(e, ev);
    }
    for (const a of appliers) a.endBatch?.();
    const advanced = projectionNames.filter((_name, i) => lastPosition > from[i]!);
    if (advanced.length === projectionNames.length) {
      this.w('allCheckpoints', projectionNames.flatMap((name) => [name, lastPosition])); // the usual case: one statement
    } else {
      for (const name of advanced) this.w('checkpoint', [name, lastPosition]);
    }
    for (const name of advanced) this.checkpoints.set(name, lastPosition);
    return applied;
  }
}

/** Every statement that writes the read model, by name: the checkpoints' and every projection's (the bulk writer's worker runs the same SQL). */
const writeSql: Record<string, string> = {
  checkpoint: 'INSERT OR REPLACE INTO checkpoints (projection, position) VALUES (?, ?)',
  allCheckpoints: `INSERT OR REPLACE INTO checkpoints (projection, position) VALUES ${projectionNames.map(() => '(?, ?)').join(', ')}`,
};
for (const name of projectionNames) {
  for (const [write, sql] of Object.entries(projectionModules[name].writeSql)) {
    if (write in writeSql) throw new Error(`two read-model writes are named ${write}`);
    writeSql[write] = sql;
  }
}

const writeNames = Object.keys(writeSql);
const writeIndex: Record<string, number> = Object.fromEntries(writeNames.map((n, i) => [n, i]));
const parameterCount = (sql: string): number => sql.split('?').length - 1;

/** The write statements as the bulk writer's worker prepares them, in writeIndex order. */
export const bulkStatements: readonly BulkStatement[] = writeNames.map((n) => ({ sql: writeSql[n]!, arity: parameterCount(writeSql[n]!) }));

function prepareWrites(db: Db): Record<string, Stmt> {
  const out: Record<string, Stmt> = {};
  for (const n of writeNames) out[n] = db.prepare(writeSql[n]!);
  return out;
}

function prepareReads(db: Db) {
  return {
    checkpoints: db.prepare('SELECT projection, position FROM checkpoints'),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    metaGet: db.prepare('SELECT value FROM meta WHERE key = ?'),
  };
}
