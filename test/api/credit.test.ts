// Issue 10 through the HTTP API: traffic billed against a wholesale-voice reseller's deposit,
// settlements, the balance's credit figures with asOf / validAt, and 100 concurrent bills.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from './support/programme.js';
import { type ApiServer, get, post, startApiServer } from './support/server.js';

const MIN = 10_000_000;
let server: ApiServer;

beforeAll(async () => {
  server = await startApiServer();
  await command(server, '/partners', 'manager', { partnerId: 'W-1', name: 'Voice Wholesale One', kind: 'wholesale-voice', tier: 'standard', occurredAt: '2025-01-06T01:00:00Z' });
  await command(server, '/partners', 'manager', { partnerId: 'W-RACE', name: 'Voice Wholesale Race', kind: 'wholesale-voice', tier: 'standard', occurredAt: '2025-01-06T01:00:00Z' });
  await command(server, '/partners', 'manager', { partnerId: 'P-001', name: 'Relationship One', kind: 'relationship', tier: 'gold', occurredAt: '2025-01-06T01:00:00Z' });
  await command(server, '/partners/P-001/deposits', 'finance', { amount: MIN, occurredAt: '2025-01-07T01:00:00Z' });
}, 60_000);
afterAll(async () => server?.stop());

describe('POST /partners/:id/traffic and /traffic-settlements', () => {
  it('refuses the first bill below the policy minimum deposit, then bills within the deposit', async () => {
    await command(server, '/partners/W-1/deposits', 'finance', { amount: MIN - 1, occurredAt: '2025-02-01T01:00:00Z' });
    const low = await post(server, '/partners/W-1/traffic', 'finance', { billId: 'W1-B0', amount: 100, period: '2025-02' });
    expect(low.status).toBe(422);
    expect(low.body).toMatchObject({ rule: 'traffic-deposit-below-minimum', figures: { minimumFen: MIN, shortfallFen: 1 } });
    await command(server, '/partners/W-1/deposits', 'finance', { amount: 1, occurredAt: '2025-02-02T01:00:00Z' });
    const ok = await command(server, '/partners/W-1/traffic', 'finance', { billId: 'W1-B1', amount: 7_000_000, period: '2025-02', occurredAt: '2025-03-01T01:00:00Z' });
    expect(ok).toMatchObject({ billId: 'W1-B1', creditLimitFen: MIN, trafficOutstandingFen: 7_000_000, creditAvailableFen: 3_000_000, recorded: true });
  });

  // Issue #22 item 2: this bill used to be refused (422 traffic-credit-limit, nothing written);
  // a bill is a fact now: it is recorded and the credit is suspended (credit-suspension.test.ts).
  it('records a bill over the limit (201) and suspends the credit, naming the limit and the outstanding traffic', async () => {
    await command(server, '/partners', 'manager', { partnerId: 'W-2', name: 'Voice Wholesale Two', kind: 'wholesale-voice', tier: 'standard', occurredAt: '2025-01-06T01:00:00Z' });
    await command(server, '/partners/W-2/deposits', 'finance', { amount: MIN, occurredAt: '2025-02-01T01:00:00Z' });
    await command(server, '/partners/W-2/traffic', 'finance', { billId: 'W2-B1', amount: 7_000_000, period: '2025-02', occurredAt: '2025-03-01T01:00:00Z' });
    const before = await get(server, '/health', 'auditor');
    const over = await post(server, '/partners/W-2/traffic', 'finance', { billId: 'W2-B2', amount: 3_000_001, period: '2025-03' });
    expect(over.status).toBe(201);
    expect(over.body).toMatchObject({ billId: 'W2-B2', recorded: true, whileSuspended: false, creditStatus: 'suspended', creditStatusChange: 'CreditSuspended', creditLimitFen: MIN, trafficOutstandingFen: 10_000_001, creditAvailableFen: 0 });
    expect((await get(server, '/health', 'auditor')).body.position).toBe(before.body.position + 2);
    const feed = await get(server, '/events', 'auditor', { from: String(before.body.position + 1), limit: '10' });
    expect(feed.body.events.map((e: { type: string }) => e.type)).toEqual(['TrafficBilled', 'CreditSuspended']);
    expect(feed.body.events[1].data).toEqual({ partnerId: 'W-2', creditLimitFen: MIN, outstandingFen: 10_000_001, cause: 'TrafficBilled' });
  });

  it('settles traffic, refuses a settlement above what is outstanding, and shows credit in the balance as of any instant', async () => {
    const s = await command(server, '/partners/W-1/traffic-settlements', 'finance', { settlementId: 'W1-S1', amount: 2_000_000, occurredAt: '2025-04-01T01:00:00Z' });
    expect(s).toMatchObject({ trafficOutstandingFen: 5_000_000, creditAvailableFen: 5_000_000 });
    const tooMuch = await post(server, '/partners/W-1/traffic-settlements', 'finance', { settlementId: 'W1-S2', amount: 5_000_001 });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body).toMatchObject({ rule: 'traffic-settlement-exceeds-outstanding', figures: { outstandingFen: 5_000_000 } });
    const now = await get(server, '/partners/W-1/balance', 'finance');
    expect(now.body).toMatchObject({ deposit: MIN, creditLimit: MIN, trafficOutstanding: 5_000_000, creditAvailable: 5_000_000 });
    const march = await get(server, '/partners/W-1/balance', 'finance', { validAt: '2025-03-15T00:00:00Z' });
    expect(march.body).toMatchObject({ creditLimit: MIN, trafficOutstanding: 7_000_000, creditAvailable: 3_000_000 });
    const beforeBill = await get(server, '/partners/W-1/balance', 'auditor', { validAt: '2025-02-15T00:00:00Z' });
    expect(beforeBill.body).toMatchObject({ trafficOutstanding: 0, creditAvailable: MIN });
    const other = await get(server, '/partners/P-001/balance', 'manager');
    expect(other.body).toMatchObject({ creditLimit: null, trafficOutstanding: 0, creditAvailable: null });
  });

  it('bills only wholesale-voice partners, only for finance, and 404s an unknown partner', async () => {
    const rel = await post(server, '/partners/P-001/traffic', 'finance', { billId: 'P1-B1', amount: 1, period: '2025-02' });
    expect([rel.status, rel.body.rule]).toEqual([422, 'traffic-wholesale-voice-only']);
    expect((await post(server, '/partners/W-1/traffic', 'manager', { billId: 'X', amount: 1, period: '2025-02' })).status).toBe(403);
    expect((await post(server, '/partners/W-1/traffic', 'partner1', { billId: 'X', amount: 1, period: '2025-02' })).status).toBe(403);
    expect((await post(server, '/partners/NOPE/traffic', 'finance', { billId: 'X', amount: 1, period: '2025-02' })).status).toBe(404);
    const bad = await post(server, '/partners/W-1/traffic', 'finance', { billId: 'X', amount: 1.5, period: '2025-13' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.amount', 'body.period']);
  });

  // Issue #22 item 2: the bills past the limit used to get 422 (traffic-credit-limit) and vanish;
  // every bill is recorded now, the credit suspended once, the bills after it flagged.
  it('100 concurrent bills whose sum exceeds the deposit: all recorded (201), none lost, no 5xx, one suspension, later bills flagged', async () => {
    await command(server, '/partners/W-RACE/deposits', 'finance', { amount: MIN });
    // 100 bills of 150,000 .. 249,000 fen (sum 19,950,000 > 10,000,000)
    const amounts = Array.from({ length: 100 }, (_, i) => 150_000 + (i % 100) * 1_000);
    const answers = await Promise.all(
      amounts.map((amount, i) => post(server, '/partners/W-RACE/traffic', 'finance', { billId: `R-${i}`, amount, period: '2025-05' })),
    );
    expect(answers.map((a) => a.status).filter((s) => s !== 201)).toEqual([]);
    const totalFen = amounts.reduce((a, b) => a + b, 0);
    // none lost: every bill is in the log, and the balance is their sum
    const balance = await get(server, '/partners/W-RACE/balance', 'finance');
    expect(balance.body).toMatchObject({ trafficOutstanding: totalFen, creditAvailable: 0, creditStatus: 'suspended' });
    const feed = await get(server, '/events', 'auditor', { from: '1', limit: '1000' });
    const own = feed.body.events.filter((e: { stream: string }) => e.stream === 'partner-W-RACE');
    const bills = own.filter((e: { type: string }) => e.type === 'TrafficBilled');
    expect(bills).toHaveLength(100);
    expect(own.filter((e: { type: string }) => e.type === 'CreditSuspended')).toHaveLength(1);
    const reached = bills.findIndex((e: { data: { outstandingFen: number } }) => e.data.outstandingFen >= MIN);
    bills.forEach((e: { data: { whileSuspended: boolean } }, i: number) => expect(e.data.whileSuspended).toBe(i > reached));
    expect(answers.filter((a) => a.body.whileSuspended === true)).toHaveLength(100 - reached - 1);
  }, 60_000);
});
