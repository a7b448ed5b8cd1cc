// Balances: per partner, the sums of the domain's double-entry postings on its accounts
// (accrued, clawed back, paid out, deposit, debt). Nothing here is a stored counter: a balance
// is always a sum of postings, and payable / shortfall are derived from those sums.
import type { EventEnvelope } from '../src/domain/events.js';

export const balanceAccounts = ['accrued', 'clawedBack', 'paidOut', 'deposit', 'debt', 'trafficOutstanding', 'rebate'] as const;
export type BalanceAccount = (typeof balanceAccounts)[number];
export type AccountTotals = Record<BalanceAccount, number>;

export const zeroTotals = (): AccountTotals => ({ accrued: 0, clawedBack: 0, paidOut: 0, deposit: 0, debt: 0, trafficOutstanding: 0, rebate: 0 });

/** One event's effect on one partner's accounts. */
export interface PartnerDelta {
  partnerId: string;
  deltas: AccountTotals;
}

/** Turns an event into account deltas; supplied from the domain's postings (see domain-bridge.ts). */
export type DeltasOf = (e: EventEnvelope) => PartnerDelta[];

export function addTotals(a: AccountTotals, b: AccountTotals): AccountTotals {
  const sum = {
    accrued: a.accrued + b.accrued,
    clawedBack: a.clawedBack + b.clawedBack,
    paidOut: a.paidOut + b.paidOut,
    deposit: a.deposit + b.deposit,
    debt: a.debt + b.debt,
    trafficOutstanding: a.trafficOutstanding + b.trafficOutstanding,
    rebate: a.rebate + b.rebate,
  };
  for (const account of balanceAccounts) {
    if (!Number.isSafeInteger(sum[account])) throw new RangeError(`balance ${account} left the safe-integer range`);
  }
  return sum;
}

export type BalancesState = ReadonlyMap<string, AccountTotals>;
export const initialBalances = (): BalancesState => new Map();

export function evolveBalances(state: BalancesState, e: EventEnvelope, deltasOf: DeltasOf): BalancesState {
  const deltas = deltasOf(e);
  if (deltas.length === 0) return state;
  const next = new Map(state);
  for (const d of deltas) next.set(d.partnerId, addTotals(next.get(d.partnerId) ?? zeroTotals(), d.deltas));
  return next;
}

/** The API shape of GET /partners/:id/balance, money in fen. */
export interface BalanceView {
  partnerId: string;
  accrued: number;
  clawedBack: number;
  paidOut: number;
  payable: number;
  /**
   * Clawbacks larger than the commission still unsettled, waiting for the next payout to take them
   * from the deposit and then as debt (so payable, never negative, does not hide them).
   */
  pendingClawback: number;
  deposit: number;
  debt: number;
  depositRequired: number;
  shortfall: number;
  /** Wholesale-voice resellers: the deposit is the credit limit for billed traffic (null for other kinds). */
  creditLimit: number | null;
  /** Traffic billed and not yet settled. */
  trafficOutstanding: number;
  /** creditLimit − trafficOutstanding, never below 0 (null for other kinds). */
  creditAvailable: number | null;
  /** A reseller's service: suspended once outstanding traffic reaches the deposit (always active for other kinds). */
  creditStatus: 'active' | 'suspended';
  /** Rebate owed to the partner and not yet paid; negative when a distributor owes its locked agents more. */
  rebateBalance: number;
}

/** What clawbacks exceed the unsettled commission by: accrued − clawed back − paid out below zero. */
export function pendingClawbackOf(totals: AccountTotals): number {
  return Math.max(0, totals.clawedBack + totals.paidOut - totals.accrued);
}

/**
 * Derives the reported balance from account sums. Earned but not yet settled commission is
 * accrued − clawed back − paid out − what payouts settled against the deposit or as debt;
 * payable never goes negative, and debt is reported apart.
 */
export function balanceView(
  partnerId: string,
  totals: AccountTotals,
  payableOf: (t: AccountTotals) => number,
  depositRequiredFen: number,
  /** The credit limit of a wholesale-voice reseller (its deposit), or null for other kinds. */
  creditLimitFen: number | null = null,
  /** The domain's credit status for these figures (src/domain/credit-suspension.ts). */
  creditStatus: 'active' | 'suspended' = 'active',
): BalanceView {
  const payable = payableOf(totals);
  if (payable < 0) throw new RangeError(`payable of ${partnerId} is negative (${payable} fen)`);
  if (totals.deposit < 0) throw new RangeError(`deposit of ${partnerId} is negative (${totals.deposit} fen)`);
  return {
    partnerId,
    accrued: totals.accrued,
    clawedBack: totals.clawedBack,
    paidOut: totals.paidOut,
    payable,
    pendingClawback: pendingClawbackOf(totals),
    deposit: totals.deposit,
    debt: totals.debt,
    depositRequired: depositRequiredFen,
    shortfall: Math.max(0, depositRequiredFen - totals.deposit),
    creditLimit: creditLimitFen,
    trafficOutstanding: totals.trafficOutstanding,
    creditAvailable: creditLimitFen === null ? null : Math.max(0, creditLimitFen - totals.trafficOutstanding),
    creditStatus,
    rebateBalance: totals.rebate,
  };
}
