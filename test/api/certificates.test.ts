// Issue #22 item 4 through the HTTP API: every partner gets a certificate for each evaluated
// quarter (TierCertified), moved or not, valid for the next quarter; GET /partners/:id/certificates
// answers them (manager, finance, auditor, own partner) as of any instant; evaluating a quarter
// again writes nothing; the metric is policy data (signedCustomers, or newPorts: ports signed
// and paid in the quarter).
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/domain/policy.js';
import { command } from './support/programme.js';
import { type ApiServer, get, post, startApiServer } from './support/server.js';

const Q2_FROM = '2025-03-31T16:00:00.000Z'; // 1 April 2025 00:00 in Shanghai
const Q2_TO = '2025-06-30T15:59:59.999Z';
const Q3_FROM = '2025-06-30T16:00:00.000Z';
const Q3_TO = '2025-09-30T15:59:59.999Z';

async function signedDeal(server: ApiServer, dealId: string, partnerId: string, name: string, signedAt: string, expectedPorts?: number) {
  await command(server, '/deals', 'manager', { dealId, partnerId, customer: { name }, ...(expectedPorts ? { expectedPorts } : {}), occurredAt: '2024-12-20T02:00:00Z' });
  await command(server, `/deals/${dealId}/stage`, 'manager', { stage: 'signed', occurredAt: signedAt });
}

describe('certificates every quarter (the default metric: newly signed customers)', () => {
  let server: ApiServer;
  const sign = (partnerId: string, tier: string, occurredAt: string) =>
    command(server, '/partners', 'manager', { partnerId, name: `Partner ${partnerId}`, kind: 'development', tier, occurredAt });

  beforeAll(async () => {
    server = await startApiServer({ requestLog: false });
    await sign('P-001', 'standard', '2024-12-01T02:00:00Z');
    await sign('P-002', 'standard', '2024-12-01T02:00:00Z');
    await sign('P-009', 'gold', '2025-04-15T02:00:00Z'); // after 2025-Q1
    for (let i = 1; i <= 5; i++) await signedDeal(server, `CD-${i}`, 'P-001', `Certificate Customer ${i}`, `2025-02-0${i}T02:00:00Z`);
  }, 60_000);
  afterAll(async () => server?.stop());

  it('certifies every partner evaluated, the one that moved and the one that did not, valid for the next quarter', async () => {
    const evaluation = await command(server, '/tier-evaluations', 'manager', { quarter: '2025-Q1' });
    expect(evaluation).toMatchObject({ quarter: '2025-Q1', metric: 'signedCustomers', evaluated: 2, certified: 2, changes: [{ partnerId: 'P-001', from: 'standard', to: 'silver', signedCustomers: 5 }] });
    const moved = await get(server, '/partners/P-001/certificates', 'manager');
    expect(moved.status).toBe(200);
    expect(moved.body).toEqual([
      {
        quarter: '2025-Q1',
        tier: 'silver',
        previousTier: 'standard',
        validFor: '2025-Q2',
        validFrom: Q2_FROM,
        validTo: Q2_TO,
        metric: 'signedCustomers',
        figures: { signedCustomers: 5, goldAtLeast: 10, silverAtLeast: 5 },
        certifiedAt: Q2_FROM,
        recordedAt: expect.any(String),
      },
    ]);
    const stayed = await get(server, '/partners/P-002/certificates', 'finance');
    expect(stayed.body).toEqual([expect.objectContaining({ quarter: '2025-Q1', tier: 'standard', previousTier: 'standard', validFrom: Q2_FROM, validTo: Q2_TO, figures: { signedCustomers: 0, goldAtLeast: 10, silverAtLeast: 5 } })]);
    expect((await get(server, '/partners/P-009/certificates', 'auditor')).body).toEqual([]); // signed after the quarter
  });

  it('evaluating the same quarter again writes nothing', async () => {
    const again = await post(server, '/tier-evaluations', 'manager', { quarter: '2025-Q1' });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ certified: 0, changes: [], position: null });
    expect((await get(server, '/partners/P-001/certificates', 'manager')).body).toHaveLength(1);
  });

  it('the next quarter certifies every partner again, and asOf shows the certificates known then', async () => {
    const before = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const q2 = await command(server, '/tier-evaluations', 'manager', { quarter: '2025-Q2' });
    expect(q2).toMatchObject({ evaluated: 3, certified: 3 });
    const all = await get(server, '/partners/P-001/certificates', 'manager');
    expect(all.body.map((c: { quarter: string; tier: string; validFrom: string; validTo: string }) => [c.quarter, c.tier, c.validFrom, c.validTo])).toEqual([
      ['2025-Q1', 'silver', Q2_FROM, Q2_TO],
      ['2025-Q2', 'standard', Q3_FROM, Q3_TO],
    ]);
    expect((await get(server, '/partners/P-009/certificates', 'manager')).body).toEqual([expect.objectContaining({ quarter: '2025-Q2', tier: 'standard', previousTier: 'gold' })]);
    const known = await get(server, '/partners/P-001/certificates', 'manager', { asOf: before });
    expect(known.body.map((c: { quarter: string }) => c.quarter)).toEqual(['2025-Q1']);
    const validThen = await get(server, '/partners/P-001/certificates', 'manager', { validAt: '2025-05-01T00:00:00Z' });
    expect(validThen.body.map((c: { quarter: string }) => c.quarter)).toEqual(['2025-Q1']);
  });

  it('a partner reads its own certificates only; an unknown partner is 404', async () => {
    expect((await get(server, '/partners/P-001/certificates', 'partner1')).status).toBe(200);
    expect((await get(server, '/partners/P-002/certificates', 'partner1')).status).toBe(403);
    expect((await get(server, '/partners/P-404/certificates', 'manager')).status).toBe(404);
    expect((await get(server, '/partners/P-001/certificates', null)).status).toBe(401);
  });
});

