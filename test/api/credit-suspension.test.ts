// Issue #22 item 2 through the HTTP API: wholesale service stops, bills are still facts. A bill
// that takes outstanding traffic to the deposit suspends the reseller's credit (CreditSuspended
// with the figures); bills recorded while suspended are flagged; a settlement or a top-up that
// brings it back under the limit resumes it (CreditResumed); a deduction can suspend it too;
// the balance shows creditStatus as of any instant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from './support/programme.js';
import { type ApiServer, get, startApiServer } from './support/server.js';

const MIN = 10_000_000;
let server: ApiServer;

beforeAll(async () => {
  server = await startApiServer({ requestLog: false });
  await command(server, '/partners', 'manager', { partnerId: 'W-S', name: 'Voice Wholesale Suspended', kind: 'wholesale-voice', tier: 'standard', occurredAt: '2025-01-06T01:00:00Z' });
  await command(server, '/partners', 'manager', { partnerId: 'P-001', name: 'Relationship One', kind: 'relationship', tier: 'gold', occurredAt: '2025-01-06T01:00:00Z' });
  await command(server, '/partners/W-S/deposits', 'finance', { amount: MIN, occurredAt: '2025-01-10T01:00:00Z' });
}, 60_000);
afterAll(async () => server?.stop());

/** The credit events of the reseller's stream, in order. */
async function creditEvents(): Promise<Array<{ type: string; occurredAt: string; data: Record<string, unknown> }>> {
  const feed = await get(server, '/events', 'auditor', { from: '1', limit: '1000' });
  return feed.body.events.filter((e: { stream: string; type: string }) => e.stream === 'partner-W-S' && (e.type === 'CreditSuspended' || e.type === 'CreditResumed'));
}

describe('suspension and resumption of a reseller', () => {
  it('a bill that reaches the deposit is recorded and suspends the credit', async () => {
    const first = await command(server, '/partners/W-S/traffic', 'finance', { billId: 'S-B1', amount: 6_000_000, period: '2025-01', occurredAt: '2025-02-03T02:00:00Z' });
    expect(first).toMatchObject({ creditStatus: 'active', creditStatusChange: null, whileSuspended: false });
    const reach = await command(server, '/partners/W-S/traffic', 'finance', { billId: 'S-B2', amount: 4_000_000, period: '2025-02', occurredAt: '2025-03-03T02:00:00Z' });
    expect(reach).toMatchObject({ recorded: true, whileSuspended: false, creditStatus: 'suspended', creditStatusChange: 'CreditSuspended', trafficOutstandingFen: MIN, creditAvailableFen: 0 });
    expect(await creditEvents()).toEqual([
      expect.objectContaining({ type: 'CreditSuspended', occurredAt: '2025-03-03T02:00:00.000Z', data: { partnerId: 'W-S', creditLimitFen: MIN, outstandingFen: MIN, cause: 'TrafficBilled' } }),
    ]);
    const balance = await get(server, '/partners/W-S/balance', 'finance');
    expect(balance.body).toMatchObject({ creditLimit: MIN, trafficOutstanding: MIN, creditAvailable: 0, creditStatus: 'suspended' });
  });

  it('bills recorded while suspended are flagged; the credit is not suspended again', async () => {
    const late = await command(server, '/partners/W-S/traffic', 'finance', { billId: 'S-B3', amount: 250_000, period: '2025-02', occurredAt: '2025-03-05T02:00:00Z' });
    expect(late).toMatchObject({ recorded: true, whileSuspended: true, creditStatus: 'suspended', creditStatusChange: null, trafficOutstandingFen: MIN + 250_000 });
    const again = await command(server, '/partners/W-S/traffic', 'finance', { billId: 'S-B3', amount: 250_000, period: '2025-02' });
    expect(again).toMatchObject({ recorded: false, whileSuspended: true, position: null });
    expect((await creditEvents()).map((e) => e.type)).toEqual(['CreditSuspended']);
  });

  it('a settlement that leaves outstanding traffic at the deposit keeps it suspended; one that brings it under resumes it', async () => {
    const partial = await command(server, '/partners/W-S/traffic-settlements', 'finance', { settlementId: 'S-S1', amount: 250_000, occurredAt: '2025-03-20T02:00:00Z' });
    expect(partial).toMatchObject({ trafficOutstandingFen: MIN, creditStatus: 'suspended', creditStatusChange: null });
    const under = await command(server, '/partners/W-S/traffic-settlements', 'finance', { settlementId: 'S-S2', amount: 3_000_000, occurredAt: '2025-03-25T02:00:00Z' });
    expect(under).toMatchObject({ trafficOutstandingFen: 7_000_000, creditStatus: 'active', creditStatusChange: 'CreditResumed' });
    expect((await creditEvents()).at(-1)).toMatchObject({ type: 'CreditResumed', data: { partnerId: 'W-S', creditLimitFen: MIN, outstandingFen: 7_000_000, cause: 'TrafficSettled' } });
  });

  it('a deduction that takes the deposit down to the outstanding traffic suspends it; a top-up resumes it', async () => {
    await command(server, '/partners/W-S/deposit-deductions', 'finance', { amount: 3_000_000, reason: 'clawed-back commission not repaid', occurredAt: '2025-04-02T02:00:00Z' });
    expect((await creditEvents()).at(-1)).toMatchObject({ type: 'CreditSuspended', data: { creditLimitFen: 7_000_000, outstandingFen: 7_000_000, cause: 'DepositDeducted' } });
    expect((await get(server, '/partners/W-S/balance', 'finance')).body).toMatchObject({ deposit: 7_000_000, creditStatus: 'suspended' });
    await command(server, '/partners/W-S/deposits', 'finance', { amount: 3_000_000, occurredAt: '2025-04-10T02:00:00Z' });
    expect((await creditEvents()).at(-1)).toMatchObject({ type: 'CreditResumed', data: { creditLimitFen: MIN, outstandingFen: 7_000_000, cause: 'DepositPosted' } });
    expect((await get(server, '/partners/W-S/balance', 'partner1')).status).toBe(403); // another partner's balance
    expect((await get(server, '/partners/W-S/balance', 'auditor')).body).toMatchObject({ creditStatus: 'active', creditAvailable: 3_000_000 });
  });

  it('the balance shows the credit status as it stood at any instant, and active for partners that are not resellers', async () => {
    const at = async (validAt: string) => (await get(server, '/partners/W-S/balance', 'finance', { validAt })).body.creditStatus;
    expect(await at('2025-02-10T00:00:00Z')).toBe('active');
    expect(await at('2025-03-10T00:00:00Z')).toBe('suspended');
    expect(await at('2025-03-30T00:00:00Z')).toBe('active');
    expect(await at('2025-04-05T00:00:00Z')).toBe('suspended');
    expect(await at('2025-04-15T00:00:00Z')).toBe('active');
    const other = await get(server, '/partners/P-001/balance', 'partner1');
    expect(other.body).toMatchObject({ creditLimit: null, creditStatus: 'active' });
    const report = await get(server, '/reports/balances', 'manager', { validAt: '2025-03-10T00:00:00Z' });
    expect(report.body.partners.find((p: { partnerId: string }) => p.partnerId === 'W-S')).toMatchObject({ creditStatus: 'suspended' });
    expect(report.body.totals.creditStatus).toBeUndefined();
  });
});
