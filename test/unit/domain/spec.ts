// given(facts).when(command).then(events) / .thenRefuses(rule): deciders as specifications.
// One helper for every decider (src/domain/decider.ts): `specOf(decider, context)` folds the
// given facts with the decider's own evolve and decides the command on that state, with the
// default context for the command's instant overridden by what the spec passes.
import { expect } from 'vitest';
import type { CustomerCommand } from '../../../src/domain/customer-decide.js';
import type { DecideContext } from '../../../src/domain/decide-context.js';
import { customerDecider, type Decider, foldWith, partnerDecider } from '../../../src/domain/decider.js';
import { DomainRuleError } from '../../../src/domain/errors.js';
import type { Actor, EventDataOf, EventOf, EventType, LedgerEvent } from '../../../src/domain/events.js';
import { parseEvent } from '../../../src/domain/events.js';
import type { FoldFact } from '../../../src/domain/fact.js';
import { payoutDecider } from '../../../src/domain/payout.js';
import { type AdoptionContext, policyDecider } from '../../../src/domain/policy-adoption.js';
import { defaultPolicy } from '../../../src/domain/policy.js';
import { rebateDecider, type RebateDecideContext } from '../../../src/domain/rebate-decide.js';
import { tierEvaluationDecider } from '../../../src/domain/tier-evaluation.js';
import { trafficDecider } from '../../../src/domain/traffic-decide.js';
import type { TieWindow } from '../../../src/domain/tie-window.js';

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

export interface Outcome<E extends LedgerEvent = LedgerEvent> {
  /** The decided events equal `expected` (each also meets its schema). */
  then(expected: LedgerEvent[]): void;
  /** The command is refused by `rule` (the detail matching, when given); returns the refusal. */
  thenRefuses(rule: string, detail?: RegExp): DomainRuleError;
  /** The decided events, for specs that look at parts of them. */
  events(): E[];
}

function outcome<E extends LedgerEvent>(run: () => E[]): Outcome<E> {
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

export interface Spec<C, S, E extends LedgerEvent, X> {
  /** The state the given facts fold to. */
  state(): S;
  /** Decides `command` at the instant `at`, with the default context overridden by `extra`. */
  when(command: C, at: string, extra?: Partial<X>): Outcome<E>;
}

/** The given/when/then of one decider; `contextAt` is its default context at an instant. */
export function specOf<C, S, E extends LedgerEvent, X>(decider: Decider<C, S, E, X>, contextAt: (at: string) => NoInfer<X>) {
  return (...given: Given[]): Spec<C, S, E, X> => {
    const state = (): S => foldWith(decider, toFacts(given));
    return {
      state,
      when: (command, at, extra = {}) => outcome(() => decider.decide(command, state(), { ...contextAt(at), ...extra })),
    };
  };
}

const contextAt = (actor: Actor) => (at: string): DecideContext => ({ policy: defaultPolicy, occurredAt: at, actor });

export const givenCustomer = specOf(customerDecider(KEY), contextAt(MANAGER));
/** A customer whose ties are judged in another reporting window than the default policy's (tie-window.ts). */
export const givenCustomerIn = (tieWindow: TieWindow) => specOf(customerDecider(KEY, tieWindow), contextAt(MANAGER));
export const givenPartner = specOf(partnerDecider, contextAt(MANAGER));
/** A payout on the partner's stream; pass the read model's lines as `{ lines }`. */
export const givenPayout = specOf(payoutDecider, (at) => ({ ...contextAt(FINANCE)(at), lines: [], throughPosition: 100n }));
/** The policy stream (policy-adoption.ts), the default policy configured; pass `{ lines }` (the log's commission lines). */
export const givenPolicy = specOf(policyDecider(defaultPolicy), (at): AdoptionContext => ({
  occurredAt: at,
  actor: MANAGER,
  configured: { policy: defaultPolicy, document: defaultPolicy as unknown as Record<string, unknown> },
  lines: [],
}));
/** Wholesale-voice traffic on a reseller's stream. */
export const givenTraffic = specOf(trafficDecider, contextAt(FINANCE));
/** The rebate programme on a partner's stream; pass `{ distributor }` for a lock. */
export const givenRebates = specOf(rebateDecider, (at): RebateDecideContext => ({ policy: defaultPolicy, occurredAt: at, distributor: null }));
/** One partner's tier evaluation; `at` is the evaluation's effective instant; pass `{ signedCustomers }`. */
export const givenTierEvaluation = specOf(tierEvaluationDecider, (at) => ({ ...contextAt(MANAGER)(at), signedCustomers: new Map<string, number>() }));

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
