// The rebate programme as specifications (issue 9). Default policy: split 12/31/36/21%;
// distributors 60/80/100/120% → 0.5/1/1.5/2%; agents 80/100% → 1/2% (illustrative steps).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainRuleError } from '../../../src/domain/errors.js';
import type { LedgerEvent } from '../../../src/domain/events.js';
import type { PartnerState } from '../../../src/domain/partner.js';
import { defaultPolicy, loadPolicy } from '../../../src/domain/policy.js';
import { partnerDeltasOf, postingsOf } from '../../../src/domain/postings.js';
import { type RebateCommand, rebateDecider, rebateFigures } from '../../../src/domain/rebate-decide.js';
import { ev, type Given, givenRebates, signed } from './spec.js';

const C = 100_000_000; // a commitment of 1,000,000.00 CNY
// Business instants in Asia/Shanghai quarters of 2026 (02:00Z is 10:00 local).
const inQ = (q: 1 | 2 | 3 | 4, dayOfQuarter = 10) => new Date(Date.UTC(2026, (q - 1) * 3, dayOfQuarter, 2)).toISOString();
const endOfQ1Local = '2026-03-31T15:59:59.999Z'; // 23:59:59.999 in Shanghai

const dist = signed('D1', 'standard', '2025-12-01T02:00:00.000Z', 'distributor');
const agent = signed('A1', 'standard', '2025-12-01T02:00:00.000Z', 'value-added-agent');
const commitment = (partnerId: string, amountFen = C) => ev('CommitmentSet', { partnerId, year: 2026, amountFen, previousFen: null }, '2026-01-02T02:00:00.000Z');
let n = 0;
const purchase = (partnerId: string, amountFen: number, at: string, bid = false, productLine = 'routers', distributorId: string | null = null) =>
  ev('PurchaseRecorded', { purchaseId: `PO-${++n}`, partnerId, amountFen, productLine, bid, distributorId }, at);

const state = (...given: Given[]): PartnerState => givenRebates(...given).state();
const decide = (command: RebateCommand, s: PartnerState, occurredAt = inQ(4, 80), distributor: PartnerState | null = null) =>
  rebateDecider.decide(command, s, { policy: defaultPolicy, occurredAt, distributor });
const evaluate = (partnerId: string, quarter: string, s: PartnerState) => decide({ type: 'EvaluateRebate', data: { partnerId, quarter } }, s);
const earned = (events: LedgerEvent[]) => {
  const e = events[0];
  if (e?.type !== 'RebateEarned') throw new Error(`expected RebateEarned, got ${e?.type}`);
  return e.data;
};
function refusal(run: () => unknown): DomainRuleError {
  try {
    run();
  } catch (e) {
    if (e instanceof DomainRuleError) return e;
    throw e;
  }
  throw new Error('expected a refusal, but the command was accepted');
}
/** Folds a RebateEarned into the given facts (occurred at the quarter's evaluation). */
const withEarned = (given: Given[], events: LedgerEvent[], at = inQ(4, 85)): Given[] => [...given, { event: events[0]!, occurredAt: at }];

