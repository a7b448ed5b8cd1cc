// The rebate programme (the equipment vendor's): commitments, purchases, an agent's distributor,
// quarterly step-rebate evaluations, rebate payments, a partner's rebates and the yearly award.
import { z } from 'zod';
import { RebateYear } from '../../domain/events.js';
import { IdParams, TimeQuery, timeQueryShape } from '../http/api-schemas.js';
import { commandRoute } from '../http/command-route.js';
import { defineRoute } from '../http/route.js';
import { AwardsAnswer, RebatesAnswerSchema } from '../http/answers.js';

const tag = 'rebates';
const YearParam = z
  .string()
  .regex(/^\d{4}$/, 'must be a year like 2026')
  .transform(Number)
  .pipe(RebateYear);

export const setCommitmentRoute = commandRoute('setCommitment', {
  path: '/partners/:id/commitments',
  pathFields: { id: 'partnerId' },
  tag,
  summary: "Set a distributor's or value-added agent's yearly purchase commitment (CommitmentSet)",
  description: 'The same amount again writes nothing; a year with an evaluated quarter cannot change (422 commitment-year-evaluated).',
  roles: ['manager'],
});

export const recordPurchaseRoute = commandRoute('recordPurchase', {
  path: '/purchases',
  tag,
  summary: "Record a partner's purchase from the vendor (PurchaseRecorded); occurredAt places it in a quarter",
  description: 'bid: won through a public bid (counts toward the steps, earns no rebate). A purchase dated in a quarter already evaluated for the partner is refused (422).',
  roles: ['finance'],
});

export const lockToDistributorRoute = commandRoute('lockToDistributor', {
  path: '/partners/:id/distributor',
  pathFields: { id: 'partnerId' },
  tag,
  summary: 'Lock a value-added agent to the one distributor it buys through (LockedToDistributor); the distributor then owes its rebates',
  description: 'secondLevel: true records a three-party agreement: the agent is a second-level agent, evaluated on the policy\'s second-level-agent steps. Its purchases through the distributor also climb the distributor\'s steps.',
  roles: ['manager'],
});

export const evaluateRebatesRoute = commandRoute('evaluateRebates', {
  path: '/rebate-evaluations',
  tag,
  summary: 'Evaluate the quarter\'s step rebates: RebateEarned for every programme partner with a commitment for the year',
  description: 'Idempotent per quarter: evaluating it again writes nothing. A quarter earlier than one already evaluated is refused (422).',
  roles: ['finance'],
});

export const payRebateRoute = commandRoute('payRebate', {
  path: '/partners/:id/rebate-payments',
  pathFields: { id: 'partnerId' },
  tag,
  summary: 'Record a rebate paid to the partner by the vendor or by its distributor (RebatePaid)',
  description: 'payer: "vendor" or the distributor\'s id (default: the distributor the agent is locked to, else the vendor). Never more than that payer owes (422).',
  roles: ['finance'],
});

export const getRebatesRoute = defineRoute({
  id: 'getRebates',
  method: 'GET',
  path: '/partners/:id/rebates',
  tag,
  summary: "A partner's rebate year quarter by quarter: target, purchases, step, rate, rebate (partner tokens: their own)",
  roles: ['manager', 'finance', 'auditor', 'partner'],
  params: IdParams,
  query: z.strictObject({ year: YearParam, ...timeQueryShape }),
  successStatus: 200,
  response: RebatesAnswerSchema,
});

export const getAwardsRoute = defineRoute({
  id: 'getAwards',
  method: 'GET',
  path: '/awards/:year',
  tag,
  summary: "The year's top-N value-added agents by purchases of the policy's high-end product line",
  roles: ['manager', 'finance', 'auditor'],
  params: z.strictObject({ year: YearParam }),
  query: TimeQuery,
  successStatus: 200,
  response: AwardsAnswer,
});

export const rebatesRoutes = [setCommitmentRoute, recordPurchaseRoute, lockToDistributorRoute, evaluateRebatesRoute, payRebateRoute, getRebatesRoute, getAwardsRoute];
