// What GET /health tells whom (API.md): anyone, a liveness probe, learns only whether the ledger
// is "ok" or "degraded"; the store, the log and read-model positions, the projection lag and
// why commands are refused only a manager's or an auditor's token (taken by the early
// authentication hook; the route itself needs no token). A Fastify preSerialization hook, so the
// controller keeps answering its whole shape.
import type { ApiRole } from '../auth/tokens.js';
import type { LedgerRequestState } from '../http/request-context.js';

export const HEALTH_PATH = '/health';
export const HEALTH_DETAIL_ROLES: readonly ApiRole[] = ['manager', 'auditor'];

interface SerializingRequest {
  routeOptions?: { url?: string };
  raw: { ledger?: LedgerRequestState };
}

/** The health answer as the caller may see it. */
export function healthFor(role: ApiRole | null, answer: unknown): unknown {
  if (role !== null && HEALTH_DETAIL_ROLES.includes(role)) return answer;
  const status = (answer as { status?: unknown } | null)?.status;
  return { status };
}

export function healthVisibilityHook(): (request: SerializingRequest, reply: unknown, payload: unknown) => Promise<unknown> {
  return async (request, _reply, payload) => {
    if (request.routeOptions?.url !== HEALTH_PATH || payload === null || typeof payload !== 'object') return payload;
    if ('type' in payload && 'title' in payload) return payload; // a problem answer
    return healthFor(request.raw.ledger?.principal?.role ?? null, payload);
  };
}
