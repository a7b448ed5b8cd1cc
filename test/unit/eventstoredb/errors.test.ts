import {
  AccessDeniedError,
  MaxAppendSizeExceededError,
  NO_STREAM,
  NotLeaderError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { SchemaViolationError } from '../../../src/domain/events.js';
import { StoreUnavailableError, WrongExpectedRevisionError } from '../../../src/store/event-store.js';
import { describeConnectionString, isUnreachable, maskCredentials, translateError } from '../../../src/store/eventstoredb/errors.js';

const target = describeConnectionString('esdb://admin:changeit@node1:2113,node2:2113,node3:2113?tls=false&nodePreference=leader');

describe('the connection string, described without credentials', () => {
  it('lists the hosts and masks user:password@', () => {
    expect(target).toEqual({
      hosts: ['node1:2113', 'node2:2113', 'node3:2113'],
      masked: 'esdb://***@node1:2113,node2:2113,node3:2113?tls=false&nodePreference=leader',
    });
    expect(describeConnectionString('esdb+discover://cluster.example.net:2113')).toEqual({
      hosts: ['cluster.example.net:2113'],
      masked: 'esdb+discover://cluster.example.net:2113',
    });
    expect(describeConnectionString('esdb://u:p@w@d@[::1]:2113/?tls=true')).toEqual({ hosts: ['[::1]:2113'], masked: 'esdb://***@[::1]:2113/?tls=true' });
  });

  it('masks credentials wherever they appear in a text, and refuses other schemes', () => {
    expect(maskCredentials('failed: esdb://a:b@h1:1 and http://x@h2/path')).toBe('failed: esdb://***@h1:1 and http://***@h2/path');
    expect(() => describeConnectionString('tcp://admin:changeit@h:1113')).toThrow(/tcp:\/\/\*\*\*@h:1113/);
    expect(() => describeConnectionString('esdb://admin:changeit@')).toThrow(RangeError);
  });
});

describe('client errors → the port’s errors', () => {
  it('WrongExpectedVersion → WrongExpectedRevision with the caller’s expectation and the actual revision', () => {
    const wev = new WrongExpectedVersionError(undefined, { streamName: 'partner-A', expected: 3n, current: 5n });
    const error = translateError(wev, { target, operation: 'append to partner-A', stream: 'partner-A', expected: 3n });
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ stream: 'partner-A', expected: 3n, actual: 5n });
    const noStream = translateError(new WrongExpectedVersionError(undefined, { streamName: 'ns-partner-B', expected: 0n, current: NO_STREAM }), {
      target,
      operation: 'append',
      stream: 'partner-B',
      expected: 'exists',
    });
    expect(noStream).toMatchObject({ stream: 'partner-B', expected: 'exists', actual: 'no-stream' });
    expect(noStream.message).toBe('stream partner-B: expected revision exists, actual no-stream');
  });

  it('an unreachable cluster → StoreUnavailable naming the hosts, credentials masked from the cause’s text', () => {
    for (const cause of [
      new UnavailableError(undefined, 'connect ECONNREFUSED esdb://admin:changeit@node1:2113'),
      Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }),
      new Error('Failed to discover after 10 attempts.'),
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    ]) {
      const error = translateError(cause, { target, operation: 'read $all' });
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error.message).toMatch(/^EventStoreDB at node1:2113, node2:2113, node3:2113 is unavailable \(read \$all\)/);
      expect(error.message).not.toContain('changeit');
      expect(error.cause).toBe(cause);
    }
  });

  it('access denied → StoreUnavailable saying the credentials were refused; an oversized append → SchemaViolation', () => {
    expect(translateError(new AccessDeniedError(), { target, operation: 'connect' }).message).toMatch(/refused the ledger's credentials/);
    const big = translateError(new MaxAppendSizeExceededError(undefined, 1_048_576), { target, operation: 'append' });
    expect(big).toBeInstanceOf(SchemaViolationError);
    expect((big as SchemaViolationError).issues[0]).toMatchObject({ path: 'events' });
  });

  it('anything else keeps its cause and loses the credentials in its message', () => {
    const cause = new Error('weird: esdb://admin:changeit@node1:2113 said no');
    const error = translateError(cause, { target, operation: 'read partner-A' });
    expect(error).not.toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toBe('EventStoreDB at node1:2113, node2:2113, node3:2113 (read partner-A): weird: esdb://***@node1:2113 said no');
    expect(error.cause).toBe(cause);
  });

  it('reconnects on the errors a cluster recovers from, not on others', () => {
    expect(isUnreachable(new UnavailableError())).toBe(true);
    expect(isUnreachable(Object.assign(new Error('x'), { code: 4 }))).toBe(true);
    expect(isUnreachable(new StoreUnavailableError('down'))).toBe(true);
    expect(isUnreachable(new AccessDeniedError())).toBe(false);
    expect(isUnreachable(new WrongExpectedVersionError(undefined, { streamName: 's', expected: 1n, current: 2n }))).toBe(false);
    expect(isUnreachable(new TypeError('handler bug'))).toBe(false);
    expect(NotLeaderError).toBeTypeOf('function');
  });
});
