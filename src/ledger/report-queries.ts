// The list answers the report page needs beyond API.md's queries, each built from
// LedgerQueries (src/ledger/queries.ts): nothing here folds events or reads projection tables.
// Every answer takes the same {asOf, validAt} and, for a partner's token, one partner only.
import type { BalanceView } from '../../projections/balances.js';
import type { TimeQuery } from '../../projections/cut.js';
import type { OwnershipView } from '../../projections/ownership.js';
import { compareQuarters, previousQuarter, quarterStart } from '../domain/quarter.js';
import type { EventStore } from '../store/event-store.js';
import type { LedgerQueries } from './queries.js';

export interface ReportDeps {
  queries: LedgerQueries;
  store: EventStore;
  /** The calendar quarter ("2026-Q3") of an instant in the policy's time zone (the projection rules'). */
  quarterOf: (instantIso: string) => string;
  /** The policy's time zone: quarter boundaries and the page's business days. */
  timeZone: string;
  nowIso: () => string;
}

/** Which partner a report is limited to: a partner's token sees only itself. */
export interface ReportScope {
  onlyPartnerId?: string | undefined;
}

export interface TimelineReport {
  /** Events in the whole log now. */
  events: number;
  headPosition: number;
  firstRecordedAt: string | null;
  lastRecordedAt: string | null;
  /** Events the ledger knew at asOf (all of them without asOf). */
  knownEvents: number;
  timeZone: string;
}

export interface TierReportRow {
  partnerId: string;
  name: string;
  kind: string;
  parentPartnerId: string | null;
  tier: string;
  since: string;
  /** The tier at the end of the previous quarter; null when the partner was not signed yet. */
  previousTier: string | null;
}

export interface TiersReport {
  quarter: string;
  previousQuarter: string;
  previousQuarterEnd: string;
  /** Partners per tier; the policy's three tiers are always present. */
  counts: Record<string, number>;
  partners: TierReportRow[];
}

export type BalanceReportRow = BalanceView & { name: string; tier: string | null };
/** Column totals; a credit column of a partner without credit (not a reseller) counts as 0. */
export type BalanceTotals = { [K in Exclude<keyof BalanceView, 'partnerId' | 'creditStatus'>]: number };

export interface BalancesReport {
  partners: BalanceReportRow[];
  totals: BalanceTotals;
}

export interface QuarterCommission {
  quarter: string;
  /** Commission accrued on cash received in the quarter. */
  accrued: number;
  /** Commission clawed back on refunds of cash received in the quarter. */
  clawedBack: number;
  /** What the quarter's payouts paid. */
  paidOut: number;
}

export interface CommissionByQuarterReport {
  quarters: QuarterCommission[];
}

export type ConflictRow = OwnershipView & { customerName: string };

export interface ConflictsReport {
  customers: ConflictRow[];
}

/** The tiers always shown, in the order the page shows them. */
export const reportTiers = ['gold', 'silver', 'standard'] as const;
/** The quarterly chart covers at most this many quarters, the latest ones. */
export const MAX_CHART_QUARTERS = 12;

export class ReportQueries {
  constructor(private readonly deps: ReportDeps) {}

  /** The ledger's own history: its first and last recordedAt, and how much of it asOf knew. */
  async timeline(asked: TimeQuery = {}): Promise<TimelineReport> {
    const query = this.deps.queries.resolveTime(asked);
    const { store, queries, timeZone } = this.deps;
    const head = await store.headPosition();
    const first = head > 0n ? await this.eventAt(1n) : null;
    const last = head > 0n ? await this.eventAt(head) : null;
    const known = query.asOf ? queries.cutInfo({ asOf: query.asOf }).position : Number(head);
    return {
      events: Number(head),
      headPosition: Number(head),
      firstRecordedAt: first?.recordedAt ?? null,
      lastRecordedAt: last?.recordedAt ?? null,
      knownEvents: Math.min(known, Number(head)),
      timeZone,
    };
  }

  private async eventAt(position: bigint) {
    for await (const e of this.deps.store.readAll({ fromPosition: position, toPosition: position, batchSize: 1 })) return e;
    throw new Error(`the log has no event at position ${position}, below its head`);
  }

  /** Tiers with names, counts per tier, and each partner's tier at the end of the previous quarter. */
  async tiers(asked: TimeQuery = {}, scope: ReportScope = {}): Promise<TiersReport> {
    const query = this.deps.queries.resolveTime(asked);
    const { queries } = this.deps;
    const { quarterOf, timeZone } = this.deps;
    const quarter = quarterOf(this.referenceInstant(query));
    const previousQuarterEnd = new Date(Date.parse(quarterStart(quarter, timeZone)) - 1).toISOString();
    const previousQuarter = quarterOf(previousQuarterEnd);
    const now = inScope(await queries.tiers(query), scope);
    const before = new Map((await queries.tiers({ asOf: query.asOf, validAt: previousQuarterEnd })).map((t) => [t.partnerId, t.tier]));
    const partners: TierReportRow[] = [];
    for (const t of now) {
      const partner = await queries.partner(t.partnerId, query);
      if (!partner) throw new Error(`partner ${t.partnerId} has a tier but no signing in the same cut`);
      partners.push({
        partnerId: t.partnerId,
        name: partner.name,
        kind: partner.kind,
        parentPartnerId: partner.parentPartnerId,
        tier: t.tier,
        since: t.since,
        previousTier: before.get(t.partnerId) ?? null,
      });
    }
    const counts: Record<string, number> = Object.fromEntries(reportTiers.map((tier) => [tier, 0]));
    for (const p of partners) counts[p.tier] = (counts[p.tier] ?? 0) + 1;
    return { quarter, previousQuarter, previousQuarterEnd, counts, partners };
  }

