// decodeEnvelopeLine's hand-written check of an export's form must accept and refuse exactly what
// the EnvelopeLine schema does (anything it does not recognise goes through the schema).
import { describe, expect, it } from 'vitest';
import { decodeEnvelopeLine, ImportRefusedError } from '../../../src/cli/commands/import.js';
import { Instant, isCalendarInstant } from '../../../src/domain/events.js';

const line = {
  actor: { id: 'finance-1', role: 'finance' },
  causationId: null,
  commandId: 'c-1',
  correlationId: null,
  data: { partnerId: 'p-1', amount: 5_000_00 },
  eventId: '0b5c9a8e-1d2f-4a3b-9c4d-5e6f7a8b9c0d',
  hash: 'a'.repeat(64),
  occurredAt: '2026-07-01T00:00:00.000Z',
  policyVersion: null,
  position: 3,
  prevHash: 'b'.repeat(64),
  recordedAt: '2026-07-01T00:00:01.000Z',
  revision: 2,
  schemaVersion: 1,
  stream: 'partner-p-1',
  type: 'DepositPosted',
};
const decode = (value: unknown) => decodeEnvelopeLine(JSON.stringify(value), 7, false);
const refusal = (value: unknown): string => {
  try {
    decode(value);
  } catch (error) {
    if (error instanceof ImportRefusedError) return error.problem;
    throw error;
  }
  return 'accepted';
};

describe('decodeEnvelopeLine', () => {
  it('decodes the form an export writes, positions and revisions as bigints', () => {
    const e = decode(line);
    expect(e.position).toBe(3n);
    expect(e.revision).toBe(2n);
    expect(e.actor).toEqual(line.actor);
  });

  it('hands what the hand check does not recognise to the schema, which accepts or names the problem', () => {
    expect(decode({ ...line, eventId: line.eventId.toUpperCase() }).eventId).toBe(line.eventId.toUpperCase()); // zod accepts upper case
    expect(decode({ ...line, actor: { ...line.actor, extra: 1 } }).actor).toEqual(line.actor); // zod strips the actor's unknown keys
    expect(refusal({ ...line, extra: 1 })).toMatch(/not an event envelope/);
    expect(refusal({ ...line, occurredAt: '2026-02-29T00:00:00.000Z' })).toMatch(/occurredAt/);
    expect(refusal({ ...line, recordedAt: '2026-07-01T24:00:00.000Z' })).toMatch(/recordedAt/);
    expect(refusal({ ...line, hash: 'A'.repeat(64) })).toMatch(/hash/);
    expect(refusal({ ...line, position: 0 })).toMatch(/position/);
    expect(refusal({ ...line, revision: -1 })).toMatch(/revision/);
    expect(refusal({ ...line, commandId: undefined })).toMatch(/commandId/);
    expect(refusal({ ...line, type: 'NoSuchEvent' })).toMatch(/type/);
    expect(refusal({ ...line, actor: { id: 'x', role: 'root' } })).toMatch(/actor/);
  });

  it("Instant's schema answers as its Date round trip did", () => {
    const dateRoundTrip = (s: string) => !Number.isNaN(Date.parse(s)) && new Date(s).toISOString() === s;
    for (const s of ['2024-02-29T23:59:59.999Z', '2023-02-29T00:00:00.000Z', '1900-02-29T00:00:00.000Z', '2000-02-29T00:00:00.000Z', '2026-04-31T00:00:00.000Z', '2026-12-31T23:59:60.000Z', '0000-01-01T00:00:00.000Z']) {
      expect(Instant.safeParse(s).success, s).toBe(dateRoundTrip(s));
      if (isCalendarInstant(s)) expect(dateRoundTrip(s), s).toBe(true);
    }
  });
});
