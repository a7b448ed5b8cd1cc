// GET /health: open to anyone, no token. Always 200 while the process serves: a refusing ledger
// (read-only forensics, or a broken chain found at start or by the background verify) still
// answers reads, so it says `status: "degraded"`, `commands: "refused"` and why, rather than a 503
// that would have an orchestrator restart it (which cannot mend a log) or take the reads away.
import { z } from 'zod';
import { defineRoute } from '../http/route.js';

export const HealthAnswer = z
  .object({
    status: z.enum(['ok', 'degraded', 'error']).meta({ description: '"degraded": the process serves reads, but commands are refused (see reason).' }),
    commands: z.enum(['accepted', 'refused']).meta({ description: 'Whether command (POST) routes are served; "refused": each answers 503.' }),
    reason: z.string().optional().meta({ description: 'Why commands are refused: forensics mode or the broken chain position.' }),
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
  summary: 'Liveness, whether commands are accepted, the store kind, the log position and the projection lag',
  roles: 'anyone',
  successStatus: 200,
  response: HealthAnswer,
});
