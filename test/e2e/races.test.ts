// Races over HTTP against the real server: many partners registering one customer at once, many
// payouts of one quarter at once, many refunds of one payment at once. The rules decide (first
// registration owns, a quarter is paid once, refunds never exceed the cash), nothing is lost,
// nothing answers 5xx. CI: 200 registrations by 20 partners, 50 payouts, 40 refunds;
// LEDGER_STRESS=1: 1,000 registrations by 50 partners, 200 payouts, 200 refunds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type DataDir, type FeedEvent, command, newDataDir, partnerIdOf, partnerToken, readLog, startInProcess, tokens, type InProcessServer } from './support/ledger-server.js';

const STRESS = process.env.LEDGER_STRESS === '1';
const PARTNERS = STRESS ? 50 : 20;
const REGISTRATIONS = STRESS ? 1_000 : 200;
const PAYOUTS = STRESS ? 200 : 50;
const REFUNDS = STRESS ? 200 : 40;

let dir: DataDir;
let server: InProcessServer;

beforeAll(async () => {
  dir = newDataDir('ledger-races-', PARTNERS);
  server = await startInProcess(dir);
  await Promise.all(
    Array.from({ length: PARTNERS }, (_, i) =>
      command(server.url, '/partners', tokens.manager, { partnerId: partnerIdOf(i + 1), name: `Partner ${i + 1}`, kind: 'relationship', tier: 'silver', occurredAt: '2025-01-02T00:00:00Z' }),
    ),
  );
}, 120_000);
afterAll(async () => {
  await server?.close();
  dir?.remove();
});

const statusCounts = (statuses: number[]): Record<number, number> => statuses.reduce<Record<number, number>>((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {});

describe(`${REGISTRATIONS} concurrent registrations of one customer by ${PARTNERS} partners`, () => {
  it('give exactly one owner, the earliest claim, and keep every other claim as competing', { timeout: 120_000 }, async () => {
    const taxId = '91310000MA1RACE009';
    const requests = Array.from({ length: REGISTRATIONS }, (_, i) => {
      const partner = (i % PARTNERS) + 1;
      const dealId = `D-RACE-${String(i).padStart(4, '0')}`;
      // Each partner spells the company its own way; the tax id makes them one customer.
      const body = { dealId, partnerId: partnerIdOf(partner), customer: { name: `Race Trading Co ${partner}`, taxId } };
      return api(server.url, 'POST', '/deals', { token: partnerToken(partner), body });
    });
    const answers = await Promise.all(requests);
    const statuses = answers.map((a) => a.status);
    expect(statusCounts(statuses), JSON.stringify(answers[0]!.body)).toEqual({ 201: REGISTRATIONS });

    const owners = answers.filter((a) => a.body.ownership.status === 'owner');
    expect(owners).toHaveLength(1);
    const ownerDealId = owners[0]!.body.dealId as string;
    expect(answers.filter((a) => a.body.ownership.status === 'competing')).toHaveLength(REGISTRATIONS - 1);
    // A partner is told the owning deal only when it is its own (src/domain/partner-view.ts): the
    // owner's partner sees it on each of its claims, every other partner only that another claim owns it.
    for (const a of answers) {
      const self = a.body.ownership.owner === 'self';
      expect(a.body.ownership, JSON.stringify(a.body)).toMatchObject(self ? { ownerDealId } : { owner: 'other', ownerDealId: null, ownerPartnerId: null });
    }
    expect(answers.filter((a) => a.body.ownership.owner === 'self')).toHaveLength(REGISTRATIONS / PARTNERS);

    const key = answers[0]!.body.customerKey as string;
    const ownership = await api(server.url, 'GET', `/customers/${encodeURIComponent(key)}/ownership`, { token: tokens.manager });
    expect(ownership.status).toBe(200);
    expect(ownership.body.ownerDealId).toBe(ownerDealId);
    expect(ownership.body.claims).toHaveLength(REGISTRATIONS);

    // The earliest by the rule: occurredAt first, then the recorded position (all are partners).
    const registrations = (await readLog(server.url)).filter((e) => e.type === 'DealRegistered' && e.data.customerKey === key);
    expect(new Set(registrations.map((e) => e.data.dealId)).size).toBe(REGISTRATIONS);
    const earliest = [...registrations].sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : a.position - b.position))[0]!;
    expect(earliest.data.dealId).toBe(ownerDealId);
    const revisions = registrations.map((e) => e.revision).sort((a, b) => a - b);
    expect(revisions).toEqual(Array.from({ length: REGISTRATIONS }, (_, i) => i)); // one stream, no gap, no twin
  });
});

