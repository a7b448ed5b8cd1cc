// One description per route: method, path, roles, and the zod schemas of its params, query and
// body. The same object routes the request (@Route), lets the guard check the role, validates
// the input (@Input) and writes the OpenAPI document, so no schema is ever written twice.
import { applyDecorators, createParamDecorator, Get, HttpCode, Post, SetMetadata, UseInterceptors, type ExecutionContext } from '@nestjs/common';
import { z } from 'zod';
import type { ApiRole } from '../auth/tokens.js';
import { invalidInput, type FieldProblem } from './problem.js';
// A cycle (the interceptor reads routeSpecOf), harmless: each side uses the other only when called.
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor.js';

export const ROUTE_SPEC = Symbol('ledger:route-spec');

type AnySchema = z.ZodType;

export interface RouteSpec<P extends AnySchema = AnySchema, Q extends AnySchema = AnySchema, B extends AnySchema = AnySchema> {
  /** The OpenAPI operationId. */
  id: string;
  method: 'GET' | 'POST';
  /** Express style: /partners/:id/deposits. */
  path: string;
  /** The capability (OpenAPI tag). */
  tag: string;
  summary: string;
  description?: string;
  /** Who may call it; 'anyone' skips authentication (health). */
  roles: readonly ApiRole[] | 'anyone';
  params?: P;
  query?: Q;
  body?: B;
  /** 202: the command was recorded as a request that takes effect later (a proposed transfer). */
  successStatus: 200 | 201 | 202;
  /** The answer's shape, for the document only. */
  response?: AnySchema;
}

export type Out<S> = [NonNullable<S>] extends [never] ? undefined : NonNullable<S> extends AnySchema ? z.output<NonNullable<S>> : undefined;

/** What @Input() hands the controller: the parsed, typed params, query and body. */
export interface RouteInput<S extends RouteSpec> {
  params: Out<S['params']>;
  query: Out<S['query']>;
  body: Out<S['body']>;
}

export function defineRoute<P extends AnySchema = never, Q extends AnySchema = never, B extends AnySchema = never>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec<P, Q, B> {
  if (spec.method === 'GET' && spec.body) throw new Error(`${spec.id}: a GET route has no body`);
  return spec;
}

/**
 * Routes a controller method by its spec and records the spec for the guard and @Input. Commands
 * (POST) get the Idempotency-Key interceptor; reads get none, so Nest answers them without an
 * interceptor chain.
 */
export function Route(spec: RouteSpec): MethodDecorator {
  if (spec.method === 'GET') return applyDecorators(Get(spec.path), HttpCode(spec.successStatus), SetMetadata(ROUTE_SPEC, spec));
  return applyDecorators(Post(spec.path), HttpCode(spec.successStatus), SetMetadata(ROUTE_SPEC, spec), UseInterceptors(IdempotencyInterceptor));
}

export function routeSpecOf(context: ExecutionContext): RouteSpec | undefined {
  return Reflect.getMetadata(ROUTE_SPEC, context.getHandler()) as RouteSpec | undefined;
}

interface RawRequest {
  params?: unknown;
  query?: unknown;
  body?: unknown;
}

/** Parses params, query and body with the spec's schemas; one 400 naming every bad field of all three. */
export function parseRouteInput(spec: RouteSpec, request: RawRequest): RouteInput<RouteSpec> {
  const problems: FieldProblem[] = [];
  const part = (where: 'params' | 'query' | 'body', schema: AnySchema | undefined, value: unknown): unknown => {
    if (!schema) {
      if (where === 'body' && value !== undefined && !isEmptyBody(value)) problems.push({ path: 'body', message: 'this route takes no body' });
      if (where === 'query' && !isEmptyBody(value)) problems.push(...Object.keys(value as object).map((k) => ({ path: `query.${k}`, message: 'unknown parameter' })));
      return undefined;
    }
    if (where === 'query' && isEmptyBody(value)) {
      const empty = emptyQueryOf(schema);
      if (empty.ok) return { ...empty.data };
    }
    const result = schema.safeParse(where === 'body' && value === undefined ? {} : value);
    if (result.success) return result.data;
    problems.push(...fieldProblems(where, result.error));
    return undefined;
  };
  const params = part('params', spec.params, { ...(request.params as object) });
  const query = part('query', spec.query, { ...(request.query as object) });
  const body = part('body', spec.body, request.body);
  if (problems.length > 0) throw invalidInput(problems);
  return { params, query, body } as RouteInput<RouteSpec>;
}

/**
 * What a query schema makes of no parameters at all (the common read), parsed once per schema.
 * Only a plain object answer is kept (callers get a copy); anything else is parsed per request.
 */
const emptyQueries = new WeakMap<AnySchema, { ok: true; data: Record<string, unknown> } | { ok: false }>();
function emptyQueryOf(schema: AnySchema): { ok: true; data: Record<string, unknown> } | { ok: false } {
  let known = emptyQueries.get(schema);
  if (!known) {
    const result = schema.safeParse({});
    const plain = result.success && typeof result.data === 'object' && result.data !== null && Object.values(result.data).every((v) => v === undefined || typeof v !== 'object');
    known = plain ? { ok: true, data: Object.freeze({ ...(result.data as Record<string, unknown>) }) } : { ok: false };
    emptyQueries.set(schema, known);
  }
  return known;
}

function isEmptyBody(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'object' && Object.keys(value as object).length === 0);
}

/** Every zod issue as {path, message}; an unknown key becomes one problem per key. */
export function fieldProblems(where: string, error: z.ZodError): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of error.issues) {
    const base = [where, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push({ path: `${base}.${key}`, message: 'unknown field' });
    } else if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
      problems.push({ path: base, message: 'required' });
    } else {
      problems.push({ path: base, message: issue.message });
    }
  }
  return problems;
}

/** @Input(): the route's parsed input (after the guard: 401/403 come before 400). */
export const Input = createParamDecorator((_data: unknown, context: ExecutionContext): RouteInput<RouteSpec> => {
  const spec = routeSpecOf(context);
  if (!spec) throw new Error('@Input() used on a method without @Route(spec)');
  return parseRouteInput(spec, context.switchToHttp().getRequest<RawRequest>());
});
