// Properties over random command sequences: every decided event's postings sum to zero,
// replaying the same facts yields the same state, a customer with live claims has exactly one
// owner, and neither payable nor a deposit ever goes negative.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CustomerCommand, decideCustomer } from '../../../src/domain/customer-decide.js';
import { foldCustomer, ownershipOf, type Stage } from '../../../src/domain/customer.js';
import { DomainRuleError } from '../../../src/domain/errors.js';
import type { LedgerEvent } from '../../../src/domain/events.js';
import type { FoldFact } from '../../../src/domain/fact.js';
import { decidePartner } from '../../../src/domain/partner-decide.js';
import { foldPartner } from '../../../src/domain/partner.js';
import { decidePayout, type UnsettledLine } from '../../../src/domain/payout.js';
import { defaultPolicy } from '../../../src/domain/policy.js';
import { type AccountTotals, partnerDeltasOf, payableOf, postingsOf, zeroAccountTotals } from '../../../src/domain/postings.js';
import { quarterOf } from '../../../src/domain/quarter.js';
import { KEY, MANAGER, registerCommand } from './spec.js';

const PARTNERS = ['P1', 'P2'];
const DEALS = ['D0', 'D1', 'D2', 'D3'];
const dealPartner = (i: number): string | null => (i === 3 ? null : PARTNERS[i % 2]!);
const stages: Array<Stage | 'lost'> = ['interest', 'meeting', 'solution', 'trial', 'signed', 'lost'];

const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });
const step = fc.oneof(
  w(3, fc.record({ kind: fc.constant('register' as const), deal: fc.nat(3) })),
  w(3, fc.record({ kind: fc.constant('signOwner' as const) })),
  w(2, fc.record({ kind: fc.constant('stage' as const), deal: fc.nat(3), stage: fc.constantFrom(...stages) })),
  w(1, fc.record({ kind: fc.constant('transfer' as const), from: fc.nat(3), to: fc.nat(3) })),
  w(1, fc.record({ kind: fc.constant('rule' as const), deal: fc.nat(3) })),
  w(6, fc.record({ kind: fc.constant('pay' as const), deal: fc.nat(3), amountFen: fc.integer({ min: 1, max: 5_000_000 }), line: fc.constantFrom('port' as const, 'conference' as const, 'long-distance' as const) })),
  w(4, fc.record({ kind: fc.constant('refund' as const), payment: fc.nat(20), amountFen: fc.integer({ min: 1, max: 5_000_000 }) })),
  w(3, fc.record({ kind: fc.constant('payout' as const), partner: fc.nat(1), lastQuarter: fc.boolean() })),
  w(1, fc.record({ kind: fc.constant('deposit' as const), partner: fc.nat(1), amountFen: fc.integer({ min: 1, max: 1_000_000 }) })),
  w(1, fc.record({ kind: fc.constant('deduct' as const), partner: fc.nat(1), amountFen: fc.integer({ min: 1, max: 1_000_000 }) })),
  w(1, fc.record({ kind: fc.constant('tier' as const), partner: fc.nat(1), tier: fc.constantFrom('gold', 'silver', 'standard') })),
);
const scenario = fc.array(fc.record({ step, advanceDays: fc.integer({ min: 0, max: 25 }) }), { minLength: 10, maxLength: 50, size: 'max' });

interface World {
  facts: Map<string, FoldFact[]>;
  position: bigint;
  nowMs: number;
  payments: string[];
}

function append(world: World, stream: string, events: LedgerEvent[]): void {
  const list = world.facts.get(stream) ?? [];
  for (const e of events) {
    world.position += 1n;
    const at = new Date(world.nowMs).toISOString();
    list.push({ ...e, eventId: `00000000-0000-4000-8000-${world.position.toString().padStart(12, '0')}`, occurredAt: at, recordedAt: at, position: world.position });
  }
  world.facts.set(stream, list);
}

const partnerState = (w: World, id: string) => foldPartner(w.facts.get(`partner-${id}`) ?? []);
const customerState = (w: World) => foldCustomer(KEY, w.facts.get('customer') ?? []);

