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
import { TokenRegistry } from './tokens.js';

const bearerPattern = /^Bearer ([\x21-\x7e]{1,512})$/;

@Injectable()
export class AuthGuard implements CanActivate {
  private readonly failures = new AuthFailures();

  constructor(@Inject(TokenRegistry) private readonly tokens: TokenRegistry) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const spec = routeSpecOf(context);
    if (!spec || spec.roles === 'anyone') return true;
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const header = headerOf(request, 'authorization');
    if (!header) throw unauthenticated('send Authorization: Bearer <token>');
    const match = bearerPattern.exec(header.trim());
    const principal = match?.[1] ? this.tokens.find(match[1]) : null;
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
}

function clientOf(request: HttpRequest & { socket?: { remoteAddress?: string } }): string {
  return request.socket?.remoteAddress ?? 'unknown';
}
