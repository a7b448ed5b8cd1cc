// Wholesale-voice traffic on a reseller's partner stream: billed traffic is a debt of the
// reseller, capped by its deposit (the credit limit). Outstanding traffic = billed − settled.
// This file holds the state and its evolve; the decisions are in traffic-decide.ts.
import { requireRunningTotal } from './errors.js';
import type { EventDataOf } from './events.js';

export interface BillRecord {
  amountFen: number;
  period: string;
}

export interface TrafficState {
  billedFen: number;
  settledFen: number;
  /** Every bill by its id (a bill id is recorded once). */
  bills: ReadonlyMap<string, BillRecord>;
  /** Every settlement's amount by its id. */
  settlements: ReadonlyMap<string, number>;
}

export function initialTrafficState(): TrafficState {
  return { billedFen: 0, settledFen: 0, bills: new Map(), settlements: new Map() };
}

export const trafficOutstandingFen = (t: TrafficState): number => t.billedFen - t.settledFen;

export function evolveTrafficBilled(t: TrafficState, d: EventDataOf<'TrafficBilled'>): TrafficState {
  if (t.bills.has(d.billId)) throw new Error(`bill ${d.billId} of partner ${d.partnerId} recorded twice`);
  const next = { ...t, billedFen: t.billedFen + d.amountFen, bills: new Map(t.bills).set(d.billId, { amountFen: d.amountFen, period: d.period }) };
  assertTrafficInvariants(next, d.partnerId);
  return next;
}

export function evolveTrafficSettled(t: TrafficState, d: EventDataOf<'TrafficSettled'>): TrafficState {
  if (t.settlements.has(d.settlementId)) throw new Error(`settlement ${d.settlementId} of partner ${d.partnerId} recorded twice`);
  const next = { ...t, settledFen: t.settledFen + d.amountFen, settlements: new Map(t.settlements).set(d.settlementId, d.amountFen) };
  assertTrafficInvariants(next, d.partnerId);
  return next;
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
