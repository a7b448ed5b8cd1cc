// The rebate programme on a partner's stream (distributors and value-added agents): yearly
// commitments, purchases, the distributor an agent is locked to, rebates earned per quarter and
// rebates paid. State and evolve only; the decisions are in rebate-decide.ts.
import type { EventDataOf } from './events.js';

export interface PurchaseFact {
  purchaseId: string;
  amountFen: number;
  productLine: string;
  bid: boolean;
  distributorId: string | null;
  /** When the purchase happened (its quarter is taken from this, in the policy's time zone). */
  occurredAt: string;
}

/** Who owes a rebate: "vendor", or the distributor's partner id. */
export type PayerKey = string;
export const VENDOR_PAYER: PayerKey = 'vendor';
export const payerKeyOf = (payerPartnerId: string | null): PayerKey => payerPartnerId ?? VENDOR_PAYER;

export interface RebateState {
  commitments: ReadonlyMap<number, number>;
  purchases: ReadonlyMap<string, PurchaseFact>;
  /** The distributor this agent is locked to, or null. */
  distributorId: string | null;
  /** The lock is a three-party agreement: a second-level agent (its own steps, paid by the distributor). */
  secondLevel: boolean;
  /** Each evaluated quarter's RebateEarned (amount 0 included): a quarter is evaluated once. */
  earned: ReadonlyMap<string, EventDataOf<'RebateEarned'>>;
  earnedByPayer: ReadonlyMap<PayerKey, number>;
  paidByPayer: ReadonlyMap<PayerKey, number>;
  payments: ReadonlyMap<string, { payerPartnerId: string | null; amountFen: number }>;
}

export function initialRebateState(): RebateState {
  return {
    commitments: new Map(),
    purchases: new Map(),
    distributorId: null,
    secondLevel: false,
    earned: new Map(),
    earnedByPayer: new Map(),
    paidByPayer: new Map(),
    payments: new Map(),
  };
}

export type RebateFact =
  | { type: 'CommitmentSet'; data: EventDataOf<'CommitmentSet'>; occurredAt: string }
  | { type: 'PurchaseRecorded'; data: EventDataOf<'PurchaseRecorded'>; occurredAt: string }
  | { type: 'LockedToDistributor'; data: EventDataOf<'LockedToDistributor'>; occurredAt: string }
  | { type: 'RebateEarned'; data: EventDataOf<'RebateEarned'>; occurredAt: string }
  | { type: 'RebatePaid'; data: EventDataOf<'RebatePaid'>; occurredAt: string };

const add = (m: ReadonlyMap<PayerKey, number>, key: PayerKey, amountFen: number): Map<PayerKey, number> =>
  new Map(m).set(key, (m.get(key) ?? 0) + amountFen);

export function evolveRebates(r: RebateState, fact: RebateFact): RebateState {
  switch (fact.type) {
    case 'CommitmentSet':
      return { ...r, commitments: new Map(r.commitments).set(fact.data.year, fact.data.amountFen) };
    case 'PurchaseRecorded': {
      const d = fact.data;
      if (r.purchases.has(d.purchaseId)) throw new Error(`purchase ${d.purchaseId} recorded twice`);
      const p: PurchaseFact = { purchaseId: d.purchaseId, amountFen: d.amountFen, productLine: d.productLine, bid: d.bid, distributorId: d.distributorId, occurredAt: fact.occurredAt };
      return { ...r, purchases: new Map(r.purchases).set(d.purchaseId, p) };
    }
    case 'LockedToDistributor':
      if (r.distributorId !== null && r.distributorId !== fact.data.distributorId) throw new Error(`partner ${fact.data.partnerId} locked to a second distributor`);
      return { ...r, distributorId: fact.data.distributorId, secondLevel: r.secondLevel || fact.data.secondLevel === true };
    case 'RebateEarned': {
      const d = fact.data;
      if (r.earned.has(d.quarter)) throw new Error(`rebate of ${d.partnerId} for ${d.quarter} earned twice`);
      return { ...r, earned: new Map(r.earned).set(d.quarter, d), earnedByPayer: add(r.earnedByPayer, payerKeyOf(d.payerPartnerId), d.amountFen) };
    }
    case 'RebatePaid': {
      const d = fact.data;
      const key = payerKeyOf(d.payerPartnerId);
      const next = {
        ...r,
        paidByPayer: add(r.paidByPayer, key, d.amountFen),
        payments: new Map(r.payments).set(d.rebatePaymentId, { payerPartnerId: d.payerPartnerId, amountFen: d.amountFen }),
      };
      if (unpaidRebateFen(next, key) < 0) throw new Error(`rebates paid to ${d.partnerId} by ${key} exceed rebates earned`);
      return next;
    }
    default: {
      const never: never = fact;
      throw new Error(`unhandled rebate fact ${JSON.stringify(never)}`);
    }
  }
}

/** Rebate earned from a payer and not yet paid by it. */
export function unpaidRebateFen(r: RebateState, payer: PayerKey): number {
  return (r.earnedByPayer.get(payer) ?? 0) - (r.paidByPayer.get(payer) ?? 0);
}

/** Rebates earned in a year's quarters evaluated so far. */
export function earnedInYearFen(r: RebateState, year: number): number {
  let total = 0;
  for (const e of r.earned.values()) if (e.year === year) total += e.amountFen;
  return total;
}
