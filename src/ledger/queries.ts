// One function per API query, each taking {asOf?, validAt?} and answering in API.md's shapes
// (money in fen). Per-entity answers read an index range of one entity's temporal rows; list
// answers cost what the list has; nothing folds the whole log.
import type { EventEnvelope } from '../domain/events.js';
import { customerStream } from '../domain/events.js';
import { depositRequiredFen, type Policy } from '../domain/policy.js';
import { resolveQueryTime } from '../domain/query-time.js';
import { type WeekWindow, type WeeklyReport, weeklyReport } from '../domain/weekly-report.js';
import { creditStatusOf } from '../domain/credit-suspension.js';
import { WHOLESALE_VOICE } from '../domain/traffic-decide.js';
import type { EventStore } from '../store/event-store.js';
import { balanceView, type BalanceView } from '../../projections/balances.js';
import { canonicalInstant, cutInstant, type LogCut, type TimeQuery } from '../../projections/cut.js';
import type { ClaimEnvelope, OwnershipFold, OwnershipView } from '../../projections/ownership.js';
import { applyDealFact, type DealView, pipelineReport, type PipelineReport } from '../../projections/pipeline.js';
import * as read from '../../projections/readers.js';
import type { ProjectionRules } from '../../projections/rules.js';
import type { ProjectionRunner } from '../../projections/runner.js';
import type { ProjectionName } from '../../projections/schema.js';
import { type Statement, type StatementLine, statementOf } from '../../projections/statements.js';

/** A statement line with the policy version its recorded figure was decided under (adjustments name theirs). */
export type VersionedStatementLine = StatementLine & { policyVersion: string | null };
export interface VersionedStatement extends Omit<Statement, 'lines'> {
  lines: VersionedStatementLine[];
}
import type { TierStep } from '../../projections/partners.js';

export interface QueryDeps {
  store: EventStore;
  runner: ProjectionRunner;
  rules: ProjectionRules;
  ownership: OwnershipFold<unknown>;
  /** The wall clock, for "idle for 28 days" when the query names no instant. */
  nowIso: () => string;
  /** The policy's time zone: a bare date asked about (asOf=2026-01-01) is the end of that day there. Default Asia/Shanghai. */
  timeZone?: string;
}

/** Where an answer stands: the cut it was read from. */
export interface CutInfo {
  position: number;
  asOf: string | null;
  validAt: string | null;
}

export interface PartnerAnswer {
  partnerId: string;
  name: string;
  kind: string;
  tier: string | null;
  parentPartnerId: string | null;
  territory: string | null;
  signedAt: string;
  tierHistory: TierStep[];
}

export interface TierAnswer {
  partnerId: string;
  tier: string;
  since: string;
}

export interface AuditEntry {
  position: number;
  revision: number;
  eventId: string;
  type: string;
  occurredAt: string;
  recordedAt: string;
  actor: { role: string; id: string };
  commandId: string | null;
  prevHash: string;
  hash: string;
  data: unknown;
  /** Whether this event counts at validAt (false: it occurred later than the instant asked about). */
  inValidTime: boolean;
  /** The ownership after this event (among the events that count), with the rule applied. */
  ownership: OwnershipView;
}

export interface AuditAnswer {
  customerKey: string;
  cut: CutInfo;
  events: AuditEntry[];
  ownership: OwnershipView;
  /** Events recorded after the cut that would change the answer (asOf given only). */
  laterChanges: Array<{ position: number; type: string; recordedAt: string; occurredAt: string; ownerAfter: string | null; rule: string }>;
}

export interface EventsPage {
  events: Array<Omit<EventEnvelope, 'position' | 'revision'> & { position: number; revision: number }>;
  /** The position to ask from next, or null at the head. */
  next: number | null;
}

/** Validates and canonicalises the two instants of a query (RangeError names the bad one). */
export function timeQuery(asOf?: string | null, validAt?: string | null): TimeQuery {
  return {
    asOf: asOf ? canonicalInstant(asOf, 'asOf') : undefined,
    validAt: validAt ? canonicalInstant(validAt, 'validAt') : undefined,
  };
}

/** How many tiers answers are kept (by what the partners tables hold at the cut, and validAt). */
const TIERS_CACHE_ENTRIES = 64;

