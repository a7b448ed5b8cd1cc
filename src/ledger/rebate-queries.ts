// Reads of the rebate programme (issue 9), each about any cut (asOf / validAt): a partner's
// year quarter by quarter, and the yearly top-N award by purchases of the high-end line.
import type { EventDataOf } from '../domain/events.js';
import { rankHighEndAward } from '../domain/high-end-award.js';
import type { PartnerKind } from '../domain/partner.js';
import type { Policy } from '../domain/policy.js';
import { quarterStart } from '../domain/quarter.js';
import { type AgentPurchase, isRebateKind, rebateFigures, type PurchaseAmount, type RebateStepKind, SECOND_LEVEL_STEPS } from '../domain/rebate-decide.js';
import type { LogCut, TimeQuery } from '../../projections/cut.js';
import * as read from '../../projections/readers.js';
import { agentPurchasesByQuarterAt, productLineTotalsAt, purchasesByQuarterAt, rebateRowsAt, rebatesOwedByAt } from '../../projections/rebates.js';
import type { LedgerQueries } from './queries.js';
import type { ProjectionRunner } from '../../projections/runner.js';

export interface RebateQuarter {
  quarter: string;
  /** The cumulative target: commitment × the split up to this quarter. */
  cumulativeTarget: number;
  purchases: number;
  bidPurchases: number;
  /** A distributor: its locked agents' purchases through it in the quarter (they climb its steps, earn it nothing). */
  agentPurchases: number;
  /** The year's purchases so far, a distributor's locked agents' included. */
  cumulativePurchases: number;
  /** true: a RebateEarned closed the quarter (figures as recorded); false: a projection from the purchases so far. */
  evaluated: boolean;
  step: number;
  rateBps: number;
  rebate: number;
  payerPartnerId: string | null;
}

export interface RebatesAnswer {
  partnerId: string;
  kind: string;
  year: number;
  cut: { position: number; asOf: string | null; validAt: string | null };
  commitment: number | null;
  distributorId: string | null;
  /** An agent under a three-party agreement: evaluated on the second-level-agent steps. */
  secondLevel: boolean;
  /** The policy's steps for this kind (marked illustrative in the default policy). */
  steps: Array<{ step: number; ofTargetBps: number; rateBps: number }>;
  illustrative: boolean;
  quarters: RebateQuarter[];
  /** Rebates earned in the year's evaluated quarters. */
  earned: number;
  /** Rebates paid to the partner (every year), and what is still owed to it. */
  paid: number;
  unpaid: number;
  /** A distributor: its locked agents' rebates of the year, which it owes. */
  owedToAgents: { total: number; lines: Array<{ agentId: string; quarter: string; amount: number }> };
}

export interface AwardAnswer {
  year: number;
  productLine: string;
  topN: number;
  cut: { position: number; asOf: string | null; validAt: string | null };
  /** Value-added agents only; competition ranking (equal purchases share a rank); every agent ranked within topN is awarded. */
  ranking: Array<{ rank: number; partnerId: string; name: string | null; purchases: number }>;
}

export class RebateQueries {
  constructor(
    private readonly queries: LedgerQueries,
    private readonly runner: ProjectionRunner,
    private readonly policy: Policy,
  ) {}

  private get db() {
    return this.runner.db;
  }

  private cutInfo(cut: LogCut) {
    return { position: cut.position, asOf: cut.asOf, validAt: cut.validAt };
  }

  /** GET /partners/:id/rebates?year=: null when the partner is unknown at the cut. */
  rebates(partnerId: string, year: number, query: TimeQuery = {}): RebatesAnswer | null {
    this.queries.need('partners', 'rebates');
    const cut = this.queries.cut(query);
    const partner = read.partnerAt(this.db, partnerId, cut);
    if (!partner) return null;
    const rows = rebateRowsAt(this.db, partnerId, cut);
    let commitment: number | null = null;
    let distributorId: string | null = null;
    let secondLevel = false;
    let paid = 0;
    let earnedAllYears = 0;
    const earned = new Map<string, EventDataOf<'RebateEarned'>>();
    for (const r of rows) {
      if (r.type === 'CommitmentSet' && r.year === year) commitment = r.amountFen;
      if (r.type === 'LockedToDistributor') {
        distributorId = r.payerPartnerId;
        secondLevel = (r.data as EventDataOf<'LockedToDistributor'>).secondLevel === true;
      }
      if (r.type === 'RebatePaid') paid += r.amountFen;
      if (r.type === 'RebateEarned') {
        earnedAllYears += r.amountFen;
        if (r.year === year && r.quarter !== null) earned.set(r.quarter, r.data as EventDataOf<'RebateEarned'>);
      }
    }
    const programme = this.policy.rebates;
    const stepKind = !isRebateKind(partner.kind) ? null : secondLevel ? SECOND_LEVEL_STEPS : partner.kind;
    const kindSteps = programme && stepKind ? (programme.steps[stepKind] ?? []) : [];
    const quarters = this.quarters(partnerId, stepKind, year, commitment, earned, distributorId, cut);
    const owed = rebatesOwedByAt(this.db, partnerId, year, cut).map((r) => ({ agentId: r.partnerId, quarter: r.quarter ?? '', amount: r.amountFen }));
    return {
      partnerId,
      kind: partner.kind,
      year,
      cut: this.cutInfo(cut),
      commitment,
      distributorId,
      secondLevel,
      steps: kindSteps.map((s, i) => ({ step: i + 1, ofTargetBps: s.ofTargetBps, rateBps: s.rateBps })),
      illustrative: programme?.illustrative ?? false,
      quarters,
      earned: [...earned.values()].reduce((a, e) => a + e.amountFen, 0),
      paid,
      unpaid: earnedAllYears - paid,
      owedToAgents: { total: owed.reduce((a, l) => a + l.amount, 0), lines: owed },
    };
  }

