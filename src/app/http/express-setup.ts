// What runs before Nest's routing on the Express instance: the request context (correlation id,
// request log line, in-flight count for a graceful stop), the JSON body parser with its size
// limit, and the translation of parser failures into problems (400 malformed JSON, 413, 415).
import { randomUUID } from 'node:crypto';
import { invalidInput, ProblemError } from './problem.js';
import { sendProblem } from './problem.filter.js';
import { CORRELATION_HEADER, correlationIdPattern, headerOf, pathOf, type HttpRequest, type HttpResponse } from './request-context.js';

type Next = (error?: unknown) => void;
type Middleware = (request: HttpRequest, response: HttpResponse, next: Next) => void;
type ErrorMiddleware = (error: unknown, request: HttpRequest, response: HttpResponse, next: Next) => void;

export interface RequestLog {
  (line: string): void;
}

/** Requests being answered, so a stop can wait for them. */
export class InFlight {
  private count = 0;
  private idle: Array<() => void> = [];
  draining = false;

  enter(): void {
    this.count++;
  }

  leave(): void {
    this.count--;
    if (this.count < 0) throw new Error('in-flight request count went below zero');
    if (this.count === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  get size(): number {
    return this.count;
  }

  /** Resolves when no request is in flight, or after timeoutMs. */
  async settle(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

/** Correlation id, log line, in-flight count. */
export function requestContextMiddleware(log: RequestLog | null, inFlight: InFlight): Middleware {
  return (request, response, next) => {
    const startedAtMs = performance.now();
    const given = headerOf(request, CORRELATION_HEADER);
    const valid = given !== undefined && correlationIdPattern.test(given);
    const correlationId = valid ? given : randomUUID();
    request.ledger = { correlationId, startedAtMs, principal: null, commandId: null };
    response.setHeader('X-Correlation-Id', correlationId);
    response.setHeader('Cache-Control', 'no-store');
    inFlight.enter();
    let left = false;
    const done = (): void => {
      if (left) return;
      left = true;
      inFlight.leave();
      if (log) {
        const ms = (performance.now() - startedAtMs).toFixed(1);
        log(`${request.method} ${pathOf(request)} ${response.statusCode} ${ms}ms ${correlationId}`);
      }
    };
    // A response emits 'close' once it is finished or its connection went away: one listener.
    response.on('close', done);
    if (inFlight.draining) response.setHeader('Connection', 'close');
    if (given !== undefined && !valid) {
      sendProblem(response, invalidInput([{ path: 'header.X-Correlation-Id', message: 'must be 1–128 letters, digits, ".", "_", ":" or "-"' }]));
      return;
    }
    next();
  };
}

/** POST bodies must be JSON (415 otherwise); the parser itself is Nest's useBodyParser('json'). */
export function requireJsonMiddleware(): Middleware {
  return (request, response, next) => {
    if (request.method !== 'POST') {
      next();
      return;
    }
    const length = headerOf(request, 'content-length');
    const hasBody = (length !== undefined && length !== '0') || headerOf(request, 'transfer-encoding') !== undefined;
    const type = (headerOf(request, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (hasBody && type !== 'application/json' && !/^application\/[a-z0-9.+-]*\+json$/.test(type)) {
      sendProblem(response, new ProblemError('unsupported-media-type', `send the body as application/json, not "${type || 'no content type'}"`));
      return;
    }
    next();
  };
}

interface ParserError {
  type?: string;
  status?: number;
  message?: string;
  limit?: number;
}

/** The body parser's failures as problems; nothing else passes through here. */
export function bodyParserErrorMiddleware(limitBytes: number): ErrorMiddleware {
  return (error, _request, response, next) => {
    const e = error as ParserError;
    switch (e?.type) {
      case 'entity.parse.failed':
        sendProblem(response, new ProblemError('malformed-json', `the body is not valid JSON: ${e.message ?? 'parse error'}`));
        return;
      case 'entity.too.large':
        sendProblem(response, new ProblemError('body-too-large', `the body is larger than ${limitBytes} bytes`));
        return;
      case 'encoding.unsupported':
      case 'charset.unsupported':
        sendProblem(response, new ProblemError('unsupported-media-type', e.message ?? 'unsupported encoding'));
        return;
      case 'request.aborted':
      case 'request.size.invalid':
      case 'stream.encoding.set':
        sendProblem(response, new ProblemError('invalid-input', e.message ?? 'the body could not be read'));
        return;
      default:
        next(error);
    }
  };
}
