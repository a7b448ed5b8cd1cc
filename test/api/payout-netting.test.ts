// Payout netting over HTTP (DOMAIN.md: a payout for quarter Q pays the lines with cash on or
// before Q's end "net of clawbacks recorded so far"; the rule: src/domain/payout-lines.ts).
// A gold partner's Q1 cash earns 450,534 fen; a refund on 2 April claws back 200,000; the Q1
// payout, run after that refund was recorded, pays 250,534 and leaves the deposit whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from './support/programme.js';
import { type ApiServer, get, startApiServer } from './support/server.js';

let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer({ requestLog: false });
});
afterAll(async () => {
  await server?.stop();
});

const balance = async () => {
  const answer = await get(server, '/partners/P-001/balance', 'finance');
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as { accrued: number; clawedBack: number; paidOut: number; payable: number; deposit: number; debt: number };
};

describe('POST /payouts nets the clawbacks recorded so far', () => {
  it('a refund on 2 April, recorded before Q1 is paid, is netted in Q1: 250,534 paid, the deposit whole', async () => {
    await command(server, '/partners', 'manager', { partnerId: 'P-001', name: 'Gold Partner', kind: 'relationship', tier: 'gold', occurredAt: '2025-01-06T01:00:00Z' });
    await command(server, '/partners/P-001/deposits', 'finance', { amount: 9_000_000, occurredAt: '2025-01-08T02:00:00Z' });
    await command(server, '/deals', 'manager', { dealId: 'D-1', partnerId: 'P-001', customer: { name: 'Netting Trading Co' }, occurredAt: '2025-02-03T02:00:00Z' });
    await command(server, '/deals/D-1/stage', 'manager', { stage: 'signed', occurredAt: '2025-03-10T02:00:00Z' });
    const payment = await command(server, '/payments', 'finance', { paymentId: 'PAY-1', dealId: 'D-1', line: 'port', amount: 1_126_335, occurredAt: '2025-03-20T02:00:00Z' });
    expect(payment.commission).toMatchObject({ partnerId: 'P-001', tier: 'gold', rateBps: 4000, commissionFen: 450_534 });
    const refund = await command(server, '/refunds', 'finance', { refundId: 'REF-1', paymentId: 'PAY-1', amount: 500_000, reason: 'left early', occurredAt: '2025-04-02T02:00:00Z' });
    expect(refund.clawback).toMatchObject({ partnerId: 'P-001', commissionFen: 200_000 });

    const q1 = await command(server, '/payouts', 'finance', { quarter: '2025-Q1', occurredAt: '2025-04-10T02:00:00Z' });
    expect(q1).toMatchObject({ quarter: '2025-Q1' });
    expect(q1.payouts).toEqual([{ partnerId: 'P-001', lines: 2, netFen: 250_534, debtRecoveredFen: 0, paidFen: 250_534, deductedFen: 0, addedDebtFen: 0 }]);
    expect(await balance()).toMatchObject({ accrued: 450_534, clawedBack: 200_000, paidOut: 250_534, payable: 0, deposit: 9_000_000, debt: 0 });

    // The next quarter has nothing left to take: no payout line, no deduction.
    const q2 = await command(server, '/payouts', 'finance', { quarter: '2025-Q2', occurredAt: '2025-07-08T02:00:00Z' });
    expect(q2).toMatchObject({ quarter: '2025-Q2' });
    expect(q2.payouts).toEqual([]);
    expect(await balance()).toMatchObject({ payable: 0, deposit: 9_000_000, debt: 0 });

    const statement = await get(server, '/statements/P-001/2025-Q1', 'finance');
    expect(statement.status).toBe(200);
    expect(statement.body.payout).toMatchObject({ quarter: '2025-Q1', netFen: 250_534, paidFen: 250_534 });
  });
});
