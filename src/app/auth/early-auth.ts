// Authentication before the body is read: a Fastify onRequest hook (after the request context
// middleware, before content parsing) that finds the route's spec by its pattern and, for a
// route that needs a token, answers 401 (no token, an unknown one) or 403 (a role the route is
// not for) at once, without waiting for a body a stranger may never finish sending. A caller that
// passes is put on the request for the guard, and its report requests are counted against its
// rate (report-rate.ts: 429 with Retry-After). On routes open to anyone a valid token is noted
// too (GET /health shows more to a manager or an auditor), and an invalid one is ignored.
import type { RouteSpec } from '../http/route.js';
import { forbidden, ProblemError, unauthenticated } from '../http/problem.js';
import { sendProblem } from '../http/problem.filter.js';
import { headerOf, type HttpReply, type HttpRequest, type LedgerRequestState } from '../http/request-context.js';
import { ReportRateLimiter } from '../http/report-rate.js';
import { authenticatorFor } from './authenticator.js';
import type { TokenRegistry } from './tokens.js';

/** What the hook reads of Fastify's request. */
export interface HookRequest {
  method: string;
  headers: HttpRequest['headers'];
  raw: HttpRequest & { ledger?: LedgerRequestState; socket?: object };
  routeOptions?: { url?: string };
  is404?: boolean;
}

export type OnRequestHook = (request: HookRequest, reply: HttpReply) => Promise<unknown>;

/** The route specs by "METHOD /pattern" (HEAD answers as GET). */
export function specsByRoute(specs: readonly RouteSpec[]): Map<string, RouteSpec> {
  return new Map(specs.map((spec) => [`${spec.method} ${spec.path}`, spec]));
}

export function specOfRequest(specs: ReadonlyMap<string, RouteSpec>, request: HookRequest): RouteSpec | undefined {
  const pattern = request.routeOptions?.url;
  if (pattern === undefined || request.is404) return undefined;
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  return specs.get(`${method} ${pattern}`);
}

/** Whether the request still has a body on the wire (then the refusal closes the connection). */
function hasBody(request: HookRequest): boolean {
  const length = headerOf(request as unknown as HttpRequest, 'content-length');
  return (length !== undefined && length !== '0') || headerOf(request as unknown as HttpRequest, 'transfer-encoding') !== undefined;
}

export function earlyAuthHook(tokens: TokenRegistry, routes: readonly RouteSpec[], rate: ReportRateLimiter): OnRequestHook {
  const authenticator = authenticatorFor(tokens);
  const specs = specsByRoute(routes);
  const refuse = (request: HookRequest, reply: HttpReply, problem: ProblemError): HttpReply => {
    if (hasBody(request)) reply.header('Connection', 'close');
    sendProblem(reply, problem);
    return reply;
  };
  return async (request, reply) => {
    const state = request.raw.ledger;
    if (!state || reply.sent) return; // the request context middleware answered already
    const spec = specOfRequest(specs, request);
    const header = headerOf(request.raw, 'authorization');
    if (!spec || spec.roles === 'anyone') {
      if (header) state.principal = authenticator.principalFor(request, header);
      return;
    }
    if (!header) return refuse(request, reply, unauthenticated('send Authorization: Bearer <token>'));
    const principal = authenticator.principalFor(request, header);
    if (!principal) {
      await authenticator.failed(request);
      return refuse(request, reply, unauthenticated('the token is unknown'));
    }
    state.principal = principal;
    if (!spec.roles.includes(principal.role)) {
      return refuse(request, reply, forbidden(`${spec.method} ${spec.path} is for ${spec.roles.join(', ')}; this token is a ${principal.role}'s`));
    }
    const decision = rate.take(principal.tokenDigestHex, ReportRateLimiter.costOf(spec.path));
    if (!decision.ok) {
      reply.header('Retry-After', String(decision.retryAfterSeconds));
      return refuse(
        request,
        reply,
        new ProblemError('too-many-requests', `this token has used its report allowance (LEDGER_REPORT_RATE_PER_MIN); try again in ${decision.retryAfterSeconds} s`),
      );
    }
    return undefined;
  };
}