describe('the cumulative target and the steps', () => {
  it('Q1 target is 12% of the commitment; reaching step 3 (100% of it) exactly earns 1.5% on the non-bid purchases', () => {
    const f = earned(evaluate('D1', '2026-Q1', state(dist, commitment('D1'), purchase('D1', 12_000_000, inQ(1)))));
    expect(f).toMatchObject({ cumulativeTargetFen: 12_000_000, cumulativePurchasesFen: 12_000_000, step: 3, stepThresholdFen: 12_000_000, rateBps: 150, amountFen: 180_000, payerPartnerId: null });
  });
  it('one fen short of a step stays on the step below', () => {
    const f = earned(evaluate('D1', '2026-Q1', state(dist, commitment('D1'), purchase('D1', 11_999_999, inQ(1)))));
    expect(f).toMatchObject({ step: 2, stepThresholdFen: 9_600_000, rateBps: 100, amountFen: 120_000 });
  });
  it('below the first step (60%) earns nothing, and the quarter is still closed by a RebateEarned of 0', () => {
    const f = earned(evaluate('D1', '2026-Q1', state(dist, commitment('D1'), purchase('D1', 7_199_999, inQ(1)))));
    expect(f).toMatchObject({ step: 0, rateBps: 0, amountFen: 0 });
  });
  it('agents have 2 steps: 80% → 1%, 100% (the commitment) → 2%', () => {
    expect(earned(evaluate('A1', '2026-Q1', state(agent, commitment('A1'), purchase('A1', 9_600_000, inQ(1)))))).toMatchObject({ step: 1, rateBps: 100 });
    expect(earned(evaluate('A1', '2026-Q1', state(agent, commitment('A1'), purchase('A1', 12_000_000, inQ(1)))))).toMatchObject({ step: 2, rateBps: 200, amountFen: 240_000 });
  });
  it('a purchase at the last millisecond of the quarter (local time) counts in it; one after does not', () => {
    const s = state(dist, commitment('D1'), purchase('D1', 12_000_000, endOfQ1Local), purchase('D1', 5, '2026-03-31T16:00:00.000Z'));
    expect(earned(evaluate('D1', '2026-Q1', s)).cumulativePurchasesFen).toBe(12_000_000);
  });
});

describe('bids', () => {
  it('count toward the step but earn no rebate', () => {
    const s = state(dist, commitment('D1'), purchase('D1', 6_000_000, inQ(1)), purchase('D1', 6_000_000, inQ(1), true));
    expect(earned(evaluate('D1', '2026-Q1', s))).toMatchObject({ cumulativePurchasesFen: 12_000_000, cumulativeEligibleFen: 6_000_000, step: 3, amountFen: 90_000 });
  });
});

describe('cumulative quarters', () => {
  it('Q2 is measured against 43% cumulatively, and the rate of the step reached applies to the year so far minus what Q1 earned (true-up)', () => {
    const q1 = [dist, commitment('D1'), purchase('D1', 7_200_000, inQ(1))]; // 60% of 12M: step 1, 0.5%
    const q1Earned = evaluate('D1', '2026-Q1', state(...q1));
    expect(earned(q1Earned)).toMatchObject({ step: 1, amountFen: 36_000 });
    const q2 = [...withEarned(q1, q1Earned, inQ(2, 1)), purchase('D1', 35_800_000, inQ(2))]; // 43,000,000 cumulative = 100% of 43M
    const f = earned(evaluate('D1', '2026-Q2', state(...q2)));
    expect(f).toMatchObject({ cumulativeTargetFen: 43_000_000, cumulativePurchasesFen: 43_000_000, step: 3, cumulativeRebateFen: 645_000, earnedBeforeFen: 36_000, amountFen: 609_000 });
  });
  it('a missed later target never takes back a rebate already earned', () => {
    const q1 = [dist, commitment('D1'), purchase('D1', 14_400_000, inQ(1))]; // 120%: step 4, 2% → 288,000
    const q1Earned = evaluate('D1', '2026-Q1', state(...q1));
    const f = earned(evaluate('D1', '2026-Q2', state(...withEarned(q1, q1Earned, inQ(2, 1)))));
    expect(f).toMatchObject({ step: 0, cumulativeRebateFen: 0, earnedBeforeFen: 288_000, amountFen: 0 });
  });
  it('evaluating a quarter twice writes nothing; an earlier quarter after a later one is refused', () => {
    const given = [dist, commitment('D1'), purchase('D1', 1_000, inQ(1))];
    const q2 = evaluate('D1', '2026-Q2', state(...given));
    const after = withEarned(given, q2);
    expect(evaluate('D1', '2026-Q2', state(...after))).toEqual([]);
    expect(refusal(() => evaluate('D1', '2026-Q1', state(...after))).rule).toBe('rebate-quarter-out-of-order');
  });
  it('no commitment for the year or a partner outside the programme: nothing is evaluated', () => {
    expect(evaluate('D1', '2026-Q1', state(dist, purchase('D1', 1_000, inQ(1))))).toEqual([]);
    expect(evaluate('R1', '2026-Q1', state(signed('R1', 'gold', '2025-12-01T02:00:00.000Z')))).toEqual([]);
  });
});