  /** Every partner's balance with its name and tier, and the column totals. */
  async balances(asked: TimeQuery = {}, scope: ReportScope = {}): Promise<BalancesReport> {
    const query = this.deps.queries.resolveTime(asked);
    const { queries } = this.deps;
    const views = inScope(await queries.balances(query), scope);
    const tiers = new Map((await queries.tiers(query)).map((t) => [t.partnerId, t.tier]));
    const partners: BalanceReportRow[] = [];
    for (const view of views) {
      const partner = await queries.partner(view.partnerId, query);
      partners.push({ ...view, name: partner?.name ?? view.partnerId, tier: tiers.get(view.partnerId) ?? null });
    }
    return { partners, totals: sumBalances(views) };
  }

  /**
   * Commission per quarter from the partners' statements: accrued and clawed back on the cash of
   * the quarter, and what the quarter's payout paid; the latest quarters up to the reference instant.
   */
  async commissionByQuarter(asked: TimeQuery = {}, scope: ReportScope = {}): Promise<CommissionByQuarterReport> {
    const query = this.deps.queries.resolveTime(asked);
    const { queries } = this.deps;
    const partners = inScope(await queries.tiers(query), scope);
    const signedAt: string[] = [];
    for (const t of partners) {
      const partner = await queries.partner(t.partnerId, query);
      if (partner) signedAt.push(partner.signedAt);
    }
    if (signedAt.length === 0) return { quarters: [] };
    const { quarterOf } = this.deps;
    const firstQuarter = quarterOf(signedAt.sort()[0] as string);
    const quarters = quartersBetween(firstQuarter, quarterOf(this.referenceInstant(query)), MAX_CHART_QUARTERS);
    const rows: QuarterCommission[] = [];
    for (const quarter of quarters) {
      const row: QuarterCommission = { quarter, accrued: 0, clawedBack: 0, paidOut: 0 };
      for (const t of partners) {
        const statement = await queries.statement(t.partnerId, quarter, query);
        if (!statement) continue;
        for (const line of statement.lines) {
          if (line.cashQuarter !== quarter) continue;
          if (line.kind === 'accrual') row.accrued += line.commissionFen;
          else row.clawedBack -= line.commissionFen;
        }
        row.paidOut += statement.payout?.paidFen ?? 0;
      }
      for (const key of ['accrued', 'clawedBack', 'paidOut'] as const) {
        if (!Number.isSafeInteger(row[key]) || row[key] < 0) throw new RangeError(`${quarter} ${key} is not a non-negative safe integer: ${row[key]}`);
      }
      rows.push(row);
    }
    return { quarters: rows };
  }

  /**
   * Customers with competing claims (more than one claim on record), with the owner, every
   * claim and the rule; a partner sees only customers it has a claim on.
   */
  async conflicts(asked: TimeQuery = {}, scope: ReportScope = {}): Promise<ConflictsReport> {
    const query = this.deps.queries.resolveTime(asked);
    const { queries } = this.deps;
    const pipeline = await queries.pipeline(query);
    const names = new Map<string, string>();
    const claimCount = new Map<string, number>();
    for (const partner of pipeline.partners) {
      for (const deal of partner.deals) {
        names.set(deal.customerKey, names.get(deal.customerKey) ?? deal.customerName);
        claimCount.set(deal.customerKey, (claimCount.get(deal.customerKey) ?? 0) + 1);
      }
    }
    const customers: ConflictRow[] = [];
    for (const [customerKey, claims] of [...claimCount].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (claims < 2) continue;
      const ownership = await queries.ownership(customerKey, query);
      if (!ownership) continue;
      if (scope.onlyPartnerId !== undefined && !ownership.claims.some((c) => c.partnerId === scope.onlyPartnerId)) continue;
      customers.push({ ...ownership, customerName: names.get(customerKey) ?? customerKey });
    }
    return { customers };
  }

  /** The instant "now" for a report: validAt, else asOf, else the wall clock. */
  private referenceInstant(query: TimeQuery): string {
    return query.validAt ?? query.asOf ?? this.deps.nowIso();
  }
}

function inScope<T extends { partnerId: string }>(rows: T[], scope: ReportScope): T[] {
  return scope.onlyPartnerId === undefined ? rows : rows.filter((r) => r.partnerId === scope.onlyPartnerId);
}

/** Column totals of balances; every sum stays a safe integer of fen. */
export function sumBalances(views: readonly BalanceView[]): BalanceTotals {
  const totals: BalanceTotals = {
    accrued: 0,
    clawedBack: 0,
    paidOut: 0,
    payable: 0,
    pendingClawback: 0,
    deposit: 0,
    debt: 0,
    depositRequired: 0,
    shortfall: 0,
    creditLimit: 0,
    trafficOutstanding: 0,
    creditAvailable: 0,
    rebateBalance: 0,
  };
  for (const view of views) {
    for (const key of Object.keys(totals) as Array<keyof BalanceTotals>) {
      totals[key] += view[key] ?? 0;
      if (!Number.isSafeInteger(totals[key])) throw new RangeError(`the total of ${key} left the safe-integer range`);
    }
  }
  return totals;
}

/**
 * The quarters from `first` to `last`, both included, in order ("2025-Q4", "2026-Q1", …): the
 * latest `atMost` of them, counted back from `last`, so a signing dated centuries ago (a log may
 * hold any year) costs no more than a recent one.
 */
export function quartersBetween(first: string, last: string, atMost = 400): string[] {
  const quarters: string[] = [];
  for (let quarter = last; quarters.length < atMost && compareQuarters(quarter, first) >= 0; quarter = previousQuarter(quarter)) {
    quarters.push(quarter);
  }
  return quarters.reverse();
}
