// The runner: keeps the read models in step with the log. It replays in batches (one
// transaction per batch, checkpoints inside it), follows the store's subscription for live
// events (one transaction across the flushes of a few milliseconds), rebuilds from scratch on demand, and resumes an interrupted rebuild from its
// checkpoint. catchUp(position) resolves once the read model includes that position.
import os from 'node:os';
import type Database from 'better-sqlite3';
import type { EventEnvelope } from '../src/domain/events.js';
import type { EventStore, Subscription } from '../src/store/event-store.js';
import { openReadModelDb, ReadModelWriter, rebuildingKey } from './read-model.js';
import { forgetStatements } from './sql.js';
import {
  type BesideHost,
  type BesideOptions,
  type BesideProgress,
  besideRecords,
  beginRebuildBeside,
  readsOf,
  readsFirst,
  ProjectionRebuildingError,
  RebuildBeside,
  rebuildBesideHooks,
  resetProjectionVersions,
} from './rebuild-beside.js';
import type { ProjectionName } from './schema.js';
import type { ProjectionRules } from './rules.js';
import { WalCheckpointer } from './wal-checkpointer.js';

export interface ReplayProgress {
  /** The last position applied. */
  position: number;
  /** The log's head when the replay started. */
  head: number;
  /** Events read during this run. */
  events: number;
}

export interface PumpOptions {
  /** Called after every committed batch. */
  onProgress?: (p: ReplayProgress) => void;
  /** Checked after every committed batch: true stops the replay there (its checkpoint stays). */
  shouldStop?: (p: ReplayProgress) => boolean;
}

export interface PumpResult extends ReplayProgress {
  stopped: boolean;
}

export interface RunnerOptions {
  /**
   * Events per transaction (default 5,000: at 1M events a rebuild ran as fast as with 10,000 and
   * peaked ~30-60 MB lower, the write thread holding one batch less in memory).
   */
  batchSize?: number;
  /**
   * A rebuild writes on a second thread while this one reads and folds the next batch. Off unless
   * asked for: it costs more CPU in all (the writes cross threads, and the thread's connection
   * writes slower than this one's) and more memory, and it did not pay even with the second core
   * idle (1M events at load 1.3-2.0, the replay on its thread: 98,001 and 74,764/s on, 97,567 and
   * 85,326/s off; 13.5-13.7 against 10.8-11.1 s of CPU; peak RSS 481-491 against 401-410 MB).
   */
  bulkWorker?: boolean;
  /**
   * Once following the log, the live rows are written by a thread with its own connection, one
   * transaction per hand-over (read-model.ts, startLiveWorker); this thread only folds. Default:
   * on with a second core (LEDGER_READ_MODEL_THREAD=off turns it off).
   */
  liveWorker?: boolean;
}

const maxBatchSize = 100_000;
/**
 * The live path keeps one write transaction open across flushes and commits it this long after
 * the first (each flush is a savepoint inside it): a commit per command cost as much as the
 * command's rows. Queries on this connection see the rows at once, other connections once it
 * commits, within this delay. Rows and checkpoints still commit together.
 */
export const LIVE_COMMIT_DELAY_MS = 5;
export const DEFAULT_BATCH_SIZE = 5_000;

export class ProjectionRunner {
  readonly writer: ReadModelWriter;
  private readonly batchSize: number;
  private subscription: Subscription | null = null;
  private pending: EventEnvelope[] = [];
  private flushScheduled = false;
  private failure: Error | null = null;
  /** folded: resolved once the events are folded here (the command side's look-ups); else once on the file. */
  private waiters: Array<{ position: number; folded: boolean; resolve: () => void; reject: (e: Error) => void }> = [];
  private readonly liveWorkerWanted: boolean;
  /** A wait for the live thread's next commit is armed. */
  private watchingCommits = false;
  /** Live batches the checkpointer has been told about (by the thread, and on this connection). */
  private commitsSeen = 0;
  private commitsHereSeen = 0;
  private exclusive: Promise<unknown> = Promise.resolve();
  private readonly checkpointer: WalCheckpointer;
  private liveCommitTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly live: { begin: Database.Statement; commit: Database.Statement; rollback: Database.Statement };
  /** The projections rebuilt beside the live ones (rebuild-beside.ts), by name, and the loop running them. */
  private readonly beside = new Map<ProjectionName, RebuildBeside>();
  private besideRun: Promise<void> | null = null;
  private readonly besideHost: BesideHost;
  private closing = false;

