// What the server does about clients that misbehave below the routes: a cap on the connections
// one address may hold open, problem answers (with a correlation id and a request-log line) for
// the errors Fastify and Node answer before any hook runs (a malformed URL encoding, an over-long
// path parameter, a request too slow to arrive, headers too large, a malformed request), and 405
// with Allow for a method a known path does not serve.
import { randomUUID } from 'node:crypto';
import type { Server, Socket } from 'node:net';
import { ProblemError, type ProblemKind } from './problem.js';
import { sendProblem } from './problem.filter.js';
import { CORRELATION_HEADER, correlationIdPattern, headerOf, type HttpReply, type HttpRequest, type HttpResponse } from './request-context.js';
import { type RequestLog, roundedMs } from './http-setup.js';

const problemContentType = 'application/problem+json; charset=utf-8';
/** How much of a path a log line repeats (a hostile path can be kilobytes). */
const LOGGED_PATH_CHARS = 120;

const loggedPath = (url: string): string => {
  const path = url.split('?')[0] ?? '/';
  return path.length > LOGGED_PATH_CHARS ? `${path.slice(0, LOGGED_PATH_CHARS)}…(${path.length} chars)` : path;
};

/** The correlation id of a request: the caller's when it is well-formed, else a new uuid. */
export function correlationIdOf(request: Pick<HttpRequest, 'headers'>): string {
  const given = headerOf(request as HttpRequest, CORRELATION_HEADER);
  return given !== undefined && correlationIdPattern.test(given) ? given : randomUUID();
}

/** An address as one client: IPv4-mapped IPv6 ("::ffff:127.0.0.1") is the IPv4 address. */
export function clientAddressOf(socket: Pick<Socket, 'remoteAddress'>): string {
  const address = socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** A whole HTTP/1.1 answer with a problem body, for a socket no request object exists for. */
function rawProblemAnswer(problem: ProblemError, correlationId: string, extraHeaders: Record<string, string> = {}): string {
  const body = JSON.stringify(problem.body());
  const headers = {
    'Content-Type': problemContentType,
    'Content-Length': String(Buffer.byteLength(body)),
    'X-Correlation-Id': correlationId,
    'Cache-Control': 'no-store',
    Connection: 'close',
    ...extraHeaders,
  };
  const reason = problem.body().title;
  return `HTTP/1.1 ${problem.status} ${reason}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`;
}

/**
 * At most `max` open connections per client address. The listeners Node's HTTP server put on
 * 'connection' (its request parser) are wrapped, so a connection over the cap never reaches
 * them: nothing it sends is parsed or run. It is answered 503 with Retry-After and closed. The
 * first refusal while an address is at its cap prints one line; the next after it fell below.
 */
export function capConnectionsPerAddress(server: Server, max: number, print: (line: string) => void): { open(address: string): number } {
  const open = new Map<string, number>();
  const warned = new Set<string>();
  const listeners = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    const address = clientAddressOf(socket);
    const count = open.get(address) ?? 0;
    if (count >= max) {
      refuseConnection(socket, address);
      if (!warned.has(address)) {
        warned.add(address);
        print(`refused connections from ${address}: ${count} open (LEDGER_MAX_CONNECTIONS_PER_IP)`);
      }
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
      if (left < max) warned.delete(address);
    });
    for (const listener of listeners) listener.call(server, socket);
  });
  return { open: (address) => open.get(address) ?? 0 };
}