describe('two-level distribution: the locked distributor pays', () => {
  const lock = ev('LockedToDistributor', { partnerId: 'A1', distributorId: 'D1' }, '2026-01-03T02:00:00.000Z');
  it("a locked agent's rebate names its distributor as payer, and the postings move it between the two partners", () => {
    const f = earned(evaluate('A1', '2026-Q1', state(agent, lock, commitment('A1'), purchase('A1', 12_000_000, inQ(1), false, 'routers', 'D1'))));
    expect(f).toMatchObject({ payerPartnerId: 'D1', amountFen: 240_000 });
    const event = { type: 'RebateEarned', data: f } as LedgerEvent;
    expect(postingsOf(event)).toEqual([
      { side: 'partner', partnerId: 'A1', account: 'rebate', amountFen: 240_000 },
      { side: 'partner', partnerId: 'D1', account: 'rebate', amountFen: -240_000 },
    ]);
    const paid = { type: 'RebatePaid', data: { rebatePaymentId: 'RP-1', partnerId: 'A1', payerPartnerId: 'D1', amountFen: 240_000 } } as LedgerEvent;
    const net = new Map<string, number>();
    for (const e of [event, paid]) for (const d of partnerDeltasOf(e)) net.set(d.partnerId, (net.get(d.partnerId) ?? 0) + d.deltas.rebate);
    expect(Object.fromEntries(net)).toEqual({ A1: 0, D1: 0 });
  });
  it("an unlocked partner's rebate is owed by the vendor", () => {
    const f = earned(evaluate('A1', '2026-Q1', state(agent, commitment('A1'), purchase('A1', 12_000_000, inQ(1)))));
    expect(postingsOf({ type: 'RebateEarned', data: f })).toEqual([
      { side: 'partner', partnerId: 'A1', account: 'rebate', amountFen: 240_000 },
      { side: 'vendor', account: 'rebateExpense', amountFen: -240_000 },
    ]);
  });
  it('locks only an agent to a signed distributor, once', () => {
    const d = state(dist);
    const cmd = { type: 'LockToDistributor' as const, data: { partnerId: 'A1', distributorId: 'D1' } };
    expect(decide(cmd, state(agent), inQ(1), d)).toEqual([lock.event]);
    expect(decide(cmd, state(agent, lock), inQ(1), d)).toEqual([]);
    expect(refusal(() => decide({ ...cmd, data: { partnerId: 'A1', distributorId: 'D2' } }, state(agent, lock), inQ(1), state(signed('D2', 'standard', '2025-12-01T02:00:00.000Z', 'distributor')))).rule).toBe('agent-already-locked');
    expect(refusal(() => decide(cmd, state(agent), inQ(1), null)).rule).toBe('lock-distributor-unknown');
    expect(refusal(() => decide(cmd, state(agent), inQ(1), state(signed('D1', 'gold', '2025-12-01T02:00:00.000Z')))).rule).toBe('lock-not-a-distributor');
    expect(refusal(() => decide({ ...cmd, data: { partnerId: 'D1', distributorId: 'D1' } }, state(dist), inQ(1), d)).rule).toBe('lock-agent-only');
  });
  it('a rebate payment never exceeds what the payer owes', () => {
    const s = state(agent, lock, commitment('A1'), purchase('A1', 12_000_000, inQ(1)));
    const after = state(...withEarned([agent, lock, commitment('A1'), purchase('A1', 12_000_000, inQ(1))], evaluate('A1', '2026-Q1', s)));
    const pay = (payerPartnerId: string | null, amountFen: number) => decide({ type: 'PayRebate', data: { rebatePaymentId: 'RP-1', partnerId: 'A1', payerPartnerId, amountFen } }, after);
    expect(pay('D1', 240_000)).toHaveLength(1);
    expect(refusal(() => pay('D1', 240_001)).figures).toEqual({ amountFen: 240_001, unpaidFen: 240_000 });
    expect(refusal(() => pay(null, 1)).rule).toBe('rebate-payment-exceeds-unpaid');
  });
});

