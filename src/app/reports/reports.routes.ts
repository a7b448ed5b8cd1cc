// The weekly pipeline report (API.md's GET /reports/pipeline).
import { z } from 'zod';
import { EntityId } from '../../ledger/commands/fields.js';
import { timeQueryShape } from '../http/api-schemas.js';
import { defineRoute } from '../http/route.js';
import { PipelineAnswer, WeeklyAnswer } from '../http/answers.js';

export const pipelineRoute = defineRoute({
  id: 'getPipeline',
  method: 'GET',
  path: '/reports/pipeline',
  tag: 'reports',
  summary: 'Deals by stage per partner with expected ports and revenue; key deals and claims idle for 4 weeks flagged (partner tokens: their own)',
  roles: ['manager', 'auditor', 'partner'],
  query: z.strictObject({ ...timeQueryShape, partnerId: EntityId.optional().meta({ description: 'Only this partner ("direct": the direct sales team)' }) }),
  successStatus: 200,
  response: PipelineAnswer,
});

export const weeklyRoute = defineRoute({
  id: 'getWeeklyReport',
  method: 'GET',
  path: '/reports/weekly',
  tag: 'reports',
  summary:
    "The weekly report as of the week's review (policy.weeklyReview, default Thursday 10:00): per partner its deals (ports, revenue estimate, stage), support needed, new this week against progress on earlier deals, the month's port forecast and sales achieved (partner tokens: their own)",
  description: 'The figures are those occurred by the review, as the ledger knew them at asOf (now when not given). "This week" runs from the previous review to this one.',
  roles: ['manager', 'auditor', 'partner'],
  query: z.strictObject({
    week: z.string().regex(/^\d{4}-W\d{2}$/, 'must be an ISO week like 2025-W14').meta({ description: 'The ISO week, e.g. 2025-W14' }),
    asOf: timeQueryShape.asOf,
    partnerId: EntityId.optional().meta({ description: 'Only this partner ("direct": the direct sales team)' }),
  }),
  successStatus: 200,
  response: WeeklyAnswer,
});

export const reportsRoutes = [pipelineRoute, weeklyRoute];
