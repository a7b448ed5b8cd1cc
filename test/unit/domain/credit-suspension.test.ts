// Wholesale service stops; bills are still facts (issue #22 item 2), as specifications of
// src/domain/credit-suspension.ts: given the reseller's stream, when a bill, a settlement, a
// deposit or a deduction is decided, then the fact and the credit status change it causes.
import { describe, expect, it } from 'vitest';
import { type CreditCommand, creditDecider, creditStatusOf, withCreditStatus } from '../../../src/domain/credit-suspension.js';
import type { DecideContext } from '../../../src/domain/decide-context.js';
import { foldPartner } from '../../../src/domain/partner.js';
import { defaultPolicy } from '../../../src/domain/policy.js';
import { day, ev, FINANCE, type Given, signed, specOf, toFacts } from './spec.js';

const MIN = 10_000_000; // the default policy's wholesale-voice minimum deposit: 100,000.00 CNY
const givenCredit = specOf(creditDecider, (at): DecideContext => ({ policy: defaultPolicy, occurredAt: at, actor: FINANCE }));

const reseller = signed('W1', 'standard', day(0), 'wholesale-voice');
const deposit = (amountFen: number, at = day(1)) => ev('DepositPosted', { partnerId: 'W1', amountFen }, at);
const billed = (billId: string, amountFen: number, outstandingFen: number, creditLimitFen = MIN, whileSuspended = false) =>
  ev('TrafficBilled', { billId, partnerId: 'W1', amountFen, period: '2026-01', creditLimitFen, outstandingFen, whileSuspended }, day(2));
const settled = (settlementId: string, amountFen: number, outstandingFen: number) => ev('TrafficSettled', { settlementId, partnerId: 'W1', amountFen, outstandingFen }, day(3));
const suspended = (outstandingFen: number, cause: 'TrafficBilled' | 'DepositDeducted' = 'TrafficBilled', creditLimitFen = MIN) =>
  ev('CreditSuspended', { partnerId: 'W1', creditLimitFen, outstandingFen, cause }, day(2));
const resumed = (outstandingFen: number, cause: 'TrafficSettled' | 'DepositPosted', creditLimitFen = MIN) =>
  ev('CreditResumed', { partnerId: 'W1', creditLimitFen, outstandingFen, cause }, day(3));

const bill = (billId: string, amountFen: number): CreditCommand => ({ type: 'BillTraffic', data: { partnerId: 'W1', billId, amountFen, period: '2026-01' } });
const settle = (settlementId: string, amountFen: number): CreditCommand => ({ type: 'SettleTraffic', data: { partnerId: 'W1', settlementId, amountFen } });
const topUp = (amountFen: number): CreditCommand => ({ type: 'PostDeposit', data: { partnerId: 'W1', amountFen } });
const deduct = (amountFen: number): CreditCommand => ({ type: 'DeductDeposit', data: { partnerId: 'W1', amountFen, reason: 'clawback not repaid', reference: null } });

describe('the credit status of a reseller', () => {
  it('is suspended once outstanding traffic is above zero and reaches the deposit', () => {
    expect(creditStatusOf(MIN, 0)).toBe('active');
    expect(creditStatusOf(MIN, MIN - 1)).toBe('active');
    expect(creditStatusOf(MIN, MIN)).toBe('suspended');
    expect(creditStatusOf(MIN, MIN + 1)).toBe('suspended');
    expect(creditStatusOf(0, 0)).toBe('active'); // nothing outstanding: nothing to stop
    expect(creditStatusOf(0, 1)).toBe('suspended');
  });
});

describe('a bill that reaches the deposit', () => {
  it('is recorded, and suspends the credit with the limit and the outstanding traffic', () => {
    givenCredit(reseller, deposit(MIN), billed('B1', 4_000_000, 4_000_000))
      .when(bill('B2', 6_000_000), day(2))
      .then([billed('B2', 6_000_000, MIN).event, suspended(MIN).event]);
  });

  it('is recorded when it goes past the limit: traffic already carried is billed', () => {
    givenCredit(reseller, deposit(MIN), billed('B1', 4_000_000, 4_000_000))
      .when(bill('B2', 7_500_000), day(2))
      .then([billed('B2', 7_500_000, 11_500_000).event, suspended(11_500_000).event]);
  });

  it('below the limit changes nothing', () => {
    givenCredit(reseller, deposit(MIN)).when(bill('B1', MIN - 1), day(2)).then([billed('B1', MIN - 1, MIN - 1).event]);
  });
});

