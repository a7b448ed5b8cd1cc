// Idempotency-Key on commands: the same key with the same body answers the first answer and
// runs nothing; with another body it is a 409. Only successful answers are kept: a refused
// command wrote nothing, so running it again is safe. Concurrent twins run one at a time.
import { CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor } from '@nestjs/common';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { conflict, invalidInput } from '../http/problem.js';
import { routeSpecOf } from '../http/route.js';
import { commandIdFor, headerOf, pathOf, setAnswerHeader, stateOf, type HttpReply, type HttpRequest } from '../http/request-context.js';
import { IdempotencyStore, idempotencyKeyPattern, requestHash } from './idempotency-store.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(@Inject(IdempotencyStore) private readonly store: IdempotencyStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = routeSpecOf(context);
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const key = headerOf(request, IDEMPOTENCY_HEADER);
    if (!spec || spec.method !== 'POST' || key === undefined) return next.handle();
    if (!idempotencyKeyPattern.test(key)) {
      throw invalidInput([{ path: 'header.Idempotency-Key', message: 'must be 1–200 printable ASCII characters' }]);
    }
    const state = stateOf(request);
    const principal = state.principal;
    if (!principal) return next.handle();
    const response = context.switchToHttp().getResponse<HttpReply>();
    let hash: string;
    try {
      hash = requestHash(request.method, pathOf(request), request.body);
    } catch (error) {
      if (error instanceof RangeError) throw invalidInput([{ path: 'body', message: error.message }]);
      throw error;
    }
    state.commandId = commandIdFor(principal.tokenDigestHex, key);
    const run = this.store.exclusive(principal.tokenDigestHex, key, async () => {
      const first = this.store.find(principal.tokenDigestHex, key);
      if (first) {
        if (first.requestHash !== hash) {
          throw conflict(`Idempotency-Key "${key}" was first used with another request (${first.createdAt}); use a new key`);
        }
        setAnswerHeader(response, REPLAYED_HEADER, 'true');
        return first.body;
      }
      const body = await lastValueFrom(next.handle(), { defaultValue: null });
      this.store.record(principal.tokenDigestHex, key, { requestHash: hash, status: spec.successStatus, body, createdAt: new Date().toISOString() });
      return body;
    });
    return from(run);
  }
}
