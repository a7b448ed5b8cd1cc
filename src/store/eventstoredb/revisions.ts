// Expected revisions between the ledger's port and EventStoreDB, defined once.
//
// Both count a stream's events from 0: the ledger's revision r IS EventStoreDB's event number r,
// so an exact revision passes through unchanged (no ± 1 anywhere). The symbolic ones map by name:
//   'any'       ⇄ ANY            'no-stream' ⇄ NO_STREAM
//   'exists'    ⇄ STREAM_EXISTS  r (bigint)  ⇄ r
// and a stream's current revision: no stream ⇄ NO_STREAM, last event r ⇄ r.
//
// The adapter never sends ANY or STREAM_EXISTS: the per-stream hash chain needs the hash of the
// event the new ones follow, so it reads the stream's head and appends with that exact revision
// ("pinned"); if another writer got in between, EventStoreDB refuses and the adapter decides again.
import { ANY, NO_STREAM, STREAM_EXISTS, type AppendExpectedRevision, type CurrentRevision } from '@eventstore/db-client';
import { WrongExpectedRevisionError, type ExpectedRevision } from '../event-store.js';

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no-stream':
      return NO_STREAM;
    case 'exists':
      return STREAM_EXISTS;
    default:
      return assertRevision(expected, 'expected revision');
  }
}

export function fromEsdbExpectedRevision(expected: AppendExpectedRevision): ExpectedRevision {
  switch (expected) {
    case ANY:
      return 'any';
    case NO_STREAM:
      return 'no-stream';
    case STREAM_EXISTS:
      return 'exists';
    default:
      return assertRevision(expected, 'EventStoreDB expected revision');
  }
}

/** A stream's current revision as EventStoreDB reports it → the port's `actual`. */
export function fromEsdbCurrentRevision(current: CurrentRevision): bigint | 'no-stream' {
  return current === NO_STREAM ? 'no-stream' : assertRevision(current, 'EventStoreDB current revision');
}

export function toEsdbCurrentRevision(actual: bigint | 'no-stream'): CurrentRevision {
  return actual === 'no-stream' ? NO_STREAM : assertRevision(actual, 'current revision');
}

/** What to do with an append, given the caller's expectation and the stream's head just read. */
export type AppendDecision =
  | { kind: 'write'; pinned: bigint | typeof NO_STREAM; firstRevision: bigint }
  | { kind: 'conflict'; actual: bigint | 'no-stream' };

/** `head`: the stream's last revision, or null when it has no events. */
export function decideAppend(expected: ExpectedRevision, head: bigint | null): AppendDecision {
  const actual = head === null ? ('no-stream' as const) : head;
  const write: AppendDecision = { kind: 'write', pinned: head === null ? NO_STREAM : head, firstRevision: head === null ? 0n : head + 1n };
  switch (expected) {
    case 'any':
      return write;
    case 'no-stream':
      return head === null ? write : { kind: 'conflict', actual };
    case 'exists':
      return head !== null ? write : { kind: 'conflict', actual };
    default:
      return head === assertRevision(expected, 'expected revision') ? write : { kind: 'conflict', actual };
  }
}

/** The port's error for a refused expectation (stream named without any namespace). */
export function wrongExpectedRevision(stream: string, expected: ExpectedRevision, actual: bigint | 'no-stream'): WrongExpectedRevisionError {
  return new WrongExpectedRevisionError(stream, expected, actual);
}

function assertRevision(value: unknown, what: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > 0xffff_ffff_ffff_ffffn) {
    throw new RangeError(`${what} must be a bigint revision ≥ 0n, got ${String(value)}`);
  }
  return value;
}