export class LedgerQueries {
  /** Tiers answers by read.partnersContentKey and validAt: the same rows give the same answer. */
  private readonly tiersByContent = new Map<string, TierAnswer[]>();
  /** The content key last read, by position (the rows at or below a position never change). */
  private lastContentKey: { position: number; key: string } | null = null;

  constructor(private readonly deps: QueryDeps) {}

  private get db() {
    return this.deps.runner.db;
  }

  /** The policy's time zone, in which a bare date asked about ends (src/domain/query-time.ts). */
  get timeZone(): string {
    return this.deps.timeZone ?? 'Asia/Shanghai';
  }

  /** The query with every bare date resolved to the end of that day in the policy's zone. */
  resolveTime<T extends TimeQuery>(query: T): T {
    return resolveQueryTime(query, this.timeZone);
  }

  /** The cut a query reads: the read model's position, cut further by asOf, filtered by validAt. */
  cut(query: TimeQuery = {}): LogCut {
    this.need('clock');
    return read.resolveCut(this.db, this.resolveTime(query), this.deps.runner.position());
  }

  /**
   * Refuses (ProjectionRebuildingError: 503 with the rebuild's progress) when a projection this
   * answer reads is rebuilt beside with no old tables to answer from (projections/rebuild-beside.ts).
   */
  need(...projections: ProjectionName[]): void {
    this.deps.runner.requireServing(...projections);
  }

  cutInfo(query: TimeQuery = {}): CutInfo {
    const c = this.cut(query);
    return { position: c.position, asOf: c.asOf, validAt: c.validAt };
  }

  async partner(partnerId: string, query: TimeQuery = {}): Promise<PartnerAnswer | null> {
    this.need('partners');
    const cut = this.cut(query);
    const row = read.partnerAt(this.db, partnerId, cut);
    if (!row) return null;
    const history = read.tierHistoryAt(this.db, partnerId, cut);
    return {
      partnerId: row.partnerId,
      name: row.name,
      kind: row.kind,
      tier: history.at(-1)?.tier ?? null,
      parentPartnerId: row.parentPartnerId,
      territory: row.territory,
      signedAt: row.signedAt,
      tierHistory: history,
    };
  }

  async balance(partnerId: string, query: TimeQuery = {}): Promise<BalanceView | null> {
    this.need('partners', 'balances');
    const cut = this.cut(query);
    const partner = read.partnerAt(this.db, partnerId, cut);
    if (!partner) return null;
    return this.balanceAt(partnerId, partner.kind, cut);
  }

  /** Balances of every partner signed within the cut. */
  async balances(query: TimeQuery = {}): Promise<BalanceView[]> {
    this.need('partners', 'balances');
    const cut = this.cut(query);
    return read.partnersAt(this.db, cut).map((p) => this.balanceAt(p.partnerId, p.kind, cut));
  }

  /** The policy history (src/ledger/policy-book.ts): a deposit requirement on a date is the version in force then. */
  private policyAt: ((instant: string, asOf: string | null) => Policy) | null = null;

  usePolicyHistory(policyAt: (instant: string, asOf: string | null) => Policy): void {
    this.policyAt = policyAt;
  }

  private depositRequiredAt(tier: string, kind: string, cut: LogCut): number {
    if (this.policyAt === null) return this.deps.rules.depositRequiredFen(tier, kind);
    const policy = this.policyAt(cut.validAt ?? cut.asOf ?? this.deps.nowIso(), cut.asOf);
    return policy.tiers.includes(tier) ? depositRequiredFen(policy, tier, kind) : this.deps.rules.depositRequiredFen(tier, kind);
  }

  private balanceAt(partnerId: string, kind: string, cut: LogCut): BalanceView {
    const totals = read.balanceTotalsAt(this.db, partnerId, cut);
    const tier = read.tierAt(this.db, partnerId, cut)?.tier ?? null;
    const required = tier === null ? 0 : this.depositRequiredAt(tier, kind, cut);
    const creditLimitFen = kind === WHOLESALE_VOICE ? totals.deposit : null;
    const creditStatus = kind === WHOLESALE_VOICE ? creditStatusOf(totals.deposit, totals.trafficOutstanding) : 'active';
    return balanceView(partnerId, totals, (t) => this.deps.rules.payableOf(t), required, creditLimitFen, creditStatus);
  }

