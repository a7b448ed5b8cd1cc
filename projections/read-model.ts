// The read-model database: its own SQLite file beside the log, written only by the runner.
// Every batch of events is applied in one transaction together with the checkpoint of every
// projection it advanced, so the tables and their checkpoints never disagree. An event at or
// below a projection's checkpoint is ignored (idempotence).
import { canonicalJson } from '../src/store/hash-chain.js';
import Database from 'better-sqlite3';
import type { EventEnvelope, LedgerEvent } from '../src/domain/events.js';
import { type AccountTotals, addTotals, zeroTotals } from './balances.js';
import { eventOf } from './envelope.js';
import { dealFactOf } from './pipeline.js';
import { type BulkStatement, BulkWriter } from './bulk-writer.js';
import { applyRebateEvent, rebateWriteSql } from './rebates.js';
import type { ProjectionRules } from './rules.js';
import { metaTables, type ProjectionName, projectionNames, projectionTables, readModelSchemaVersion } from './schema.js';
import { tierStepOf } from './tiers.js';
import { DEFAULT_AUTOCHECKPOINT_PAGES } from './wal-checkpointer.js';

type Db = Database.Database;
type Stmt = Database.Statement;

/** Events that decide a customer's ownership (the customer stream minus the cash). */
export const claimEventTypes: ReadonlySet<string> = new Set([
  'DealRegistered',
  'DealStageAdvanced',
  'DealLost',
  'DealTransferred',
  'OwnershipRuled',
  'ContractSubmitted',
  'ContractConfirmed',
  'ContractRejected',
  'TransferProposed',
  'TransferRejected',
]);

/** Events that tell the pipeline something (dealFactOf answers null for every other type). */
const dealEventTypes: ReadonlySet<string> = new Set(['DealRegistered', 'DealStageAdvanced', 'DealLost', 'ContractConfirmed', 'ForecastRevised']);

/** Cash events remembered for the commission lines that follow them (usually in the same append). */
const maxRecentCash = 10_000;

