import { describe, expect, it } from 'vitest';
import { DuplicateEventError, SchemaViolationError, type NewEvent } from '../../../src/store/event-store.js';
import { expectedSlot, findEarlierAppend } from '../../../src/store/eventstoredb/idempotency.js';
import { isLedgerStream, prepareAppend } from '../../../src/store/eventstoredb/prepare.js';
import { depositPosted, deposits, invalidDeposit } from '../../support/store-fixtures.js';
import { sampleLog } from './records.js';

describe('recognising a retried append by its event ids', () => {
  const first = deposits(2, 'I');
  const log = sampleLog([
    { stream: 'partner-I', events: deposits(1, 'I') },
    { stream: 'partner-I', events: first },
    { stream: 'partner-I', events: deposits(1, 'I') },
  ]);

  it('answers the earlier append when every id is stored in one run with the same content', () => {
    const again = prepareAppend('partner-I', first.map((e) => ({ ...e })), 1n);
    expect(findEarlierAppend('partner-I', again, log)).toEqual(log.slice(1, 3));
  });

  it('finds nothing when no id is stored', () => {
    expect(findEarlierAppend('partner-I', prepareAppend('partner-I', deposits(2, 'I'), 'any'), log)).toBeNull();
  });

  it('refuses other data, another stream, a partly new append, and ids stored apart', () => {
    const otherData = { ...first[0]!, data: { partnerId: 'I', amountFen: 1 } } as NewEvent;
    expect(() => findEarlierAppend('partner-I', prepareAppend('partner-I', [otherData], 'any'), log)).toThrow(/data differs/);
    expect(() => findEarlierAppend('partner-J', prepareAppend('partner-J', [first[0]!], 'any'), log)).toThrow(/stream partner-I ≠ partner-J/);
    expect(() => findEarlierAppend('partner-I', prepareAppend('partner-I', [first[0]!, depositPosted('I')], 'any'), log)).toThrow(/only 1 of the 2/);
    const apart = prepareAppend('partner-I', [first[1]!, first[0]!], 'any');
    expect(() => findEarlierAppend('partner-I', apart, log)).toThrow(DuplicateEventError);
  });

  it('looks where an exact expectation puts the earlier copy; nowhere in particular for any/exists', () => {
    expect(expectedSlot(4n, 3)).toEqual({ fromRevision: 5n, count: 3 });
    expect(expectedSlot('no-stream', 2)).toEqual({ fromRevision: 0n, count: 2 });
    expect(expectedSlot('any', 2)).toBeNull();
    expect(expectedSlot('exists', 2)).toBeNull();
  });
});

describe('validating an append before anything is sent', () => {
  it('accepts only the ledger’s streams (the ones read back from $all)', () => {
    expect(isLedgerStream('partner-A')).toBe(true);
    expect(isLedgerStream('customer-91110000600037341L')).toBe(true);
    expect(isLedgerStream('partner-')).toBe(false);
    expect(isLedgerStream('$ce-partner')).toBe(false);
    expect(() => prepareAppend('orders-1', deposits(1), 'any')).toThrow(SchemaViolationError);
  });

  it('refuses schema violations, an id twice in one append, bad expectations and empty appends', () => {
    expect(() => prepareAppend('partner-S', [depositPosted('S'), invalidDeposit('S')], 'any')).toThrow(SchemaViolationError);
    const twice = depositPosted('G');
    expect(() => prepareAppend('partner-G', [twice, twice], 'any')).toThrow(DuplicateEventError);
    expect(() => prepareAppend('partner-G', [depositPosted('G')], -1n)).toThrow(/expectedRevision/);
    expect(() => prepareAppend('partner-G', [], 'any')).toThrow(/1\.\.10000 events/);
  });
});
