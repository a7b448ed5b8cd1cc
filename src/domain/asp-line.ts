// The rule: ASP service revenue is a commission line of its own. DOMAIN.md: "The deposit also
// guards the customers' ASP service revenue, a third service line."
//  - `asp` is a revenue line like port and conference: cash received on it (POST /payments with
//    line "asp") earns the owning partner's tier rate for the commission year, with the same
//    window, rounding, clawback and payout as every line (customer-decide.ts, payout.ts).
//  - Its rates are policy data (commission.ratesBps.asp, a rate per tier and commission year).
//    The programme gives no figures for it: the default policy's are ILLUSTRATIVE placeholders,
//    marked so (commission.illustrativeLines).
//  - A policy file from before the line existed names no asp rates and still loads: its ASP
//    cash is recorded and earns no commission, and the payment says why (noCommissionReason).
import type { Policy, RevenueLineName } from './policy.js';

/** Revenue lines a policy may leave out (a policy written before the line existed). */
export const OPTIONAL_LINES: ReadonlySet<RevenueLineName> = new Set<RevenueLineName>(['asp']);

/** Whether the policy names rates for the line (every required line always has them). */
export function linePaysCommission(policy: Policy, line: RevenueLineName): boolean {
  return policy.commission.ratesBps[line] !== undefined;
}

/** Why cash on a line the policy names no rates for earns nothing. */
export function noRateReason(policy: Policy, line: RevenueLineName): string {
  return `policy ${policy.version} names no ${line} commission rates, so ${line} cash earns no commission`;
}