interface BalanceHead {
  position: number;
  maxOccurredAt: string;
  /** The most any late row so far lay behind maxOccurredAt, in ms. */
  maxLagMs: number;
  totals: AccountTotals;
}

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
    for (const name of projectionNames) for (const t of projectionTables[name].tables) db.exec(`DROP TABLE IF EXISTS ${t}`);
    db.exec('DELETE FROM checkpoints');
  }
  for (const name of projectionNames) db.exec(projectionTables[name].create);
  db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('schemaVersion', ?)`).run(String(readModelSchemaVersion));
  // A rebuild under way indexes its tables when it reaches the head; otherwise they must exist.
  if (!db.prepare(`SELECT 1 FROM meta WHERE key = '${rebuildingKey}'`).get()) createIndexes(db);
  return db;
}

/** Set while a rebuild has dropped the tables and not reached the head: its tables are not indexed yet. */
export const rebuildingKey = 'rebuildingSince';

/** Creates every projection's secondary indexes (idempotent). */
export function createIndexes(db: Db): void {
  for (const name of projectionNames) for (const sql of projectionTables[name].indexes) db.exec(sql);
}

export class ReadModelWriter {
  private readonly checkpoints = new Map<ProjectionName, number>();
  private readonly balanceHeads = new Map<string, BalanceHead>();
  private readonly dealPartners = new Map<string, string>();
  private dealPartnersLoaded = false;
  private rebuilding = false;
  /** The auto-checkpoint outside bulk mode (raised while a worker checkpoints: wal-checkpointer.ts). */
  private liveAutocheckpointPages = DEFAULT_AUTOCHECKPOINT_PAGES;
  private unsettledLoaded = false;
  private readonly recentCash = new Map<string, { eventId: string; position: number; occurredAt: string }>();
  /** Per partner, its commission lines no payout has settled yet: event id → position (loaded on first use). */
  private readonly unsettled = new Map<string, Map<string, number>>();
  private writes: Record<WriteName, Stmt>;
  private r: ReturnType<typeof prepareReads>;
  /** During a rebuild: the worker that runs the writes (null: they run here, in the batch's transaction). */
  private bulk: BulkWriter | null = null;
  /** The current batch's writes while the bulk writer runs them. */
  private ops: unknown[] = [];
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
    this.loadCheckpoints();
    this.applyBatchTx = db.transaction((events: readonly EventEnvelope[]) => this.applyInTransaction(events));
  }

  /** The lowest checkpoint over every projection: the read model includes every event up to it. */
  position(): number {
    let lowest = Number.POSITIVE_INFINITY;
    for (const n of projectionNames) lowest = Math.min(lowest, this.checkpoints.get(n) ?? 0);
    return lowest;
  }

  checkpointOf(name: ProjectionName): number {
    return this.checkpoints.get(name) ?? 0;
  }

  /** Applies a batch in one transaction; returns how many (projection, event) pairs were new. */
  applyBatch(events: readonly EventEnvelope[]): number {
    if (events.length === 0) return 0;
    try {
      if (this.bulk) return this.applyBulk(this.bulk, events);
      return this.applyBatchTx.immediate(events);
    } catch (error) {
      // The transaction rolled back: forget in-memory heads that may describe unwritten rows.
      // (In bulk mode, batches handed over before this one land first, so the file is re-read settled.)
      try {
        this.bulk?.drain();
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

  /** One write: run now (inside the batch's transaction), or queued for the bulk writer's transaction. */
  private w(name: WriteName, args: unknown[]): void {
    if (this.bulk === null) {
      this.writes[name].run(args);
      return;
    }
    this.ops.push(writeIndex[name], args);
  }

  private readonly writeRebate = (name: WriteName, args: unknown[]): void => this.w(name, args);

  /**
   * Blocks until the bulk writer has committed every batch it was given (no-op outside a
   * rebuild): called before anything reads the file.
   */
  drain(): void {
    this.bulk?.drain();
  }

  /** Drops the named projections' tables and checkpoints (a full rebuild drops them all). */
  reset(names: readonly ProjectionName[] = projectionNames): void {
    this.db.transaction(() => {
      for (const name of names) {
        for (const t of projectionTables[name].tables) this.db.exec(`DROP TABLE IF EXISTS ${t}`);
        this.db.exec(projectionTables[name].create);
        this.db.prepare('DELETE FROM checkpoints WHERE projection = ?').run(name);
      }
    })();
    this.writes = prepareWrites(this.db);
    this.r = prepareReads(this.db);
    this.forgetCaches();
    this.loadCheckpoints();
  }

  /**
   * Bulk mode for a rebuild: no fsync at all (a killed process loses nothing committed; after an
   * OS crash the read model is rebuilt from the log) and rarer WAL checkpoints.
   */
  setBulkMode(on: boolean): void {
    if (on === this.rebuilding) return;
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

  /** A partner's unsettled lines; every partner's are loaded in one scan on first use and kept current. */
  private unsettledOf(partnerId: string): Map<string, number> {
    if (!this.unsettledLoaded) {
      this.drain();
      this.unsettled.clear();
      for (const r of this.r.unsettled.iterate() as Iterable<{ partner_id: string; event_id: string; position: number }>) {
        const lines = this.unsettled.get(r.partner_id) ?? new Map<string, number>();
        lines.set(r.event_id, r.position);
        this.unsettled.set(r.partner_id, lines);
      }
      this.unsettledLoaded = true;
    }
    let lines = this.unsettled.get(partnerId);
    if (!lines) {
      lines = new Map();
      this.unsettled.set(partnerId, lines);
    }
    return lines;
  }

  /**
   * Another process (a `ledger report` beside the server) may have advanced the same file: the
   * checkpoints are re-read inside each transaction, and the caches dropped when they moved. A
   * rebuild under way elsewhere is refused rather than interleaved with.
   */
  private syncWithFile(): void {
    if (this.bulk) return; // a rebuild is exclusive (rebuildingKey), and the worker's commits are ours
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
    this.unsettled.clear();
    this.unsettledLoaded = false;
    this.dealPartnersLoaded = false;
    this.balanceHeads.clear();
    this.dealPartners.clear();
    this.recentCash.clear();
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
    let pendingClock: { recordedAt: string; position: number } | null = null;
    const from = new Map(projectionNames.map((n) => [n, this.checkpointOf(n)] as const));
    // Each projection's checkpoint as a local: the loop below asks for them on every event.
    const fromClock = from.get('clock') ?? 0;
    const fromPartners = from.get('partners') ?? 0;
    const fromBalances = from.get('balances') ?? 0;
    const fromOwnership = from.get('ownership') ?? 0;
    const fromPipeline = from.get('pipeline') ?? 0;
    const fromStatements = from.get('statements') ?? 0;
    const fromRebates = from.get('rebates') ?? 0;
    const writeRebate = this.writeRebate;
    // Trimmed between batches only: the current batch's cash is always in the map, so a miss
    // reads a committed row (the bulk writer has not written the current batch yet).
    if (this.recentCash.size >= maxRecentCash) this.recentCash.clear();
    for (const e of events) {
      const position = Number(e.position);
      if (!Number.isSafeInteger(position) || position <= lastPosition) {
        throw new Error(`positions must grow within a batch: ${position} after ${lastPosition}`);
      }
      if (e.recordedAt < lastRecordedAt) throw new Error(`recordedAt decreases at position ${position}`);
      lastPosition = position;
      lastRecordedAt = e.recordedAt;
      if (position > fromClock) {
        if (pendingClock && pendingClock.recordedAt !== e.recordedAt) this.w('clock', [pendingClock.recordedAt, pendingClock.position]);
        pendingClock = { recordedAt: e.recordedAt, position };
        applied++;
      }
      const ev = eventOf(e); // one view of the event for every projection below
      if (position > fromPartners) applied += this.applyPartners(e, ev);
      if (position > fromBalances) applied += this.applyBalances(e);
      if (position > fromOwnership) applied += this.applyOwnership(e, ev);
      if (position > fromPipeline) applied += this.applyPipeline(e, ev);
      if (position > fromStatements) applied += this.applyStatements(e, ev);
      if (position > fromRebates) applied += applyRebateEvent(writeRebate, e, this.rules.quarterOf);
    }
    if (pendingClock) this.w('clock', [pendingClock.recordedAt, pendingClock.position]);
    const advanced = projectionNames.filter((name) => lastPosition > (from.get(name) ?? 0));
    if (advanced.length === projectionNames.length) {
      this.w('allCheckpoints', projectionNames.flatMap((name) => [name, lastPosition])); // the usual case: one statement
    } else {
      for (const name of advanced) this.w('checkpoint', [name, lastPosition]);
    }
    for (const name of advanced) this.checkpoints.set(name, lastPosition);
    return applied;
  }

  private applyPartners(e: EventEnvelope, ev: LedgerEvent): number {
    const position = Number(e.position);
    if (ev.type === 'PartnerSigned') {
      const d = ev.data;
      this.w('partner', [d.partnerId, position, e.occurredAt, e.recordedAt, d.name, d.kind, d.parentPartnerId, d.territory]);
    }
    if (ev.type === 'TierCertified') {
      const d = ev.data;
      this.w('certificate', [d.partnerId, position, e.occurredAt, e.recordedAt, d.quarter, d.tier, d.previousTier, d.validFor, d.validFrom, d.validTo, d.metric, canonicalJson(d.figures)]);
      return 1;
    }
    const change = tierStepOf(e);
    if (!change) return ev.type === 'PartnerSigned' ? 1 : 0;
    const st = change.step;
    this.w('tier', [
      change.partnerId,
      position,
      e.occurredAt,
      e.recordedAt,
      e.eventId,
      st.tier,
      st.from,
      st.reason,
      st.source,
      st.quarter,
      canonicalJson(st.figures),
    ]);
    return 1;
  }

  private balanceHead(partnerId: string): BalanceHead | null {
    const cached = this.balanceHeads.get(partnerId);
    if (cached) return cached;
    this.drain();
    const row = this.r.balanceHead.get(partnerId) as BalanceRowSums | undefined;
    if (!row) return null;
    const head = { position: row.position, maxOccurredAt: row.max_occurred_at, maxLagMs: row.max_lag_ms, totals: totalsOfRow(row) };
    this.balanceHeads.set(partnerId, head);
    return head;
  }

  private applyBalances(e: EventEnvelope): number {
    const deltas = this.rules.deltasOf(e);
    const position = Number(e.position);
    for (const { partnerId, deltas: d } of deltas) {
      const previous = this.balanceHead(partnerId);
      const totals = addTotals(previous?.totals ?? zeroTotals(), d);
      const previousMax = previous?.maxOccurredAt ?? '';
      const late = e.occurredAt < previousMax ? 1 : 0;
      const maxOccurredAt = late ? previousMax : e.occurredAt;
      const maxLagMs = Math.max(previous?.maxLagMs ?? 0, late ? lagMs(previousMax, e.occurredAt) : 0);
      this.w('balance', [
        partnerId,
        position,
        e.occurredAt,
        e.recordedAt,
        maxOccurredAt,
        late,
        d.accrued,
        d.clawedBack,
        d.paidOut,
        d.deposit,
        d.debt,
        totals.accrued,
        totals.clawedBack,
        totals.paidOut,
        totals.deposit,
        totals.debt,
        d.trafficOutstanding,
        totals.trafficOutstanding,
        d.rebate,
        totals.rebate,
        maxLagMs,
      ]);
      this.balanceHeads.set(partnerId, { position, maxOccurredAt, maxLagMs, totals });
    }
    return deltas.length;
  }

  private applyOwnership(e: EventEnvelope, ev: LedgerEvent): number {
    if (!claimEventTypes.has(e.type)) return 0;
    const position = Number(e.position);
    const key = 'customerKey' in ev.data ? ev.data.customerKey : null;
    if (key === null) throw new Error(`${e.type} at ${position} names no customer`);
    this.w('claim', [position, key, e.occurredAt, e.recordedAt, e.eventId, e.type, canonicalJson(e.data)]);
    if (ev.type === 'DealRegistered') {
      const d = ev.data;
      this.w('customer', [position, key, d.customer.name, d.customer.taxId]);
      this.w('deal', [position, d.dealId, key, d.partnerId, d.channel]);
    }
    return 1;
  }

  /** The partner of a registered deal; the map is loaded whole on first use and kept current. */
  private partnerOfDeal(dealId: string): string | null {
    if (!this.dealPartnersLoaded) {
      this.drain();
      for (const r of this.r.dealPartners.iterate() as Iterable<{ deal_id: string; partner_id: string }>) {
        if (!this.dealPartners.has(r.deal_id)) this.dealPartners.set(r.deal_id, r.partner_id);
      }
      this.dealPartnersLoaded = true;
    }
    return this.dealPartners.get(dealId) ?? null;
  }

  private applyPipeline(e: EventEnvelope, ev: LedgerEvent): number {
    if (!dealEventTypes.has(e.type)) return 0; // no deal fact: skip building one
    const fact = dealFactOf(e);
    if (!fact) return 0;
    switch (fact.kind) {
      case 'registered':
        this.w('dealEvent', [
          fact.position,
          fact.occurredAt,
          fact.kind,
          fact.dealId,
          fact.customerKey,
          fact.customerName,
          fact.partnerId,
          fact.channel,
          null,
          fact.expectedPorts,
          fact.expectedRevenueFen,
        ]);
        this.dealPartners.set(fact.dealId, fact.partnerId);
        return 1;
      case 'advanced': {
        this.w('dealEvent', [fact.position, fact.occurredAt, fact.kind, fact.dealId, null, null, null, null, fact.stage, null, null]);
        const partnerId = this.partnerOfDeal(fact.dealId);
        // A signing: an advance to signed, or the vendor's confirmation of the contract (contracts.ts).
        if (fact.stage === 'signed' && partnerId !== null && (ev.type === 'DealStageAdvanced' || ev.type === 'ContractConfirmed')) {
          this.w('signing', [this.rules.quarterOf(e.occurredAt), partnerId, ev.data.customerKey, fact.position]);
        }
        return 1;
      }
      case 'lost':
        this.w('dealEvent', [fact.position, fact.occurredAt, fact.kind, fact.dealId, null, null, null, null, null, null, null]);
        return 1;
      case 'forecast':
        this.w('dealEvent', [fact.position, fact.occurredAt, fact.kind, fact.dealId, null, null, null, null, null, fact.expectedPorts, fact.expectedRevenueFen]);
        return 1;
      default: {
        const never: never = fact;
        throw new Error(`unhandled deal fact ${JSON.stringify(never)}`);
      }
    }
  }

  private cashSource(kind: 'payment' | 'refund', id: string, fallback: EventEnvelope) {
    const key = `${kind} ${id}`;
    const cached = this.recentCash.get(key);
    if (cached) return cached;
    this.drain();
    const row = this.r.cash.get(kind, id) as { event_id: string; position: number; occurred_at: string } | undefined;
    if (row) return { eventId: row.event_id, position: row.position, occurredAt: row.occurred_at };
    return { eventId: fallback.eventId, position: Number(fallback.position), occurredAt: fallback.occurredAt };
  }

  private applyStatements(e: EventEnvelope, ev: LedgerEvent): number {
    const position = Number(e.position);
    switch (ev.type) {
      case 'PaymentReceived':
      case 'RefundIssued': {
        const kind = ev.type === 'PaymentReceived' ? 'payment' : 'refund';
        const id = ev.type === 'PaymentReceived' ? ev.data.paymentId : ev.data.refundId;
        const dealId = ev.type === 'PaymentReceived' ? ev.data.dealId : null;
        this.w('cashInsert', [position, kind, id, e.eventId, e.occurredAt, ev.data.customerKey, dealId, ev.data.paymentId]);
        this.recentCash.set(`${kind} ${id}`, { eventId: e.eventId, position, occurredAt: e.occurredAt });
        return 1;
      }
      case 'CommissionAccrued':
      case 'CommissionClawedBack': {
        const accrual = ev.type === 'CommissionAccrued';
        const d = ev.data;
        const refundId = ev.type === 'CommissionClawedBack' ? ev.data.refundId : null;
        const cash = refundId === null ? this.cashSource('payment', d.paymentId, e) : this.cashSource('refund', refundId, e);
        const cashFen = ev.type === 'CommissionAccrued' ? ev.data.cashFen : 0 - ev.data.refundedCashFen;
        const unsettled = this.unsettledOf(d.partnerId); // loaded before this line's row exists
        this.w('line', [
          position,
          e.eventId,
          accrual ? 'accrual' : 'clawback',
          d.partnerId,
          d.customerKey,
          d.paymentId,
          refundId,
          cash.eventId,
          cash.position,
          d.line,
          cash.occurredAt,
          this.rules.quarterOf(cash.occurredAt),
          cashFen,
          d.rateBps,
          accrual ? d.commissionFen : 0 - d.commissionFen,
          ev.type === 'CommissionAccrued' ? ev.data.tier : null,
          ev.type === 'CommissionAccrued' ? ev.data.commissionYear : null,
          e.occurredAt,
          e.recordedAt,
        ]);
        unsettled.set(e.eventId, position);
        return 1;
      }
      case 'CommissionPaidOut': {
        const d = ev.data;
        this.w('payout', [d.partnerId, d.quarter, e.eventId, position, e.occurredAt, e.recordedAt, d.netFen, d.paidFen, d.debtRecoveredFen]);
        const unsettled = this.unsettledOf(d.partnerId);
        for (const line of d.lines) {
          const linePosition = unsettled.get(line.eventId);
          if (linePosition === undefined) continue; // not a line of this partner, or settled already
          this.w('settle', [d.quarter, e.eventId, position, e.occurredAt, linePosition]);
          unsettled.delete(line.eventId);
        }
        return 1;
      }
      default:
        return 0;
    }
  }
}

/** How far (ms) an instant lies behind a later one; both ISO-8601 UTC. */
function lagMs(later: string, earlier: string): number {
  const ms = Date.parse(later) - Date.parse(earlier);
  if (!Number.isSafeInteger(ms) || ms < 0) throw new Error(`invariant: ${earlier} is not an instant at or before ${later}`);
  return ms;
}

interface BalanceRowSums {
  position: number;
  max_occurred_at: string;
  max_lag_ms: number;
  c_accrued: number;
  c_clawed_back: number;
  c_paid_out: number;
  c_deposit: number;
  c_debt: number;
  c_traffic: number;
  c_rebate: number;
}

export function totalsOfRow(r: Omit<BalanceRowSums, 'position' | 'max_occurred_at' | 'max_lag_ms'>): AccountTotals {
  return {
    accrued: r.c_accrued,
    clawedBack: r.c_clawed_back,
    paidOut: r.c_paid_out,
    deposit: r.c_deposit,
    debt: r.c_debt,
    trafficOutstanding: r.c_traffic,
    rebate: r.c_rebate,
  };
}

/** Every statement that writes the read model, by name (the bulk writer's worker runs the same SQL). */
const writeSql = {
  checkpoint: 'INSERT OR REPLACE INTO checkpoints (projection, position) VALUES (?, ?)',
  allCheckpoints: `INSERT OR REPLACE INTO checkpoints (projection, position) VALUES ${projectionNames.map(() => '(?, ?)').join(', ')}`,
  clock: 'INSERT INTO clock (recorded_at, position) VALUES (?, ?) ON CONFLICT (recorded_at) DO UPDATE SET position = max(position, excluded.position)',
  partner: 'INSERT OR REPLACE INTO partners VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  tier: 'INSERT OR REPLACE INTO tier_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  certificate: 'INSERT OR REPLACE INTO certificate_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  balance: 'INSERT OR REPLACE INTO balance_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  claim: 'INSERT OR REPLACE INTO claim_events VALUES (?, ?, ?, ?, ?, ?, ?)',
  customer: 'INSERT OR REPLACE INTO customers VALUES (?, ?, ?, ?)',
  deal: 'INSERT OR REPLACE INTO deals VALUES (?, ?, ?, ?, ?)',
  dealEvent: 'INSERT OR REPLACE INTO deal_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  signing: 'INSERT OR IGNORE INTO deal_signings VALUES (?, ?, ?, ?)',
  cashInsert: 'INSERT OR REPLACE INTO cash_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  line: 'INSERT OR REPLACE INTO commission_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)',
  payout: 'INSERT OR REPLACE INTO payouts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  settle: 'UPDATE commission_lines SET settled_quarter = ?, settled_event_id = ?, settled_position = ?, settled_occurred_at = ? WHERE position = ?',
  ...rebateWriteSql,
} as const;

export type WriteName = keyof typeof writeSql;
const writeNames = Object.keys(writeSql) as WriteName[];
const writeIndex = Object.fromEntries(writeNames.map((n, i) => [n, i])) as Record<WriteName, number>;
const parameterCount = (sql: string): number => sql.split('?').length - 1;

/** The write statements as the bulk writer's worker prepares them, in writeIndex order. */
export const bulkStatements: readonly BulkStatement[] = writeNames.map((n) => ({ sql: writeSql[n], arity: parameterCount(writeSql[n]) }));

function prepareWrites(db: Db): Record<WriteName, Stmt> {
  const out = {} as Record<WriteName, Stmt>;
  for (const n of writeNames) out[n] = db.prepare(writeSql[n]);
  return out;
}

function prepareReads(db: Db) {
  return {
    checkpoints: db.prepare('SELECT projection, position FROM checkpoints'),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    metaGet: db.prepare('SELECT value FROM meta WHERE key = ?'),
    balanceHead: db.prepare(
      'SELECT position, max_occurred_at, max_lag_ms, c_accrued, c_clawed_back, c_paid_out, c_deposit, c_debt, c_traffic, c_rebate FROM balance_rows WHERE partner_id = ? ORDER BY position DESC LIMIT 1',
    ),
    unsettled: db.prepare('SELECT partner_id, event_id, position FROM commission_lines WHERE settled_position IS NULL ORDER BY position'),
    dealPartners: db.prepare(`SELECT deal_id, partner_id FROM deal_events WHERE kind = 'registered' ORDER BY position`),
    cash: db.prepare('SELECT event_id, position, occurred_at FROM cash_events WHERE kind = ? AND id = ? ORDER BY position DESC LIMIT 1'),
  };
}
