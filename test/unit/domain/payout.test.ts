// Payouts as specifications (src/domain/payout.ts; which lines are due: src/domain/payout-lines.ts).
// Given the partner's stream, when the quarter is paid with the lines the read model knows
// (context `lines`), then these events, or this refusal.
import { describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../../../src/domain/events.js';
import { dueLines, type UnsettledLine } from '../../../src/domain/payout-lines.js';
import { ev, givenPayout, type Given, signed } from './spec.js';

const Q1_END = '2026-03-31T15:59:59.999Z'; // 23:59:59.999 in Shanghai
const Q2_END = '2026-06-30T15:59:59.999Z';
const Q3_END = '2026-09-30T15:59:59.999Z';
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const accrual = (n: number, paymentId: string, fen: number, at: string, position: number): UnsettledLine => ({
  eventId: uuid(n),
  type: 'CommissionAccrued',
  commissionFen: fen,
  paymentId,
  occurredAt: at,
  position: BigInt(position),
});
const clawback = (n: number, paymentId: string, fen: number, at: string, position: number): UnsettledLine => ({
  eventId: uuid(n),
  type: 'CommissionClawedBack',
  commissionFen: fen,
  paymentId,
  occurredAt: at,
  position: BigInt(position),
});
const signedLine = (l: UnsettledLine) => ({ eventId: l.eventId, commissionFen: l.type === 'CommissionAccrued' ? l.commissionFen : -l.commissionFen });

interface PaidOut {
  quarter: string;
  quarterEnd: string;
  lines: UnsettledLine[];
  netFen: number;
  debtRecoveredFen?: number;
  paidFen: number;
  throughPosition?: string;
}
const paidOut = (p: PaidOut): LedgerEvent =>
  ev(
    'CommissionPaidOut',
    {
      partnerId: 'P1',
      quarter: p.quarter,
      quarterEnd: p.quarterEnd,
      throughPosition: p.throughPosition ?? '100',
      lines: p.lines.map(signedLine),
      netFen: p.netFen,
      debtRecoveredFen: p.debtRecoveredFen ?? 0,
      paidFen: p.paidFen,
    },
    '2026-01-01T00:00:00.000Z',
  ).event;
/** A fact of the partner's stream from a decided event, at the instant it was paid. */
const fact = (event: LedgerEvent, occurredAt: string): Given => ({ event, occurredAt });

const silverP1 = signed('P1', 'silver', '2026-01-01T00:00:00.000Z');
const goldP1 = signed('P1', 'gold', '2026-01-01T00:00:00.000Z');
const deposit = (amountFen: number) => ev('DepositPosted', { partnerId: 'P1', amountFen }, '2026-01-02T00:00:00.000Z');
const pay = (quarter: string) => ({ partnerId: 'P1', quarter });
const IN_Q4 = '2026-10-05T02:00:00.000Z';

describe('payouts', () => {
  it('pay every unsettled line with cash on or before the quarter end, net of clawbacks', () => {
    const a1 = accrual(1, 'PAY-1', 300_000, '2026-08-01T00:00:00.000Z', 5);
    const c2 = clawback(2, 'PAY-1', 50_000, '2026-09-01T00:00:00.000Z', 7);
    const a3 = accrual(3, 'PAY-3', 9_999, '2026-09-30T16:00:00.000Z', 9); // 1 October in Shanghai
    givenPayout(silverP1)
      .when(pay('2026-Q3'), IN_Q4, { lines: [a1, c2, a3] })
      .then([paidOut({ quarter: '2026-Q3', quarterEnd: Q3_END, lines: [a1, c2], netFen: 250_000, paidFen: 250_000 })]);
  });

  it('write nothing when the same quarter is paid again', () => {
    const lines = [accrual(1, 'PAY-1', 300_000, '2026-08-01T00:00:00.000Z', 5)];
    const [first] = givenPayout(silverP1).when(pay('2026-Q3'), IN_Q4, { lines }).events();
    givenPayout(silverP1, fact(first!, IN_Q4))
      .when(pay('2026-Q3'), IN_Q4, { lines: [...lines, accrual(4, 'PAY-4', 7, '2026-08-02T00:00:00.000Z', 11)] })
      .then([]);
  });

  it('put lines learned after a quarter was paid into the next payout as prior-period adjustments', () => {
    const a1 = accrual(1, 'PAY-1', 300_000, '2026-08-01T00:00:00.000Z', 5);
    const [first] = givenPayout(silverP1).when(pay('2026-Q3'), IN_Q4, { lines: [a1] }).events();
    const c2 = clawback(2, 'PAY-1', 1_000, '2026-08-15T00:00:00.000Z', 20);
    const a3 = accrual(3, 'PAY-3', 5_000, '2026-11-01T00:00:00.000Z', 21);
    const [paid] = givenPayout(silverP1, fact(first!, IN_Q4)).when(pay('2026-Q4'), '2027-01-05T00:00:00.000Z', { lines: [a1, c2, a3] }).events();
    expect(paid!.data).toMatchObject({ quarter: '2026-Q4', netFen: 4_000, paidFen: 4_000 });
    expect((paid!.data as { lines: unknown[] }).lines).toHaveLength(2);
  });

  it('refuse a quarter earlier than the last one paid', () => {
    const [first] = givenPayout(silverP1).when(pay('2026-Q3'), IN_Q4, { lines: [accrual(1, 'PAY-1', 1, '2026-08-01T00:00:00.000Z', 5)] }).events();
    givenPayout(silverP1, fact(first!, IN_Q4)).when(pay('2026-Q2'), IN_Q4).thenRefuses('payout-quarter-out-of-order', /2026-Q2 is earlier than 2026-Q3/);
  });

  it('take a negative net from the deposit as far as it goes and keep the rest as debt', () => {
    const lines = [accrual(1, 'PAY-1', 10_000, '2026-08-01T00:00:00.000Z', 5), clawback(2, 'PAY-0', 60_000, '2026-09-01T00:00:00.000Z', 7)];
    const events = givenPayout(silverP1, deposit(30_000)).when(pay('2026-Q3'), IN_Q4, { lines }).events();
    expect(events.map((e) => e.type)).toEqual(['CommissionPaidOut', 'DepositDeducted']);
    expect(events[0]!.data).toMatchObject({ netFen: -50_000, paidFen: 0, debtRecoveredFen: 0 });
    expect(events[1]!.data).toMatchObject({ requestedFen: 50_000, deductedFen: 30_000, debtFen: 20_000 });
  });

  it('recover carried debt from later earnings before paying', () => {
    const indebted = givenPayout(silverP1, ev('DepositDeducted', { partnerId: 'P1', requestedFen: 20_000, deductedFen: 0, debtFen: 20_000, reason: 'x', reference: null }, '2026-02-01T00:00:00.000Z'));
    const [paid] = indebted.when(pay('2026-Q3'), IN_Q4, { lines: [accrual(1, 'PAY-1', 50_000, '2026-08-01T00:00:00.000Z', 5)] }).events();
    expect(paid!.data).toMatchObject({ netFen: 50_000, debtRecoveredFen: 20_000, paidFen: 30_000 });
    const [small] = indebted.when(pay('2026-Q3'), IN_Q4, { lines: [accrual(1, 'PAY-1', 5_000, '2026-08-01T00:00:00.000Z', 5)] }).events();
    expect(small!.data).toMatchObject({ debtRecoveredFen: 5_000, paidFen: 0 });
  });

  it('write nothing when no line is due', () => {
    givenPayout(silverP1).when(pay('2026-Q3'), IN_Q4, { lines: [accrual(1, 'PAY-1', 5, '2026-10-01T00:00:00.000Z', 5)] }).then([]);
  });

  it('refuse a partner that is not signed', () => {
    givenPayout().when(pay('2026-Q3'), IN_Q4).thenRefuses('partner-unknown');
  });
});

describe('netting: clawbacks recorded so far', () => {
  // A gold partner's Q1 port cash of 1,126,335 fen earns 40%: 450,534 fen. On 2 April (Q2) the
  // customer gets 500,000 fen back: 200,000 fen of commission is clawed back.
  const q1Cash = accrual(1, 'PAY-1', 450_534, '2026-03-20T02:00:00.000Z', 10);
  const aprilRefund = clawback(2, 'PAY-1', 200_000, '2026-04-02T02:00:00.000Z', 12);
  const AFTER_REFUND = '2026-04-10T02:00:00.000Z';

  it('a refund dated after the quarter, recorded before its payout, is netted in it: 250,534 paid, the deposit untouched', () => {
    givenPayout(goldP1, deposit(9_000_000))
      .when(pay('2026-Q1'), AFTER_REFUND, { lines: [q1Cash, aprilRefund] })
      .then([paidOut({ quarter: '2026-Q1', quarterEnd: Q1_END, lines: [q1Cash, aprilRefund], netFen: 250_534, paidFen: 250_534 })]);
  });

  it('and the next quarter does not take it again: nothing due, nothing deducted', () => {
    const [q1] = givenPayout(goldP1, deposit(9_000_000)).when(pay('2026-Q1'), AFTER_REFUND, { lines: [q1Cash, aprilRefund] }).events();
    givenPayout(goldP1, deposit(9_000_000), fact(q1!, AFTER_REFUND))
      .when(pay('2026-Q2'), '2026-07-08T02:00:00.000Z', { lines: [q1Cash, aprilRefund] })
      .then([]);
  });

  it('a clawback whose own accrual is unpaid and not due (its cash came after the quarter) waits for it', () => {
    const q2Cash = accrual(3, 'PAY-2', 400_000, '2026-04-05T02:00:00.000Z', 11);
    const q2Refund = clawback(4, 'PAY-2', 100_000, '2026-04-08T02:00:00.000Z', 13);
    const q1Only = accrual(5, 'PAY-5', 80_000, '2026-02-10T02:00:00.000Z', 9);
    const [q1] = givenPayout(goldP1, deposit(9_000_000)).when(pay('2026-Q1'), AFTER_REFUND, { lines: [q1Only, q2Cash, q2Refund] }).events();
    expect(q1).toEqual(paidOut({ quarter: '2026-Q1', quarterEnd: Q1_END, lines: [q1Only], netFen: 80_000, paidFen: 80_000 }));
    // ... and nets against its own accrual in the payout that pays it.
    givenPayout(goldP1, deposit(9_000_000), fact(q1!, AFTER_REFUND))
      .when(pay('2026-Q2'), '2026-07-08T02:00:00.000Z', { lines: [q2Cash, q2Refund] })
      .then([paidOut({ quarter: '2026-Q2', quarterEnd: Q2_END, lines: [q2Cash, q2Refund], netFen: 300_000, paidFen: 300_000 })]);
  });

  it('a waiting clawback never reaches the deposit while its commission is still to be paid', () => {
    const q2Cash = accrual(3, 'PAY-2', 400_000, '2026-04-05T02:00:00.000Z', 11);
    const q2Refund = clawback(4, 'PAY-2', 100_000, '2026-04-08T02:00:00.000Z', 13);
    givenPayout(goldP1, deposit(9_000_000)).when(pay('2026-Q1'), AFTER_REFUND, { lines: [q2Cash, q2Refund] }).then([]);
  });

  it('a clawback of commission an earlier payout paid is due now, whatever quarter its refund falls in', () => {
    const [q1] = givenPayout(goldP1).when(pay('2026-Q1'), AFTER_REFUND, { lines: [q1Cash] }).events();
    const q2Cash = accrual(3, 'PAY-2', 300_000, '2026-05-05T02:00:00.000Z', 20);
    const julyRefund = clawback(4, 'PAY-1', 100_000, '2026-07-02T02:00:00.000Z', 22); // Q3, recorded before Q2 is paid
    givenPayout(goldP1, fact(q1!, AFTER_REFUND))
      .when(pay('2026-Q2'), '2026-07-08T02:00:00.000Z', { lines: [q2Cash, julyRefund] })
      .then([paidOut({ quarter: '2026-Q2', quarterEnd: Q2_END, lines: [q2Cash, julyRefund], netFen: 200_000, paidFen: 200_000 })]);
  });

  it('a payout back-filled to an instant settles no line whose cash moved after it', () => {
    // Paid (back-filled) on 1 April: the 2 April refund had not happened; it waits for the next payout.
    givenPayout(goldP1)
      .when(pay('2026-Q1'), '2026-04-01T02:00:00.000Z', { lines: [q1Cash, aprilRefund] })
      .then([paidOut({ quarter: '2026-Q1', quarterEnd: Q1_END, lines: [q1Cash], netFen: 450_534, paidFen: 450_534 })]);
    // Paid (back-filled) before the quarter's end: the quarter's later cash waits as well.
    const lateMarch = accrual(6, 'PAY-6', 1_000, '2026-03-31T14:00:00.000Z', 11); // 22:00 on 31 March in Shanghai
    givenPayout(goldP1)
      .when(pay('2026-Q1'), '2026-03-31T12:00:00.000Z', { lines: [q1Cash, lateMarch] })
      .then([paidOut({ quarter: '2026-Q1', quarterEnd: Q1_END, lines: [q1Cash], netFen: 450_534, paidFen: 450_534 })]);
  });
});

describe('due lines', () => {
  const at = { quarterEnd: Q1_END, paidAt: '2026-04-10T00:00:00.000Z' };

  it('each line once, settled ones left out, in log order', () => {
    const a = accrual(1, 'PAY-1', 10, '2026-02-01T00:00:00.000Z', 9);
    const b = accrual(2, 'PAY-2', 20, '2026-01-01T00:00:00.000Z', 3);
    const settled = accrual(3, 'PAY-3', 30, '2026-01-02T00:00:00.000Z', 4);
    expect(dueLines([a, b, a, settled], new Set([settled.eventId]), at)).toEqual([b, a]);
  });

  it('a clawback waits for its own accrual even when it comes before it in the list', () => {
    const c = clawback(1, 'PAY-2', 5, '2026-04-03T00:00:00.000Z', 2);
    const a = accrual(2, 'PAY-2', 50, '2026-04-02T00:00:00.000Z', 1);
    expect(dueLines([c, a], new Set(), at)).toEqual([]);
  });

  it('refuses a line that is not whole, non-negative fen', () => {
    expect(() => dueLines([accrual(1, 'PAY-1', -1, '2026-02-01T00:00:00.000Z', 1)], new Set(), at)).toThrow(/non-negative fen/);
    expect(() => dueLines([accrual(1, 'PAY-1', 0.5, '2026-02-01T00:00:00.000Z', 1)], new Set(), at)).toThrow(/non-negative fen/);
  });
});