function unsettledLines(w: World, partnerId: string): UnsettledLine[] {
  return (w.facts.get('customer') ?? []).flatMap((f): UnsettledLine[] =>
    (f.type === 'CommissionAccrued' || f.type === 'CommissionClawedBack') && f.data.partnerId === partnerId
      ? [{ eventId: f.eventId, type: f.type, commissionFen: f.data.commissionFen, paymentId: f.data.paymentId, occurredAt: f.occurredAt, position: f.position }]
      : [],
  );
}

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;
function run(steps: Scenario): World {
  const world: World = { facts: new Map(), position: 0n, nowMs: Date.parse('2026-01-05T02:00:00.000Z'), payments: [] };
  const ctx = () => ({ policy: defaultPolicy, occurredAt: new Date(world.nowMs).toISOString(), actor: MANAGER });
  for (const p of PARTNERS) {
    append(world, `partner-${p}`, decidePartner({ type: 'SignPartner', data: { partnerId: p, name: p, kind: 'relationship', tier: 'silver', parentPartnerId: null, territory: null } }, partnerState(world, p), ctx()));
  }
  for (const { step: s, advanceDays } of steps) {
    world.nowMs += advanceDays * 86_400_000;
    try {
      switch (s.kind) {
        case 'register': {
          const partnerId = dealPartner(s.deal);
          const cmd = registerCommand(DEALS[s.deal]!, partnerId);
          append(world, 'customer', decideCustomer(cmd, customerState(world), { ...ctx(), registeringPartner: partnerId ? partnerState(world, partnerId) : null }));
          break;
        }
        case 'signOwner': {
          const state = customerState(world);
          const owner = ownershipOf(state).ownerDealId;
          if (owner) append(world, 'customer', decideCustomer({ type: 'AdvanceStage', data: { dealId: owner, stage: 'signed' } }, state, ctx()));
          break;
        }
        case 'stage':
          append(world, 'customer', decideCustomer({ type: 'AdvanceStage', data: { dealId: DEALS[s.deal]!, stage: s.stage } }, customerState(world), ctx()));
          break;
        case 'transfer': {
          // Two departments agree on a handover: one manager proposes, another approves (transfers.ts).
          const transferId = `T-${world.position}`;
          append(world, 'customer', decideCustomer({ type: 'ProposeTransfer', data: { transferId, fromDealId: DEALS[s.from]!, toDealId: DEALS[s.to]!, reason: 'idle' } }, customerState(world), ctx()));
          const second = { ...ctx(), actor: { role: 'manager' as const, id: 'm-2' } };
          append(world, 'customer', decideCustomer({ type: 'ApproveTransfer', data: { transferId, reason: null } }, customerState(world), second));
          break;
        }
        case 'rule':
          append(world, 'customer', decideCustomer({ type: 'RuleOwnership', data: { ownerDealId: DEALS[s.deal]!, reason: 'ruling' } }, customerState(world), ctx()));
          break;
        case 'pay': {
          const paymentId = `PAY-${world.payments.length}`;
          const state = customerState(world);
          const owner = ownershipOf(state).ownerPartnerId;
          const cmd: CustomerCommand = { type: 'ReceivePayment', data: { paymentId, dealId: DEALS[s.deal]!, line: s.line, amountFen: s.amountFen } };
          append(world, 'customer', decideCustomer(cmd, state, { ...ctx(), ownerPartner: owner ? partnerState(world, owner) : null }));
          world.payments.push(paymentId);
          break;
        }
        case 'refund': {
          const paymentId = world.payments[s.payment % Math.max(1, world.payments.length)] ?? 'none';
          const cmd: CustomerCommand = { type: 'IssueRefund', data: { refundId: `R-${world.position}`, paymentId, amountFen: s.amountFen, reason: 'left' } };
          append(world, 'customer', decideCustomer(cmd, customerState(world), ctx()));
          break;
        }
        case 'payout': {
          const id = PARTNERS[s.partner]!;
          // this quarter, or the one before (its later cash and the clawbacks of that cash wait)
          const quarter = quarterOf(new Date(world.nowMs - (s.lastQuarter ? 92 * 86_400_000 : 0)).toISOString(), defaultPolicy.timeZone);
          const events = decidePayout({ partnerId: id, quarter }, partnerState(world, id), { ...ctx(), lines: unsettledLines(world, id), throughPosition: world.position });
          append(world, `partner-${id}`, events);
          break;
        }
        case 'deposit':
          append(world, `partner-${PARTNERS[s.partner]}`, decidePartner({ type: 'PostDeposit', data: { partnerId: PARTNERS[s.partner]!, amountFen: s.amountFen } }, partnerState(world, PARTNERS[s.partner]!), ctx()));
          break;
        case 'deduct':
          append(world, `partner-${PARTNERS[s.partner]}`, decidePartner({ type: 'DeductDeposit', data: { partnerId: PARTNERS[s.partner]!, amountFen: s.amountFen, reason: 'bills', reference: null } }, partnerState(world, PARTNERS[s.partner]!), ctx()));
          break;
        case 'tier':
          append(world, `partner-${PARTNERS[s.partner]}`, decidePartner({ type: 'ChangeTier', data: { partnerId: PARTNERS[s.partner]!, tier: s.tier, reason: 'manual' } }, partnerState(world, PARTNERS[s.partner]!), ctx()));
          break;
      }
    } catch (e) {
      if (!(e instanceof DomainRuleError)) throw e;
    }
    // after every step: one owner among live claims (ownershipOf asserts it too)
    const o = ownershipOf(customerState(world));
    const live = o.claims.filter((c) => c.status !== 'lost');
    expect(o.claims.filter((c) => c.status === 'owner')).toHaveLength(live.length > 0 ? 1 : 0);
  }
  if (process.env.PROPERTY_STATS) for (const f of [...world.facts.values()].flat()) stats.set(f.type, (stats.get(f.type) ?? 0) + 1);
  return world;
}
export const stats = new Map<string, number>();

