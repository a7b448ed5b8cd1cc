// Wholesale-voice traffic on a reseller's partner stream: billed traffic is a debt of the
// reseller; its deposit is the credit limit that decides whether service goes on.
// Outstanding traffic = billed − settled. This file holds the state and its evolve; the
// decisions are in traffic-decide.ts, the suspension and resumption in credit-suspension.ts.
import { requireRunningTotal } from './errors.js';
import type { EventDataOf } from './events.js';

export interface BillRecord {
  amountFen: number;
  period: string;
  /** Recorded while the reseller's credit was suspended. */
  whileSuspended: boolean;
}

export interface TrafficState {
  billedFen: number;
  settledFen: number;
  /** Every bill by its id (a bill id is recorded once). */
  bills: ReadonlyMap<string, BillRecord>;
  /** Every settlement's amount by its id. */
  settlements: ReadonlyMap<string, number>;
  /** The credit status recorded last: true after a CreditSuspended, false after a CreditResumed (credit-suspension.ts). */
  suspended: boolean;
}

export function initialTrafficState(): TrafficState {
  return { billedFen: 0, settledFen: 0, bills: new Map(), settlements: new Map(), suspended: false };
}

export const trafficOutstandingFen = (t: TrafficState): number => t.billedFen - t.settledFen;

export function evolveTrafficBilled(t: TrafficState, d: EventDataOf<'TrafficBilled'>): TrafficState {
  if (t.bills.has(d.billId)) throw new Error(`bill ${d.billId} of partner ${d.partnerId} recorded twice`);
  const next = { ...t, billedFen: t.billedFen + d.amountFen, bills: new Map(t.bills).set(d.billId, { amountFen: d.amountFen, period: d.period, whileSuspended: d.whileSuspended === true }) };
  assertTrafficInvariants(next, d.partnerId);
  return next;
}

export function evolveTrafficSettled(t: TrafficState, d: EventDataOf<'TrafficSettled'>): TrafficState {
  if (t.settlements.has(d.settlementId)) throw new Error(`settlement ${d.settlementId} of partner ${d.partnerId} recorded twice`);
  const next = { ...t, settledFen: t.settledFen + d.amountFen, settlements: new Map(t.settlements).set(d.settlementId, d.amountFen) };
  assertTrafficInvariants(next, d.partnerId);
  return next;
}

export function evolveCreditSuspended(t: TrafficState, d: EventDataOf<'CreditSuspended'>): TrafficState {
  if (t.suspended) throw new Error(`partner ${d.partnerId}'s credit suspended twice without a resumption`);
  return { ...t, suspended: true };
}

export function evolveCreditResumed(t: TrafficState, d: EventDataOf<'CreditResumed'>): TrafficState {
  if (!t.suspended) throw new Error(`partner ${d.partnerId}'s credit resumed while it was not suspended`);
  return { ...t, suspended: false };
}

function assertTrafficInvariants(t: TrafficState, partnerId: string): void {
  requireRunningTotal(t.billedFen, `partner ${partnerId}'s billed traffic`);
  requireRunningTotal(t.settledFen, `partner ${partnerId}'s settled traffic`);
  if (trafficOutstandingFen(t) < 0) throw new Error(`partner ${partnerId}: settled traffic exceeds billed traffic`);
}

/** A reseller's use of its credit: the limit is the deposit it holds now. */
export interface CreditUse {
  creditLimitFen: number;
  trafficOutstandingFen: number;
  /** What may still be billed; 0 when a deduction took the deposit below the outstanding traffic. */
  creditAvailableFen: number;
}

export function creditUseOf(depositFen: number, outstandingFen: number): CreditUse {
  if (depositFen < 0 || outstandingFen < 0) throw new Error('deposit and outstanding traffic are never negative');
  return { creditLimitFen: depositFen, trafficOutstandingFen: outstandingFen, creditAvailableFen: Math.max(0, depositFen - outstandingFen) };
}
