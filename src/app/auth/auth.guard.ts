// The guard on every route: a bearer token from the tokens file (constant-time lookup), and the
// route's roles from its RouteSpec. Routes without a spec (the report page, the OpenAPI
// document) and routes open to 'anyone' (health) pass without a token. Most requests were
// authenticated already by the early hook (early-auth.ts: before the body is read); the guard
// then only checks the role again. Unknown tokens presented again and again from one address are
// answered more and more slowly.
import { CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { forbidden, unauthenticated } from '../http/problem.js';
import { routeSpecOf } from '../http/route.js';
import { headerOf, stateOf, type HttpRequest } from '../http/request-context.js';
import { type Authenticator, type AuthRequest, authenticatorFor } from './authenticator.js';
import { TokenRegistry } from './tokens.js';

@Injectable()
export class AuthGuard implements CanActivate {
  private readonly authenticator: Authenticator;

  constructor(@Inject(TokenRegistry) tokens: TokenRegistry) {
    this.authenticator = authenticatorFor(tokens);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const spec = routeSpecOf(context);
    if (!spec || spec.roles === 'anyone') return true;
    const request = context.switchToHttp().getRequest<HttpRequest & AuthRequest>();
    const state = stateOf(request);
    let principal = state.principal;
    if (!principal) {
      const header = headerOf(request, 'authorization');
      if (!header) throw unauthenticated('send Authorization: Bearer <token>');
      principal = this.authenticator.principalFor(request, header);
      if (!principal) {
        await this.authenticator.failed(request);
        throw unauthenticated('the token is unknown');
      }
      state.principal = principal;
    }
    if (!spec.roles.includes(principal.role)) {
      throw forbidden(`${spec.method} ${spec.path} is for ${spec.roles.join(', ')}; this token is a ${principal.role}'s`);
    }
    return true;
  }
}
