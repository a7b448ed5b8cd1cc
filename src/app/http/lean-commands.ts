// Command and read routes answered without Nest's per-request pipeline (guards, interceptors,
// param pipes, the rxjs chain around them): a Fastify preHandler hook, after the request context
// middleware, the early authentication (early-auth.ts: 401, 403, the role, the report rate) and
// the body parser, runs what that pipeline would run for the route, in the same order, with the
// same code: for a command the integrity gate (503, CommandGate) and the Idempotency-Key
// (runIdempotent: 400, 409, replay, the group-committed record); for both the route's own
// controller method with its @Input() and @Caller() (so a controller's own checks and answer
// shaping stay), partner answers without log positions (withoutLogPositions), the route's
// status, and any error through the one problem filter. Nest's
// route stays registered behind it and answers whatever this path does not take (a route open to
// anyone, HEAD, a route whose method has other parameters, guards, interceptors, pipes or filters
// than these; a request the early hook did not authenticate for the route).
import type { ExecutionContext } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { withoutLogPositions } from '../auth/partner-answers.js';
import { IdempotencyInterceptor, runIdempotent } from '../idempotency/idempotency.interceptor.js';
import type { IdempotencyStore } from '../idempotency/idempotency-store.js';
import type { LedgerIntegrity } from '../integrity/command-gate.js';
import { ProblemError } from './problem.js';
import type { ProblemFilter } from './problem.filter.js';
import type { HttpReply, HttpRequest, LedgerRequestState } from './request-context.js';
import { ROUTE_SPEC, type RouteSpec } from './route.js';

const ROUTE_ARGS_METADATA = '__routeArguments__';
const CUSTOM_ROUTE_ARGS_METADATA = '__customRouteArgs__';
const GUARDS_METADATA = '__guards__';
const INTERCEPTORS_METADATA = '__interceptors__';
const PIPES_METADATA = '__pipes__';
const EXCEPTION_FILTERS_METADATA = '__exceptionFilters__';

type ParamFactory = (data: unknown, context: ExecutionContext) => unknown;

interface LeanRoute {
  spec: RouteSpec;
  instance: object;
  handler: (...args: unknown[]) => unknown;
  controller: new (...args: never[]) => unknown;
  /** Each parameter's decorator factory, by position. */
  params: Array<{ factory: ParamFactory; data: unknown }>;
}

/** What the hook reads of Fastify's request. */
interface LeanRequest extends HttpRequest {
  routeOptions?: { url?: string };
  is404?: boolean;
  raw: HttpRequest & { ledger?: LedgerRequestState };
}

export interface LeanCommandsDeps {
  idempotency: IdempotencyStore;
  integrity: LedgerIntegrity;
  filter: ProblemFilter;
}

export class LeanCommands {
  private readonly routes = new Map<string, LeanRoute>();

  constructor(private readonly deps: LeanCommandsDeps) {}

  /** After app.init(): every POST route whose controller method this path can run exactly as Nest would. */
  collect(modules: ModulesContainer): number {
    for (const module of modules.values()) {
      for (const wrapper of module.controllers.values()) {
        const instance = wrapper.instance as object | undefined;
        const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
        if (!instance || !controller) continue;
        if (hasAny(controller, GUARDS_METADATA) || hasAny(controller, INTERCEPTORS_METADATA) || hasAny(controller, PIPES_METADATA) || hasAny(controller, EXCEPTION_FILTERS_METADATA)) continue;
        const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
        for (const name of Object.getOwnPropertyNames(proto)) {
          const handler = proto[name];
          if (name === 'constructor' || typeof handler !== 'function') continue;
          const spec = Reflect.getMetadata(ROUTE_SPEC, handler) as RouteSpec | undefined;
          if (!spec || spec.roles === 'anyone') continue;
          const interceptors = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) ?? []) as unknown[];
          const expected = spec.method === 'POST' ? [IdempotencyInterceptor] : [];
          if (interceptors.length !== expected.length || interceptors.some((i, n) => i !== expected[n])) continue;
          if (hasAny(handler, GUARDS_METADATA) || hasAny(handler, PIPES_METADATA) || hasAny(handler, EXCEPTION_FILTERS_METADATA)) continue;
          const params = paramsOf(controller, name, (handler as (...args: unknown[]) => unknown).length);
          if (!params) continue;
          this.routes.set(`${spec.method} ${spec.path}`, { spec, instance, handler: handler as (...args: unknown[]) => unknown, controller, params });
        }
      }
    }
    return this.routes.size;
  }

  /** The preHandler hook: answers a command route here, or leaves the request to Nest. */
  hook(): (request: LeanRequest, reply: HttpReply) => Promise<unknown> {
    return async (request, reply) => {
      if ((request.method !== 'POST' && request.method !== 'GET') || request.is404 || reply.sent) return undefined;
      const pattern = request.routeOptions?.url;
      const route = pattern === undefined ? undefined : this.routes.get(`${request.method} ${pattern}`);
      const state = request.raw.ledger;
      // Not authenticated for this route by the early hook: Nest's guard answers it.
      if (!route || !state?.principal || route.spec.roles === 'anyone' || !route.spec.roles.includes(state.principal.role)) return undefined;
      const context = contextOf(route, request, reply);
      try {
        const command = route.spec.method === 'POST';
        const refusal = command ? this.deps.integrity.refusal() : null;
        if (refusal !== null) throw new ProblemError('unavailable', refusal);
        reply.code(route.spec.successStatus);
        const run = async (): Promise<unknown> => route.handler.apply(route.instance, route.params.map((p) => p.factory(p.data, context)));
        let body = command ? await runIdempotent(this.deps.idempotency, route.spec, request, reply, run) : await run();
        if (state.principal.role === 'partner') body = withoutLogPositions(body);
        reply.send(body as never);
      } catch (error) {
        this.deps.filter.catch(error, context);
      }
      return reply;
    };
  }
}

function hasAny(target: object, key: string): boolean {
  const value = Reflect.getMetadata(key, target) as unknown[] | undefined;
  return Array.isArray(value) && value.length > 0;
}

/** The method's parameters, when every one is a custom decorator (@Input, @Caller); null otherwise. */
function paramsOf(controller: object, method: string, arity: number): LeanRoute['params'] | null {
  const metadata = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, { index: number; factory?: ParamFactory; data: unknown; pipes?: unknown[] }>;
  const params: LeanRoute['params'] = [];
  for (const [key, value] of Object.entries(metadata)) {
    if (!key.includes(CUSTOM_ROUTE_ARGS_METADATA) || typeof value.factory !== 'function' || (value.pipes?.length ?? 0) > 0) return null;
    params[value.index] = { factory: value.factory, data: value.data };
  }
  for (let i = 0; i < Math.max(arity, params.length); i++) if (!params[i]) return null;
  return params;
}

/** The ExecutionContext the decorators and the filter read (the request, the reply, the handler). */
function contextOf(route: LeanRoute, request: HttpRequest, reply: HttpReply): ExecutionContext {
  const http = { getRequest: () => request, getResponse: () => reply, getNext: () => undefined };
  return {
    switchToHttp: () => http,
    getHandler: () => route.handler,
    getClass: () => route.controller,
    getType: () => 'http',
    getArgs: () => [request, reply],
    getArgByIndex: (i: number) => [request, reply][i],
    switchToRpc: () => {
      throw new Error('not an RPC context');
    },
    switchToWs: () => {
      throw new Error('not a WebSocket context');
    },
  } as unknown as ExecutionContext;
}