describe(`${PAYOUTS} concurrent payouts of one quarter`, () => {
  it('pay it once: one CommissionPaidOut per partner, the payable paid exactly', { timeout: 120_000 }, async () => {
    const partners = [1, 2, 3].map((n) => ({ n, id: partnerIdOf(n) }));
    for (const p of partners) {
      const dealId = `D-PAY-${p.n}`;
      await command(server.url, '/deals', tokens.manager, { dealId, partnerId: p.id, customer: { name: `Payout Customer ${p.n}` }, occurredAt: '2025-01-10T00:00:00Z' });
      await command(server.url, '/deals/' + dealId + '/stage', tokens.manager, { stage: 'signed', occurredAt: '2025-01-20T00:00:00Z' });
      await command(server.url, '/payments', tokens.finance, { paymentId: `PAY-Q-${p.n}`, dealId, line: 'port', amount: 1_000_000 * p.n, occurredAt: '2025-02-01T00:00:00Z' });
    }
    const before = await Promise.all(partners.map((p) => api(server.url, 'GET', `/partners/${p.id}/balance`, { token: tokens.finance })));
    const payable = before.map((b) => b.body.payable as number);
    for (const fen of payable) expect(fen).toBeGreaterThan(0);

    const answers = await Promise.all(Array.from({ length: PAYOUTS }, () => api(server.url, 'POST', '/payouts', { token: tokens.finance, body: { quarter: '2025-Q1' } })));
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    expect(statusCounts(answers.map((a) => a.status))).toEqual({ 201: PAYOUTS });
    const paidInAnswers = answers.flatMap((a) => a.body.payouts as Array<{ partnerId: string; paidFen: number }>);
    for (const [i, p] of partners.entries()) {
      const lines = paidInAnswers.filter((l) => l.partnerId === p.id);
      expect(lines, p.id).toHaveLength(1);
      expect(lines[0]!.paidFen).toBe(payable[i]);
    }

    const paidOut = (await readLog(server.url)).filter((e) => e.type === 'CommissionPaidOut' && e.data.quarter === '2025-Q1');
    expect(paidOut.map((e) => e.data.partnerId).sort()).toEqual(partners.map((p) => p.id).sort());
    for (const [i, p] of partners.entries()) {
      const after = await api(server.url, 'GET', `/partners/${p.id}/balance`, { token: tokens.finance });
      expect(after.body).toMatchObject({ payable: 0, paidOut: payable[i] });
    }
  });
});

describe(`${REFUNDS} concurrent refunds of one payment`, () => {
  it('never refund more than the payment; each refused refund is larger than what is left', { timeout: 120_000 }, async () => {
    const partner = partnerIdOf(4);
    const paymentFen = 1_000_000;
    await command(server.url, '/deals', tokens.manager, { dealId: 'D-REF-1', partnerId: partner, customer: { name: 'Refund Customer' }, occurredAt: '2025-03-01T00:00:00Z' });
    await command(server.url, '/deals/D-REF-1/stage', tokens.manager, { stage: 'signed', occurredAt: '2025-03-02T00:00:00Z' });
    const payment = await command(server.url, '/payments', tokens.finance, { paymentId: 'PAY-REF-1', dealId: 'D-REF-1', line: 'port', amount: paymentFen, occurredAt: '2025-03-03T00:00:00Z' });
    const commissionFen = payment.commission.commissionFen as number;

    // Amounts that do not divide the payment evenly, so the last refunds meet a remainder.
    const amounts = Array.from({ length: REFUNDS }, (_, i) => 50_000 + ((i * 7_919) % 60_000));
    const answers = await Promise.all(
      amounts.map((amount, i) => api(server.url, 'POST', '/refunds', { token: tokens.finance, body: { refundId: `REF-R-${i}`, paymentId: 'PAY-REF-1', amount, reason: 'race' } })),
    );
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    for (const a of answers) expect([201, 422]).toContain(a.status);
    const acceptedFen = amounts.filter((_, i) => answers[i]!.status === 201).reduce((s, a) => s + a, 0);
    const leftFen = paymentFen - acceptedFen;
    expect(acceptedFen).toBeLessThanOrEqual(paymentFen);
    expect(answers.some((a) => a.status === 422)).toBe(true);
    amounts.forEach((amount, i) => {
      if (answers[i]!.status === 422) {
        expect(answers[i]!.body.rule).toBe('refund-exceeds-payment');
        expect(amount).toBeGreaterThan(leftFen);
      }
    });

    const log = await readLog(server.url);
    const refunds = log.filter((e) => e.type === 'RefundIssued' && e.data.paymentId === 'PAY-REF-1');
    expect(refunds.reduce((s, e) => s + (e.data.amountFen as number), 0)).toBe(acceptedFen);
    expect(refunds).toHaveLength(answers.filter((a) => a.status === 201).length);
    const clawedBackFen = log
      .filter((e: FeedEvent) => e.type === 'CommissionClawedBack' && e.data.partnerId === partner)
      .reduce((s, e) => s + (e.data.commissionFen as number), 0);
    expect(clawedBackFen).toBeLessThanOrEqual(commissionFen);
    const balance = await api(server.url, 'GET', `/partners/${partner}/balance`, { token: tokens.finance });
    expect(balance.body.clawedBack).toBe(clawedBackFen);
  });
});
