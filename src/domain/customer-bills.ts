// The rule: customer bills and their collection, on the partner's stream. DOMAIN.md: "The vendor
// deducts from the deposit when a partner ... fails to collect a customer's unpaid bills (unless
// the arrears come from the vendor's own service-quality fault)".
//  - Finance records a bill to one of the partner's customers (CustomerBillIssued): it names
//    the partner's own signed deal, the amount and when the customer was to pay (dueAt). The bill
//    is the partner's to collect, so it lives on the partner's stream (a customer handed to
//    another partner later leaves the bills already issued with the partner that had them).
//  - Collections (CustomerBillCollected) reduce what is outstanding; never more than it; the
//    same collection again writes nothing.
//  - A manager may record that the bill's arrears come from the vendor's own service-quality
//    fault (ArrearsExempted, with a reason): they are never deducted. Recording it again writes
//    nothing.
//  - Once arrears were deducted from the deposit (arrears-deduction.ts) the bill is closed: a
//    later collection or exemption is refused (the money recovered goes back as a deposit).
//  - Bills and collections move none of the partner's accounts (the customer owes the vendor,
//    not the partner): they post nothing; a deduction is a DepositDeducted and posts as one.
import { requireAmountFen } from './amount-limit.js';
import { type DecideContext, eventOf, requiredText, requireManager } from './decide-context.js';
import { refuse } from './errors.js';
import type { EventDataOf, EventOf } from './events.js';
import { formatFen } from './money.js';
import type { PartnerState } from './partner.js';
import { requireSigned } from './partner-decide.js';

export interface CustomerBill {
  billId: string;
  dealId: string;
  customerKey: string;
  amountFen: number;
  dueAt: string;
  collectedFen: number;
  /** Every collection's amount by its id. */
  collections: ReadonlyMap<string, number>;
  /** The vendor's-fault reason when a manager exempted the arrears, else null. */
  exemptReason: string | null;
  /** What a deduction took for the bill (deposit and debt together), once deducted; else null. */
  deductedFen: number | null;
}

export interface CustomerBillsState {
  bills: ReadonlyMap<string, CustomerBill>;
}

export const initialCustomerBills = (): CustomerBillsState => ({ bills: new Map() });

export const outstandingOf = (bill: CustomerBill): number => bill.amountFen - bill.collectedFen;

/** The reference of the deduction that took a bill's arrears from the deposit. */
export const arrearsReference = (billId: string): string => `arrears ${billId}`;

// ---- evolve ----------------------------------------------------------------------------------

export function evolveBillIssued(s: CustomerBillsState, d: EventDataOf<'CustomerBillIssued'>): CustomerBillsState {
  if (s.bills.has(d.billId)) throw new Error(`customer bill ${d.billId} of partner ${d.partnerId} recorded twice`);
  const bill: CustomerBill = { billId: d.billId, dealId: d.dealId, customerKey: d.customerKey, amountFen: d.amountFen, dueAt: d.dueAt, collectedFen: 0, collections: new Map(), exemptReason: null, deductedFen: null };
  return { bills: new Map(s.bills).set(d.billId, bill) };
}

export function evolveBillCollected(s: CustomerBillsState, d: EventDataOf<'CustomerBillCollected'>): CustomerBillsState {
  const bill = requireBill(s, d.billId, d.partnerId);
  if (bill.collections.has(d.collectionId)) throw new Error(`collection ${d.collectionId} of bill ${d.billId} recorded twice`);
  const next = { ...bill, collectedFen: bill.collectedFen + d.amountFen, collections: new Map(bill.collections).set(d.collectionId, d.amountFen) };
  if (outstandingOf(next) < 0) throw new Error(`bill ${d.billId} of partner ${d.partnerId}: collected more than billed`);
  return { bills: new Map(s.bills).set(d.billId, next) };
}

export function evolveArrearsExempted(s: CustomerBillsState, d: EventDataOf<'ArrearsExempted'>): CustomerBillsState {
  const bill = requireBill(s, d.billId, d.partnerId);
  if (bill.exemptReason !== null) throw new Error(`bill ${d.billId} of partner ${d.partnerId} exempted twice`);
  return { bills: new Map(s.bills).set(d.billId, { ...bill, exemptReason: d.reason }) };
}

/** A deduction whose reference names a known bill closes it (any other deduction leaves the bills alone). */
export function evolveArrearsDeducted(s: CustomerBillsState, d: EventDataOf<'DepositDeducted'>): CustomerBillsState {
  if (d.reference === null || !d.reference.startsWith('arrears ')) return s;
  const bill = s.bills.get(d.reference.slice('arrears '.length));
  if (!bill || bill.deductedFen !== null) return s;
  return { bills: new Map(s.bills).set(bill.billId, { ...bill, deductedFen: d.requestedFen }) };
}

function requireBill(s: CustomerBillsState, billId: string, partnerId: string): CustomerBill {
  const bill = s.bills.get(billId);
  if (!bill) throw new Error(`bill ${billId} of partner ${partnerId} is not recorded`);
  return bill;
}

// ---- decide ----------------------------------------------------------------------------------

