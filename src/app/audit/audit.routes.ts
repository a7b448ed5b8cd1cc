// The auditor's reads: a customer's whole history, the hash chain, the raw event feed.
import { z } from 'zod';
import { KeyParams, QueryInteger, TimeQuery } from '../http/api-schemas.js';
import { defineRoute } from '../http/route.js';
import { AuditAccountAnswer, EventsPageAnswer, VerifyAnswerSchema } from '../http/answers.js';

const tag = 'audit';
export const MAX_EVENTS_PAGE = 1_000;

export const auditCustomerRoute = defineRoute({
  id: 'auditCustomer',
  method: 'GET',
  path: '/audit/customers/:key',
  tag,
  summary: "A customer's whole event history in order: position, both times, actor, hash, and the ownership after each event",
  roles: ['auditor', 'manager'],
  params: KeyParams,
  query: TimeQuery,
  successStatus: 200,
  response: AuditAccountAnswer,
});

export const verifyRoute = defineRoute({
  id: 'verifyChain',
  method: 'GET',
  path: '/audit/verify',
  tag,
  summary: 'Recompute the hash chain: {ok, events, headHash}; ok false names the first event that does not match',
  roles: ['auditor'],
  successStatus: 200,
  response: VerifyAnswerSchema,
});

export const eventsRoute = defineRoute({
  id: 'events',
  method: 'GET',
  path: '/events',
  tag,
  summary: 'The raw event feed in global order, from a position (inclusive); `next` is where to continue',
  roles: ['auditor'],
  query: z.strictObject({
    from: QueryInteger(1, Number.MAX_SAFE_INTEGER).optional().meta({ description: 'First position (default 1)' }),
    limit: QueryInteger(1, MAX_EVENTS_PAGE).optional().meta({ description: `At most this many events (default 100, at most ${MAX_EVENTS_PAGE})` }),
  }),
  successStatus: 200,
  response: EventsPageAnswer,
});

export const auditRoutes = [auditCustomerRoute, verifyRoute, eventsRoute];
