// A partner's stream (partner-<id>): signing, deposits and deductions, tier changes, payouts.
import { type CustomerBillsState, evolveArrearsDeducted, evolveArrearsExempted, evolveBillCollected, evolveBillIssued, initialCustomerBills } from './customer-bills.js';
import type { FoldFact } from './fact.js';
import { assertPositionGrows } from './fact.js';
import { assertNever, requireRunningTotal } from './errors.js';
import type { EventDataOf } from './events.js';
import { evolveRebates, initialRebateState, type RebateState } from './rebates.js';
import { evolveCreditResumed, evolveCreditSuspended, evolveTrafficBilled, evolveTrafficSettled, initialTrafficState, type TrafficState } from './traffic.js';

export type PartnerKind = EventDataOf<'PartnerSigned'>['kind'];

export interface TierStep {
  tier: string;
  /** When the tier took effect (the event's occurredAt). */
  since: string;
  position: bigint;
  source: 'signing' | 'manual' | 'evaluation';
  quarter: string | null;
}

export interface PaidQuarter {
  quarter: string;
  quarterEnd: string;
  netFen: number;
  paidFen: number;
  position: bigint;
}

export interface PartnerState {
  partnerId: string | null;
  signed: boolean;
  name: string | null;
  kind: PartnerKind | null;
  parentPartnerId: string | null;
  territory: string | null;
  signedAt: string | null;
  /** Tier steps ordered by (since, position): the tier at an instant is the last step at or before it. */
  tierHistory: readonly TierStep[];
  depositFen: number;
  debtFen: number;
  paidQuarters: ReadonlyMap<string, PaidQuarter>;
  /** The latest quarter paid so far (quarters compare as strings: "2026-Q3"). */
  lastPaidQuarter: string | null;
  /** Event ids of commission lines (accruals, clawbacks) already settled by a payout. */
  settledLineIds: ReadonlySet<string>;
  /** Quarters whose tier evaluation moved this partner (recorded TierChanged with source evaluation). */
  evaluatedQuarters: ReadonlySet<string>;
  /** Quarters this partner holds a tier certificate for (TierCertified), with the tier certified. */
  certifiedQuarters: ReadonlyMap<string, string>;
  /** Wholesale-voice traffic billed and settled (traffic.ts). */
  traffic: TrafficState;
  /** The rebate programme: commitments, purchases, lock, rebates (rebates.ts). */
  rebates: RebateState;
  /** Bills to the partner's customers it is to collect, their collections, exemptions and deductions (customer-bills.ts). */
  customerBills: CustomerBillsState;
  lastPosition: bigint;
}

export function initialPartnerState(): PartnerState {
  return {
    partnerId: null,
    signed: false,
    name: null,
    kind: null,
    parentPartnerId: null,
    territory: null,
    signedAt: null,
    tierHistory: [],
    depositFen: 0,
    debtFen: 0,
    paidQuarters: new Map(),
    lastPaidQuarter: null,
    settledLineIds: new Set(),
    evaluatedQuarters: new Set(),
    certifiedQuarters: new Map(),
    traffic: initialTrafficState(),
    rebates: initialRebateState(),
    customerBills: initialCustomerBills(),
    lastPosition: 0n,
  };
}

export function evolvePartner(state: PartnerState, fact: FoldFact): PartnerState {
  assertPositionGrows(state.lastPosition, fact.position, `partner ${state.partnerId ?? '(unsigned)'}`);
  const next = evolvePartnerEvent(state, fact);
  assertPartnerInvariants(next);
  return { ...next, lastPosition: fact.position };
}

function assertSamePartner(state: PartnerState, partnerId: string, type: string): void {
  if (!state.signed) throw new Error(`${type} for partner ${partnerId} before its PartnerSigned`);
  if (state.partnerId !== partnerId) throw new Error(`${type} for partner ${partnerId} folded into partner ${state.partnerId}`);
}

