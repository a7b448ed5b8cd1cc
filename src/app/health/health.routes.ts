// GET /health: open to anyone, no token.
import { z } from 'zod';
import { defineRoute } from '../http/route.js';

export const HealthAnswer = z
  .object({
    status: z.enum(['ok', 'error']),
    store: z.enum(['sqlite', 'eventstoredb']),
    position: z.number().int().meta({ description: 'The global position of the last event in the log.' }),
    readModelPosition: z.number().int(),
    projectionLag: z.number().int().meta({ description: 'Events the read model has not applied yet.' }),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'Health' });

export const healthRoute = defineRoute({
  id: 'health',
  method: 'GET',
  path: '/health',
  tag: 'health',
  summary: 'Liveness, the store kind, the log position and the projection lag',
  roles: 'anyone',
  successStatus: 200,
  response: HealthAnswer,
});
