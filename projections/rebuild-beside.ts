// Versioned projections, rebuilt beside the live ones (issue #18 part 3). Each projection module
// carries a version; the read-model file records per projection the version its tables hold
// (meta `projectionVersion:<name>`). When the code's version differs at start (or the tables are
// missing), that projection alone is rebuilt from the log into shadow tables (`<table>__next`,
// checkpoint row `<name>@next`, meta `rebuildBeside:<name>`) while the server serves; in batches
// that yield to the event loop. Once the shadow reaches the log's head, ONE transaction applies
// the tail, drops the old tables, renames the shadow tables to the live names, indexes them and
// records the new version and checkpoint; the live path then goes on with a fresh applier.
//
// Meanwhile: when the old tables have the new code's columns they keep answering and the live
// path keeps them current (`serving: 'old-tables'`); otherwise they are replaced at open by empty
// tables of the new shape, the live path skips the projection, and every read or command that
// needs it is refused (ProjectionRebuildingError, 503) with the rebuild's progress
// (`serving: 'unavailable'`). A killed rebuild resumes from its shadow checkpoint.
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import type { EventEnvelope } from '../src/domain/events.js';
import type { EventStore } from '../src/store/event-store.js';
import { eventOf } from './envelope.js';
import type { Applier } from './projection.js';
import type { ProjectionRules } from './rules.js';
import { type ProjectionName, projectionModules, projectionNames } from './schema.js';

type Db = Database.Database;

export const SHADOW_SUFFIX = '__next';
export const shadowCheckpointName = (name: ProjectionName): string => `${name}@next`;
export const versionKey = (name: ProjectionName): string => `projectionVersion:${name}`;
export const besideKey = (name: ProjectionName): string => `rebuildBeside:${name}`;

/** The version this code's projection writes. */
export const projectionVersionOf = (name: ProjectionName): number => projectionModules[name].version;

/** The projections whose tables this one reads, and theirs (projectionModule's `reads`). */
export function readsOf(name: ProjectionName): ProjectionName[] {
  const out = new Set<ProjectionName>();
  const visit = (n: ProjectionName): void => {
    for (const r of (projectionModules[n].reads ?? []) as ProjectionName[]) {
      if (!out.has(r) && r !== name) {
        out.add(r);
        visit(r);
      }
    }
  };
  visit(name);
  return [...out];
}

/** The names in an order where each comes after the projections it reads. */
export function readsFirst(names: readonly ProjectionName[]): ProjectionName[] {
  const out: ProjectionName[] = [];
  const visit = (n: ProjectionName): void => {
    if (out.includes(n)) return;
    for (const r of readsOf(n)) if (names.includes(r)) visit(r);
    out.push(n);
  };
  for (const n of names) visit(n);
  return out;
}

/** A rebuild beside, as recorded in the file (it survives a restart). */
export interface BesideRecord {
  /** The version being built. */
  version: number;
  /** The version the live tables held when it began (null: none, or missing tables). */
  fromVersion: number | null;
  /** old-tables: the old tables answer meanwhile; unavailable: the projection answers 503. */
  serving: 'old-tables' | 'unavailable';
  startedAt: string;
  /** Asked for by `ledger replay --projection` (the version did not change). */
  manual?: boolean;
}

/** A projection's statement rewritten onto its shadow tables. */
export function shadowSql(name: ProjectionName, sql: string): string {
  let out = sql;
  for (const t of projectionModules[name].tables) {
    out = out
      .replace(new RegExp(`\\b(FROM|INTO|UPDATE|JOIN|TABLE|EXISTS)(\\s+)${t}\\b(?!${SHADOW_SUFFIX})`, 'gi'), `$1$2${t}${SHADOW_SUFFIX}`)
      .replace(new RegExp(`(?<![\\w.])${t}\\.`, 'g'), `${t}${SHADOW_SUFFIX}.`);
  }
  return out;
}

const tableExists = (db: Db, table: string): boolean =>
  db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table) !== undefined;