  /** A partner's tier certificates, one per evaluated quarter, as of the query's instants (null: no such partner). */
  async certificates(partnerId: string, query: TimeQuery = {}): Promise<read.CertificateRow[] | null> {
    this.need('partners');
    const cut = this.cut(query);
    if (!read.partnerAt(this.db, partnerId, cut)) return null;
    return read.certificatesAt(this.db, partnerId, cut);
  }

  async tiers(query: TimeQuery = {}): Promise<TierAnswer[]> {
    this.need('partners');
    const cut = this.cut(query);
    if (this.lastContentKey?.position !== cut.position) this.lastContentKey = { position: cut.position, key: read.partnersContentKey(this.db, cut.position) };
    const key = `${this.lastContentKey.key}|${cut.validAt ?? ''}`;
    let answer = this.tiersByContent.get(key);
    if (!answer) {
      answer = read.tiersAt(this.db, cut).map((t) => Object.freeze(t));
      if (this.tiersByContent.size >= TIERS_CACHE_ENTRIES) this.tiersByContent.delete(this.tiersByContent.keys().next().value as string);
      this.tiersByContent.set(key, answer);
    }
    return answer.slice();
  }

  async ownership(customerKey: string, query: TimeQuery = {}): Promise<OwnershipView | null> {
    this.need('ownership');
    const cut = this.cut(query);
    const events = read.claimEventsAt(this.db, customerKey, cut);
    if (events.length === 0) return null;
    return this.foldOwnership(customerKey, events.map(claimEnvelope));
  }

  private foldOwnership(customerKey: string, events: readonly ClaimEnvelope[]): OwnershipView {
    const fold = this.deps.ownership;
    let state = fold.initial(customerKey);
    for (const e of events) state = fold.evolve(state, e);
    return fold.view(state, customerKey);
  }

  async pipeline(query: TimeQuery & { partnerId?: string } = {}): Promise<PipelineReport> {
    this.need('pipeline', 'ownership'); // the deal facts are the ownership projection's claim events
    const cut = this.cut(query);
    const deals = new Map<string, DealView>();
    for (const fact of read.dealFactsAt(this.db, cut)) applyDealFact(deals, fact);
    return pipelineReport(deals.values(), cutInstant(cut, this.deps.nowIso()), this.deps.rules.idleWindowDays, query.partnerId);
  }

  /**
   * The weekly report (src/domain/weekly-report.ts) of one week's window: the facts occurred by
   * the review, as the ledger knew them at asOf (now when not given).
   */
  async weekly(window: WeekWindow, query: { asOf?: string | undefined; partnerId?: string | undefined } = {}): Promise<WeeklyReport & { position: number }> {
    this.need('pipeline', 'ownership', 'statements');
    const cut = this.cut({ asOf: query.asOf, validAt: window.review });
    const report = weeklyReport(window, read.dealFactsAt(this.db, cut), read.contractPortsAt(this.db, cut), read.firstPaymentsAt(this.db, cut), query.partnerId);
    return { ...report, position: cut.position };
  }

  async statement(partnerId: string, quarter: string, query: TimeQuery = {}): Promise<VersionedStatement | null> {
    this.need('partners', 'statements');
    const cut = this.cut(query);
    if (!read.partnerAt(this.db, partnerId, cut)) return null;
    const lines = read.statementLinesAt(this.db, partnerId, quarter, cut);
    const adjustments = read.statementAdjustmentsAt(this.db, partnerId, quarter, cut);
    const statement = statementOf(lines, read.payoutAt(this.db, partnerId, quarter, cut), partnerId, quarter, adjustments);
    const versions = await this.policyVersionsOf(new Set(statement.lines.map((l) => l.customerKey)));
    return { ...statement, lines: statement.lines.map((l) => ({ ...l, policyVersion: versions.get(l.eventId) ?? null })) };
  }

  /** The policy version each commission line was decided under, from its customers' streams (the event's policyVersion). */
  private async policyVersionsOf(customerKeys: ReadonlySet<string>): Promise<Map<string, string | null>> {
    const versions = new Map<string, string | null>();
    for (const key of customerKeys) {
      for (const e of await this.deps.store.readStream(customerStream(key))) {
        if (e.type === 'CommissionAccrued' || e.type === 'CommissionClawedBack') versions.set(e.eventId, e.policyVersion);
      }
    }
    return versions;
  }