describe('certificates on new ports (a policy with tierEvaluation.metric "newPorts")', () => {
  let server: ApiServer;
  const policyFile = path.join(os.tmpdir(), `ledger-new-ports-policy-${process.pid}.json`);

  beforeAll(async () => {
    const policy = structuredClone(defaultPolicy) as unknown as Record<string, unknown>;
    policy.version = 'new-ports-test.1';
    policy.tierEvaluation = { metric: 'newPorts', thresholds: [{ tier: 'gold', atLeast: 200 }, { tier: 'silver', atLeast: 100 }], otherwise: 'standard' };
    writeFileSync(policyFile, JSON.stringify(policy));
    server = await startApiServer({ requestLog: false, policyFile });
    await command(server, '/partners', 'manager', { partnerId: 'P-001', name: 'Ports One', kind: 'development', tier: 'standard', occurredAt: '2024-12-01T02:00:00Z' });
    await signedDeal(server, 'NP-1', 'P-001', 'Ports Customer 1', '2025-02-03T02:00:00Z', 80);
    await signedDeal(server, 'NP-2', 'P-001', 'Ports Customer 2', '2025-02-04T02:00:00Z', 40);
    await signedDeal(server, 'NP-3', 'P-001', 'Ports Customer 3', '2025-03-20T02:00:00Z', 300); // paid after the quarter
    await command(server, '/payments', 'finance', { paymentId: 'NP-PAY-1', dealId: 'NP-1', line: 'port', amount: 9_600_000, occurredAt: '2025-02-20T02:00:00Z' });
    await command(server, '/payments', 'finance', { paymentId: 'NP-PAY-2', dealId: 'NP-2', line: 'port', amount: 4_800_000, occurredAt: '2025-03-05T02:00:00Z' });
    await command(server, '/payments', 'finance', { paymentId: 'NP-PAY-3', dealId: 'NP-3', line: 'port', amount: 36_000_000, occurredAt: '2025-04-08T02:00:00Z' });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(policyFile, { force: true });
  });

  it('counts the ports of customers signed and paid in the quarter', async () => {
    const evaluation = await command(server, '/tier-evaluations', 'manager', { quarter: '2025-Q1' });
    expect(evaluation).toMatchObject({ metric: 'newPorts', certified: 1, changes: [{ partnerId: 'P-001', from: 'standard', to: 'silver', newPorts: 120 }] });
    const certificates = await get(server, '/partners/P-001/certificates', 'partner1');
    expect(certificates.body).toEqual([expect.objectContaining({ quarter: '2025-Q1', tier: 'silver', metric: 'newPorts', figures: { newPorts: 120, goldAtLeast: 200, silverAtLeast: 100 } })]);
  });
});
