// The amount rule: every amount a command carries is a whole, positive number of fen no larger
// than the policy's `limits.maxAmountFen` (default 100,000,000,000 fen: 1 billion CNY). The cap
// keeps every running total a long way inside the range JavaScript counts exactly, so no sum a
// projection keeps can leave it (together with the running-total checks in running-totals.ts).
import { refuse } from './errors.js';
import { formatFen } from './money.js';
import type { Policy } from './policy.js';

/** Refuses an amount that is not a positive safe integer of fen or exceeds the policy's cap. */
export function requireAmountFen(amountFen: number, policy: Policy, what: string): number {
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) {
    refuse('amount-positive', `a ${what} must be a positive whole number of fen, got ${amountFen}`, { amountFen });
  }
  return requireWithinLimit(amountFen, policy, what);
}

/** Refuses an estimate or amount (zero allowed) above the policy's cap. */
export function requireWithinLimit(amountFen: number, policy: Policy, what: string): number {
  const maxAmountFen = policy.limits.maxAmountFen;
  if (!Number.isSafeInteger(amountFen) || amountFen < 0 || amountFen > maxAmountFen) {
    refuse(
      'amount-over-limit',
      `a ${what} of ${amountFen} fen exceeds the policy's limit of ${formatFen(maxAmountFen)} (${maxAmountFen} fen) per fact (policy ${policy.version}, limits.maxAmountFen)`,
      { amountFen, maxAmountFen },
    );
  }
  return amountFen;
}
