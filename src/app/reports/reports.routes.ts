// The weekly pipeline report (API.md's GET /reports/pipeline).
import { z } from 'zod';
import { EntityId } from '../../ledger/commands/fields.js';
import { timeQueryShape } from '../http/api-schemas.js';
import { defineRoute } from '../http/route.js';
import { PipelineAnswer } from '../http/answers.js';

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

export const reportsRoutes = [pipelineRoute];
