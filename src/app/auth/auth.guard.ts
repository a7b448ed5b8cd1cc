// The guard on every route: a bearer token from the tokens file (constant-time lookup), and the
// route's roles from its RouteSpec. Routes without a spec (the report page, the OpenAPI
// document) and routes open to 'anyone' (health) pass without a token. Unknown tokens presented
// again and again from one address are answered more and more slowly.
import { setTimeout as sleep } from 'node:timers/promises';
import { CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { forbidden, unauthenticated } from '../http/problem.js';
import { routeSpecOf } from '../http/route.js';
import { headerOf, stateOf, type HttpRequest } from '../http/request-context.js';
import { AuthFailures } from './auth-failures.js';
import { type Principal, TokenRegistry } from './tokens.js';

const bearerPattern = /^Bearer ([\x21-\x7e]{1,512})$/;

@Injectable()
export class AuthGuard implements CanActivate {
  private readonly failures = new AuthFailures();
  /**
   * Per keep-alive connection, the last Authorization header that named a token and its caller:
   * the same header on the same connection is the same caller without hashing the token again.
   * The header is compared only with what this connection itself sent before, never with a token.
   */
  private readonly byConnection = new WeakMap<object, { header: string; principal: Principal }>();

  constructor(@Inject(TokenRegistry) private readonly tokens: TokenRegistry) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const spec = routeSpecOf(context);
    if (!spec || spec.roles === 'anyone') return true;
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const header = headerOf(request, 'authorization');
    if (!header) throw unauthenticated('send Authorization: Bearer <token>');
    const principal = this.principalFor(request, header);
    if (!principal) {
      const delayMs = this.failures.fail(clientOf(request));
      if (delayMs > 0) await sleep(delayMs);
      throw unauthenticated('the token is unknown');
    }
    stateOf(request).principal = principal;
    if (!spec.roles.includes(principal.role)) {
      throw forbidden(`${spec.method} ${spec.path} is for ${spec.roles.join(', ')}; this token is a ${principal.role}'s`);
    }
    return true;
  }

  private principalFor(request: HttpRequest, header: string): Principal | null {
    const connection = connectionOf(request);
    const known = connection ? this.byConnection.get(connection) : undefined;
    if (known && known.header === header) return known.principal;
    const match = bearerPattern.exec(header.trim());
    const principal = match?.[1] ? this.tokens.find(match[1]) : null;
    if (principal && connection) this.byConnection.set(connection, { header, principal });
    return principal;
  }
}

/** The connection a request came on (Fastify's request wraps Node's). */
function connectionOf(request: HttpRequest & { socket?: object; raw?: { socket?: object } }): object | undefined {
  return request.raw?.socket ?? request.socket;
}

function clientOf(request: HttpRequest & { socket?: { remoteAddress?: string } }): string {
  return request.socket?.remoteAddress ?? 'unknown';
}