function evolvePartnerEvent(state: PartnerState, fact: FoldFact): PartnerState {
  switch (fact.type) {
    case 'PartnerSigned': {
      const d = fact.data;
      if (state.signed) throw new Error(`partner ${d.partnerId} signed twice`);
      const step: TierStep = { tier: d.tier, since: fact.occurredAt, position: fact.position, source: 'signing', quarter: null };
      return {
        ...state,
        partnerId: d.partnerId,
        signed: true,
        name: d.name,
        kind: d.kind,
        parentPartnerId: d.parentPartnerId,
        territory: d.territory,
        signedAt: fact.occurredAt,
        tierHistory: [step],
      };
    }
    case 'DepositPosted':
      assertSamePartner(state, fact.data.partnerId, fact.type);
      return { ...state, depositFen: state.depositFen + fact.data.amountFen };
    case 'DepositDeducted': {
      const d = fact.data;
      assertSamePartner(state, d.partnerId, fact.type);
      if (d.deductedFen + d.debtFen !== d.requestedFen) throw new Error(`DepositDeducted ${fact.eventId}: deducted + debt ≠ requested`);
      return { ...state, depositFen: state.depositFen - d.deductedFen, debtFen: state.debtFen + d.debtFen, customerBills: evolveArrearsDeducted(state.customerBills, d) };
    }
    case 'CustomerBillIssued':
      assertSamePartner(state, fact.data.partnerId, fact.type);
      return { ...state, customerBills: evolveBillIssued(state.customerBills, fact.data) };
    case 'CustomerBillCollected':
      assertSamePartner(state, fact.data.partnerId, fact.type);
      return { ...state, customerBills: evolveBillCollected(state.customerBills, fact.data) };
    case 'ArrearsExempted':
      assertSamePartner(state, fact.data.partnerId, fact.type);
      return { ...state, customerBills: evolveArrearsExempted(state.customerBills, fact.data) };
    case 'TierChanged': {
      const d = fact.data;
      assertSamePartner(state, d.partnerId, fact.type);
      const step: TierStep = { tier: d.to, since: fact.occurredAt, position: fact.position, source: d.source, quarter: d.quarter };
      const tierHistory = [...state.tierHistory, step].sort(compareSteps);
      const evaluatedQuarters =
        d.source === 'evaluation' && d.quarter !== null ? new Set(state.evaluatedQuarters).add(d.quarter) : state.evaluatedQuarters;
      return { ...state, tierHistory, evaluatedQuarters };
    }
    case 'TierCertified': {
      const d = fact.data;
      assertSamePartner(state, d.partnerId, fact.type);
      if (state.certifiedQuarters.has(d.quarter)) throw new Error(`partner ${d.partnerId} certified twice for ${d.quarter}`);
      return { ...state, certifiedQuarters: new Map(state.certifiedQuarters).set(d.quarter, d.tier) };
    }
    case 'CommissionPaidOut': {
      const d = fact.data;
      assertSamePartner(state, d.partnerId, fact.type);
      const settled = new Set(state.settledLineIds);
      for (const line of d.lines) settled.add(line.eventId);
      const paid: PaidQuarter = { quarter: d.quarter, quarterEnd: d.quarterEnd, netFen: d.netFen, paidFen: d.paidFen, position: fact.position };
      const last = state.lastPaidQuarter === null || d.quarter > state.lastPaidQuarter ? d.quarter : state.lastPaidQuarter;
      return {
        ...state,
        debtFen: state.debtFen - d.debtRecoveredFen,
        settledLineIds: settled,
        paidQuarters: new Map(state.paidQuarters).set(d.quarter, paid),
        lastPaidQuarter: last,
      };
    }
    case 'TrafficBilled':
      assertSamePartner(state, fact.data.partnerId, fact.type);
      return { ...state, traffic: evolveTrafficBilled(state.traffic, fact.data) };
    case 'TrafficSettled':
      assertSamePartner(state, fact.data.partnerId, fact.type);
      return { ...state, traffic: evolveTrafficSettled(state.traffic, fact.data) };
    case 'CreditSuspended':
      assertSamePartner(state, fact.data.partnerId, fact.type);
      return { ...state, traffic: evolveCreditSuspended(state.traffic, fact.data) };
    case 'CreditResumed':
      assertSamePartner(state, fact.data.partnerId, fact.type);
      return { ...state, traffic: evolveCreditResumed(state.traffic, fact.data) };
    case 'CommitmentSet':
    case 'PurchaseRecorded':
    case 'LockedToDistributor':
    case 'RebateEarned':
    case 'RebatePaid':
      assertSamePartner(state, fact.data.partnerId, fact.type);
      return { ...state, rebates: evolveRebates(state.rebates, fact) };
    case 'DealRegistered':
    case 'DealStageAdvanced':
    case 'DealLost':
    case 'ForecastRevised':
    case 'DealTransferred':
    case 'OwnershipRuled':
    case 'ContractSubmitted':
    case 'ContractConfirmed':
    case 'ContractRejected':
    case 'TransferProposed':
    case 'TransferRejected':
    case 'PaymentReceived':
    case 'CommissionAccrued':
    case 'RefundIssued':
    case 'CommissionClawedBack':
      throw new Error(`${fact.type} belongs to a customer stream, not to partner ${state.partnerId ?? '(unsigned)'}`);
    case 'PolicyAdopted':
    case 'CommissionAdjusted':
      throw new Error(`${fact.type} belongs to the policy stream, not to partner ${state.partnerId ?? '(unsigned)'}`);
    default:
      return assertNever(fact, 'event type');
  }
}

function compareSteps(a: TierStep, b: TierStep): number {
  if (a.since !== b.since) return a.since < b.since ? -1 : 1;
  return a.position < b.position ? -1 : a.position > b.position ? 1 : 0;
}

function assertPartnerInvariants(state: PartnerState): void {
  requireRunningTotal(state.depositFen, `partner ${state.partnerId}'s deposit`);
  requireRunningTotal(state.debtFen, `partner ${state.partnerId}'s debt`);
}

/** The tier the partner held at a business instant, or null before its signing. */
export function tierAt(state: PartnerState, instant: string): string | null {
  let tier: string | null = null;
  for (const step of state.tierHistory) {
    if (step.since > instant) break;
    tier = step.tier;
  }
  return tier;
}

/** The partner's tier now: the last step of its history. */
export function currentTier(state: PartnerState): string | null {
  return state.tierHistory[state.tierHistory.length - 1]?.tier ?? null;
}

export function foldPartner(facts: Iterable<FoldFact>): PartnerState {
  let state = initialPartnerState();
  for (const fact of facts) state = evolvePartner(state, fact);
  return state;
}
