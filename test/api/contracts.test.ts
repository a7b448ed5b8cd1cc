// Contracts are the vendor's (src/domain/contracts.ts), over HTTP: a partner cannot post its deal
// signed; the owning partner (or a manager) submits the contract, a manager confirms it with the
// signing date (the signing: commission years, tier counting, the pipeline, ownership) or rejects
// it with a reason. Every refusal is a problem body and writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from './support/programme.js';
import { type Answer, type ApiServer, get, post, refusedWithoutWriting, startApiServer } from './support/server.js';

let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer({ requestLog: false });
  await command(server, '/partners', 'manager', { partnerId: 'P-001', name: 'Contract Partner One', kind: 'development', tier: 'silver', occurredAt: '2025-01-06T02:00:00Z' });
  await command(server, '/partners', 'manager', { partnerId: 'P-002', name: 'Contract Partner Two', kind: 'development', tier: 'gold', occurredAt: '2025-01-06T02:00:00Z' });
  await command(server, '/partners/P-001/deposits', 'finance', { amount: 4_000_000, occurredAt: '2025-01-08T02:00:00Z' });
});
afterAll(async () => {
  await server?.stop();
});

const refused = (answer: Promise<Answer>, status: number, rule?: string) => refusedWithoutWriting(server, answer, status, rule);