describe('commitments and purchases', () => {
  it('a commitment can change until the year is evaluated, and only for programme partners', () => {
    const set = (partnerId: string, amountFen: number) => ({ type: 'SetCommitment' as const, data: { partnerId, year: 2026, amountFen } });
    expect(decide(set('D1', C), state(dist, commitment('D1')))).toEqual([]);
    expect(decide(set('D1', C + 1), state(dist, commitment('D1')))[0]?.data).toMatchObject({ amountFen: C + 1, previousFen: C });
    const evaluated = withEarned([dist, commitment('D1')], evaluate('D1', '2026-Q1', state(dist, commitment('D1'))));
    expect(refusal(() => decide(set('D1', C + 1), state(...evaluated))).rule).toBe('commitment-year-evaluated');
    expect(refusal(() => decide(set('R1', C), state(signed('R1', 'gold', '2025-12-01T02:00:00.000Z')))).rule).toBe('rebate-partner-kind');
  });
  it('a purchase dated in an evaluated quarter is refused; the same purchase again writes nothing', () => {
    const given = [dist, commitment('D1')];
    const closed = state(...withEarned(given, evaluate('D1', '2026-Q1', state(...given))));
    const buy = { type: 'RecordPurchase' as const, data: { purchaseId: 'PO-X', partnerId: 'D1', amountFen: 10, productLine: 'routers', bid: false } };
    expect(refusal(() => decide(buy, closed, inQ(1))).rule).toBe('purchase-quarter-evaluated');
    const bought = state(dist, ev('PurchaseRecorded', { ...buy.data, distributorId: null }, inQ(2)));
    expect(decide(buy, bought, inQ(2))).toEqual([]);
    expect(refusal(() => decide({ ...buy, data: { ...buy.data, amountFen: 11 } }, bought, inQ(2))).kind).toBe('conflict');
  });
  it('a company policy replaces the steps; the policy refuses a commitment step that is not 100%', () => {
    const own = structuredClone(defaultPolicy);
    own.rebates!.steps.distributor = [
      { ofTargetBps: 5000, rateBps: 10 },
      { ofTargetBps: 9000, rateBps: 20 },
      { ofTargetBps: 10000, rateBps: 300 },
      { ofTargetBps: 15000, rateBps: 400 },
    ];
    const f = rebateFigures('distributor', C, '2026-Q1', [{ amountFen: 12_000_000, bid: false, occurredAt: inQ(1) }], 0, loadPolicy(own));
    expect(f).toMatchObject({ step: 3, rateBps: 300, amountFen: 360_000 });
    own.rebates!.steps.distributor[2]!.ofTargetBps = 9500;
    expect(() => loadPolicy(own)).toThrow(/step 3 must be 10000/);
  });
});

