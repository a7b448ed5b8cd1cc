// Who is calling: the bearer token of the Authorization header looked up in the registry (the
// scheme's name in any case, RFC 9110 §11.1), a per-connection memo so that a keep-alive
// connection repeating its header is not hashed again, and the slowing of repeated failures per
// address. One per token registry, shared by the early authentication hook (before the body is
// read) and the guard (for a request the hook did not see).
import { setTimeout as sleep } from 'node:timers/promises';
import { AuthFailures } from './auth-failures.js';
import type { Principal, TokenRegistry } from './tokens.js';

/** `Bearer <token68-ish>`: the scheme case-insensitive, one or more spaces, the token as given. */
export const bearerPattern = /^bearer +([\x21-\x7e]{1,512})$/i;

/** What the authenticator reads of a request (Node's or Fastify's). */
export interface AuthRequest {
  socket?: { remoteAddress?: string } | object;
  raw?: { socket?: object };
}

export class Authenticator {
  private readonly failures = new AuthFailures();
  /**
   * Per keep-alive connection, the last Authorization header that named a token and its caller:
   * the same header on the same connection is the same caller without hashing the token again.
   * The header is compared only with what this connection itself sent before, never with a token.
   */
  private readonly byConnection = new WeakMap<object, { header: string; principal: Principal }>();

  constructor(private readonly tokens: TokenRegistry) {}

  /** The caller the header names, or null (malformed header, unknown token). */
  principalFor(request: AuthRequest, header: string): Principal | null {
    const connection = connectionOf(request);
    const known = connection ? this.byConnection.get(connection) : undefined;
    if (known && known.header === header) return known.principal;
    const match = bearerPattern.exec(header.trim());
    const principal = match?.[1] ? this.tokens.find(match[1]) : null;
    if (principal && connection) this.byConnection.set(connection, { header, principal });
    return principal;
  }

  /** Records a failed authentication from the request's address and waits as long as it must. */
  async failed(request: AuthRequest): Promise<void> {
    const delayMs = this.failures.fail(clientOf(request));
    if (delayMs > 0) await sleep(delayMs);
  }
}

const shared = new WeakMap<TokenRegistry, Authenticator>();

/** The one authenticator of a registry. */
export function authenticatorFor(tokens: TokenRegistry): Authenticator {
  let authenticator = shared.get(tokens);
  if (!authenticator) {
    authenticator = new Authenticator(tokens);
    shared.set(tokens, authenticator);
  }
  return authenticator;
}

/** The connection a request came on (Fastify's request wraps Node's). */
function connectionOf(request: AuthRequest): object | undefined {
  return request.raw?.socket ?? request.socket;
}

function clientOf(request: AuthRequest): string {
  const socket = (request.raw?.socket ?? request.socket) as { remoteAddress?: string } | undefined;
  return socket?.remoteAddress ?? 'unknown';
}