export interface IssueCustomerBill {
  partnerId: string;
  billId: string;
  dealId: string;
  amountFen: number;
  dueAt: string;
}

/** The deal a bill names, as its customer stream has it (null: no such deal). */
export interface BilledDeal {
  customerKey: string;
  partnerId: string | null;
  signedAt: string | null;
}

export function decideCustomerBill(c: IssueCustomerBill, state: PartnerState, deal: BilledDeal | null, ctx: DecideContext): Array<EventOf<'CustomerBillIssued'>> {
  requireSigned(state, c.partnerId);
  requireAmountFen(c.amountFen, ctx.policy, 'customer bill');
  const known = state.customerBills.bills.get(c.billId);
  if (known) {
    if (known.dealId === c.dealId && known.amountFen === c.amountFen && known.dueAt === c.dueAt) return [];
    refuse('customer-bill-id-taken', `customer bill ${c.billId} is already recorded for partner ${c.partnerId} with ${formatFen(known.amountFen)} due ${known.dueAt}`, { billId: c.billId }, 'conflict');
  }
  if (deal === null) refuse('deal-unknown', `no deal ${c.dealId}`, { dealId: c.dealId }, 'not-found');
  if (deal.partnerId !== c.partnerId) {
    refuse('customer-bill-not-partners-deal', `customer bill refused: deal ${c.dealId} is not partner ${c.partnerId}'s, so its bills are not the partner's to collect`, { dealId: c.dealId, partnerId: c.partnerId });
  }
  if (deal.signedAt === null) {
    refuse('customer-bill-deal-not-signed', `customer bill refused: deal ${c.dealId} is not signed, so its customer is not billed yet`, { dealId: c.dealId });
  }
  return [eventOf('CustomerBillIssued', { partnerId: c.partnerId, billId: c.billId, dealId: c.dealId, customerKey: deal.customerKey, amountFen: c.amountFen, dueAt: c.dueAt })];
}

export interface CollectCustomerBill {
  partnerId: string;
  billId: string;
  collectionId: string;
  amountFen: number;
}

export function decideCollection(c: CollectCustomerBill, state: PartnerState, ctx: DecideContext): Array<EventOf<'CustomerBillCollected'>> {
  requireSigned(state, c.partnerId);
  requireAmountFen(c.amountFen, ctx.policy, 'collection');
  const bill = knownBill(state, c.partnerId, c.billId);
  const known = bill.collections.get(c.collectionId);
  if (known !== undefined) {
    if (known === c.amountFen) return [];
    refuse('collection-id-taken', `collection ${c.collectionId} of bill ${c.billId} is already recorded with ${formatFen(known)}`, { collectionId: c.collectionId }, 'conflict');
  }
  requireNotDeducted(bill, c.partnerId);
  const outstandingFen = outstandingOf(bill);
  if (c.amountFen > outstandingFen) {
    refuse('collection-exceeds-outstanding', `collection ${c.collectionId} of ${formatFen(c.amountFen)} refused: only ${formatFen(outstandingFen)} of bill ${c.billId} is uncollected`, {
      amountFen: c.amountFen,
      outstandingFen,
      excessFen: c.amountFen - outstandingFen,
    });
  }
  return [eventOf('CustomerBillCollected', { partnerId: c.partnerId, billId: c.billId, collectionId: c.collectionId, amountFen: c.amountFen, outstandingFen: outstandingFen - c.amountFen })];
}

export interface ExemptArrears {
  partnerId: string;
  billId: string;
  reason: string;
}

export function decideExemption(c: ExemptArrears, state: PartnerState, ctx: DecideContext): Array<EventOf<'ArrearsExempted'>> {
  requireManager(ctx, 'exemption-needs-manager', "recording the vendor's fault");
  requireSigned(state, c.partnerId);
  const reason = requiredText(c.reason, 'exemption-reason-required', "a reason (the vendor's service-quality fault)");
  const bill = knownBill(state, c.partnerId, c.billId);
  if (bill.exemptReason !== null) return [];
  requireNotDeducted(bill, c.partnerId);
  const outstandingFen = outstandingOf(bill);
  if (outstandingFen === 0) refuse('customer-bill-collected', `bill ${c.billId} is collected in full: it has no arrears to exempt`, { billId: c.billId });
  return [eventOf('ArrearsExempted', { partnerId: c.partnerId, billId: c.billId, reason, outstandingFen })];
}

function knownBill(state: PartnerState, partnerId: string, billId: string): CustomerBill {
  const bill = state.customerBills.bills.get(billId);
  if (!bill) refuse('customer-bill-unknown', `no customer bill ${billId} for partner ${partnerId}`, { billId }, 'not-found');
  return bill;
}

function requireNotDeducted(bill: CustomerBill, partnerId: string): void {
  if (bill.deductedFen !== null) {
    refuse(
      'customer-bill-deducted',
      `bill ${bill.billId}'s arrears (${formatFen(bill.deductedFen)}) were deducted from partner ${partnerId}'s deposit already; record money recovered since as a deposit`,
      { billId: bill.billId, deductedFen: bill.deductedFen },
    );
  }
}
