// The one exception filter: whatever a route throws leaves as application/problem+json.
import { ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { PROBLEM_CONTENT_TYPE, type ProblemError } from './problem.js';
import { problemOf } from './problem-mapping.js';
import type { HttpRequest, HttpResponse } from './request-context.js';

export function sendProblem(response: HttpResponse, problem: ProblemError): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  if (problem.status === 401) response.setHeader('WWW-Authenticate', 'Bearer realm="ledger"');
  response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem.body()));
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ledger');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const problem = problemOf(error);
    if (problem.status >= 500) {
      const request = http.getRequest<HttpRequest>();
      const where = `${request.method} ${(request.originalUrl || request.url).split('?')[0]}`;
      this.logger.error(`${where} [${request.ledger?.correlationId ?? '-'}]: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    sendProblem(http.getResponse<HttpResponse>(), problem);
  }
}
