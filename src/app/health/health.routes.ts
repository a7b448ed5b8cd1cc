// GET /health: open to anyone, no token. Always 200 while the process serves: a refusing ledger
// (read-only forensics, or a broken chain found at start or by the background verify) still
// answers reads, so it says `status: "degraded"`, `commands: "refused"` and why, rather than a 503
// that would have an orchestrator restart it (which cannot mend a log) or take the reads away.
import { z } from 'zod';
import { defineRoute } from '../http/route.js';

/** Everything but `status` is for a manager's or an auditor's token only (health-visibility.ts). */
export const HealthAnswer = z
  .object({
    status: z.enum(['ok', 'degraded', 'error']).meta({ description: '"degraded": the process serves reads, but commands are refused (see reason).' }),
    commands: z.enum(['accepted', 'refused']).optional().meta({ description: 'Whether command (POST) routes are served; "refused": each answers 503. (manager, auditor)' }),
    reason: z.string().optional().meta({ description: 'Why commands are refused: forensics mode or the broken chain position. (manager, auditor)' }),
    store: z.enum(['sqlite', 'eventstoredb']).optional().meta({ description: '(manager, auditor)' }),
    position: z.number().int().optional().meta({ description: 'The global position of the last event in the log. (manager, auditor)' }),
    readModelPosition: z.number().int().optional().meta({ description: '(manager, auditor)' }),
    projectionLag: z.number().int().optional().meta({ description: 'Events the read model has not applied yet. (manager, auditor)' }),
    rebuilding: z
      .array(
        z.object({
          projection: z.string(),
          version: z.number().int(),
          fromVersion: z.number().int().nullable(),
          serving: z.enum(['old-tables', 'unavailable']).meta({ description: 'old-tables: its reads answer from the old tables meanwhile; unavailable: they answer 503.' }),
          state: z.enum(['waiting', 'running', 'switched', 'failed']),
          position: z.number().int(),
          head: z.number().int(),
          eventsPerSecond: z.number().nullable(),
          etaSeconds: z.number().nullable(),
          startedAt: z.string(),
          error: z.string().optional(),
        }),
      )
      .optional()
      .meta({ description: 'Projections being rebuilt beside the live ones after a version change, with their progress (docs/operations.md). (manager, auditor)' }),
    details: z.record(z.string(), z.unknown()).optional().meta({ description: "Each indicator's status (manager, auditor)" }),
  })
  .meta({ id: 'Health', description: 'Anyone gets {status}; a manager or an auditor gets the rest too.' });

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
