// The report page's extra reads (README: "Report routes"), described like every other route:
// roles for the guard, zod schemas for @Input and the OpenAPI document.
import { TimeQuery } from '../http/api-schemas.js';
import { defineRoute } from '../http/route.js';
import { BalancesReportAnswer, CommissionByQuarterAnswer, ConflictsAnswer, SessionAnswer, TiersReportAnswer, TimelineAnswer } from '../http/answers.js';

const tag = 'reports';
const everyRole = ['manager', 'finance', 'auditor', 'partner'] as const;

export const sessionRoute = defineRoute({
  id: 'reportSession',
  method: 'GET',
  path: '/reports/session',
  tag,
  summary: "The caller's role and, for a partner's token, its partner id (the report page's sign-in)",
  roles: everyRole,
  successStatus: 200,
  response: SessionAnswer,
});

export const timelineRoute = defineRoute({
  id: 'reportTimeline',
  method: 'GET',
  path: '/reports/timeline',
  tag,
  summary: "The ledger's own history: events, first and last recordedAt, events known at asOf, the policy's time zone",
  roles: everyRole,
  query: TimeQuery,
  successStatus: 200,
  response: TimelineAnswer,
});

export const tiersReportRoute = defineRoute({
  id: 'reportTiers',
  method: 'GET',
  path: '/reports/tiers',
  tag,
  summary: 'Partners per tier, each with name, tier, since, and the tier at the end of the previous quarter (partner tokens: their own)',
  roles: everyRole,
  query: TimeQuery,
  successStatus: 200,
  response: TiersReportAnswer,
});

export const balancesReportRoute = defineRoute({
  id: 'reportBalances',
  method: 'GET',
  path: '/reports/balances',
  tag,
  summary: "Every partner's balance in fen with name and tier, and the column totals (partner tokens: their own)",
  roles: everyRole,
  query: TimeQuery,
  successStatus: 200,
  response: BalancesReportAnswer,
});

export const commissionByQuarterRoute = defineRoute({
  id: 'reportCommissionByQuarter',
  method: 'GET',
  path: '/reports/commission-by-quarter',
  tag,
  summary: 'Commission accrued, clawed back and paid per quarter, the last 12 quarters (partner tokens: their own)',
  roles: everyRole,
  query: TimeQuery,
  successStatus: 200,
  response: CommissionByQuarterAnswer,
});

export const conflictsReportRoute = defineRoute({
  id: 'reportConflicts',
  method: 'GET',
  path: '/reports/conflicts',
  tag,
  summary: 'Customers with competing claims: owner, every claim, the rule (partner tokens: customers they claim)',
  roles: ['manager', 'auditor', 'partner'],
  query: TimeQuery,
  successStatus: 200,
  response: ConflictsAnswer,
});

export const webReportRoutes = [
  sessionRoute,
  timelineRoute,
  tiersReportRoute,
  balancesReportRoute,
  commissionByQuarterRoute,
  conflictsReportRoute,
];