/** The columns of a table as SQLite sees them (name, type, not null, default, key). */
const shapeOf = (db: Db, table: string): string => JSON.stringify(db.prepare(`SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid`).all(table));

const getMeta = (db: Db, key: string): string | null =>
  (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value ?? null;
const setMeta = (db: Db, key: string, value: string | null): void => {
  if (value === null) db.prepare('DELETE FROM meta WHERE key = ?').run(key);
  else db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
};

/** Every rebuild beside recorded in the file. */
export function besideRecords(db: Db): Map<ProjectionName, BesideRecord> {
  const out = new Map<ProjectionName, BesideRecord>();
  for (const name of projectionNames) {
    const raw = getMeta(db, besideKey(name));
    if (raw !== null) out.set(name, JSON.parse(raw) as BesideRecord);
  }
  return out;
}

function dropShadow(db: Db, name: ProjectionName): void {
  for (const t of projectionModules[name].tables) db.exec(`DROP TABLE IF EXISTS ${t}${SHADOW_SUFFIX}`);
  db.prepare('DELETE FROM checkpoints WHERE projection = ?').run(shadowCheckpointName(name));
  setMeta(db, besideKey(name), null);
}

function dropLive(db: Db, name: ProjectionName): void {
  for (const t of projectionModules[name].tables) db.exec(`DROP TABLE IF EXISTS ${t}`);
  db.exec(projectionModules[name].create);
  db.prepare('DELETE FROM checkpoints WHERE projection = ?').run(name);
  setMeta(db, versionKey(name), null);
}

/**
 * At open, before the tables are created: compares each projection's recorded version with the
 * code's and prepares the rebuilds beside (shadow tables; an incompatible old shape replaced by
 * empty tables). A fresh file (no checkpoint) records the code's versions; a file from before
 * versions were recorded holds version 1 of every projection.
 */
export function prepareProjectionVersions(db: Db): void {
  db.transaction(() => {
    const fresh = db.prepare(`SELECT 1 FROM checkpoints WHERE projection NOT LIKE '%@next' LIMIT 1`).get() === undefined;
    const legacy = db.prepare(`SELECT 1 FROM meta WHERE key LIKE 'projectionVersion:%' LIMIT 1`).get() === undefined;
    for (const name of projectionNames) {
      const m = projectionModules[name];
      const code = m.version;
      if (fresh) {
        dropShadow(db, name);
        db.exec(m.create);
        setMeta(db, versionKey(name), String(code));
        continue;
      }
      if (legacy) setMeta(db, versionKey(name), '1');
      const recordedRaw = getMeta(db, versionKey(name));
      const recorded = recordedRaw === null ? null : Number(recordedRaw);
      const missing = m.tables.some((t) => !tableExists(db, t));
      let record = besideRecords(db).get(name) ?? null;
      if (record !== null && (record.version !== code || (recorded === code && record.manual !== true))) {
        dropShadow(db, name); // a shadow of another version, or one whose switch already happened
        record = null;
      }
      if (record === null && recorded === code && !missing) continue;
      if (record === null) {
        dropShadow(db, name);
        db.exec(shadowSql(name, m.create));
        let serving: BesideRecord['serving'] = 'unavailable';
        if (recorded !== null && !missing && recorded >= (m.compatibleSince ?? Number.NEGATIVE_INFINITY)) {
          serving = m.tables.every((t) => shapeOf(db, t) === shapeOf(db, t + SHADOW_SUFFIX)) ? 'old-tables' : 'unavailable';
        }
        if (serving === 'unavailable') dropLive(db, name);
        record = { version: code, fromVersion: recorded, serving, startedAt: new Date().toISOString() };
        setMeta(db, besideKey(name), JSON.stringify(record));
      } else {
        db.exec(shadowSql(name, m.create)); // resuming: the shadow tables are there (IF NOT EXISTS)
        if (missing && record.serving === 'old-tables') {
          dropLive(db, name);
          record = { ...record, serving: 'unavailable' };
          setMeta(db, besideKey(name), JSON.stringify(record));
        }
      }
      db.exec(m.create);
    }
  })();
}

/**
 * `ledger replay --projection NAME`: a rebuild beside of one projection whose version did not
 * change (its old tables keep answering). Resumes one under way. Returns its record.
 */
export function beginRebuildBeside(db: Db, name: ProjectionName): BesideRecord {
  return db.transaction(() => {
    const existing = besideRecords(db).get(name);
    if (existing) return existing;
    const m = projectionModules[name];
    dropShadow(db, name);
    db.exec(shadowSql(name, m.create));
    const recordedRaw = getMeta(db, versionKey(name));
    const record: BesideRecord = {
      version: m.version,
      fromVersion: recordedRaw === null ? null : Number(recordedRaw),
      serving: 'old-tables',
      startedAt: new Date().toISOString(),
      manual: true,
    };
    setMeta(db, besideKey(name), JSON.stringify(record));
    return record;
  })();
}

/** After a full rebuild (`ledger replay`): no shadow is left, every projection holds the code's version. */
export function resetProjectionVersions(db: Db): void {
  db.transaction(() => {
    for (const name of projectionNames) {
      dropShadow(db, name);
      setMeta(db, versionKey(name), String(projectionVersionOf(name)));
    }
  })();
}

/** A read or a command that needs a projection being rebuilt without old tables to answer from. */
export class ProjectionRebuildingError extends Error {
  override readonly name = 'ProjectionRebuildingError';
  constructor(readonly progress: BesideProgress) {
    const eta = progress.etaSeconds === null ? 'unknown' : `${progress.etaSeconds} s`;
    super(
      `the ${progress.projection} projection is being rebuilt (version ${progress.fromVersion ?? 'none'} → ${progress.version}): ` +
        `at position ${progress.position} of ${progress.head}, ETA ${eta}; try again then`,
    );
  }
}

export interface BesideProgress {
  projection: ProjectionName;
  version: number;
  fromVersion: number | null;
  serving: BesideRecord['serving'];
  startedAt: string;
  /** The shadow's checkpoint. */
  position: number;
  /** The log's head when last looked at. */
  head: number;
  /** Events applied to the shadow by this process. */
  events: number;
  eventsPerSecond: number | null;
  etaSeconds: number | null;
  state: 'waiting' | 'running' | 'switched' | 'failed';
  error?: string;
}

/** What a rebuild beside needs of the runner that owns the connection. */
export interface BesideHost {
  readonly store: EventStore;
  readonly db: Db;
  readonly rules: ProjectionRules;
  /** The position the live path has folded this projection to (what its next live event follows). */
  liveTarget(name: ProjectionName): number;
  /** True while that projection is rebuilt beside with nothing to answer from. */
  isPaused(name: ProjectionName): boolean;
  /** The live checkpoint of a projection (after settleLive: what its tables on the file hold). */
  checkpointOf(name: ProjectionName): number;
  /** Makes the file hold everything the live path folded and leaves no transaction open on db (blocks briefly). */
  settleLive(): void;
  /** After the switch: the live path continues on the new tables from this checkpoint, with fresh caches. */
  switched(name: ProjectionName, checkpoint: number): void;
}

export interface BesideOptions {
  /** Events read from the log at a time (default 1,000); each batch is applied in slices of sliceMs. */
  batchSize?: number;
  /** Milliseconds a shadow transaction folds before it commits and yields (default 4). */
  sliceMs?: number;
  onProgress?: (p: BesideProgress) => void;
  /** Awaited before each batch (a test's pause point; the bench's sampler). */
  beforeBatch?: (p: BesideProgress) => Promise<void> | void;
  /** Checked before each batch: true stops there (the shadow checkpoint stays; the next run resumes). */
  shouldStop?: (p: BesideProgress) => boolean;
}

export const DEFAULT_BESIDE_BATCH_SIZE = 1_000;
/** The longest a shadow transaction folds before it commits and yields (a request's longest wait, the switch aside). */
export const DEFAULT_BESIDE_SLICE_MS = 4;

/** One projection's rebuild beside the live tables. */
export class RebuildBeside {
  private position: number;
  private head = 0;
  private events = 0;
  private state: BesideProgress['state'] = 'waiting';
  private error: string | undefined;
  private startedMs = 0;
  private readonly applier: Applier;
  private readonly writes: Record<string, Database.Statement>;
  private readonly checkpointStmt: Database.Statement;

  constructor(
    private readonly host: BesideHost,
    readonly name: ProjectionName,
    private readonly record: BesideRecord,
  ) {
    const db = host.db;
    const m = projectionModules[name];
    this.writes = Object.fromEntries(Object.entries(m.writeSql as Record<string, string>).map(([w, sql]) => [w, db.prepare(shadowSql(name, sql))]));
    this.checkpointStmt = db.prepare('INSERT OR REPLACE INTO checkpoints (projection, position) VALUES (?, ?)');
    // The applier reads its own tables through ctx.db: the shadow ones.
    const shadowDb = new Proxy(db, {
      get(target, prop) {
        if (prop === 'prepare') return (sql: string) => target.prepare(shadowSql(name, sql));
        if (prop === 'exec') return (sql: string) => target.exec(shadowSql(name, sql));
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    this.applier = m.applier({ write: (w: string, args: unknown[]) => void this.writes[w]!.run(args), drain: () => undefined, db: shadowDb, rules: host.rules });
    this.position = this.readCheckpoint();
  }

  private readCheckpoint(): number {
    const row = this.host.db.prepare('SELECT position FROM checkpoints WHERE projection = ?').get(shadowCheckpointName(this.name)) as { position: number } | undefined;
    return row?.position ?? 0;
  }

  progress(): BesideProgress {
    const seconds = this.startedMs === 0 ? 0 : (performance.now() - this.startedMs) / 1_000;
    const rate = seconds > 0 && this.events > 0 ? this.events / seconds : null;
    const left = Math.max(0, this.head - this.position);
    return {
      projection: this.name,
      version: this.record.version,
      fromVersion: this.record.fromVersion,
      serving: this.record.serving,
      startedAt: this.record.startedAt,
      position: this.position,
      head: this.head,
      events: this.events,
      eventsPerSecond: rate === null ? null : Math.round(rate),
      etaSeconds: rate === null ? null : Math.ceil(left / rate),
      state: this.state,
      ...(this.error === undefined ? {} : { error: this.error }),
    };
  }

  /** Builds the shadow up to the head and switches; 'stopped' when shouldStop said so. */
  async run(options: BesideOptions = {}): Promise<'switched' | 'stopped'> {
    const batchSize = options.batchSize ?? DEFAULT_BESIDE_BATCH_SIZE;
    const sliceMs = options.sliceMs ?? DEFAULT_BESIDE_SLICE_MS;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
      throw new RangeError(`a rebuild beside's batch (LEDGER_REBUILD_BESIDE_BATCH) must be 1..100000 events, got ${batchSize}`);
    }
    const reads = readsOf(this.name);
    this.startedMs = performance.now();
    try {
      for (;;) {
        this.head = Number(await this.host.store.headPosition());
        if (options.shouldStop?.(this.progress())) {
          this.state = 'waiting';
          return 'stopped';
        }
        // Its applier reads the live tables of the projections it reads: they must hold what it reads.
        if (reads.some((r) => this.host.isPaused(r))) {
          this.state = 'waiting';
          await sleep(20);
          continue;
        }
        this.state = 'running';
        await options.beforeBatch?.(this.progress());
        this.head = Number(await this.host.store.headPosition());
        let to = Math.min(this.head, this.position + batchSize);
        if (reads.length > 0) {
          this.host.settleLive(); // the file holds everything the live path folded
          for (const r of reads) to = Math.min(to, this.host.checkpointOf(r));
          if (to <= this.position && this.position < this.host.liveTarget(this.name)) {
            await sleep(5); // the live path has not folded those projections this far yet
            continue;
          }
        }
        const events: EventEnvelope[] = [];
        if (to > this.position) {
          for await (const e of this.host.store.readAll({ fromPosition: BigInt(this.position + 1), toPosition: BigInt(to), batchSize })) events.push(e);
        }
        const last = events.length > 0 ? Number(events[events.length - 1]!.position) : this.position;
        // Synchronous from here to the switch: the live path cannot fold in between. Once the shadow
        // holds everything the live path folded for this projection, the live path can go on from
        // the shadow's checkpoint.
        if (last >= this.host.liveTarget(this.name)) {
          this.switchOver(events, last);
          options.onProgress?.(this.progress());
          return 'switched';
        }
        // In slices of about sliceMs each, one transaction per slice, yielding between them: a
        // request waits for one slice at most, whatever one event costs this projection.
        for (let i = 0; i < events.length; ) {
          this.host.settleLive();
          this.inTransaction(() => {
            i = this.applyShadow(events, i, sliceMs);
          });
          if (i < events.length) await yieldToLoop();
        }
        options.onProgress?.(this.progress());
        await yieldToLoop();
      }
    } catch (error) {
      this.state = 'failed';
      this.error = error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  private inTransaction(work: () => void): void {
    try {
      this.host.db.transaction(work).immediate();
    } catch (error) {
      this.applier.forget?.();
      this.position = this.readCheckpoint();
      throw error;
    }
  }

  /** Applies events from index `start` (at least one) until `budgetMs` have passed; returns the next index. */
  private applyShadow(events: readonly EventEnvelope[], start = 0, budgetMs = Number.POSITIVE_INFINITY): number {
    if (start >= events.length) return start;
    const from = this.position;
    const began = performance.now();
    let last = from;
    let i = start;
    this.applier.beginBatch?.();
    for (; i < events.length; i++) {
      if (i > start && (i & 15) === 0 && performance.now() - began >= budgetMs) break;
      const e = events[i]!;
      const position = Number(e.position);
      if (position <= from) continue;
      this.applier.apply(e, eventOf(e));
      last = position;
    }
    this.applier.endBatch?.();
    this.checkpointStmt.run(shadowCheckpointName(this.name), last);
    this.events += i - start;
    this.position = last;
    return i;
  }

  /** The tail and the switch, in one transaction. */
  private switchOver(tail: readonly EventEnvelope[], last: number): void {
    const db = this.host.db;
    const m = projectionModules[this.name];
    this.host.settleLive();
    this.inTransaction(() => {
      this.applyShadow(tail);
      for (const t of m.tables) {
        db.exec(`DROP TABLE IF EXISTS ${t}`);
        db.exec(`ALTER TABLE ${t}${SHADOW_SUFFIX} RENAME TO ${t}`);
      }
      for (const sql of m.indexes) db.exec(sql);
      this.checkpointStmt.run(this.name, last);
      db.prepare('DELETE FROM checkpoints WHERE projection = ?').run(shadowCheckpointName(this.name));
      setMeta(db, versionKey(this.name), String(this.record.version));
      setMeta(db, besideKey(this.name), null);
    });
    this.position = last;
    this.state = 'switched';
    this.applier.forget?.();
    this.host.switched(this.name, last);
  }
}

/**
 * Defaults for every runner's rebuilds beside in this process (LEDGER_REBUILD_BESIDE_BATCH sets
 * the batch size): a test sets a batch of 1 and a pause point here to watch a rebuild in a real
 * server; nothing else should.
 */
export const rebuildBesideHooks: { batchSize?: number; beforeBatch?: (p: BesideProgress) => Promise<void> | void } = {
  batchSize: process.env.LEDGER_REBUILD_BESIDE_BATCH === undefined ? undefined : Number(process.env.LEDGER_REBUILD_BESIDE_BATCH),
};