describe('a partner cannot mark its own deal signed', () => {
  it('POST /deals/:id/stage {stage: signed} from the owning partner is a 422 naming the rule; a manager still signs (the vendor\'s own paper)', async () => {
    await command(server, '/deals', 'partner1', { dealId: 'D-S1', partnerId: 'P-001', customer: { name: 'Own Paper Trading' } });
    const body = await refused(post(server, '/deals/D-S1/stage', 'partner1', { stage: 'signed' }), 422, 'partner-cannot-sign');
    expect(body.detail).toMatch(/contracts are the vendor's/);
    expect(await command(server, '/deals/D-S1/stage', 'partner1', { stage: 'trial' })).toMatchObject({ dealId: 'D-S1', stage: 'trial' });
    await command(server, '/deals', 'manager', { dealId: 'D-S9', partnerId: 'direct', customer: { name: 'Vendor Own Paper Ltd' } });
    expect(await command(server, '/deals/D-S9/stage', 'manager', { stage: 'signed' })).toMatchObject({ dealId: 'D-S9', stage: 'signed' });
  });
});

describe('submit, confirm, reject', () => {
  it('the owning partner submits; one pending contract at a time; another partner\'s deal is unknown to it; a competing claim is refused without naming the owner', async () => {
    const registered = await command(server, '/deals', 'partner1', { dealId: 'D-C1', partnerId: 'P-001', customer: { name: 'Harbour Contract Co' } });
    await command(server, '/deals', 'partner2', { dealId: 'D-C2', partnerId: 'P-002', customer: { name: 'Harbour Contract Co., Ltd.' } });
    const submitted = await command(server, '/deals/D-C1/contract', 'partner1', { ports: 40, contractValue: 4_800_000 });
    expect(submitted).toMatchObject({ dealId: 'D-C1', customerKey: registered.customerKey, contract: { status: 'submitted', ports: 40, contractValueFen: 4_800_000 } });
    expect(submitted, "a partner's answer carries no log position (README, Reliability and security)").not.toHaveProperty('position');
    await refused(post(server, '/deals/D-C1/contract', 'partner1', { ports: 41, contractValue: 4_920_000 }), 422, 'contract-already-pending');
    const other = await refused(post(server, '/deals/D-C1/contract', 'partner2', { ports: 1, contractValue: 100 }), 404);
    expect(other.detail).toBe('no deal D-C1');
    const competing = await refused(post(server, '/deals/D-C2/contract', 'partner2', { ports: 5, contractValue: 600_000 }), 422, 'contract-not-owner');
    expect(JSON.stringify(competing)).not.toContain('D-C1');
    await refused(post(server, '/deals/D-C1/contract', 'partner1', { ports: 40, contractValue: 4_800_000, occurredAt: '2025-01-01T00:00:00Z' }), 403);
  });

  it('only a manager confirms, with a signing date not before the submission and not in the future; the confirmation signs the deal', async () => {
    for (const token of ['partner1', 'finance', 'auditor'] as const) {
      expect((await post(server, '/deals/D-C1/contract/confirm', token, { signedAt: new Date().toISOString() })).status).toBe(403);
    }
    await refused(post(server, '/deals/D-C1/contract/confirm', 'manager', { signedAt: '2025-01-10T00:00:00Z' }), 422, 'contract-signed-before-submission');
    const future = await refused(post(server, '/deals/D-C1/contract/confirm', 'manager', { signedAt: '2999-01-01T00:00:00Z' }), 400);
    expect(future.errors).toEqual([expect.objectContaining({ path: 'body.signedAt' })]);
    const missing = await refused(post(server, '/deals/D-C1/contract/confirm', 'manager', {}), 400);
    expect(missing.errors).toEqual([{ path: 'body.signedAt', message: 'required' }]);

    const signedAt = new Date().toISOString();
    const confirmed = await command(server, '/deals/D-C1/contract/confirm', 'manager', { signedAt });
    expect(confirmed).toMatchObject({ dealId: 'D-C1', stage: 'signed', signedAt, ownership: { ownerDealId: 'D-C1', ownerPartnerId: 'P-001', status: 'owner' } });
    await refused(post(server, '/deals/D-C1/contract/confirm', 'manager', { signedAt }), 422, 'deal-closed');
    await refused(post(server, '/deals/D-C1/stage', 'partner1', { stage: 'lost' }), 422, 'deal-closed');
  });

  it('a rejected contract may be submitted again; rejecting needs a manager, a reason and a pending contract', async () => {
    await command(server, '/deals', 'partner1', { dealId: 'D-R1', partnerId: 'P-001', customer: { name: 'Rejected Once Trading' } });
    await refused(post(server, '/deals/D-R1/contract/reject', 'manager', { reason: 'nothing submitted yet' }), 422, 'contract-not-pending');
    await command(server, '/deals/D-R1/contract', 'partner1', { ports: 12, contractValue: 1_440_000 });
    expect((await post(server, '/deals/D-R1/contract/reject', 'partner1', { reason: 'withdrawn' })).status).toBe(403);
    await refused(post(server, '/deals/D-R1/contract/reject', 'manager', {}), 400);
    expect(await command(server, '/deals/D-R1/contract/reject', 'manager', { reason: 'the port count does not match the order form' })).toMatchObject({
      dealId: 'D-R1',
      contract: { status: 'rejected', reason: 'the port count does not match the order form' },
    });
    await refused(post(server, '/deals/D-R1/contract/confirm', 'manager', { signedAt: new Date().toISOString() }), 422, 'contract-not-pending');
    expect(await command(server, '/deals/D-R1/contract', 'partner1', { ports: 10, contractValue: 1_200_000 })).toMatchObject({ contract: { status: 'submitted', ports: 10 } });
  });
});

describe('the confirmation is the signing', () => {
  let customerKey: string;
  beforeAll(async () => {
    customerKey = (await command(server, '/deals', 'manager', { dealId: 'D-B1', partnerId: 'P-001', customer: { name: 'Backfilled Contract Trading' }, occurredAt: '2025-02-03T02:00:00Z' })).customerKey;
    await command(server, '/deals/D-B1/stage', 'manager', { stage: 'trial', occurredAt: '2025-02-10T02:00:00Z' });
    await command(server, '/deals/D-B1/contract', 'manager', { ports: 100, contractValue: 12_000_000, occurredAt: '2025-02-20T02:00:00Z' });
    await command(server, '/deals/D-B1/contract/confirm', 'manager', { signedAt: '2025-03-03T02:00:00Z' });
  });

  it('commission years count from the signing date: cash before it is refused, cash after it earns year one', async () => {
    await refused(post(server, '/payments', 'finance', { paymentId: 'PAY-B0', dealId: 'D-B1', line: 'port', amount: 1_000_000, occurredAt: '2025-03-01T02:00:00Z' }), 422, 'payment-before-signing');
    const paid = await command(server, '/payments', 'finance', { paymentId: 'PAY-B1', dealId: 'D-B1', line: 'port', amount: 1_000_000, occurredAt: '2025-03-20T02:00:00Z' });
    expect(paid.commission).toMatchObject({ partnerId: 'P-001', commissionYear: 1, rateBps: 3000, commissionFen: 300_000 });
  });

  it('ownership and the pipeline show the deal signed, as of the signing date and not before', async () => {
    const now = await get(server, `/customers/${encodeURIComponent(customerKey)}/ownership`, 'manager');
    expect(now.body.claims).toEqual([expect.objectContaining({ dealId: 'D-B1', stage: 'signed', status: 'owner' })]);
    const before = await get(server, `/customers/${encodeURIComponent(customerKey)}/ownership`, 'manager', { validAt: '2025-03-02T00:00:00Z' });
    expect(before.body.claims).toEqual([expect.objectContaining({ dealId: 'D-B1', stage: 'trial' })]);
    const pipeline = await get(server, '/reports/pipeline', 'manager', { partnerId: 'P-001' });
    const deal = pipeline.body.partners[0].deals.find((d: { dealId: string }) => d.dealId === 'D-B1');
    expect(deal).toMatchObject({ stage: 'signed', lastProgressAt: '2025-03-03T02:00:00.000Z' });
  });

  it('counts for the tier evaluation of the quarter it was signed in', async () => {
    const evaluation = await command(server, '/tier-evaluations', 'manager', { quarter: '2025-Q1', occurredAt: '2025-04-01T00:00:00Z' });
    expect(evaluation.changes).toEqual(
      expect.arrayContaining([{ partnerId: 'P-001', from: 'silver', to: 'standard', signedCustomers: 1 }, { partnerId: 'P-002', from: 'gold', to: 'standard', signedCustomers: 0 }]),
    );
  });

  it('the auditor\'s account shows the submission and the confirmation with who did them', async () => {
    const audit = await get(server, `/audit/customers/${encodeURIComponent(customerKey)}`, 'auditor');
    const contractEvents = audit.body.events.filter((e: { type: string }) => e.type.startsWith('Contract'));
    expect(contractEvents.map((e: { type: string; actor: { role: string }; occurredAt: string }) => [e.type, e.actor.role, e.occurredAt])).toEqual([
      ['ContractSubmitted', 'manager', '2025-02-20T02:00:00.000Z'],
      ['ContractConfirmed', 'manager', '2025-03-03T02:00:00.000Z'],
    ]);
    expect(contractEvents[1].data).toMatchObject({ dealId: 'D-B1', from: 'trial', ports: 100, contractValueFen: 12_000_000, signedAt: '2025-03-03T02:00:00.000Z' });
  });
});
