// WAL checkpoints of the read-model file off the main thread. With synchronous=NORMAL a commit
// only appends to the WAL (no fsync); the fsyncs happen when the WAL is checkpointed into the
// database file, and SQLite's auto-checkpoint runs that inside the commit that crosses the page
// threshold: on the command path, every few dozen commands paid for two fsyncs competing with
// the store's own. Once a runner has committed many small batches, a worker thread with its own
// connection checkpoints (PASSIVE: never blocks the writer, copies what no reader still needs)
// every intervalMs, and the main connection's auto-checkpoint is raised to a backstop that only
// acts if the worker falls behind. Durability is unchanged: a checkpoint syncs the WAL before it
// copies, so the database file never holds a page whose transaction is not durable in the WAL.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** The main connection's auto-checkpoint while no worker checkpoints (SQLite's default). */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
/** The main connection's auto-checkpoint while the worker checkpoints: a backstop only. */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 20_000;
/** Live commits before the worker starts (a short-lived process never pays for a thread). */
export const COMMITS_BEFORE_WORKER = 200;
const CHECKPOINT_INTERVAL_MS = 200;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqliteModule);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
db.pragma('synchronous = NORMAL');
const checkpoint = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage({ kind: 'failed', message: String(error && error.message || error) }); } };
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
parentPort.postMessage({ kind: 'ready' });
`;

export class WalCheckpointer {
  private worker: Worker | null = null;
  private commits = 0;
  private disabled: boolean;

  constructor(
    private readonly db: Database.Database,
    /** Applies the main connection's auto-checkpoint (the writer keeps it across bulk mode). */
    private readonly setAutocheckpointPages: (pages: number) => void,
  ) {
    this.disabled = db.memory || db.readonly;
  }

  /** True while the worker checkpoints. */
  running(): boolean {
    return this.worker !== null;
  }

  /** Called after each committed live batch: starts the worker once enough have been. */
  committed(): void {
    if (this.worker || this.disabled) return;
    this.commits++;
    if (this.commits >= COMMITS_BEFORE_WORKER) this.start();
  }

  private start(): void {
    const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: this.db.name, sqliteModule, intervalMs: CHECKPOINT_INTERVAL_MS } });
    worker.unref();
    this.worker = worker;
    worker.on('message', (m: { kind: 'ready' } | { kind: 'failed'; message: string }) => {
      if (this.worker !== worker) return;
      if (m.kind === 'ready') this.setAutocheckpointPages(BACKSTOP_AUTOCHECKPOINT_PAGES);
      else this.fallBack();
    });
    worker.on('error', () => this.worker === worker && this.fallBack());
    worker.on('exit', () => this.worker === worker && this.fallBack());
  }

  /** The worker failed: checkpoints go back to the main connection, and stay there. */
  private fallBack(): void {
    const worker = this.worker;
    this.worker = null;
    this.disabled = true;
    if (this.db.open) this.setAutocheckpointPages(DEFAULT_AUTOCHECKPOINT_PAGES);
    if (worker) void worker.terminate();
  }

  /** Stops the worker (its connection closes first); the main connection checkpoints again. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.disabled = true;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 2000);
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      worker.postMessage('stop');
    });
    if (this.db.open) this.setAutocheckpointPages(DEFAULT_AUTOCHECKPOINT_PAGES);
  }
}
