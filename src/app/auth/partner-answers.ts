// No ledger-wide figures in a partner's answers (issue #19): a global log position tells how much
// everyone else recorded (between two of the partner's own commands, a position jump is other
// partners' activity), so every answer to a partner's token leaves them out: `position` of a
// command's answer, of tier history steps, statement lines and payouts, of a rebates answer's cut,
// and any other log position an answer may carry; a degraded read model is said without why (as
// GET /health tells a partner). The partner gets no replacement sequence: its answers order
// themselves by their own times and ids. A global interceptor (app.module.ts), outside every
// route's own (an idempotent replay passes through it too), so no answer a partner may read can
// forget it. What a partner may learn of other claims is a separate rule
// (src/domain/partner-view.ts), applied by the handlers.
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import type { HttpRequest } from '../http/request-context.js';
import { routeSpecOf } from '../http/route.js';

/** The members of an answer that hold a global log position. */
export const LOG_POSITION_KEYS: ReadonlySet<string> = new Set(['position', 'positions', 'sourcePosition', 'headPosition', 'readModelPosition', 'lastPosition', 'settledPosition']);

/** The answer without a log position at any depth (and a degraded read model without its reason). */
export function withoutLogPositions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLogPositions);
  if (value === null || typeof value !== 'object') return value;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value; // a Buffer, a stream: not a JSON answer
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (LOG_POSITION_KEYS.has(key)) continue;
    if (key === 'readModel' && member !== null && typeof member === 'object') {
      out[key] = { status: (member as { status?: unknown }).status };
      continue;
    }
    out[key] = withoutLogPositions(member);
  }
  return out;
}

/** Every answer of a ledger route (not the OpenAPI document, not the page's files) to a partner's token, without log positions. */
@Injectable()
export class PartnerAnswersInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!routeSpecOf(context)) return next.handle();
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const principal = (request.ledger ?? request.raw?.ledger)?.principal;
    if (principal?.role !== 'partner') return next.handle();
    return next.handle().pipe(map(withoutLogPositions));
  }
}
