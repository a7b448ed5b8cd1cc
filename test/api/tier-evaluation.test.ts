// Tier evaluation over HTTP, through the read model's signings (projections/readers.ts
// signingsInQuarter) and the domain's rules: which signings count (src/domain/signed-customers.ts,
// quarters in Asia/Shanghai), who is evaluated and when the move takes effect
// (src/domain/tier-evaluation.ts, src/domain/evaluation-effective-date.ts).
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

const sign = (partnerId: string, tier: string, occurredAt: string) =>
  command(server, '/partners', 'manager', { partnerId, name: `Partner ${partnerId}`, kind: 'development', tier, occurredAt });
async function signedDeal(dealId: string, partnerId: string, name: string, signedAt: string) {
  await command(server, '/deals', 'manager', { dealId, partnerId, customer: { name }, occurredAt: '2024-12-20T02:00:00Z' });
  await command(server, '/deals/' + dealId + '/stage', 'manager', { stage: 'signed', occurredAt: signedAt });
}

describe('POST /tier-evaluations', () => {
  it('counts the customers signed inside the quarter in the policy time zone, evaluates only partners signed by its end, dates moves at the next quarter', async () => {
    await sign('T-001', 'standard', '2024-12-01T02:00:00Z');
    await sign('T-002', 'silver', '2024-12-01T02:00:00Z');
    for (let i = 1; i <= 4; i++) await signedDeal(`TD-${i}`, 'T-001', `Evaluation Customer ${i}`, `2025-02-0${i}T02:00:00Z`);
    await signedDeal('TD-5', 'T-001', 'Evaluation Customer 5', '2024-12-31T16:30:00Z'); // 1 January 00:30 in Shanghai: Q1
    await signedDeal('TD-6', 'T-001', 'Evaluation Customer 6', '2025-03-31T16:30:00Z'); // 1 April 00:30 in Shanghai: Q2
    await signedDeal('TD-7', 'direct', 'Evaluation Customer 7', '2025-02-10T02:00:00Z'); // direct sales count for nobody
    await sign('T-009', 'gold', '2025-04-15T02:00:00Z'); // after the quarter

    const evaluation = await command(server, '/tier-evaluations', 'manager', { quarter: '2025-Q1' });
    expect(evaluation).toMatchObject({ quarter: '2025-Q1', evaluated: 2 });
    expect(evaluation.changes).toEqual([
      { partnerId: 'T-001', from: 'standard', to: 'silver', signedCustomers: 5 },
      { partnerId: 'T-002', from: 'silver', to: 'standard', signedCustomers: 0 },
    ]);

    const tiers = await get(server, '/tiers', 'manager');
    expect(tiers.status).toBe(200);
    expect(tiers.body).toEqual([
      { partnerId: 'T-001', tier: 'silver', since: '2025-03-31T16:00:00.000Z' },
      { partnerId: 'T-002', tier: 'standard', since: '2025-03-31T16:00:00.000Z' },
      { partnerId: 'T-009', tier: 'gold', since: '2025-04-15T02:00:00.000Z' },
    ]);

    const again = await command(server, '/tier-evaluations', 'manager', { quarter: '2025-Q1' });
    expect(again.changes).toEqual([]);
  });
});