const allFacts = (w: World): FoldFact[] => [...w.facts.values()].flat().sort((a, b) => (a.position < b.position ? -1 : 1));

describe('properties over any command sequence', () => {
  it('postings of every event sum to zero, and balances never show a negative payable or deposit', () => {
    fc.assert(
      fc.property(scenario, (steps) => {
        const world = run(steps);
        const totals = new Map<string, AccountTotals>();
        for (const fact of allFacts(world)) {
          const sum = postingsOf(fact).reduce((acc, p) => acc + p.amountFen, 0);
          expect(sum).toBe(0);
          for (const d of partnerDeltasOf(fact)) {
            const t = totals.get(d.partnerId) ?? zeroAccountTotals();
            for (const k of Object.keys(t) as Array<keyof AccountTotals>) t[k] += d.deltas[k];
            totals.set(d.partnerId, t);
          }
          if (fact.type === 'CommissionPaidOut') expect(fact.data.paidFen).toBeGreaterThanOrEqual(0);
        }
        for (const [id, t] of totals) {
          expect(payableOf(t)).toBeGreaterThanOrEqual(0);
          expect(t.deposit).toBeGreaterThanOrEqual(0);
          expect(t.debt).toBeGreaterThanOrEqual(0);
          const state = partnerState(world, id);
          expect(state.depositFen).toBe(t.deposit);
          expect(state.debtFen).toBe(t.debt);
        }
      }),
      { numRuns: 150 },
    );
    if (process.env.PROPERTY_STATS) console.log(Object.fromEntries(stats));
  });

  it('replaying the same facts yields the same state', () => {
    fc.assert(
      fc.property(scenario, (steps) => {
        const world = run(steps);
        const facts = world.facts.get('customer') ?? [];
        expect(foldCustomer(KEY, facts.map((f) => ({ ...f })))).toEqual(foldCustomer(KEY, facts));
        for (const p of PARTNERS) {
          const pf = world.facts.get(`partner-${p}`) ?? [];
          expect(foldPartner(structuredClone(pf))).toEqual(foldPartner(pf));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a payout settles every due line at most once: the settled sum equals what the lines earned', () => {
    fc.assert(
      fc.property(scenario, (steps) => {
        const world = run(steps);
        for (const p of PARTNERS) {
          const settled = new Map<string, number>();
          for (const f of world.facts.get(`partner-${p}`) ?? []) {
            if (f.type !== 'CommissionPaidOut') continue;
            for (const line of f.data.lines) {
              expect(settled.has(line.eventId)).toBe(false);
              settled.set(line.eventId, line.commissionFen);
            }
          }
          const byId = new Map(unsettledLines(world, p).map((l) => [l.eventId, l.type === 'CommissionAccrued' ? l.commissionFen : -l.commissionFen]));
          for (const [id, fen] of settled) expect(byId.get(id)).toBe(fen);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a payout settles a clawback only with or after the accrual it reverses (payout-lines.ts)', () => {
    fc.assert(
      fc.property(scenario, (steps) => {
        const world = run(steps);
        for (const p of PARTNERS) {
          const lines = new Map(unsettledLines(world, p).map((l) => [l.eventId, l]));
          const accrualOf = new Map([...lines.values()].filter((l) => l.type === 'CommissionAccrued').map((l) => [l.paymentId, l.eventId]));
          const settled = new Set<string>();
          for (const f of world.facts.get(`partner-${p}`) ?? []) {
            if (f.type !== 'CommissionPaidOut') continue;
            for (const line of f.data.lines) settled.add(line.eventId);
            for (const line of f.data.lines) {
              const l = lines.get(line.eventId)!;
              if (l.type === 'CommissionClawedBack') expect(settled.has(accrualOf.get(l.paymentId)!)).toBe(true);
            }
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
