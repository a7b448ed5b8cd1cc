// Event ids: uuid v7, valid for the store, in creation order.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { newEventId, timeOrderedEventId } from '../../src/store/ids.js';

describe('newEventId', () => {
  it('makes RFC 9562 version-7 uuids that carry the millisecond and that the store accepts', () => {
    const ms = Date.UTC(2026, 6, 1, 9, 30);
    const id = newEventId(ms);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(ms);
    expect(z.uuid().safeParse(id).success).toBe(true);
  });

  it('sorts in creation order within a millisecond, across milliseconds and when the clock goes back', () => {
    const ms = Date.UTC(2030, 0, 1);
    const ids = [
      ...Array.from({ length: 5_000 }, () => newEventId(ms)), // more than the 12-bit sequence holds
      newEventId(ms - 1_000),
      newEventId(ms + 10_000),
      newEventId(ms + 10_001),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('refuses a time that does not fit 48 bits', () => {
    expect(() => newEventId(-1)).toThrow(RangeError);
    expect(() => newEventId(2 ** 48)).toThrow(RangeError);
  });
});

describe('timeOrderedEventId', () => {
  it('gives the same id for the same name and time, another for another name, sorted by time, accepted as a uuid', () => {
    const t = Date.UTC(2026, 6, 1);
    const a = timeOrderedEventId('command:c-1:partner-P:0:DepositPosted', t);
    expect(timeOrderedEventId('command:c-1:partner-P:0:DepositPosted', t)).toBe(a);
    expect(timeOrderedEventId('command:c-1:partner-P:1:DepositPosted', t)).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(a.replace(/-/g, '').slice(0, 12), 16)).toBe(t);
    expect(z.uuid().safeParse(a).success).toBe(true);
    const later = Array.from({ length: 50 }, (_, i) => timeOrderedEventId(`n${i}`, t + i * 1000));
    expect([...later].sort()).toEqual(later);
  });
});
