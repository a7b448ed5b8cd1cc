import { ANY, NO_STREAM, STREAM_EXISTS } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import type { ExpectedRevision } from '../../../src/store/event-store.js';
import {
  decideAppend,
  fromEsdbCurrentRevision,
  fromEsdbExpectedRevision,
  toEsdbCurrentRevision,
  toEsdbExpectedRevision,
} from '../../../src/store/eventstoredb/revisions.js';

describe('expected revisions between the port and EventStoreDB', () => {
  const pairs: Array<[ExpectedRevision, unknown]> = [
    ['any', ANY],
    ['no-stream', NO_STREAM],
    ['exists', STREAM_EXISTS],
    [0n, 0n],
    [1n, 1n],
    [41n, 41n],
  ];

  it('maps each kind both ways; an exact revision passes unchanged (both count from 0)', () => {
    for (const [ours, theirs] of pairs) {
      expect(toEsdbExpectedRevision(ours)).toBe(theirs);
      expect(fromEsdbExpectedRevision(toEsdbExpectedRevision(ours))).toBe(ours);
    }
  });

  it('maps a stream’s current revision both ways', () => {
    expect(fromEsdbCurrentRevision(NO_STREAM)).toBe('no-stream');
    expect(fromEsdbCurrentRevision(7n)).toBe(7n);
    expect(toEsdbCurrentRevision('no-stream')).toBe(NO_STREAM);
    expect(toEsdbCurrentRevision(0n)).toBe(0n);
  });

  it('refuses revisions that are not non-negative bigints', () => {
    expect(() => toEsdbExpectedRevision(-1n)).toThrow(RangeError);
    expect(() => fromEsdbExpectedRevision(3 as unknown as bigint)).toThrow(RangeError);
    expect(() => fromEsdbCurrentRevision(-2n)).toThrow(RangeError);
  });
});

describe('deciding an append against the stream head just read', () => {
  it('pins every write to the exact head (NO_STREAM when empty) and names the first revision written', () => {
    expect(decideAppend('any', null)).toEqual({ kind: 'write', pinned: NO_STREAM, firstRevision: 0n });
    expect(decideAppend('any', 4n)).toEqual({ kind: 'write', pinned: 4n, firstRevision: 5n });
    expect(decideAppend('no-stream', null)).toEqual({ kind: 'write', pinned: NO_STREAM, firstRevision: 0n });
    expect(decideAppend('exists', 0n)).toEqual({ kind: 'write', pinned: 0n, firstRevision: 1n });
    expect(decideAppend(2n, 2n)).toEqual({ kind: 'write', pinned: 2n, firstRevision: 3n });
  });

  it('answers a conflict with the actual revision when the expectation does not hold', () => {
    expect(decideAppend('no-stream', 0n)).toEqual({ kind: 'conflict', actual: 0n });
    expect(decideAppend('exists', null)).toEqual({ kind: 'conflict', actual: 'no-stream' });
    expect(decideAppend(0n, null)).toEqual({ kind: 'conflict', actual: 'no-stream' });
    expect(decideAppend(1n, 2n)).toEqual({ kind: 'conflict', actual: 2n });
    expect(decideAppend(7n, 2n)).toEqual({ kind: 'conflict', actual: 2n });
  });
});
