// The shape of one projection module: its tables, its write statements and how it applies an
// event, so the read-model writer (read-model.ts) can run every projection alike, live or in
// bulk. Its readers are plain functions beside it.
import type Database from 'better-sqlite3';
import type { EventEnvelope, LedgerEvent } from '../src/domain/events.js';
import type { AccountTotals } from '../src/domain/accounts.js';
import type { ProjectionRules } from './rules.js';

/** What the writer hands a projection's applier. */
export interface ApplyContext<W extends string> {
  /**
   * Runs one of the projection's write statements by name: now, inside the batch's transaction,
   * or queued for the bulk writer's transaction during a rebuild (projections/bulk-writer.ts).
   */
  write(name: W, args: unknown[]): void;
  /** Blocks until the bulk writer has committed every batch (no-op outside a rebuild): call before reading the file. */
  drain(): void;
  db: Database.Database;
  rules: ProjectionRules;
}

/** A projection applying events; it owns its in-memory caches (loaded from its tables on first use). */
export interface Applier {
  /** Applies one event above the projection's checkpoint; returns 1 when the event concerned it (or how many rows it made). */
  apply(e: EventEnvelope, ev: LedgerEvent): number;
  /** Before each batch's first event. */
  beginBatch?(): void;
  /** After each batch's last event, before the checkpoints are written. */
  endBatch?(): void;
  /** Drops every cache: after a rollback, a reset, or another process's commit. */
  forget?(): void;
  /**
   * The balances projection only: a partner's running account totals after every event applied
   * so far, when it holds them in memory (undefined: read the file). The live path answers the
   * command side's check from it without waiting for the row writes to commit.
   */
  accountTotals?(partnerId: string): AccountTotals | undefined;
}

export interface ProjectionModule<W extends string = string> {
  /**
   * The version of what its tables hold (shape and content). Bump it when either changes: the
   * read-model file records each projection's version, and a server started on a file holding
   * another one rebuilds this projection alone beside the live tables while it serves
   * (projections/rebuild-beside.ts).
   */
  version: number;
  /**
   * The other projections whose tables it reads (its applier or its readers): its answers need
   * them too, and a rebuild beside of it waits until they serve and never reads past where they are.
   */
  reads?: readonly string[];
  /**
   * The oldest version whose tables this code reads and keeps current correctly. While a rebuild
   * beside runs, old tables with the same columns keep answering only from this version on
   * (default: any version with the same columns); set it when a version changes what the rows
   * mean without changing the columns, and the older tables answer 503 meanwhile.
   */
  compatibleSince?: number;
  /** Its tables (dropped together when it is rebuilt). */
  tables: readonly string[];
  /** The statements creating them. */
  create: string;
  /** Its secondary indexes, kept apart so a rebuild can load the tables first and index them once at the end. */
  indexes: readonly string[];
  /** Every statement that writes its tables, by name (names are unique over all projections). */
  writeSql: Readonly<Record<W, string>>;
  /** An applier over the writer's context (made again after a reset). */
  applier(ctx: ApplyContext<W>): Applier;
}

/** Declares a projection module, typing its applier's writes by its statements' names. */
export const projectionModule = <W extends string>(m: ProjectionModule<W>): ProjectionModule<W> => m;
