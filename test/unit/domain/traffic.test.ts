// Wholesale-voice traffic: the deposit is the reseller's credit limit (issue 10).
import { describe, expect, it } from 'vitest';
import { DomainRuleError } from '../../../src/domain/errors.js';
import { partnerDeltasOf, postingsOf } from '../../../src/domain/postings.js';
import { trafficOutstandingFen } from '../../../src/domain/traffic.js';
import type { BillTraffic, SettleTraffic } from '../../../src/domain/traffic-decide.js';
import { day, ev, type Given, givenTraffic, signed } from './spec.js';

const MIN = 10_000_000; // the default policy's wholesale-voice minimum: 100,000.00 CNY
const reseller = signed('W1', 'standard', day(0), 'wholesale-voice');
const deposit = (amountFen: number, at = day(1)) => ev('DepositPosted', { partnerId: 'W1', amountFen }, at);
const billed = (billId: string, amountFen: number, outstandingFen: number, creditLimitFen = MIN, whileSuspended = false) =>
  ev('TrafficBilled', { billId, partnerId: 'W1', amountFen, period: '2026-01', creditLimitFen, outstandingFen, whileSuspended }, day(2));
const settled = (settlementId: string, amountFen: number, outstandingFen: number) => ev('TrafficSettled', { settlementId, partnerId: 'W1', amountFen, outstandingFen }, day(3));

const bill = (billId: string, amountFen: number, period = '2026-01'): BillTraffic => ({ partnerId: 'W1', billId, amountFen, period });
const settle = (settlementId: string, amountFen: number): SettleTraffic => ({ partnerId: 'W1', settlementId, amountFen });

const state = (...given: Given[]) => givenTraffic(...given).state();
const billOn = (c: BillTraffic, ...given: Given[]) => givenTraffic(...given).when({ type: 'BillTraffic', data: c }, day(4));
const settleOn = (c: SettleTraffic, ...given: Given[]) => givenTraffic(...given).when({ type: 'SettleTraffic', data: c }, day(4));
function refusal(run: () => unknown): DomainRuleError {
  try {
    run();
  } catch (e) {
    if (e instanceof DomainRuleError) return e;
    throw e;
  }
  throw new Error('expected a refusal, but the command was accepted');
}

describe('billing traffic against the deposit', () => {
  it('records a bill within the deposit, with the limit and the outstanding traffic after it', () => {
    const events = billOn(bill('B1', 4_000_000), reseller, deposit(MIN)).events();
    expect(events).toEqual([billed('B1', 4_000_000, 4_000_000).event]);
  });
  it('accepts a bill that takes outstanding traffic exactly to the deposit', () => {
    const events = billOn(bill('B2', 6_000_000), reseller, deposit(MIN), billed('B1', 4_000_000, 4_000_000)).events();
    expect(events[0]?.data).toMatchObject({ outstandingFen: MIN, creditLimitFen: MIN });
  });
  // Issue #22 item 2: a bill over the limit used to be refused (rule traffic-credit-limit) and the
  // traffic already carried vanished; the bill is a fact now, and the limit decides the service
  // (credit-suspension.test.ts).
  it('records a bill one fen above the limit, with the limit and the outstanding traffic after it', () => {
    const events = billOn(bill('B2', 6_000_001), reseller, deposit(MIN), billed('B1', 4_000_000, 4_000_000)).events();
    expect(events).toEqual([billed('B2', 6_000_001, MIN + 1).event]);
  });
  it('records a bill while the credit is suspended, flagged whileSuspended', () => {
    const suspended = ev('CreditSuspended', { partnerId: 'W1', creditLimitFen: MIN, outstandingFen: MIN, cause: 'TrafficBilled' }, day(2));
    const events = billOn(bill('B2', 1), reseller, deposit(MIN), billed('B1', MIN, MIN), suspended).events();
    expect(events).toEqual([billed('B2', 1, MIN + 1, MIN, true).event]);
  });
  it('bills only wholesale-voice resellers', () => {
    const other = signed('W1', 'gold', day(0), 'relationship');
    const e = refusal(() => billOn(bill('B1', 1), other, deposit(MIN)).events());
    expect(e.rule).toBe('traffic-wholesale-voice-only');
  });
  it('requires the policy minimum deposit before the first bill', () => {
    const e = refusal(() => billOn(bill('B1', 100), reseller, deposit(MIN - 1)).events());
    expect(e.rule).toBe('traffic-deposit-below-minimum');
    expect(e.figures).toMatchObject({ minimumFen: MIN, depositFen: MIN - 1, shortfallFen: 1 });
  });
  it('refuses an unknown partner as not found', () => {
    const e = refusal(() => billOn(bill('B1', 100)).events());
    expect([e.rule, e.kind]).toEqual(['partner-unknown', 'not-found']);
  });
  it('writes nothing for the same bill again, and refuses the same bill id with other figures', () => {
    const sGiven = [reseller, deposit(MIN), billed('B1', 4_000_000, 4_000_000)];
    expect(billOn(bill('B1', 4_000_000), ...sGiven).events()).toEqual([]);
    const e = refusal(() => billOn(bill('B1', 4_000_001), ...sGiven).events());
    expect([e.rule, e.kind]).toEqual(['bill-id-taken', 'conflict']);
  });
});

describe('settling traffic', () => {
  const owing = [reseller, deposit(MIN), billed('B1', 3_000_000, 3_000_000)] as const;
  it('records a settlement up to the outstanding traffic', () => {
    expect(settleOn(settle('S1', 3_000_000), ...owing).events()).toEqual([settled('S1', 3_000_000, 0).event]);
  });
  it('refuses a settlement larger than the outstanding traffic', () => {
    const e = refusal(() => settleOn(settle('S1', 3_000_001), ...owing).events());
    expect(e.rule).toBe('traffic-settlement-exceeds-outstanding');
    expect(e.figures).toEqual({ amountFen: 3_000_001, outstandingFen: 3_000_000, excessFen: 1 });
  });
  it('writes nothing for the same settlement again', () => {
    expect(settleOn(settle('S1', 1_000), ...owing, settled('S1', 1_000, 2_999_000)).events()).toEqual([]);
  });
});

describe('traffic in the books', () => {
  it('outstanding = billed − settled, in the state and in the postings, which balance', () => {
    const given = [reseller, deposit(MIN), billed('B1', 3_000_000, 3_000_000), settled('S1', 1_000_000, 2_000_000)];
    expect(trafficOutstandingFen(state(...given).traffic)).toBe(2_000_000);
    let outstanding = 0;
    for (const g of given) {
      expect(postingsOf(g.event).reduce((a, p) => a + p.amountFen, 0)).toBe(0);
      for (const d of partnerDeltasOf(g.event)) outstanding += d.deltas.trafficOutstanding;
    }
    expect(outstanding).toBe(2_000_000);
  });
  it('a fold refuses settled traffic above billed traffic (an invariant, not only a rule)', () => {
    expect(() => state(reseller, deposit(MIN), settled('S1', 1, 0))).toThrow(/exceeds billed/);
  });
});
