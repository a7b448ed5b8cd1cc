// given(facts).when(command).then(events) / .thenRefuses(rule): deciders as specifications.
import { expect } from 'vitest';
import type { CustomerCommand, CustomerDecideContext } from '../../../src/domain/customer-decide.js';
import { decideCustomer } from '../../../src/domain/customer-decide.js';
import { foldCustomer, type CustomerState } from '../../../src/domain/customer.js';
import { DomainRuleError } from '../../../src/domain/errors.js';
import type { Actor, EventDataOf, EventOf, EventType, LedgerEvent } from '../../../src/domain/events.js';
import { parseEvent } from '../../../src/domain/events.js';
import type { FoldFact } from '../../../src/domain/fact.js';
import { decidePartner, type PartnerCommand, type PartnerDecideContext } from '../../../src/domain/partner-decide.js';
import { foldPartner, type PartnerState } from '../../../src/domain/partner.js';
import { defaultPolicy } from '../../../src/domain/policy.js';

export const MANAGER: Actor = { role: 'manager', id: 'm-1' };
export const FINANCE: Actor = { role: 'finance', id: 'f-1' };
export const KEY = 'name:acme';

/** An event and the business instant it happened at; positions are given in order. */
export interface Given {
  event: LedgerEvent;
  occurredAt: string;
}

export function ev<T extends EventType>(type: T, data: EventDataOf<T>, occurredAt: string): Given {
  return { event: parseEvent(type, data) as EventOf<T>, occurredAt };
}

export function toFacts(given: readonly Given[]): FoldFact[] {
  return given.map((g, i) => ({ ...g.event, eventId: `e-${i + 1}`, occurredAt: g.occurredAt, recordedAt: g.occurredAt, position: BigInt(i + 1) }));
}

interface Outcome {
  then(expected: LedgerEvent[]): void;
  thenRefuses(rule: string, detail?: RegExp): DomainRuleError;
  events(): LedgerEvent[];
}

function outcome(run: () => LedgerEvent[]): Outcome {
  return {
    then(expected) {
      const got = run();
      expect(got).toEqual(expected);
      for (const e of got) parseEvent(e.type, e.data); // every decided event meets its schema
    },
    thenRefuses(rule, detail) {
      try {
        run();
      } catch (e) {
        if (!(e instanceof DomainRuleError)) throw e;
        expect(e.rule).toBe(rule);
        if (detail) expect(e.detail).toMatch(detail);
        return e;
      }
      throw new Error(`expected refusal ${rule}, but the command was accepted`);
    },
    events: run,
  };
}

export function givenCustomer(...given: Given[]) {
  const state = (): CustomerState => foldCustomer(KEY, toFacts(given));
  return {
    state,
    when(command: CustomerCommand, at: string, extra: Partial<CustomerDecideContext> = {}): Outcome {
      return outcome(() => decideCustomer(command, state(), { policy: defaultPolicy, occurredAt: at, actor: MANAGER, ...extra }));
    },
  };
}

export function givenPartner(...given: Given[]) {
  const state = (): PartnerState => foldPartner(toFacts(given));
  return {
    state,
    when(command: PartnerCommand, at: string, extra: Partial<PartnerDecideContext> = {}): Outcome {
      return outcome(() => decidePartner(command, state(), { policy: defaultPolicy, occurredAt: at, actor: MANAGER, ...extra }));
    },
  };
}

// ---- builders ------------------------------------------------------------------------------

export const signed = (partnerId: string, tier: string, at: string, kind: EventDataOf<'PartnerSigned'>['kind'] = 'relationship'): Given =>
  ev('PartnerSigned', { partnerId, name: `Partner ${partnerId}`, kind, tier, parentPartnerId: null, territory: null }, at);

export const registered = (dealId: string, partnerId: string | null, at: string, customerKey = KEY): Given =>
  ev(
    'DealRegistered',
    {
      dealId,
      customerKey,
      customer: { name: 'Acme', taxId: null },
      match: { by: 'name', input: 'Acme', normalised: 'acme' },
      channel: partnerId === null ? 'direct' : 'partner',
      partnerId,
      expectedPorts: null,
      expectedRevenueFen: null,
    },
    at,
  );

type StageName = EventDataOf<'DealStageAdvanced'>['stage'];
export const advanced = (dealId: string, from: StageName | null, stage: StageName, at: string): Given =>
  ev('DealStageAdvanced', { dealId, customerKey: KEY, from, stage }, at);

export const lost = (dealId: string, at: string): Given => ev('DealLost', { dealId, customerKey: KEY, reason: null }, at);

export const registerCommand = (dealId: string, partnerId: string | null): CustomerCommand => ({
  type: 'RegisterDeal',
  data: {
    dealId,
    customerKey: KEY,
    customer: { name: 'Acme', taxId: null },
    match: { by: 'name', input: 'Acme', normalised: 'acme' },
    channel: partnerId === null ? 'direct' : 'partner',
    partnerId,
    expectedPorts: null,
    expectedRevenueFen: null,
  },
});

/** Days after 2026-01-05T02:00:00.000Z as an instant. */
export const day = (n: number, time = '02:00:00.000'): string => new Date(Date.parse(`2026-01-05T${time}Z`) + n * 86_400_000).toISOString();
