// Errors as application/problem+json (RFC 9457): {type, title, status, detail, errors?}.
// Every refusal the API gives is a ProblemError; the exception filter turns anything else
// (store, domain, Nest, body parser) into one through problemOf().
import { z } from 'zod';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface FieldProblem {
  /** Where: "body.amount", "query.asOf", "params.id", "header.Idempotency-Key". */
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldProblem[];
  /** A refusal by a business rule: the rule's stable code and the figures it was decided on. */
  rule?: string;
  figures?: Record<string, string | number | boolean | null>;
}

/** The problem schema, for the OpenAPI document. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    rule: z.string().optional(),
    figures: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  })
  .meta({ id: 'Problem' });

/** The kinds of problem the API answers with, each with its status and title. */
export const problemKinds = {
  'invalid-input': { status: 400, title: 'Invalid input' },
  'malformed-json': { status: 400, title: 'Malformed JSON' },
  unauthenticated: { status: 401, title: 'Unauthenticated' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'request-timeout': { status: 408, title: 'Request timeout' },
  conflict: { status: 409, title: 'Conflict' },
  'body-too-large': { status: 413, title: 'Body too large' },
  'uri-too-long': { status: 414, title: 'URI too long' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'expectation-failed': { status: 417, title: 'Expectation failed' },
  'rule-refused': { status: 422, title: 'Refused by a business rule' },
  'too-many-requests': { status: 429, title: 'Too many requests' },
  'headers-too-large': { status: 431, title: 'Request header fields too large' },
  unavailable: { status: 503, title: 'Unavailable' },
  internal: { status: 500, title: 'Internal error' },
} as const;
export type ProblemKind = keyof typeof problemKinds;

export const problemType = (kind: ProblemKind): string => `urn:ledger:problem:${kind}`;

export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly status: number;
  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly errors?: FieldProblem[],
    readonly extra: Pick<ProblemBody, 'rule' | 'figures'> = {},
  ) {
    super(detail);
    this.status = problemKinds[kind].status;
  }

  body(): ProblemBody {
    const { title, status } = problemKinds[this.kind];
    const body: ProblemBody = { type: problemType(this.kind), title, status, detail: this.detail };
    if (this.errors && this.errors.length > 0) body.errors = this.errors;
    if (this.extra.rule !== undefined) body.rule = this.extra.rule;
    if (this.extra.figures !== undefined && Object.keys(this.extra.figures).length > 0) body.figures = this.extra.figures;
    return body;
  }
}

/** Longest Retry-After a rebuild's ETA gives (a client checks back at least hourly). */
const MAX_RETRY_AFTER_SECONDS = 3_600;

/**
 * Whole seconds to wait before retrying, for a 503 that knows (a projection rebuilding beside the
 * live ones: its ETA, at least 1; 1 while it has none yet), else null.
 */
export function retryAfterSecondsOf(problem: ProblemError): number | null {
  if (problem.extra.rule !== 'projection-rebuilding') return null;
  const eta = problem.extra.figures?.etaSeconds;
  if (typeof eta !== 'number' || !Number.isFinite(eta)) return 1;
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(eta)));
}

export const invalidInput = (errors: FieldProblem[]): ProblemError =>
  new ProblemError('invalid-input', `${errors.length} invalid field${errors.length === 1 ? '' : 's'}: ${errors.map((e) => e.path).join(', ')}`, errors);
export const unauthenticated = (detail: string): ProblemError => new ProblemError('unauthenticated', detail);
export const forbidden = (detail: string): ProblemError => new ProblemError('forbidden', detail);
export const notFound = (detail: string): ProblemError => new ProblemError('not-found', detail);
export const conflict = (detail: string): ProblemError => new ProblemError('conflict', detail);
