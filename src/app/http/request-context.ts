// What the ledger attaches to each request (on Node's request object, which Fastify's wraps): the correlation id (from X-Correlation-Id or a new
// uuid), the caller once authenticated, and the command id; plus the @Caller() decorator that
// hands a controller the context every command needs.
import { createHash } from 'node:crypto';
import { newEventId } from '../../store/ids.js';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Actor } from '../../domain/events.js';
import type { Principal } from '../auth/tokens.js';

export const CORRELATION_HEADER = 'x-correlation-id';
export const correlationIdPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export interface LedgerRequestState {
  correlationId: string;
  startedAtMs: number;
  principal: Principal | null;
  /** The command id of this request: derived from the Idempotency-Key, else a new uuid. */
  commandId: string | null;
}

/**
 * The minimum of a request the ledger reads: Node's IncomingMessage in the middleware, Fastify's
 * request (whose `raw` is that IncomingMessage) in guards, interceptors and filters.
 */
export interface HttpRequest {
  method: string;
  originalUrl?: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  params?: unknown;
  query?: unknown;
  body?: unknown;
  ledger?: LedgerRequestState;
  raw?: HttpRequest;
}

/** Node's ServerResponse (middleware) — what every answer is finally written to. */
export interface HttpResponse {
  statusCode: number;
  headersSent: boolean;
  setHeader(name: string, value: string): void;
  getHeader(name: string): unknown;
  end(body?: string): void;
  on(event: 'finish' | 'close', listener: () => void): void;
}

/** Fastify's reply (what Nest hands guards, interceptors, filters and @Res()). */
export interface HttpReply {
  raw: HttpResponse;
  sent: boolean;
  code(status: number): HttpReply;
  header(name: string, value: string): HttpReply;
  headers(values: Record<string, string>): HttpReply;
  type(contentType: string): HttpReply;
  send(body: string | Buffer): HttpReply;
}

export const isReply = (response: HttpResponse | HttpReply): response is HttpReply => 'raw' in response && typeof (response as HttpReply).code === 'function';

export function stateOf(request: HttpRequest): LedgerRequestState {
  const state = request.ledger ?? request.raw?.ledger;
  if (!state) throw new Error('the request-context middleware did not run for this request');
  return state;
}

/** Sets a header on the answer, whichever of Node's response or Fastify's reply is at hand. */
export function setAnswerHeader(response: HttpResponse | HttpReply, name: string, value: string): void {
  if (isReply(response)) response.header(name, value);
  else response.setHeader(name, value);
}

export function headerOf(request: HttpRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The path without the query string. */
export const pathOf = (request: HttpRequest): string => (request.originalUrl || request.url).split('?')[0] ?? '/';

/** What a command or query handler is told about the call. */
export interface CallContext {
  actor: Actor;
  principal: Principal;
  correlationId: string;
  commandId: string;
}

/** A uuid-shaped id derived from the token digest and the idempotency key (same key → same id). */
export function commandIdFor(tokenDigestHex: string, idempotencyKey: string): string {
  const h = createHash('sha256').update(`${tokenDigestHex}\u0000${idempotencyKey}`, 'utf8').digest('hex');
  const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function callContextOf(request: HttpRequest): CallContext {
  const state = stateOf(request);
  const principal = state.principal;
  if (!principal) throw new Error('@Caller() on a route without authentication');
  // A uuid v7: its time prefix lets the command's events have time-ordered ids (command-handling.ts).
  if (state.commandId === null) state.commandId = newEventId();
  return {
    actor: { role: principal.role, id: principal.id },
    principal,
    correlationId: state.correlationId,
    commandId: state.commandId,
  };
}

/** @Caller(): the authenticated caller, its correlation id and command id. */
export const Caller = createParamDecorator((_data: unknown, context: ExecutionContext): CallContext =>
  callContextOf(context.switchToHttp().getRequest<HttpRequest>()),
);
