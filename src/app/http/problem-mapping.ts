// Every error the application can meet, turned into one problem: the API's statuses in one
// place. Unknown errors are 500s (logged); a bad input must never reach that branch.
import { HttpException } from '@nestjs/common';
import { z } from 'zod';
import { DomainRuleError } from '../../domain/errors.js';
import { SchemaViolationError } from '../../domain/events.js';
import { DuplicateEventError, StoreUnavailableError, WrongExpectedRevisionError } from '../../store/event-store.js';
import { fieldProblems } from './route.js';
import { ProjectionRebuildingError } from '../../../projections/rebuild-beside.js';
import { ProblemError, type ProblemKind, problemKinds } from './problem.js';

/** A domain or ledger error that names a missing entity (duck-typed: name ends in "NotFound"). */
function isNotFound(error: Error): boolean {
  return /NotFound(Error)?$/.test(error.name);
}

/** Conflicts with what is stored that other layers may raise (duplicate ids). */
function isConflict(error: Error): boolean {
  return /^(Duplicate|AlreadyExists|Conflict)/.test(error.name) || /(Duplicate|AlreadyExists|Conflict)(Error)?$/.test(error.name);
}

const kindByStatus = new Map<number, ProblemKind>(
  (Object.entries(problemKinds) as Array<[ProblemKind, { status: number }]>).map(([kind, k]) => [k.status, kind]),
);

/** A domain refusal's kind → the API's problem. */
const refusalProblemKind: Record<DomainRuleError['kind'], ProblemKind> = {
  rule: 'rule-refused',
  conflict: 'conflict',
  'not-found': 'not-found',
  forbidden: 'forbidden',
  invalid: 'invalid-input',
};

/** What the body limit is, for the 413 detail (the filter knows it from the server config). */
export interface ProblemContext {
  bodyLimitBytes?: number;
}

/**
 * Fastify's own failures before a route runs (reading and parsing the body) reach the filter as
 * an HttpException whose cause carries Fastify's code; these keep the ledger's problem types.
 */
function problemOfFastifyCode(code: string, message: string, context: ProblemContext): ProblemError | null {
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ProblemError('body-too-large', context.bodyLimitBytes === undefined ? 'the body is too large' : `the body is larger than ${context.bodyLimitBytes} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new ProblemError('unsupported-media-type', message);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ProblemError('invalid-input', message);
    default:
      return null;
  }
}

const fastifyCodeOf = (error: HttpException): string | null => {
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('FST_') ? code : null;
};

/** The request's body stream ended early because the client went away (or was cut off by a timeout). */
function isClientAbort(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return code === 'ECONNRESET' || code === 'ECONNABORTED' || (error.message === 'aborted' && code === undefined);
}

export function problemOf(error: unknown, context: ProblemContext = {}): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error instanceof HttpException) {
    const code = fastifyCodeOf(error);
    const problem = code === null ? null : problemOfFastifyCode(code, error.message, context);
    if (problem) return problem;
  }
  if (error instanceof DomainRuleError) {
    const kind = refusalProblemKind[error.kind];
    const field = error.kind === 'invalid' && typeof error.figures.field === 'string' ? [{ path: `body.${error.figures.field}`, message: error.detail }] : undefined;
    // A business rule or a conflict names its rule in the detail; an unknown id, a forbidden act or a
    // bad field reads as itself (the rule is in the problem's `rule` member all the same), so that
    // another partner's deal and an unknown one answer with the same words.
    const detail = error.kind === 'rule' || error.kind === 'conflict' ? `${error.rule}: ${error.detail}` : error.detail;
    return new ProblemError(kind, detail, field, { rule: error.rule, figures: error.figures });
  }
  if (error instanceof WrongExpectedRevisionError) {
    return new ProblemError('conflict', `a concurrent change to ${error.stream} won every retry; try again`);
  }
  if (error instanceof DuplicateEventError) return new ProblemError('conflict', `already recorded with other content: ${error.detail}`);
  if (error instanceof SchemaViolationError) {
    return new ProblemError(
      'invalid-input',
      `the command would record an invalid ${error.eventType}`,
      error.issues.map((i) => ({ path: i.path || '(root)', message: i.message })),
    );
  }
  if (error instanceof StoreUnavailableError) return new ProblemError('unavailable', error.message);
  if (error instanceof ProjectionRebuildingError) {
    const p = error.progress;
    return new ProblemError('unavailable', error.message, undefined, {
      rule: 'projection-rebuilding',
      figures: { projection: p.projection, version: p.version, position: p.position, head: p.head, etaSeconds: p.etaSeconds },
    });
  }
  if (isClientAbort(error)) return new ProblemError('invalid-input', 'the client closed the connection before the body was complete');
  if (error instanceof z.ZodError) return new ProblemError('invalid-input', 'invalid input', fieldProblems('body', error));
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const kind = kindByStatus.get(status) ?? (status >= 500 ? 'internal' : 'invalid-input');
    return new ProblemError(kind, error.message);
  }
  if (error instanceof Error) {
    if (isNotFound(error)) return new ProblemError('not-found', error.message);
    if (isConflict(error)) return new ProblemError('conflict', error.message);
  }
  return new ProblemError('internal', 'the ledger failed to answer; the error is in its log');
}
