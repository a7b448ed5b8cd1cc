// Idempotency-Key on commands: the same key with the same body answers the first answer and
// runs nothing; with another body it is a 409. Only successful answers are kept: a refused
// command wrote nothing, so running it again is safe. Concurrent twins run one at a time.
// A dry run (?dryRun=true) is answered 200 and never stores an answer: with a key already used
// for another body it is the real command's 409; for the same body it answers that the real
// command would replay the first answer and write nothing (wouldReplay); with a new key it runs
// (with the key's command id, so its events carry the ids the real command's would) and the key
// stays unused.
import { CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor } from '@nestjs/common';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { replayDryRunAnswer } from '../../ledger/dry-run.js';
import { isDryRunRequest } from '../http/dry-run.js';
import { conflict, invalidInput } from '../http/problem.js';
import { type RouteSpec, routeSpecOf } from '../http/route.js';
import { commandIdFor, headerOf, pathOf, setAnswerHeader, stateOf, type HttpReply, type HttpRequest } from '../http/request-context.js';
import { IdempotencyStore, idempotencyKeyPattern, requestHash } from './idempotency-store.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(@Inject(IdempotencyStore) private readonly store: IdempotencyStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const keyed = keyedRun(this.store, routeSpecOf(context), http.getRequest<HttpRequest>(), http.getResponse<HttpReply>());
    if (!keyed) return next.handle();
    return from(keyed(() => lastValueFrom(next.handle(), { defaultValue: null })));
  }
}

/** Runs a command request's work (`run`) as its Idempotency-Key says (runs it as it is without one). */
export function runIdempotent(store: IdempotencyStore, spec: RouteSpec | undefined, request: HttpRequest, response: HttpReply, run: () => Promise<unknown>): Promise<unknown> {
  const keyed = keyedRun(store, spec, request, response);
  return keyed ? keyed(run) : run();
}

/**
 * What the key asks of this request: null when the work runs as it is (no key, not a command,
 * no caller), else how to run it. Throws the 400 of a malformed key and the 409 of a dry run with
 * a key used for another body; a dry run is answered 200.
 */
function keyedRun(store: IdempotencyStore, spec: RouteSpec | undefined, request: HttpRequest, response: HttpReply): ((run: () => Promise<unknown>) => Promise<unknown>) | null {
  const key = headerOf(request, IDEMPOTENCY_HEADER);
  const dryRun = spec !== undefined && isDryRunRequest(spec, request.query);
  if (dryRun) response.code(200);
  if (!spec || spec.method !== 'POST' || key === undefined) return null;
  if (!idempotencyKeyPattern.test(key)) {
    throw invalidInput([{ path: 'header.Idempotency-Key', message: 'must be 1–200 printable ASCII characters' }]);
  }
  const state = stateOf(request);
  const principal = state.principal;
  if (!principal) return null;
  let hash: string;
  try {
    hash = requestHash(request.method, pathOf(request), request.body);
  } catch (error) {
    if (error instanceof RangeError) throw invalidInput([{ path: 'body', message: error.message }]);
    throw error;
  }
  state.commandId = commandIdFor(principal.tokenDigestHex, key);
  if (dryRun) {
    const first = store.find(principal.tokenDigestHex, key);
    if (first && first.requestHash !== hash) throw keyReused(key, first.createdAt);
    return first ? () => Promise.resolve(replayDryRunAnswer()) : (run) => run();
  }
  return (run) =>
    store.exclusive(principal.tokenDigestHex, key, async () => {
      const first = store.find(principal.tokenDigestHex, key);
      if (first) {
        if (first.requestHash !== hash) throw keyReused(key, first.createdAt);
        setAnswerHeader(response, REPLAYED_HEADER, 'true');
        return first.body;
      }
      const body = await run();
      await store.recordDurably(principal.tokenDigestHex, key, { requestHash: hash, status: spec.successStatus, body, createdAt: new Date().toISOString() });
      return body;
    });
}

const keyReused = (key: string, firstUsedAt: string) => conflict(`Idempotency-Key "${key}" was first used with another request (${firstUsedAt}); use a new key`);
