// Event ids the command path gives: identity events by their business name, the others by the
// command id, time-ordered when the command id is a uuid v7.
import { describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../../../src/domain/events.js';
import { eventIdFor, uuidV5, uuidV7TimeMs } from '../../../src/ledger/command-handling.js';
import { newEventId } from '../../../src/store/ids.js';

const deposit = { type: 'DepositPosted', data: { partnerId: 'P1', amountFen: 100 } } as unknown as LedgerEvent;
const deal = { type: 'DealRegistered', data: { dealId: 'D1' } } as unknown as LedgerEvent;

describe('uuidV5', () => {
  it('matches the RFC 9562 example (www.example.com in the DNS namespace)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });
});

describe('eventIdFor', () => {
  it('gives an identity event the uuid v5 of its name whatever the command id', () => {
    const v7 = newEventId(Date.UTC(2026, 0, 1));
    expect(eventIdFor(deal, 'customer-x', v7, 0)).toBe(uuidV5('DealRegistered:D1'));
    expect(eventIdFor(deal, 'customer-x', 'cli-command-1', 0)).toBe(uuidV5('DealRegistered:D1'));
  });

  it('gives other events of a uuid v7 command a deterministic id that starts with the command time', () => {
    const timeMs = Date.UTC(2026, 3, 5, 6, 7, 8, 9);
    const commandId = newEventId(timeMs);
    expect(uuidV7TimeMs(commandId)).toBe(timeMs);
    const first = eventIdFor(deposit, 'partner-P1', commandId, 0);
    expect(eventIdFor(deposit, 'partner-P1', commandId, 0)).toBe(first);
    expect(eventIdFor(deposit, 'partner-P1', commandId, 1)).not.toBe(first);
    expect(first.replace('-', '').slice(0, 12)).toBe(timeMs.toString(16).padStart(12, '0'));
    const later = eventIdFor(deposit, 'partner-P1', newEventId(timeMs + 1), 0);
    expect(later > first).toBe(true);
  });

  it('keeps uuid v5 for other events when the command id carries no time', () => {
    const commandId = '00000000-0000-4000-8000-000000000001';
    expect(uuidV7TimeMs(commandId)).toBeNull();
    expect(eventIdFor(deposit, 'partner-P1', commandId, 0)).toBe(uuidV5(`command:${commandId}:partner-P1:0:DepositPosted`));
  });
});