describe('property: rebates never depend on the order in which the same purchases were recorded', () => {
  it('every quarter of the year earns the same in any recording order', () => {
    const purchaseArb = fc.record({
      amountFen: fc.integer({ min: 1, max: 20_000_000 }),
      bid: fc.boolean(),
      q: fc.constantFrom(1 as const, 2 as const, 3 as const, 4 as const),
      day: fc.integer({ min: 1, max: 80 }),
    });
    fc.assert(
      fc.property(fc.array(purchaseArb, { minLength: 0, maxLength: 25 }), fc.constantFrom('D1', 'A1'), fc.integer({ min: 1, max: 2 ** 31 }), (items, who, seed) => {
        const signing = who === 'D1' ? dist : agent;
        const given = items.map((p, i) => ev('PurchaseRecorded', { purchaseId: `P-${i}`, partnerId: who, amountFen: p.amountFen, productLine: 'routers', bid: p.bid, distributorId: null }, inQ(p.q, p.day)));
        const shuffled = shuffle(given, seed);
        const yearOf = (purchases: Given[]) => {
          let facts: Given[] = [signing, commitment(who), ...purchases];
          const amounts: number[] = [];
          for (const quarter of ['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4']) {
            const events = evaluate(who, quarter, state(...facts));
            amounts.push(earned(events).amountFen);
            facts = withEarned(facts, events);
          }
          return amounts;
        };
        expect(yearOf(shuffled)).toEqual(yearOf(given));
      }),
      { numRuns: 150 },
    );
  });
});

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe("two-level distribution: a locked agent's volume climbs its distributor's steps", () => {
  const lock = ev('LockedToDistributor', { partnerId: 'A1', distributorId: 'D1' }, '2026-01-03T02:00:00.000Z');
  const through = (amountFen: number, at: string, partnerId = 'A1', bid = false) => ({ partnerId, amountFen, bid, occurredAt: at });
  const evaluateQ1 = { type: 'EvaluateRebate' as const, data: { partnerId: 'D1', quarter: '2026-Q1' } };

  it("adds the agents' purchases through it to the distributor's cumulative purchases (step 2 → 3), not to what earns it rebate, and lists them per agent", () => {
    const [e] = givenRebates(dist, commitment('D1'), purchase('D1', 9_600_000, inQ(1)))
      .when(evaluateQ1, inQ(4, 80), { agentPurchases: [through(1_000_000, inQ(1)), through(1_400_000, inQ(1), 'A1', true)] })
      .events();
    expect(e?.data).toMatchObject({
      cumulativePurchasesFen: 12_000_000, // 9.6M own + 2.4M through it = 100% of the 12M Q1 target
      cumulativeEligibleFen: 9_600_000,
      step: 3,
      rateBps: 150,
      amountFen: 144_000, // 1.5% of its own 9.6M only: the agent earns its own rebate on the 2.4M
      lockedAgentPurchases: [{ partnerId: 'A1', cumulativePurchasesFen: 2_400_000 }],
    });
  });
  it("without the agents' purchases the same distributor stays on step 2, and its figures carry no lockedAgentPurchases", () => {
    const [e] = givenRebates(dist, commitment('D1'), purchase('D1', 9_600_000, inQ(1))).when(evaluateQ1, inQ(4, 80)).events();
    expect(e?.data).toMatchObject({ step: 2, amountFen: 96_000 });
    expect(e?.data).not.toHaveProperty('lockedAgentPurchases');
  });
  it("counts only the year's purchases up to the quarter, per agent in partner-id order", () => {
    const [e] = givenRebates(dist, commitment('D1'))
      .when(evaluateQ1, inQ(4, 80), { agentPurchases: [through(5, inQ(1), 'A2'), through(3, inQ(1)), through(7, inQ(2)), through(11, '2025-12-10T02:00:00.000Z')] })
      .events();
    expect(e?.data).toMatchObject({ cumulativePurchasesFen: 8, lockedAgentPurchases: [{ partnerId: 'A1', cumulativePurchasesFen: 3 }, { partnerId: 'A2', cumulativePurchasesFen: 5 }] });
  });
  it("an agent's own evaluation never counts other agents' purchases", () => {
    const [e] = givenRebates(agent, lock, commitment('A1'), purchase('A1', 9_600_000, inQ(1), false, 'routers', 'D1'))
      .when({ type: 'EvaluateRebate', data: { partnerId: 'A1', quarter: '2026-Q1' } }, inQ(4, 80), { agentPurchases: [through(2_400_000, inQ(1), 'A9')] })
      .events();
    expect(e?.data).toMatchObject({ cumulativePurchasesFen: 9_600_000, step: 1 });
  });
  it("a locked agent's purchase dated in a quarter its distributor has evaluated is refused; in an open one it is recorded through the distributor", () => {
    const closedD1 = withEarned([dist, commitment('D1')], evaluate('D1', '2026-Q1', state(dist, commitment('D1'))));
    const buy = { type: 'RecordPurchase' as const, data: { purchaseId: 'PO-A', partnerId: 'A1', amountFen: 10, productLine: 'routers', bid: false } };
    const e = givenRebates(agent, lock).when(buy, inQ(1), { distributor: state(...closedD1) }).thenRefuses('purchase-quarter-evaluated', /distributor D1/);
    expect(e.figures).toEqual({ quarter: '2026-Q1', distributorId: 'D1' });
    givenRebates(agent, lock).when(buy, inQ(2), { distributor: state(...closedD1) }).then([ev('PurchaseRecorded', { ...buy.data, distributorId: 'D1' }, inQ(2)).event]);
  });
});

