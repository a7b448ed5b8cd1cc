// The one exception filter: whatever a route throws, and whatever fails while Fastify reads the
// body, leaves as application/problem+json.
import { ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { PROBLEM_CONTENT_TYPE, type ProblemError, retryAfterSecondsOf } from './problem.js';
import { problemOf, type ProblemContext } from './problem-mapping.js';
import { isReply, type HttpReply, type HttpRequest, type HttpResponse } from './request-context.js';

const problemContentType = `${PROBLEM_CONTENT_TYPE}; charset=utf-8`;

/** Answers a problem on Fastify's reply (routes, filters) or on Node's response (middleware). */
export function sendProblem(response: HttpResponse | HttpReply, problem: ProblemError): void {
  const body = JSON.stringify(problem.body());
  const retryAfter = retryAfterSecondsOf(problem);
  if (isReply(response)) {
    if (response.sent || response.raw.headersSent) {
      response.raw.end();
      return;
    }
    if (problem.status === 401) response.header('WWW-Authenticate', 'Bearer realm="ledger"');
    if (retryAfter !== null) response.header('Retry-After', String(retryAfter));
    response.code(problem.status).type(problemContentType).send(body);
    return;
  }
  if (response.headersSent) {
    response.end();
    return;
  }
  if (problem.status === 401) response.setHeader('WWW-Authenticate', 'Bearer realm="ledger"');
  if (retryAfter !== null) response.setHeader('Retry-After', String(retryAfter));
  response.statusCode = problem.status;
  response.setHeader('Content-Type', problemContentType);
  response.setHeader('Content-Length', String(Buffer.byteLength(body)));
  response.end(body);
}

/** Distinct refusals remembered so each is logged once (a bound, not a limit anyone meets). */
const MAX_LOGGED_REFUSALS = 100;

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ledger');
  /** The 503 refusals already logged: a ledger that refuses commands says so once, not per request. */
  private readonly loggedRefusals = new Set<string>();

  constructor(private readonly context: ProblemContext = {}) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const problem = problemOf(error, this.context);
    if (problem.status >= 500) {
      const request = http.getRequest<HttpRequest>();
      const where = `${request.method} ${(request.originalUrl || request.url).split('?')[0]}`;
      const correlationId = request.ledger?.correlationId ?? request.raw?.ledger?.correlationId ?? '-';
      if (problem.kind === 'unavailable') this.logRefusalOnce(where, correlationId, problem.detail);
      else this.logger.error(`${where} [${correlationId}]: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    sendProblem(http.getResponse<HttpReply>(), problem);
  }

  /** A deliberate refusal (forensics, a broken chain, a store away): one line the first time, no stack. */
  private logRefusalOnce(where: string, correlationId: string, detail: string): void {
    if (this.loggedRefusals.has(detail)) return;
    if (this.loggedRefusals.size >= MAX_LOGGED_REFUSALS) this.loggedRefusals.clear();
    this.loggedRefusals.add(detail);
    this.logger.warn(`503 for ${where} [${correlationId}] and every request refused for the same reason after it (not logged again): ${detail}`);
  }
}
