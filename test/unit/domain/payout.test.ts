import { describe, expect, it } from 'vitest';
import { decidePayout, type UnsettledLine } from '../../../src/domain/payout.js';
import { foldPartner } from '../../../src/domain/partner.js';
import { defaultPolicy } from '../../../src/domain/policy.js';
import { DomainRuleError } from '../../../src/domain/errors.js';
import { ev, FINANCE, signed, toFacts, type Given } from './spec.js';

const Q3_END = '2026-09-30T15:59:59.999Z';
const accrual = (id: string, fen: number, at: string, position: number): UnsettledLine => ({ eventId: id, type: 'CommissionAccrued', commissionFen: fen, occurredAt: at, position: BigInt(position) });
const clawback = (id: string, fen: number, at: string, position: number): UnsettledLine => ({ eventId: id, type: 'CommissionClawedBack', commissionFen: fen, occurredAt: at, position: BigInt(position) });
const ctx = { policy: defaultPolicy, occurredAt: '2026-10-05T02:00:00.000Z', actor: FINANCE, throughPosition: 100n };
const partner = (...more: Given[]) => foldPartner(toFacts([signed('P1', 'silver', '2026-01-01T00:00:00.000Z'), ...more]));
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('payouts', () => {
  it('pay every unsettled line with cash on or before the quarter end, net of clawbacks', () => {
    const lines = [accrual(uuid(1), 300_000, '2026-08-01T00:00:00.000Z', 5), clawback(uuid(2), 50_000, '2026-09-01T00:00:00.000Z', 7), accrual(uuid(3), 9_999, '2026-09-30T16:00:00.000Z', 9)];
    const events = decidePayout({ partnerId: 'P1', quarter: '2026-Q3' }, partner(), lines, ctx);
    expect(events).toEqual([
      ev('CommissionPaidOut', {
        partnerId: 'P1', quarter: '2026-Q3', quarterEnd: Q3_END, throughPosition: '100',
        lines: [{ eventId: uuid(1), commissionFen: 300_000 }, { eventId: uuid(2), commissionFen: -50_000 }],
        netFen: 250_000, debtRecoveredFen: 0, paidFen: 250_000,
      }, ctx.occurredAt).event,
    ]);
  });

  it('write nothing when the same quarter is paid again', () => {
    const lines = [accrual(uuid(1), 300_000, '2026-08-01T00:00:00.000Z', 5)];
    const first = decidePayout({ partnerId: 'P1', quarter: '2026-Q3' }, partner(), lines, ctx);
    const after = partner({ event: first[0]!, occurredAt: ctx.occurredAt });
    expect(decidePayout({ partnerId: 'P1', quarter: '2026-Q3' }, after, [...lines, accrual(uuid(4), 7, '2026-08-02T00:00:00.000Z', 11)], ctx)).toEqual([]);
  });

  it('put lines learned after a quarter was paid into the next payout as prior-period adjustments', () => {
    const first = decidePayout({ partnerId: 'P1', quarter: '2026-Q3' }, partner(), [accrual(uuid(1), 300_000, '2026-08-01T00:00:00.000Z', 5)], ctx);
    const after = partner({ event: first[0]!, occurredAt: ctx.occurredAt });
    const late = [accrual(uuid(1), 300_000, '2026-08-01T00:00:00.000Z', 5), clawback(uuid(2), 1_000, '2026-08-15T00:00:00.000Z', 20), accrual(uuid(3), 5_000, '2026-11-01T00:00:00.000Z', 21)];
    const [paid] = decidePayout({ partnerId: 'P1', quarter: '2026-Q4' }, after, late, { ...ctx, occurredAt: '2027-01-05T00:00:00.000Z' });
    expect(paid!.data).toMatchObject({ quarter: '2026-Q4', netFen: 4_000, paidFen: 4_000 });
    expect((paid!.data as { lines: unknown[] }).lines).toHaveLength(2);
  });

  it('refuse a quarter earlier than the last one paid', () => {
    const first = decidePayout({ partnerId: 'P1', quarter: '2026-Q3' }, partner(), [accrual(uuid(1), 1, '2026-08-01T00:00:00.000Z', 5)], ctx);
    const after = partner({ event: first[0]!, occurredAt: ctx.occurredAt });
    expect(() => decidePayout({ partnerId: 'P1', quarter: '2026-Q2' }, after, [], ctx)).toThrowError(DomainRuleError);
    try {
      decidePayout({ partnerId: 'P1', quarter: '2026-Q2' }, after, [], ctx);
    } catch (e) {
      expect((e as DomainRuleError).rule).toBe('payout-quarter-out-of-order');
    }
  });

  it('take a negative net from the deposit as far as it goes and keep the rest as debt', () => {
    const withDeposit = partner(ev('DepositPosted', { partnerId: 'P1', amountFen: 30_000 }, '2026-02-01T00:00:00.000Z'));
    const lines = [accrual(uuid(1), 10_000, '2026-08-01T00:00:00.000Z', 5), clawback(uuid(2), 60_000, '2026-09-01T00:00:00.000Z', 7)];
    const events = decidePayout({ partnerId: 'P1', quarter: '2026-Q3' }, withDeposit, lines, ctx);
    expect(events.map((e) => e.type)).toEqual(['CommissionPaidOut', 'DepositDeducted']);
    expect(events[0]!.data).toMatchObject({ netFen: -50_000, paidFen: 0, debtRecoveredFen: 0 });
    expect(events[1]!.data).toMatchObject({ requestedFen: 50_000, deductedFen: 30_000, debtFen: 20_000 });
  });

  it('recover carried debt from later earnings before paying', () => {
    const indebted = partner(ev('DepositDeducted', { partnerId: 'P1', requestedFen: 20_000, deductedFen: 0, debtFen: 20_000, reason: 'x', reference: null }, '2026-02-01T00:00:00.000Z'));
    const [paid] = decidePayout({ partnerId: 'P1', quarter: '2026-Q3' }, indebted, [accrual(uuid(1), 50_000, '2026-08-01T00:00:00.000Z', 5)], ctx);
    expect(paid!.data).toMatchObject({ netFen: 50_000, debtRecoveredFen: 20_000, paidFen: 30_000 });
    const small = decidePayout({ partnerId: 'P1', quarter: '2026-Q3' }, indebted, [accrual(uuid(1), 5_000, '2026-08-01T00:00:00.000Z', 5)], ctx);
    expect(small[0]!.data).toMatchObject({ debtRecoveredFen: 5_000, paidFen: 0 });
  });

  it('write nothing when no line is due', () => {
    expect(decidePayout({ partnerId: 'P1', quarter: '2026-Q3' }, partner(), [accrual(uuid(1), 5, '2026-10-01T00:00:00.000Z', 5)], ctx)).toEqual([]);
  });
});