describe('second-level agents (a three-party agreement)', () => {
  const threeParty = ev('LockedToDistributor', { partnerId: 'A1', distributorId: 'D1', secondLevel: true }, '2026-01-03T02:00:00.000Z');
  const lockCmd = { type: 'LockToDistributor' as const, data: { partnerId: 'A1', distributorId: 'D1', secondLevel: true as const } };

  it('a three-party agreement is a lock marked secondLevel; the same again writes nothing, the other form is refused', () => {
    givenRebates(agent).when(lockCmd, inQ(1), { distributor: state(dist) }).then([threeParty.event]);
    givenRebates(agent, threeParty).when(lockCmd, inQ(1), { distributor: state(dist) }).then([]);
    const ordinary = ev('LockedToDistributor', { partnerId: 'A1', distributorId: 'D1' }, '2026-01-03T02:00:00.000Z');
    givenRebates(agent, ordinary).when(lockCmd, inQ(1), { distributor: state(dist) }).thenRefuses('agent-already-locked', /locked to distributor D1 as an agent/);
    givenRebates(agent, threeParty)
      .when({ type: 'LockToDistributor', data: { partnerId: 'A1', distributorId: 'D1' } }, inQ(1), { distributor: state(dist) })
      .thenRefuses('agent-already-locked', /second-level agent/);
  });
  it("has 2 steps of its own (illustrative 80/100% → 0.5/1%), paid by its distributor", () => {
    const s = givenRebates(agent, threeParty, commitment('A1'), purchase('A1', 9_600_000, inQ(1), false, 'routers', 'D1'));
    const q1 = { type: 'EvaluateRebate' as const, data: { partnerId: 'A1', quarter: '2026-Q1' } };
    expect(s.when(q1, inQ(4, 80)).events()[0]?.data).toMatchObject({ step: 1, rateBps: 50, amountFen: 48_000, payerPartnerId: 'D1' });
    const full = givenRebates(agent, threeParty, commitment('A1'), purchase('A1', 12_000_000, inQ(1), false, 'routers', 'D1'));
    expect(full.when(q1, inQ(4, 80)).events()[0]?.data).toMatchObject({ step: 2, stepThresholdFen: 12_000_000, rateBps: 100, amountFen: 120_000, payerPartnerId: 'D1' });
    expect(defaultPolicy.rebates!.steps['second-level-agent']).toHaveLength(2);
    expect(defaultPolicy.rebates!.illustrative).toBe(true);
  });
  it('is refused when the policy names no second-level-agent steps', () => {
    const own = structuredClone(defaultPolicy);
    delete own.rebates!.steps['second-level-agent'];
    delete own.rebates!.commitmentStep['second-level-agent'];
    givenRebates(agent).when(lockCmd, inQ(1), { distributor: state(dist), policy: loadPolicy(own) }).thenRefuses('second-level-steps-absent');
  });
});