  /**
   * The auditor's account of one customer: every event of its stream inside the asOf cut, in
   * order, with both times, actor and hash, and the ownership after it. With validAt, events
   * that occurred later are listed but do not count. With asOf, the events recorded later that
   * changed the answer are listed too.
   */
  async auditCustomer(customerKey: string, query: TimeQuery = {}): Promise<AuditAnswer | null> {
    const cut = this.cut(query);
    const stream = await this.deps.store.readStream(customerStream(customerKey));
    const known = stream.filter((e) => Number(e.position) <= cut.position);
    if (known.length === 0) return null;
    const fold = this.deps.ownership;
    let state = fold.initial(customerKey);
    let view = fold.view(state, customerKey);
    const events: AuditEntry[] = [];
    for (const e of known) {
      const counts = cut.validAt === null || e.occurredAt <= cut.validAt;
      if (counts) {
        state = fold.evolve(state, e);
        view = fold.view(state, customerKey);
      }
      events.push(auditEntry(e, counts, view));
    }
    const laterChanges: AuditAnswer['laterChanges'] = [];
    if (cut.asOf !== null) {
      let later = state;
      let owner = view.ownerDealId;
      for (const e of stream.filter((x) => Number(x.position) > cut.position)) {
        if (cut.validAt !== null && e.occurredAt > cut.validAt) continue;
        later = fold.evolve(later, e);
        const after = fold.view(later, customerKey);
        if (after.ownerDealId !== owner || e.type === 'DealRegistered' || e.type === 'OwnershipRuled') {
          laterChanges.push({
            position: jsonPosition(e.position),
            type: e.type,
            recordedAt: e.recordedAt,
            occurredAt: e.occurredAt,
            ownerAfter: after.ownerDealId,
            rule: after.rule,
          });
        }
        owner = after.ownerDealId;
      }
    }
    return { customerKey, cut: { position: cut.position, asOf: cut.asOf, validAt: cut.validAt }, events, ownership: view, laterChanges };
  }

  /** The raw event feed in global order from a position (inclusive), at most `limit` events. */
  async events(fromPosition: bigint, limit: number): Promise<EventsPage> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new RangeError(`limit must be 1..10000, got ${limit}`);
    if (fromPosition < 1n) throw new RangeError(`from must be a position ≥ 1, got ${fromPosition}`);
    const page: EventsPage['events'] = [];
    for await (const e of this.deps.store.readAll({ fromPosition, batchSize: Math.min(limit + 1, 1000) })) {
      if (page.length === limit) {
        return { events: page, next: jsonPosition(e.position) };
      }
      page.push(wireEvent(e));
    }
    return { events: page, next: null };
  }
}

/** A stored claim event as the ownership fold reads it. */
export function claimEnvelope(r: read.ClaimEventRow): ClaimEnvelope {
  return {
    type: r.type as ClaimEnvelope['type'],
    data: r.data as ClaimEnvelope['data'],
    position: BigInt(r.position),
    occurredAt: r.occurredAt,
    recordedAt: r.recordedAt,
    eventId: r.eventId,
  };
}

/**
 * A log position (or stream revision) as a JSON number, as every answer gives positions. Exact up
 * to 2^53 − 1, which no log reaches (EventStoreDB's are byte offsets: 8 PiB of log).
 */
export function jsonPosition(position: bigint): number {
  if (position > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`position ${position} is beyond what JSON numbers hold exactly`);
  return Number(position);
}

function wireEvent(e: EventEnvelope): EventsPage['events'][number] {
  return { ...e, position: jsonPosition(e.position), revision: jsonPosition(e.revision) };
}

function auditEntry(e: EventEnvelope, counts: boolean, ownership: OwnershipView): AuditEntry {
  return {
    position: jsonPosition(e.position),
    revision: jsonPosition(e.revision),
    eventId: e.eventId,
    type: e.type,
    occurredAt: e.occurredAt,
    recordedAt: e.recordedAt,
    actor: e.actor,
    commandId: e.commandId,
    prevHash: e.prevHash,
    hash: e.hash,
    data: e.data,
    inValidTime: counts,
    ownership,
  };
}