function refuseConnection(socket: Socket, address: string): void {
  const problem = new ProblemError('unavailable', `too many open connections from ${address}; close some and retry`);
  socket.on('error', () => undefined);
  // Read and drop what the client sends (closing with unread data would reset the connection
  // before the client reads the answer); close once the client does, or after a second.
  socket.resume();
  socket.end(rawProblemAnswer(problem, randomUUID(), { 'Retry-After': '1' }));
  const timer = setTimeout(() => socket.destroy(), 1_000);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** What a Fastify framework-error handler is given. */
interface FrameworkRequest {
  method?: string;
  url?: string;
  headers: HttpRequest['headers'];
  raw?: { method?: string; url?: string };
}

const frameworkProblems: Record<string, (error: Error) => ProblemError> = {
  FST_ERR_BAD_URL: () => new ProblemError('invalid-input', 'the URL is not validly percent-encoded'),
  FST_ERR_MAX_PARAM_LENGTH: () => new ProblemError('uri-too-long', 'a path parameter is longer than the ledger accepts'),
  FST_ERR_ASYNC_CONSTRAINT: () => new ProblemError('invalid-input', 'the request could not be routed'),
};

/**
 * Fastify's `frameworkErrors`: the router's refusals (before any hook or middleware) as problems
 * with the correlation id and the request-log line every other answer has.
 */
export function frameworkErrorsHandler(log: RequestLog | null): (error: Error & { code?: string }, request: FrameworkRequest, reply: HttpReply) => void {
  return (error, request, reply) => {
    const startedAtMs = performance.now();
    const correlationId = correlationIdOf(request);
    const make = frameworkProblems[error.code ?? ''];
    const problem = make ? make(error) : new ProblemError('invalid-input', 'the request could not be routed');
    reply.header('X-Correlation-Id', correlationId);
    reply.header('Cache-Control', 'no-store');
    sendProblem(reply, problem);
    if (log) {
      const method = request.raw?.method ?? request.method ?? '-';
      const url = request.raw?.url ?? request.url ?? '/';
      log({ method, path: loggedPath(url), status: problem.status, ms: roundedMs(performance.now() - startedAtMs), correlationId });
    }
  };
}

const clientErrorKinds: Record<string, { kind: ProblemKind; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { kind: 'request-timeout', detail: 'the request did not arrive in time (LEDGER_HEADERS_TIMEOUT_MS / LEDGER_REQUEST_TIMEOUT_MS)' },
  HPE_HEADER_OVERFLOW: { kind: 'headers-too-large', detail: 'the request headers are too large' },
};

/**
 * Fastify's `clientErrorHandler` (Node's 'clientError': a request too slow to arrive, headers too
 * large, bytes that are not HTTP): a problem answer and a log line, then the socket is closed.
 */
export function clientErrorHandler(log: RequestLog | null): (error: Error & { code?: string }, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const known = clientErrorKinds[error.code ?? ''];
    const problem = new ProblemError(known?.kind ?? 'invalid-input', known?.detail ?? 'the request is not well-formed HTTP/1.1');
    const correlationId = randomUUID();
    if (socket.writable) socket.write(rawProblemAnswer(problem, correlationId));
    socket.destroy();
    log?.({ method: '-', path: '-', status: problem.status, ms: null, correlationId, note: `${error.code ?? 'client error'} from ${clientAddressOf(socket)}` });
  };
}

/**
 * Node's 'checkExpectation' (an `Expect` header other than 100-continue, which Node would answer
 * with a bare 417): a problem with a correlation id and a log line; the connection is closed.
 */
export function expectationFailedHandler(log: RequestLog | null): (request: { method?: string; url?: string; headers: HttpRequest['headers'] }, response: HttpResponse) => void {
  return (request, response) => {
    const correlationId = correlationIdOf(request);
    response.setHeader('X-Correlation-Id', correlationId);
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Connection', 'close');
    sendProblem(response, new ProblemError('expectation-failed', 'only "Expect: 100-continue" is understood; send the request without the Expect header'));
    log?.({ method: request.method ?? '-', path: loggedPath(request.url ?? '/'), status: 417, ms: 0, correlationId });
  };
}

/** Route patterns by method, to tell a wrong method (405) from an unknown path (404). */
export class MethodTable {
  private readonly routes: Array<{ method: string; pattern: RegExp }> = [];

  /** Fastify's onRoute hook feeds it every route as it is registered. */
  add(methods: string | string[], url: string): void {
    const pattern = new RegExp(`^${url
      .split('/')
      .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/')}/?$`);
    for (const method of Array.isArray(methods) ? methods : [methods]) this.routes.push({ method: method.toUpperCase(), pattern });
  }

  /** The methods a path is served with (GET implies HEAD), sorted; empty for an unknown path. */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.routes) if (route.pattern.test(path)) methods.add(route.method);
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  }
}

/** An onRequest hook: a request the router did not match, on a path that exists with other methods, is a 405. */
export function methodNotAllowedHook(table: MethodTable): (request: { is404?: boolean; method: string; url: string; raw: { url?: string } }, reply: HttpReply) => Promise<unknown> {
  return async (request, reply) => {
    if (!request.is404 || reply.sent) return undefined;
    const path = (request.raw.url ?? request.url).split('?')[0] ?? '/';
    const allowed = table.allowed(path);
    if (allowed.length === 0 || allowed.includes(request.method)) return undefined;
    reply.header('Allow', allowed.join(', '));
    sendProblem(reply, new ProblemError('method-not-allowed', `${request.method} is not served on ${loggedPath(path)}; it takes ${allowed.join(', ')}`));
    return reply;
  };
}