describe('bills while suspended', () => {
  const stopped: Given[] = [reseller, deposit(MIN), billed('B1', MIN, MIN), suspended(MIN)];

  it('are recorded, flagged whileSuspended, and suspend nothing again', () => {
    givenCredit(...stopped).when(bill('B2', 300_000), day(2)).then([billed('B2', 300_000, MIN + 300_000, MIN, true).event]);
  });

  it('the same bill again writes nothing', () => {
    givenCredit(...stopped, billed('B2', 300_000, MIN + 300_000, MIN, true)).when(bill('B2', 300_000), day(2)).then([]);
  });
});

describe('resuming', () => {
  const stopped: Given[] = [reseller, deposit(MIN), billed('B1', MIN, MIN), suspended(MIN)];

  it('a settlement that brings outstanding traffic under the deposit resumes the credit', () => {
    givenCredit(...stopped).when(settle('S1', 1), day(3)).then([settled('S1', 1, MIN - 1).event, resumed(MIN - 1, 'TrafficSettled').event]);
  });

  it('a top-up that lifts the deposit above the outstanding traffic resumes it', () => {
    givenCredit(...stopped)
      .when(topUp(500_000), day(3))
      .then([ev('DepositPosted', { partnerId: 'W1', amountFen: 500_000 }, day(3)).event, resumed(MIN, 'DepositPosted', MIN + 500_000).event]);
  });

  it('a settlement or a top-up that leaves outstanding traffic at or above the deposit does not', () => {
    const over: Given[] = [reseller, deposit(MIN), billed('B1', MIN + 2_000, MIN + 2_000), suspended(MIN + 2_000)];
    givenCredit(...over).when(settle('S1', 2_000), day(3)).then([settled('S1', 2_000, MIN).event]);
    givenCredit(...over).when(topUp(2_000), day(3)).then([ev('DepositPosted', { partnerId: 'W1', amountFen: 2_000 }, day(3)).event]);
  });
});

describe('a deduction that takes the deposit down to the outstanding traffic', () => {
  it('suspends the credit (the deposit is the limit)', () => {
    const deducted = ev('DepositDeducted', { partnerId: 'W1', requestedFen: 6_000_000, deductedFen: 6_000_000, debtFen: 0, reason: 'clawback not repaid', reference: null }, day(3));
    givenCredit(reseller, deposit(MIN), billed('B1', 4_000_000, 4_000_000))
      .when(deduct(6_000_000), day(3))
      .then([deducted.event, suspended(4_000_000, 'DepositDeducted', 4_000_000).event]);
  });
});

describe('partners that are not resellers', () => {
  it('never get a credit event', () => {
    const other = signed('W1', 'gold', day(0), 'relationship');
    givenCredit(other).when(topUp(1_000), day(1)).then([ev('DepositPosted', { partnerId: 'W1', amountFen: 1_000 }, day(1)).event]);
    const state = foldPartner(toFacts([other]));
    const deduction = { type: 'DepositDeducted' as const, data: { partnerId: 'W1', requestedFen: 1, deductedFen: 0, debtFen: 1, reason: 'x', reference: null } };
    expect(withCreditStatus(state, [deduction], day(2))).toEqual([deduction]);
  });
});

describe('the recorded status', () => {
  it('is folded from the events: suspended twice or resumed while active is a broken stream', () => {
    expect(() => foldPartner(toFacts([reseller, deposit(MIN), billed('B1', MIN, MIN), suspended(MIN), suspended(MIN)]))).toThrow(/suspended twice/);
    expect(() => foldPartner(toFacts([reseller, deposit(MIN), resumed(0, 'DepositPosted')]))).toThrow(/not suspended/);
    expect(foldPartner(toFacts([reseller, deposit(MIN), billed('B1', MIN, MIN), suspended(MIN)])).traffic.suspended).toBe(true);
  });
});
