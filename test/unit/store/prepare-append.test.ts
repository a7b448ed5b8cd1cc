// The append's hand-written envelope check accepts only what the zod schemas accept (anything it
// does not accept goes through the schemas, so errors are named as before).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Instant } from '../../../src/domain/events.js';
import { SchemaViolationError } from '../../../src/store/event-store.js';
import { isCalendarInstant, prepareAppend } from '../../../src/store/prepare-append.js';

const deposit = (overrides: Record<string, unknown> = {}) => ({
  type: 'DepositPosted',
  data: { partnerId: 'P-1', amountFen: 100 },
  eventId: '0f9c2b1e-6a4d-4c3b-9e2f-1a2b3c4d5e6f',
  occurredAt: '2026-07-01T00:00:00.000Z',
  actor: { role: 'finance', id: 'fin' },
  ...overrides,
});

describe('the envelope check', () => {
  it('calls an instant valid only when Instant does', () => {
    const digits = (n: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((a) => a.join(''));
    const shaped = fc
      .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), digits(3))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
    const near = fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }).map((d) => d.toISOString());
    fc.assert(
      fc.property(fc.oneof(shaped, near, fc.string()), (s) => {
        if (isCalendarInstant(s)) expect(Instant.safeParse(s).success).toBe(true);
      }),
      { numRuns: 20_000 },
    );
    for (const s of ['2024-02-29T23:59:59.999Z', '2000-02-29T00:00:00.000Z', '0000-02-29T00:00:00.000Z']) expect(isCalendarInstant(s)).toBe(true);
    for (const s of ['2023-02-29T00:00:00.000Z', '1900-02-29T00:00:00.000Z', '2026-04-31T00:00:00.000Z', '2026-01-01T24:00:00.000Z', '2026-01-01T00:60:00.000Z'])
      expect(isCalendarInstant(s)).toBe(false);
  });

  it('names the same problems as the schema, and accepts what only the schema accepts', () => {
    const problem = (event: Record<string, unknown>) => {
      try {
        prepareAppend('partner-P-1', [event as never], 'any');
        return null;
      } catch (error) {
        expect(error).toBeInstanceOf(SchemaViolationError);
        return (error as SchemaViolationError).issues.map((i) => i.path);
      }
    };
    expect(problem(deposit())).toBeNull();
    expect(problem(deposit({ eventId: '0F9C2B1E-6A4D-4C3B-9E2F-1A2B3C4D5E6F' }))).toBeNull(); // upper case: the schema's call
    expect(problem(deposit({ eventId: 'not-a-uuid' }))).toEqual(['events.0.eventId']);
    expect(problem(deposit({ occurredAt: '2026-02-30T00:00:00.000Z' }))).toEqual(['events.0.occurredAt']);
    expect(problem(deposit({ actor: { role: 'king', id: 'x' } }))).toEqual(['events.0.actor.role']);
    expect(problem(deposit({ actor: { role: 'finance', id: '' } }))).toEqual(['events.0.actor.id']);
    expect(problem(deposit({ commandId: '' }))).toEqual(['events.0.commandId']);
    expect(problem(deposit({ policyVersion: 'x'.repeat(201) }))).toEqual(['events.0.policyVersion']);
  });
});