  private quarters(
    partnerId: string,
    stepKind: RebateStepKind | null,
    year: number,
    commitment: number | null,
    earned: ReadonlyMap<string, EventDataOf<'RebateEarned'>>,
    distributorId: string | null,
    cut: LogCut,
  ): RebateQuarter[] {
    const byQuarter = new Map(purchasesByQuarterAt(this.db, partnerId, year, cut).map((p) => [p.quarter, p]));
    const agentRows = stepKind === 'distributor' ? agentPurchasesByQuarterAt(this.db, partnerId, year, cut) : [];
    const purchases: PurchaseAmount[] = [];
    const agentPurchases: AgentPurchase[] = [];
    const out: RebateQuarter[] = [];
    let earnedBefore = 0;
    let cumulative = 0;
    for (const q of [1, 2, 3, 4]) {
      const quarter = `${year}-Q${q}`;
      const p = byQuarter.get(quarter);
      const at = quarterStart(quarter, this.policy.timeZone);
      if (p) {
        purchases.push({ amountFen: p.purchasesFen - p.bidPurchasesFen, bid: false, occurredAt: at }, { amountFen: p.bidPurchasesFen, bid: true, occurredAt: at });
        cumulative += p.purchasesFen;
      }
      let agentFen = 0;
      for (const a of agentRows.filter((r) => r.quarter === quarter)) {
        agentPurchases.push({ partnerId: a.partnerId, amountFen: a.purchasesFen, bid: true, occurredAt: at });
        agentFen += a.purchasesFen;
      }
      cumulative += agentFen;
      const recorded = earned.get(quarter);
      const figures =
        recorded ??
        (commitment !== null && stepKind !== null && this.policy.rebates
          ? { ...rebateFigures(stepKind, commitment, quarter, purchases, earnedBefore, this.policy, agentPurchases), payerPartnerId: distributorId }
          : null);
      out.push({
        quarter,
        cumulativeTarget: figures?.cumulativeTargetFen ?? 0,
        purchases: p?.purchasesFen ?? 0,
        bidPurchases: p?.bidPurchasesFen ?? 0,
        agentPurchases: agentFen,
        cumulativePurchases: cumulative,
        evaluated: recorded !== undefined,
        step: figures?.step ?? 0,
        rateBps: figures?.rateBps ?? 0,
        rebate: figures?.amountFen ?? 0,
        payerPartnerId: figures?.payerPartnerId ?? null,
      });
      earnedBefore += figures?.amountFen ?? 0;
    }
    return out;
  }

  /** GET /awards/:year: value-added agents ranked by purchases of the policy's high-end product line (high-end-award.ts). */
  awards(year: number, query: TimeQuery = {}): AwardAnswer {
    this.queries.need('partners', 'rebates');
    const cut = this.queries.cut(query);
    const awards = this.policy.rebates?.awards ?? { highEndProductLine: 'high-end', topN: 20 };
    const totals = productLineTotalsAt(this.db, year, awards.highEndProductLine, cut);
    const partners = new Map(totals.map((t) => [t.partnerId, read.partnerAt(this.db, t.partnerId, cut)]));
    const candidates = totals.map((t) => ({
      partnerId: t.partnerId,
      kind: (partners.get(t.partnerId)?.kind ?? null) as PartnerKind | null,
      purchasesFen: t.purchasesFen,
    }));
    const ranking = rankHighEndAward(candidates, awards.topN).map((r) => ({ rank: r.rank, partnerId: r.partnerId, name: partners.get(r.partnerId)?.name ?? null, purchases: r.purchasesFen }));
    return { year, productLine: awards.highEndProductLine, topN: awards.topN, cut: this.cutInfo(cut), ranking };
  }
}
