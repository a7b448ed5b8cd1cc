// The client's errors translated into the port's typed errors, and the connection string
// described without its credentials (user:password@ becomes ***@ wherever it appears).
import {
  AccessDeniedError,
  CancelledError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  StreamDeletedError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { SchemaViolationError } from '../../domain/events.js';
import { StoreUnavailableError, WrongExpectedRevisionError, type ExpectedRevision } from '../event-store.js';
import { fromEsdbCurrentRevision } from './revisions.js';

/** The connection string's scheme and hosts, credentials masked: what errors and logs may show. */
export interface ConnectionTarget {
  /** e.g. esdb://***@node1:2113,node2:2113?tls=false (credentials masked, options kept). */
  masked: string;
  /** e.g. ["node1:2113", "node2:2113"]. */
  hosts: string[];
}

const SCHEME = /^(esdb(?:\+discover)?):\/\//i;

/** Reads the hosts of an esdb:// or esdb+discover:// connection string; throws RangeError otherwise. */
export function describeConnectionString(connectionString: string): ConnectionTarget {
  const scheme = SCHEME.exec(connectionString);
  if (!scheme) {
    throw new RangeError(`EVENTSTORE_CONNECTION_STRING must start with esdb:// or esdb+discover://, got "${maskCredentials(connectionString)}"`);
  }
  const rest = connectionString.slice(scheme[0].length);
  const authorityEnd = firstIndexOf(rest, ['/', '?']);
  const authority = rest.slice(0, authorityEnd);
  const at = authority.lastIndexOf('@');
  const hostList = at >= 0 ? authority.slice(at + 1) : authority;
  const hosts = hostList.split(',').map((h) => h.trim()).filter((h) => h.length > 0);
  if (hosts.length === 0) throw new RangeError(`EVENTSTORE_CONNECTION_STRING names no host: "${maskCredentials(connectionString)}"`);
  return { masked: maskCredentials(connectionString), hosts };
}

/** Replaces every `user:password@` (or `user@`) after a scheme with `***@`, up to the authority's last @. */
export function maskCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/gi, '$1***@');
}

function firstIndexOf(text: string, needles: string[]): number {
  const found = needles.map((n) => text.indexOf(n)).filter((i) => i >= 0);
  return found.length === 0 ? text.length : Math.min(...found);
}

/** What the failing call was doing: names the stream and the caller's expectation for append errors. */
export interface ErrorContext {
  target: ConnectionTarget;
  operation: string;
  stream?: string;
  expected?: ExpectedRevision;
}

/**
 * The port's error for a client error:
 *  - WrongExpectedVersion → WrongExpectedRevisionError(stream, the caller's expectation, actual);
 *  - unreachable, timed out, no leader, cancelled → StoreUnavailableError naming the hosts;
 *  - access denied → StoreUnavailableError (the cluster refuses the configured user);
 *  - append too large → SchemaViolationError on `events`;
 *  - anything else → an Error with the credentials masked from its message, the original as cause.
 */
export function translateError(error: unknown, context: ErrorContext): Error {
  if (error instanceof WrongExpectedRevisionError || error instanceof StoreUnavailableError || error instanceof SchemaViolationError) return error;
  const where = `EventStoreDB at ${context.target.hosts.join(', ')}`;
  const detail = maskCredentials(error instanceof Error ? error.message : String(error));
  if (error instanceof WrongExpectedVersionError) {
    const stream = context.stream ?? error.streamName;
    const expected = context.expected ?? 'any';
    return new WrongExpectedRevisionError(stream, expected, fromEsdbCurrentRevision(error.actualVersion));
  }
  if (isUnreachable(error)) {
    return new StoreUnavailableError(`${where} is unavailable (${context.operation}): ${detail}`, { cause: error });
  }
  if (error instanceof AccessDeniedError) {
    return new StoreUnavailableError(`${where} refused the ledger's credentials (${context.operation}): ${detail}`, { cause: error });
  }
  if (error instanceof MaxAppendSizeExceededError) {
    return new SchemaViolationError('append', [{ path: 'events', message: `the append is larger than EventStoreDB accepts (${error.maxAppendSize} bytes)` }]);
  }
  if (error instanceof StreamDeletedError) {
    return new Error(`${where}: stream ${context.stream ?? error.streamName} was deleted in EventStoreDB; the ledger never deletes (${context.operation})`, { cause: error });
  }
  return new Error(`${where} (${context.operation}): ${detail}`, { cause: error });
}

/** The errors after which waiting and trying again can succeed (a subscription reconnects on them). */
export function isUnreachable(error: unknown): boolean {
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof NotLeaderError ||
    error instanceof CancelledError
  ) {
    return true;
  }
  if (error instanceof StoreUnavailableError) return true;
  // Gossip discovery of a cluster gives up with a plain Error.
  if (error instanceof Error && /^Failed to discover after \d+ attempts/.test(error.message)) return true;
  const code = (error as { code?: unknown } | null)?.code;
  // gRPC status 14 (UNAVAILABLE) and 4 (DEADLINE_EXCEEDED); Node's socket errors.
  return code === 14 || code === 4 || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ENOTFOUND' || code === 'ETIMEDOUT';
}
