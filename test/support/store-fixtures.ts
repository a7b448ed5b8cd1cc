// Builders of valid NewEvents and temporary store directories for tests.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Actor } from '../../src/domain/events.js';
import type { NewEvent } from '../../src/store/event-store.js';

export const TEST_ACTOR: Actor = { role: 'finance', id: 'finance-test' };
export const TEST_OCCURRED_AT = '2026-07-01T09:00:00.000Z';

/** A DepositPosted for a partner with a random event id (override anything). */
export function depositPosted(partnerId = 'P-1', amountFen = 100_000, overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'DepositPosted',
    data: { partnerId, amountFen },
    occurredAt: TEST_OCCURRED_AT,
    actor: TEST_ACTOR,
    ...overrides,
  } as NewEvent;
}

/** A PartnerSigned with a random event id. */
export function partnerSigned(partnerId = 'P-1', tier = 'silver'): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'PartnerSigned',
    data: { partnerId, name: `Partner ${partnerId}`, kind: 'distributor', tier, parentPartnerId: null, territory: null },
    occurredAt: TEST_OCCURRED_AT,
    actor: { role: 'manager', id: 'manager-test' },
    commandId: randomUUID(),
    correlationId: null,
    causationId: null,
    policyVersion: '2026.1',
  };
}

/** An event whose data breaks its schema (a negative deposit). */
export function invalidDeposit(partnerId = 'P-1'): NewEvent {
  return depositPosted(partnerId, -5);
}

/** `count` deposits for one partner. */
export function deposits(count: number, partnerId = 'P-1'): NewEvent[] {
  return Array.from({ length: count }, (_, i) => depositPosted(partnerId, 1_000 + i));
}

/** A fresh temporary directory and a cleanup that removes it. */
export function tempDir(prefix = 'ledger-store-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A clock that starts at `startIso` and moves `stepMs` forward on every call. */
export function steppingClock(startIso = '2026-07-01T10:00:00.000Z', stepMs = 1): () => string {
  let ms = Date.parse(startIso);
  return () => {
    const now = new Date(ms).toISOString();
    ms += stepMs;
    return now;
  };
}
