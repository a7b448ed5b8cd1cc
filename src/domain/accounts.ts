// A partner's accounts, named once. The postings move money on them (postings.ts), the balances
// projection keeps their running sums (projections/balances.ts), the command side checks the
// sums stay exact (running-totals.ts); every list, zero and sum of totals is derived from here.

export const partnerAccounts = ['accrued', 'clawedBack', 'paidOut', 'deposit', 'debt', 'trafficOutstanding', 'rebate'] as const;
export type PartnerAccount = (typeof partnerAccounts)[number];

/** One figure per account: a partner's sums, or one event's deltas. */
export type AccountTotals = Record<PartnerAccount, number>;

export function zeroAccountTotals(): AccountTotals {
  const zero = {} as AccountTotals;
  for (const account of partnerAccounts) zero[account] = 0;
  return zero;
}

/** Account by account a + b; `exact` is handed each sum and the account's name (it throws when a sum is out of range). */
export function sumAccountTotals(a: AccountTotals, b: AccountTotals, exact: (sum: number, account: PartnerAccount) => number): AccountTotals {
  const sum = {} as AccountTotals;
  for (const account of partnerAccounts) sum[account] = exact(a[account] + b[account], account);
  return sum;
}
