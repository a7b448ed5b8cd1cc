import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SchemaViolationError } from '../../../src/domain/events.js';
import { GENESIS_HASH, canonicalJson } from '../../../src/store/hash-chain.js';
import { ForeignEventError, LEDGER_METADATA_FORMAT, decodeStoredRecord } from '../../../src/store/eventstoredb/event-codec.js';
import { ChainBrokenError, chainAppend, checkStreamRun } from '../../../src/store/eventstoredb/eventstoredb-event-store.js';
import { prepareAppend } from '../../../src/store/eventstoredb/prepare.js';
import { depositPosted, deposits, partnerSigned } from '../../support/store-fixtures.js';
import { sampleLog, storedRecords } from './records.js';

const server = (n: number, firstOffset = 8_192n) => ({
  logPositions: Array.from({ length: n }, (_, i) => firstOffset + 700n * BigInt(i)),
  created: Array.from({ length: n }, (_, i) => new Date(Date.parse('2026-07-01T10:00:00.000Z') + i)),
});

describe('the event metadata that carries the envelope and the per-stream hash chain', () => {
  it('writes the envelope fields and the chain into JSON metadata, the domain data as the event data, the event id as EventStoreDB’s id', () => {
    const signed = partnerSigned('P-7', 'gold');
    const [outgoing] = chainAppend(prepareAppend('partner-P-7', [signed], 'no-stream'), 'partner-P-7', 0n, GENESIS_HASH);
    expect(outgoing).toMatchObject({ id: signed.eventId, type: 'PartnerSigned', data: signed.data });
    expect(outgoing!.metadata).toEqual({
      ledgerFormat: LEDGER_METADATA_FORMAT,
      schemaVersion: 1,
      occurredAt: signed.occurredAt,
      actor: signed.actor,
      commandId: signed.commandId,
      correlationId: null,
      causationId: null,
      policyVersion: '2026.1',
      prevHash: GENESIS_HASH,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const traced = depositPosted('Q', 5, { correlationId: 'corr-1', causationId: 'cause-1' });
    const [withTrace] = chainAppend(prepareAppend('partner-Q', [traced], 'any'), 'partner-Q', 0n, GENESIS_HASH);
    expect(withTrace!.metadata).toMatchObject({ correlationId: 'corr-1', $correlationId: 'corr-1', $causationId: 'cause-1' });
  });

  it('reads back, after a JSON round trip, exactly the envelope: revision, position and recordedAt from the server', () => {
    const events = [partnerSigned('P-8'), depositPosted('P-8', 250)];
    const records = storedRecords('partner-P-8', events, 0n, GENESIS_HASH, server(2), 'test-ns.');
    const decoded = records.map((r) => decodeStoredRecord(r, 'test-ns.'));
    expect(decoded.map((d) => d.envelope)).toMatchObject([
      { eventId: events[0]!.eventId, stream: 'partner-P-8', revision: 0n, position: 8_193n, recordedAt: '2026-07-01T10:00:00.000Z', prevHash: GENESIS_HASH, data: events[0]!.data },
      { eventId: events[1]!.eventId, stream: 'partner-P-8', revision: 1n, position: 8_893n, recordedAt: '2026-07-01T10:00:00.001Z', actor: events[1]!.actor },
    ]);
    expect(decoded[1]!.envelope.prevHash).toBe(decoded[0]!.envelope.hash);
    for (const d of decoded) expect(d.computedHash).toBe(d.envelope.hash);
  });

  it('hashes hashEvent’s canonical form without position and recordedAt (both set by the server after the write)', () => {
    const [record] = storedRecords('partner-H', deposits(1, 'H'), 0n, GENESIS_HASH, server(1));
    const { envelope } = decodeStoredRecord(record!, '');
    const { hash: _hash, position: _position, recordedAt: _recordedAt, ...hashed } = envelope;
    const expected = createHash('sha256').update(envelope.prevHash).update(canonicalJson(hashed)).digest('hex');
    expect(envelope.hash).toBe(expected);
    const later = decodeStoredRecord({ ...record!, created: new Date('2030-01-01T00:00:00.000Z'), position: { commit: 99_999n, prepare: 99_999n } }, '');
    expect(later.computedHash).toBe(envelope.hash);
  });

  it('recomputes a different hash when stored content was changed, and names the event when it is not a ledger event', () => {
    const [record] = storedRecords('partner-T', deposits(1, 'T'), 0n, GENESIS_HASH, server(1));
    const altered = decodeStoredRecord({ ...record!, data: { partnerId: 'T', amountFen: 999_999 } }, '');
    expect(altered.computedHash).not.toBe(altered.envelope.hash);
    const moved = decodeStoredRecord({ ...record!, revision: 4n }, '');
    expect(moved.computedHash).not.toBe(moved.envelope.hash);
    expect(() => decodeStoredRecord({ ...record!, metadata: undefined }, '')).toThrow(ForeignEventError);
    expect(() => decodeStoredRecord({ ...record!, isJson: false }, '')).toThrow(ForeignEventError);
    expect(() => decodeStoredRecord({ ...record!, position: undefined }, '')).toThrow(/22\.6/);
    expect(() => decodeStoredRecord(record!, 'other-ns.')).toThrow(/outside the namespace/);
    expect(() => decodeStoredRecord({ ...record!, type: 'Nope' }, '')).toThrow(SchemaViolationError);
    expect(() => decodeStoredRecord({ ...record!, data: { partnerId: 'T', amountFen: -1 } }, '')).toThrow(SchemaViolationError);
  });

  it('checks a run of one stream: consecutive revisions, each linked to the one before, the first to GENESIS', () => {
    const log = sampleLog([
      { stream: 'partner-A', events: deposits(3, 'A') },
      { stream: 'partner-B', events: deposits(1, 'B') },
      { stream: 'partner-A', events: deposits(2, 'A') },
    ]);
    const streamA = log.filter((e) => e.stream === 'partner-A');
    expect(checkStreamRun(streamA, true).map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(checkStreamRun(streamA.slice(2), false)).toHaveLength(3);
    expect(() => checkStreamRun([streamA[0]!, streamA[2]!], true)).toThrow(ChainBrokenError);
    expect(() => checkStreamRun([{ ...streamA[1]!, revision: 0n }], true)).toThrow(/prevHash does not link/);
    expect(() => checkStreamRun([streamA[1]!, { ...streamA[2]!, prevHash: GENESIS_HASH }], false)).toThrow(/revision 2 .*prevHash/);
  });
});
