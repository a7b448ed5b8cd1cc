// `?dryRun=true` on every command route: the query parameter (only `true` or `false`), whether a
// request asks for a dry run (read with the route's own query schema, so the rule is written
// once), and the dry run's answer as a schema for the OpenAPI document.
import { z } from 'zod';
import { partnerAccounts } from '../../domain/postings.js';
import type { DryRunAnswer } from '../../ledger/dry-run.js';
import type { RouteSpec } from './route.js';

export const DryRunFlag = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .optional()
  .transform((v) => v === 'true')
  .meta({
    description:
      'true: answer the events the command would write and the change to each affected balance (200), writing nothing; a refusal is the real command\'s',
  });

/** The query every command route takes. */
export const DryRunQuery = z.strictObject({ dryRun: DryRunFlag });

/** True when the request's query, parsed by its route's schema, asks for a dry run (an invalid one is the route's 400, not a dry run). */
export function isDryRunRequest(spec: RouteSpec, query: unknown): boolean {
  if (spec.method !== 'POST' || !spec.query) return false;
  const parsed = spec.query.safeParse({ ...(query as object) });
  return parsed.success && (parsed.data as { dryRun?: unknown }).dryRun === true;
}

const Fen = z.number().int().meta({ description: 'Integer fen (CNY minor units)' });
const AccountChange = z.object({ beforeFen: Fen, afterFen: Fen, deltaFen: Fen });
const AccountChanges = z.object(Object.fromEntries(partnerAccounts.map((a) => [a, AccountChange])) as Record<(typeof partnerAccounts)[number], typeof AccountChange>);

export const DryRunAnswerSchema = z
  .object({
    dryRun: z.literal(true),
    events: z.array(
      z.object({
        stream: z.string(),
        revision: z.number().int().min(0).optional().meta({ description: "The event's revision if nothing else is appended to its stream first (not shown to a partner)" }),
        eventId: z.string(),
        type: z.string(),
        data: z.unknown(),
        occurredAt: z.string(),
        actor: z.object({ role: z.string(), id: z.string().nullable() }),
        commandId: z.string().nullable(),
        correlationId: z.string().nullable(),
        causationId: z.string().nullable(),
        policyVersion: z.string().nullable(),
      }),
    ),
    balances: z.object({
      partners: z.array(z.object({ partnerId: z.string(), accounts: AccountChanges })),
      totals: AccountChanges.meta({ description: 'Each account summed over the partners listed' }),
    }),
    wouldReplay: z.literal(true).optional().meta({ description: 'The Idempotency-Key already answered this request: the real command would answer that again and write nothing' }),
  })
  .meta({ id: 'DryRunAnswer', description: 'What the command would write (nothing was written): its events in order and each affected partner\'s accounts before, after and the change, in fen' });

/** Compiles only while the ledger's dry-run answer fits the documented schema. */
export const dryRunAnswerFits = (answer: DryRunAnswer): z.input<typeof DryRunAnswerSchema> => answer;