  constructor(
    readonly store: EventStore,
    readonly db: Database.Database,
    rules: ProjectionRules,
    options: RunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > maxBatchSize) {
      throw new RangeError(`batchSize must be 1..${maxBatchSize}, got ${this.batchSize}`);
    }
    this.writer = new ReadModelWriter(db, rules, { bulkWorker: options.bulkWorker ?? false });
    this.checkpointer = new WalCheckpointer(db, (pages) => this.writer.setLiveAutocheckpointPages(pages));
    this.live = { begin: db.prepare('BEGIN IMMEDIATE'), commit: db.prepare('COMMIT'), rollback: db.prepare('ROLLBACK') };
    this.liveWorkerWanted = options.liveWorker ?? (os.availableParallelism() > 1 && process.env.LEDGER_READ_MODEL_THREAD !== 'off');
    const host: BesideHost = (this.besideHost = {
      store,
      db,
      rules,
      liveTarget: (name) => (this.writer.isPaused(name) ? this.writer.position() : this.writer.checkpointOf(name)),
      isPaused: (name) => this.writer.isPaused(name),
      checkpointOf: (name) => this.writer.checkpointOf(name),
      settleLive: () => {
        this.writer.drain();
        this.commitLive();
      },
      switched: (name, checkpoint) => {
        this.writer.replaceProjection(name, checkpoint);
        forgetStatements(this.db);
        this.resolveWaiters();
      },
    });
    for (const [name, record] of besideRecords(db)) this.beside.set(name, new RebuildBeside(host, name, record));
  }

  /** The projections being rebuilt beside the live ones, with their progress. */
  rebuildsBeside(): BesideProgress[] {
    return [...this.beside.values()].filter((b) => b.progress().state !== 'switched').map((b) => b.progress());
  }

  /** Throws ProjectionRebuildingError (503) when one of these projections has nothing to answer from while it is rebuilt. */
  requireServing(...names: ProjectionName[]): void {
    for (const name of new Set(names.flatMap((n) => [n, ...readsOf(n)]))) {
      if (this.writer.isPaused(name)) throw new ProjectionRebuildingError(this.beside.get(name)!.progress());
    }
  }

  /**
   * Rebuilds every projection whose version changed beside the live tables, one after another,
   * in batches yielding to the event loop, each ending in its atomic switch. The server calls it
   * without awaiting it once it follows the log; the command line awaits it. Stops (resumable)
   * when the runner closes.
   */
  /**
   * `ledger replay --projection NAME`: rebuilds one projection beside its live tables (they keep
   * answering) and switches; resumes one under way. 'stopped' when shouldStop said so.
   */
  async rebuildProjection(name: ProjectionName, options: BesideOptions = {}): Promise<'switched' | 'stopped'> {
    if (this.besideRun) await this.besideRun.catch(() => undefined);
    let b = this.beside.get(name);
    if (!b || b.progress().state === 'switched') {
      b = new RebuildBeside(this.besideHost, name, beginRebuildBeside(this.db, name));
      this.beside.set(name, b);
    }
    return b.run({ ...options, shouldStop: (p) => this.closing || (options.shouldStop?.(p) ?? false) });
  }

  runRebuildsBeside(options: BesideOptions = {}): Promise<void> {
    this.besideRun ??= (async () => {
      const hooks = rebuildBesideHooks;
      const opts: BesideOptions = {
        batchSize: options.batchSize ?? hooks.batchSize,
        onProgress: options.onProgress,
        beforeBatch: options.beforeBatch ?? hooks.beforeBatch,
        shouldStop: (p) => this.closing || this.failure !== null || (options.shouldStop?.(p) ?? false),
      };
      for (const name of readsFirst([...this.beside.keys()])) {
        const b = this.beside.get(name)!;
        if (b.progress().state === 'switched') continue;
        if ((await b.run(opts)) === 'stopped') return;
      }
    })().finally(() => {
      this.besideRun = null;
    });
    return this.besideRun;
  }

  /** Opens (or creates) the read-model file and a runner over it. */
  static open(store: EventStore, file: string, rules: ProjectionRules, options: RunnerOptions = {}): ProjectionRunner {
    return new ProjectionRunner(store, openReadModelDb(file), rules, options);
  }

  /** Why the read model stopped following the log (a fact it could not apply), or null. */
  failureReason(): string | null {
    return this.failure === null ? null : this.failure.message;
  }

  /** Every event up to this position is in every read model (on the file: what queries read). */
  position(): number {
    return this.writer.committedPosition();
  }

  /** Every event up to this position is folded here (ahead of position() by what the live thread has not committed). */
  foldedPosition(): number {
    return this.writer.position();
  }

  /** True while a rebuild has dropped the tables and not yet reached the head. */
  rebuildInterrupted(): boolean {
    return this.writer.getMeta(rebuildingKey) !== null;
  }

  /** Follows the log: catches up from the checkpoint, then applies live events as they come. */
  async start(): Promise<void> {
    if (this.subscription) return;
    await this.exclusive;
    const subscription = this.store.subscribe(BigInt(this.position()), (e) => this.onLiveEvent(e));
    this.subscription = subscription;
    await subscription.caughtUp;
    this.flush();
    if (this.liveWorkerWanted && this.subscription === subscription) {
      this.commitLive(); // the thread needs the write lock: nothing may stay open here
      if (this.failure === null) this.writer.startLiveWorker();
    }
  }

  /** Resolves when the read model includes `position` (read-your-writes for a command's answer). */
  async catchUp(position: bigint | number = -1): Promise<void> {
    const target = Number(position);
    if (this.failure) throw this.failure;
    if (target >= 0 && this.position() >= target) return;
    if (!this.subscription) {
      await this.serially(() => this.pump({}));
      if (target >= 0 && this.position() < target) {
        throw new Error(`the log's head is below position ${target} (read model at ${this.position()})`);
      }
      return;
    }
    if (target < 0) {
      const head = Number(await this.store.headPosition());
      return this.catchUp(head);
    }
    await new Promise<void>((resolve, reject) => {
      this.waiters.push({ position: target, folded: false, resolve, reject });
      this.flush();
    });
  }

  /**
   * Resolves when every event up to `position` (the log's head when omitted) is folded here: the
   * command side's look-ups ask this, then read the folded totals or wait for the file
   * (src/ledger/read-model-lookups.ts). Without a live thread the same as catchUp.
   */
  async catchUpFolded(position: bigint | number = -1): Promise<void> {
    if (!this.writer.hasLiveWorker() || !this.subscription) return this.catchUp(position);
    if (this.failure) throw this.failure;
    const target = Number(position) >= 0 ? Number(position) : Number(await this.store.headPosition());
    if (this.foldedPosition() >= target) return;
    await new Promise<void>((resolve, reject) => {
      this.waiters.push({ position: target, folded: true, resolve, reject });
      this.flush();
    });
  }

  /** Drops every read model and replays the whole log (resumable: see replay). */
  async rebuild(options: PumpOptions = {}): Promise<PumpResult> {
    if (this.subscription) throw new Error('rebuild needs the runner stopped: live events would skip the replayed range');
    return this.serially(async () => {
      this.writer.reset();
      resetProjectionVersions(this.db);
      this.beside.clear();
      forgetStatements(this.db);
      this.writer.setMeta(rebuildingKey, new Date().toISOString());
      return this.finishRebuild(options);
    });
  }

  /** `ledger replay`: resumes an interrupted rebuild from its checkpoint, or starts a new one. */
  async replay(options: PumpOptions = {}): Promise<PumpResult> {
    if (this.rebuildInterrupted()) return this.serially(() => this.finishRebuild(options));
    return this.rebuild(options);
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.besideRun?.catch(() => undefined);
    const subscription = this.subscription;
    this.subscription = null;
    if (subscription) await subscription.close();
    this.flush();
    try {
      this.writer.stopLiveWorker();
    } catch (error) {
      this.failure ??= error instanceof Error ? error : new Error(String(error));
    }
    this.commitLive();
    await this.exclusive.catch(() => undefined);
    for (const w of this.waiters.splice(0)) w.reject(new Error('the projection runner closed'));
    await this.checkpointer.close();
    this.db.close();
  }

  private async finishRebuild(options: PumpOptions): Promise<PumpResult> {
    this.writer.setBulkMode(true);
    try {
      const result = await this.pump(options);
      if (!result.stopped) {
        this.writer.indexTables();
        this.writer.setMeta(rebuildingKey, null);
      }
      return result;
    } finally {
      this.writer.setBulkMode(false);
    }
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.exclusive.then(work, work);
    this.exclusive = run.catch(() => undefined);
    return run;
  }

  /** Reads the log from the checkpoint to its current head in batches, one transaction each. */
  private async pump(options: PumpOptions): Promise<PumpResult> {
    const head = Number(await this.store.headPosition());
    let events = 0;
    let batch: EventEnvelope[] = [];
    const progress = (): ReplayProgress => ({ position: this.position(), head, events });
    const commit = (): boolean => {
      this.writer.applyBatch(batch);
      batch = [];
      options.onProgress?.(progress());
      const stop = options.shouldStop?.(progress()) ?? false;
      if (stop) this.writer.drain(); // stopped: everything handed to the bulk writer is on the file
      return stop;
    };
    const from = this.position() + 1;
    if (from <= head) {
      for await (const e of this.store.readAll({ fromPosition: BigInt(from), toPosition: BigInt(head), batchSize: this.batchSize })) {
        batch.push(e);
        events++;
        if (batch.length >= this.batchSize && commit()) return { ...progress(), stopped: true };
      }
    }
    if (batch.length > 0 && commit()) return { ...progress(), stopped: true };
    this.writer.drain();
    options.onProgress?.(progress());
    return { ...progress(), stopped: false };
  }

  private onLiveEvent(e: EventEnvelope): void {
    this.pending.push(e);
    if (this.pending.length >= this.batchSize) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      // Someone waits (a command's answer): apply once the store's page is delivered, in this
      // turn; otherwise at the next turn, gathering what else arrives.
      if (this.waiters.length > 0) queueMicrotask(() => this.flushIfScheduled());
      else setImmediate(() => this.flushIfScheduled());
    }
  }

  /** Opens the live write transaction unless one is open, and arms its commit. */
  private beginLive(): void {
    if (this.liveCommitTimer !== null) return;
    if (this.db.inTransaction) throw new Error('invariant: a read-model transaction is open outside the live path');
    this.live.begin.run();
    this.liveCommitTimer = setTimeout(() => this.commitLive(), LIVE_COMMIT_DELAY_MS);
  }

  /** Commits what the live path applied (a killed process loses it; the runner replays it from the log). */
  private commitLive(): void {
    if (this.liveCommitTimer === null) return;
    clearTimeout(this.liveCommitTimer);
    this.liveCommitTimer = null;
    try {
      if (this.db.inTransaction) this.live.commit.run();
      this.checkpointer.committed();
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      if (this.db.inTransaction) this.live.rollback.run();
      for (const w of this.waiters.splice(0)) w.reject(this.failure);
    }
  }

  private flushIfScheduled(): void {
    if (this.flushScheduled) this.flush();
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    try {
      if (batch.length > 0) {
        if (!this.writer.hasLiveWorker()) this.beginLive();
        this.writer.applyBatch(batch);
      }
    } catch (error) {
      this.fail(error);
      return;
    }
    if (this.writer.hasLiveWorker()) {
      for (; this.commitsHereSeen < this.writer.liveCommitsHere; this.commitsHereSeen++) this.checkpointer.committed();
      this.watchCommits();
    }
    this.resolveWaiters();
  }

  private fail(error: unknown): void {
    this.failure ??= error instanceof Error ? error : new Error(String(error));
    for (const w of this.waiters.splice(0)) w.reject(this.failure);
  }

  private resolveWaiters(): void {
    if (this.waiters.length === 0) return;
    const committed = this.position();
    const folded = this.foldedPosition();
    const ready = this.waiters.filter((w) => w.position <= (w.folded ? folded : committed));
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.position > (w.folded ? folded : committed));
    for (const w of ready) w.resolve();
  }

  /**
   * Waits (never blocking: Atomics.waitAsync) for the live thread's next commit while it has
   * batches in flight; then answers the waiters the file now covers, hands the thread what
   * gathered meanwhile, and waits again.
   */
  private watchCommits(): void {
    const thread = this.writer.liveThread();
    if (this.watchingCommits || thread === null) return;
    const seen = thread.signalCount();
    if (this.onCommits(thread)) return;
    this.watchingCommits = true;
    void thread.whenSignalled(seen).then(() => {
      this.watchingCommits = false;
      if (this.writer.liveThread() === thread) this.watchCommits();
    });
  }

  /** Takes in what the thread committed; true when nothing is left to wait for (or it failed). */
  private onCommits(thread: NonNullable<ReturnType<ReadModelWriter['liveThread']>>): boolean {
    const failure = thread.currentFailure();
    if (failure) {
      this.fail(failure);
      return true;
    }
    const committed = thread.committedBatches();
    for (; this.commitsSeen < committed; this.commitsSeen++) this.checkpointer.committed();
    this.writer.postLive(false);
    this.resolveWaiters();
    return thread.inFlight() === 0;
  }
}
