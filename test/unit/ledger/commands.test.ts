// Command handling against a real SQLite store in a temporary directory.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainRuleError } from '../../../src/domain/errors.js';
import { customerStream, partnerStream } from '../../../src/domain/events.js';
import { defaultPolicy } from '../../../src/domain/policy.js';
import { type CommandCtx, type CommandDeps, uuidV5 } from '../../../src/ledger/command-handling.js';
import { runCommand } from '../../../src/ledger/commands/index.js';
import { openSqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import type { EventStore } from '../../../src/store/event-store.js';
import { tempDir } from '../../support/store-fixtures.js';
import { ScanLookups } from './scan-lookups.js';

let store: EventStore;
let cleanup: () => void;
let deps: CommandDeps;
let nowMs: number;

const clock = () => new Date(nowMs).toISOString();
const days = (n: number) => {
  nowMs += n * 86_400_000;
};
const as = (role: 'manager' | 'finance' | 'partner', id = `${role}-1`): CommandCtx => ({ actor: { role, id }, commandId: randomUUID(), correlationId: null });
const manager = () => as('manager');
const finance = () => as('finance');

async function refusal(p: Promise<unknown>): Promise<DomainRuleError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainRuleError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

beforeEach(() => {
  const t = tempDir('ledger-commands-');
  cleanup = t.cleanup;
  nowMs = Date.parse('2026-07-01T02:00:00.000Z');
  store = openSqliteEventStore({ file: `${t.dir}/events.db`, clock });
  deps = { store, policy: defaultPolicy, lookups: new ScanLookups(store), clock };
});

afterEach(async () => {
  await store.close();
  cleanup();
});

async function signPartners(...ids: string[]) {
  for (const partnerId of ids) {
    await runCommand('signPartner', deps, { partnerId, name: `Partner ${partnerId}`, kind: 'relationship', tier: 'silver' }, manager());
  }
}

describe('registering deals', () => {
  it('answers the owner and the competing claim, with the customer key both spellings meet on', async () => {
    await signPartners('P1', 'P2');
    const first = await runCommand('registerDeal', deps, { dealId: 'D1', partnerId: 'P1', customer: { name: 'Acme Trading Co., Ltd.' } }, manager());
    days(1);
    const second = await runCommand('registerDeal', deps, { dealId: 'D2', partnerId: 'P2', customer: { name: 'ACME TRADING LIMITED' } }, manager());
    expect(first.answer).toMatchObject({ dealId: 'D1', customerKey: 'name:acmetrading', ownership: { ownerDealId: 'D1', ownerPartnerId: 'P1', status: 'owner' } });
    expect(second.answer).toMatchObject({ dealId: 'D2', customerKey: 'name:acmetrading', ownership: { ownerDealId: 'D1', status: 'competing' } });
    expect(second.position).toBeGreaterThan(first.position!);
  });

  it('serialises two concurrent registrations of one customer: one owner, one competing', async () => {
    await signPartners('P1', 'P2', 'P3', 'P4');
    const results = await Promise.all(
      ['P1', 'P2', 'P3', 'P4'].map((p) => runCommand('registerDeal', deps, { dealId: `D-${p}`, partnerId: p, customer: { name: 'Race Corp' } }, as('partner', p))),
    );
    expect(results.map((r) => r.answer.ownership.status).sort()).toEqual(['competing', 'competing', 'competing', 'owner']);
    const stream = await store.readStream(customerStream('name:race'));
    expect(stream.map((e) => e.type)).toEqual(['DealRegistered', 'DealRegistered', 'DealRegistered', 'DealRegistered']);
    const owners = new Set(results.map((r) => r.answer.ownership.ownerDealId));
    expect(owners.size).toBe(1);
  });

  it('keeps a deal id unique across customers (the store refuses the same identity event id)', async () => {
    await signPartners('P1');
    await runCommand('registerDeal', deps, { dealId: 'D1', partnerId: 'P1', customer: { name: 'Acme' } }, manager());
    const e = await refusal(runCommand('registerDeal', deps, { dealId: 'D1', partnerId: 'P1', customer: { name: 'Other Co' } }, manager()));
    expect(e).toMatchObject({ rule: 'deal-id-taken', kind: 'conflict' });
    expect(await store.readStream(customerStream('name:other'))).toEqual([]);
  });

  it('refuses a partner registering for another partner, and an invalid tax id', async () => {
    await signPartners('P1', 'P2');
    expect(await refusal(runCommand('registerDeal', deps, { dealId: 'D1', partnerId: 'P2', customer: { name: 'X' } }, as('partner', 'P1')))).toMatchObject({ rule: 'own-partner-only', kind: 'forbidden' });
    expect((await refusal(runCommand('registerDeal', deps, { dealId: 'D1', partnerId: 'P1', customer: { name: 'X', taxId: '123' } }, manager()))).rule).toBe('customer-tax-id-invalid');
  });

  it('identity events carry deterministic ids', async () => {
    await signPartners('P1');
    await runCommand('registerDeal', deps, { dealId: 'D1', partnerId: 'P1', customer: { name: 'Acme' } }, manager());
    const [registered] = await store.readStream(customerStream('name:acme'));
    expect(registered!.eventId).toBe(uuidV5('DealRegistered:D1'));
    expect(registered!.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('refused commands write nothing', () => {
  it('a transfer before 28 idle days names the days and leaves the log as it was', async () => {
    await signPartners('P1', 'P2');
    await runCommand('registerDeal', deps, { dealId: 'D1', partnerId: 'P1', customer: { name: 'Acme' } }, manager());
    await runCommand('registerDeal', deps, { dealId: 'D2', partnerId: 'P2', customer: { name: 'Acme' } }, manager());
    days(9);
    const head = await store.headPosition();
    const e = await refusal(runCommand('transferDeal', deps, { dealId: 'D1', toDealId: 'D2', reason: 'idle' }, manager()));
    expect(e.detail).toBe('transfer refused: the owner registered the customer 9 days ago; 28 days without progress are required');
    expect(await store.headPosition()).toBe(head);
    days(19);
    // Two departments agree on a handover: the proposal moves nothing; another manager's approval does.
    const proposed = await runCommand('transferDeal', deps, { dealId: 'D1', toDealId: 'D2', reason: 'idle' }, manager());
    expect(proposed.answer).toMatchObject({ status: 'proposed', ownerIdleDays: 28, proposedBy: 'manager-1', ownership: { ownerDealId: 'D1', status: 'owner' } });
    const second = await store.headPosition();
    expect((await refusal(runCommand('approveTransfer', deps, { transferId: proposed.answer.transferId }, manager()))).rule).toBe('transfer-needs-second-manager');
    expect(await store.headPosition()).toBe(second);
    const moved = await runCommand('approveTransfer', deps, { transferId: proposed.answer.transferId }, as('manager', 'manager-2'));
    expect(moved.answer).toMatchObject({ ownerIdleDays: 28, approvedBy: 'manager-2', ownership: { ownerDealId: 'D2', status: 'owner', rule: 'transfer' } });
  });

  it('a partner cannot move another partner\'s deal', async () => {
    await signPartners('P1', 'P2');
    await runCommand('registerDeal', deps, { dealId: 'D1', partnerId: 'P1', customer: { name: 'Acme' } }, manager());
    expect(await refusal(runCommand('advanceStage', deps, { dealId: 'D1', stage: 'meeting' }, as('partner', 'P2')))).toMatchObject({ rule: 'deal-unknown', kind: 'not-found', detail: 'no deal D1' }); // answered as an unknown deal (own-partner.ts)
    expect(await refusal(runCommand('advanceStage', deps, { dealId: 'D9', stage: 'meeting' }, manager()))).toMatchObject({ kind: 'not-found' });
  });
});

describe('money through the command layer', () => {
  it('pays, refunds, pays out once per quarter, and records the policy version on money events', async () => {
    await signPartners('P1');
    await runCommand('postDeposit', deps, { partnerId: 'P1', amount: 1_000_000 }, finance());
    await runCommand('registerDeal', deps, { dealId: 'D1', partnerId: 'P1', customer: { name: 'Acme' } }, manager());
    // Contracts are the vendor's: the partner submits, a manager's confirmation is the signing.
    expect((await refusal(runCommand('advanceStage', deps, { dealId: 'D1', stage: 'signed' }, as('partner', 'P1')))).rule).toBe('partner-cannot-sign');
    await runCommand('submitContract', deps, { dealId: 'D1', ports: 10, contractValue: 1_200_000 }, as('partner', 'P1'));
    await runCommand('confirmContract', deps, { dealId: 'D1', signedAt: clock() }, manager());
    days(1);
    const paid = await runCommand('receivePayment', deps, { paymentId: 'PAY-1', dealId: 'D1', line: 'port', amount: 1_000_000 }, finance());
    expect(paid.answer.commission).toEqual({ partnerId: 'P1', tier: 'silver', commissionYear: 1, rateBps: 3000, commissionFen: 300_000 });
    const refunded = await runCommand('issueRefund', deps, { refundId: 'R-1', paymentId: 'PAY-1', amount: 100_000, reason: 'left early' }, finance());
    expect(refunded.answer.clawback).toEqual({ partnerId: 'P1', rateBps: 3000, commissionFen: 30_000 });
    expect((await refusal(runCommand('issueRefund', deps, { refundId: 'R-2', paymentId: 'PAY-1', amount: 900_001, reason: 'x' }, finance()))).rule).toBe('refund-exceeds-payment');

    days(100); // into 2026-Q4
    const payout = await runCommand('payOut', deps, { quarter: '2026-Q3' }, finance());
    expect(payout.answer.payouts).toEqual([{ partnerId: 'P1', lines: 2, netFen: 270_000, debtRecoveredFen: 0, paidFen: 270_000, deductedFen: 0, addedDebtFen: 0 }]);
    const again = await runCommand('payOut', deps, { quarter: '2026-Q3' }, finance());
    expect(again).toMatchObject({ answer: { payouts: [] }, position: null });
    const head = await store.headPosition();
    expect((await refusal(runCommand('payOut', deps, { quarter: '2026-Q2' }, finance()))).rule).toBe('payout-quarter-out-of-order');
    expect(await store.headPosition()).toBe(head);

    const customer = await store.readStream(customerStream('name:acme'));
    const partner = await store.readStream(partnerStream('P1'));
    const versions = [...customer, ...partner].map((e) => [e.type, e.policyVersion]);
    expect(versions).toContainEqual(['CommissionAccrued', defaultPolicy.version]);
    expect(versions).toContainEqual(['CommissionPaidOut', defaultPolicy.version]);
    expect(versions).toContainEqual(['DealRegistered', null]);
  });

  it('nets a clawback dated after the quarter, recorded before its payout, into that payout: the deposit stays whole', async () => {
    nowMs = Date.parse('2026-03-02T02:00:00.000Z');
    await runCommand('signPartner', deps, { partnerId: 'P1', name: 'Partner P1', kind: 'relationship', tier: 'gold' }, manager());
    await runCommand('postDeposit', deps, { partnerId: 'P1', amount: 9_000_000 }, finance());
    await runCommand('registerDeal', deps, { dealId: 'D1', partnerId: 'P1', customer: { name: 'Acme' } }, manager());
    await runCommand('advanceStage', deps, { dealId: 'D1', stage: 'signed' }, manager());
    days(18);
    const paid = await runCommand('receivePayment', deps, { paymentId: 'PAY-1', dealId: 'D1', line: 'port', amount: 1_126_335 }, finance());
    expect(paid.answer.commission).toMatchObject({ tier: 'gold', rateBps: 4000, commissionFen: 450_534 });
    nowMs = Date.parse('2026-04-02T02:00:00.000Z'); // 2 April: Q2
    const refunded = await runCommand('issueRefund', deps, { refundId: 'R-1', paymentId: 'PAY-1', amount: 500_000, reason: 'left early' }, finance());
    expect(refunded.answer.clawback).toMatchObject({ commissionFen: 200_000 });
    days(8);
    const q1 = await runCommand('payOut', deps, { quarter: '2026-Q1' }, finance());
    expect(q1.answer.payouts).toEqual([{ partnerId: 'P1', lines: 2, netFen: 250_534, debtRecoveredFen: 0, paidFen: 250_534, deductedFen: 0, addedDebtFen: 0 }]);
    nowMs = Date.parse('2026-07-08T02:00:00.000Z');
    expect((await runCommand('payOut', deps, { quarter: '2026-Q2' }, finance())).answer.payouts).toEqual([]);
    const partner = await store.readStream(partnerStream('P1'));
    expect(partner.map((e) => e.type)).toEqual(['PartnerSigned', 'DepositPosted', 'CommissionPaidOut']);
  });

  it('refuses cash before signing', async () => {
    await signPartners('P1');
    await runCommand('registerDeal', deps, { dealId: 'D1', partnerId: 'P1', customer: { name: 'Acme' } }, manager());
    expect((await refusal(runCommand('receivePayment', deps, { paymentId: 'PAY-1', dealId: 'D1', line: 'port', amount: 1 }, finance()))).rule).toBe('payment-before-signing');
  });
});

describe('tier evaluation through the command layer', () => {
  it('moves partners once per quarter', async () => {
    await signPartners('P1', 'P2');
    for (let i = 0; i < 5; i++) {
      await runCommand('registerDeal', deps, { dealId: `D${i}`, partnerId: 'P1', customer: { name: `Customer ${i}` } }, manager());
      await runCommand('advanceStage', deps, { dealId: `D${i}`, stage: 'signed' }, manager());
    }
    days(95);
    const first = await runCommand('evaluateTiers', deps, { quarter: '2026-Q3' }, manager());
    expect(first.answer.changes).toEqual([{ partnerId: 'P2', from: 'silver', to: 'standard', signedCustomers: 0 }]);
    const again = await runCommand('evaluateTiers', deps, { quarter: '2026-Q3' }, manager());
    expect(again).toMatchObject({ answer: { changes: [] }, position: null });
  });

  it('leaves out partners signed after the quarter, and dates every move when the next quarter starts', async () => {
    await signPartners('P1', 'P2');
    days(95); // into 2026-Q4
    await signPartners('P3');
    const evaluation = await runCommand('evaluateTiers', deps, { quarter: '2026-Q3' }, manager());
    // Issue #22 item 4: the answer adds the metric and the certificates issued (every evaluated partner's).
    expect(evaluation.answer).toEqual({
      quarter: '2026-Q3',
      metric: 'signedCustomers',
      evaluated: 2,
      certified: 2,
      changes: [
        { partnerId: 'P1', from: 'silver', to: 'standard', signedCustomers: 0 },
        { partnerId: 'P2', from: 'silver', to: 'standard', signedCustomers: 0 },
      ],
    });
    expect((await store.readStream(partnerStream('P3'))).map((e) => e.type)).toEqual(['PartnerSigned']);
    const certificates = (await store.readStream(partnerStream('P1'))).filter((e) => e.type === 'TierCertified');
    expect(certificates.map((e) => [e.occurredAt, (e.data as { validFor: string }).validFor])).toEqual([['2026-09-30T16:00:00.000Z', '2026-Q4']]);
    const moved = (await store.readStream(partnerStream('P1'))).filter((e) => e.type === 'TierChanged');
    expect(moved.map((e) => e.occurredAt)).toEqual(['2026-09-30T16:00:00.000Z']); // 1 October 00:00 in Shanghai
  });

  it('counts a contract the vendor confirmed as the signing, at its signing date', async () => {
    await signPartners('P1');
    for (const [dealId, name] of [['D1', 'Acme'], ['D2', 'Beta Co'], ['D3', 'Gamma Co']] as const) {
      await runCommand('registerDeal', deps, { dealId, partnerId: 'P1', customer: { name } }, as('partner', 'P1'));
      await runCommand('submitContract', deps, { dealId, ports: 5, contractValue: 600_000 }, as('partner', 'P1'));
    }
    days(95); // into 2026-Q4
    await runCommand('confirmContract', deps, { dealId: 'D1', signedAt: '2026-09-30T02:00:00.000Z' }, manager()); // back-dated into Q3
    await runCommand('confirmContract', deps, { dealId: 'D2', signedAt: clock() }, manager()); // Q4
    await runCommand('rejectContract', deps, { dealId: 'D3', reason: 'unsigned annex' }, manager());
    const evaluation = await runCommand('evaluateTiers', deps, { quarter: '2026-Q3' }, manager());
    expect(evaluation.answer.changes).toEqual([{ partnerId: 'P1', from: 'silver', to: 'standard', signedCustomers: 1 }]);
  });

  it('counts the customers signed inside the quarter, not those signed after it', async () => {
    await signPartners('P1');
    for (const [dealId, name] of [['D1', 'Acme'], ['D2', 'Beta Co']] as const) {
      await runCommand('registerDeal', deps, { dealId, partnerId: 'P1', customer: { name } }, manager());
    }
    await runCommand('advanceStage', deps, { dealId: 'D1', stage: 'signed' }, manager());
    days(95); // into 2026-Q4
    await runCommand('advanceStage', deps, { dealId: 'D2', stage: 'signed' }, manager());
    const evaluation = await runCommand('evaluateTiers', deps, { quarter: '2026-Q3' }, manager());
    expect(evaluation.answer.changes).toEqual([{ partnerId: 'P1', from: 'silver', to: 'standard', signedCustomers: 1 }]);
  });
});
