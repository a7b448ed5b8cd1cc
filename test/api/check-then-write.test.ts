// Check, then write (issue 16): a command whose events would break an invariant (an amount
// over the policy's cap, a running total out of the exact range, on one stream or summed over
// many) is refused 422 with its rule and figures and writes nothing; the server goes on
// serving. A fact the read model still cannot apply (only a damaged or foreign writer can put
// one in the log) leaves the server degraded: commands 503 naming why, reads served, /health
// says so, and never a write answered 500.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from './support/programme.js';
import { type ApiServer, get, post, startApiServer } from './support/server.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER; // 9007199254740991

async function head(server: ApiServer): Promise<bigint> {
  return server.running.ledger.store.headPosition();
}

async function refusedWithoutWriting(server: ApiServer, route: string, token: 'finance' | 'manager', body: unknown, status = 422) {
  const before = await head(server);
  const answer = await post(server, route, token, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(await head(server)).toBe(before);
  return answer.body as { detail: string; rule?: string; figures?: Record<string, unknown> };
}

async function signGold(server: ApiServer, partnerId: string) {
  await command(server, '/partners', 'manager', { partnerId, name: `Partner ${partnerId}`, kind: 'relationship', tier: 'gold', occurredAt: '2025-01-06T01:00:00Z' });
}

describe('the default policy caps one amount', () => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer({ requestLog: false });
    await signGold(server, 'P-001');
  });
  afterAll(async () => server?.stop());

  it('refuses a deposit of 2^53 − 1 fen with the rule and the limit, writes nothing, and goes on serving', async () => {
    const problem = await refusedWithoutWriting(server, '/partners/P-001/deposits', 'finance', { amount: MAX_SAFE });
    expect(problem.detail).toContain('exceeds the policy');
    expect(problem.detail).toContain('100000000000 fen');
    expect(JSON.stringify(problem)).toContain('amount-over-limit');
    const again = await refusedWithoutWriting(server, '/partners/P-001/deposits', 'finance', { amount: MAX_SAFE });
    expect(again.detail).toBe(problem.detail);
    const ok = await command(server, '/partners/P-001/deposits', 'finance', { amount: 9_000_000 });
    expect(ok.depositFen).toBe(9_000_000);
    expect((await get(server, '/health', null)).body.status).toBe('ok');
  });

  it('refuses a revenue estimate over the cap', async () => {
    const problem = await refusedWithoutWriting(server, '/deals', 'manager', { dealId: 'D-1', partnerId: 'P-001', customer: { name: 'Big Estimate Ltd' }, expectedRevenue: 100_000_000_001 });
    expect(JSON.stringify(problem)).toContain('amount-over-limit');
  });
});

describe('a policy that allows any safe amount still keeps every running total exact', () => {
  let server: ApiServer;
  let policyDir: string;
  beforeAll(async () => {
    policyDir = mkdtempSync(path.join(os.tmpdir(), 'ledger-policy-'));
    const policy = JSON.parse(readFileSync(new URL('../../src/domain/default-policy.json', import.meta.url), 'utf8'));
    policy.version = 'no-cap.1';
    policy.limits = { ...policy.limits, maxAmountFen: MAX_SAFE };
    const policyFile = path.join(policyDir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify(policy));
    server = await startApiServer({ requestLog: false, policyFile });
    await signGold(server, 'P-001');
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(policyDir, { recursive: true, force: true });
  });

  it('takes one deposit of 2^53 − 1 fen and refuses the second (the running deposit would leave the exact range), writing nothing', async () => {
    await command(server, '/partners/P-001/deposits', 'finance', { amount: MAX_SAFE });
    const problem = await refusedWithoutWriting(server, '/partners/P-001/deposits', 'finance', { amount: MAX_SAFE });
    expect(JSON.stringify(problem)).toContain('running-total-out-of-range');
    expect(problem.detail).toContain("partner P-001's deposit");
    expect(problem.detail).toContain('nothing was written');
    // The server goes on: reads answer, other commands are written, /health is ok, replay works.
    expect((await get(server, '/partners/P-001/balance', 'finance')).body.deposit).toBe(MAX_SAFE);
    await command(server, '/partners/P-001/deposit-deductions', 'finance', { amount: 1, reason: 'fee' });
    expect((await get(server, '/health', null)).body.status).toBe('ok');
  });

  it('refuses a payment whose commission would carry the partner’s accrued total (summed over customers) out of range', async () => {
    const payment = 9_000_000_000_000_000; // 40% → 3.6e15 fen of commission each
    for (const n of [1, 2, 3]) {
      await command(server, '/deals', 'manager', { dealId: `D-${n}`, partnerId: 'P-001', customer: { name: `Customer ${n} Ltd` }, occurredAt: '2025-02-03T02:00:00Z' });
      await command(server, `/deals/D-${n}/stage`, 'manager', { stage: 'signed', occurredAt: '2025-02-10T02:00:00Z' });
    }
    await command(server, '/payments', 'finance', { paymentId: 'PAY-1', dealId: 'D-1', line: 'port', amount: payment, occurredAt: '2025-03-01T02:00:00Z' });
    await command(server, '/payments', 'finance', { paymentId: 'PAY-2', dealId: 'D-2', line: 'port', amount: payment, occurredAt: '2025-03-01T02:00:00Z' });
    const problem = await refusedWithoutWriting(server, '/payments', 'finance', { paymentId: 'PAY-3', dealId: 'D-3', line: 'port', amount: payment, occurredAt: '2025-03-01T02:00:00Z' });
    expect(JSON.stringify(problem)).toContain('running-total-out-of-range');
    expect(problem.detail).toContain("partner P-001's accrued total");
    expect((await get(server, '/partners/P-001/balance', 'finance')).body.accrued).toBe(7_200_000_000_000_000);
  });
});

describe('a logged fact the read model cannot apply', () => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer({ requestLog: false });
    await signGold(server, 'P-001');
    await command(server, '/partners/P-001/deposits', 'finance', { amount: 9_000_000 });
  });
  afterAll(async () => server?.stop());

  it('degrades the server: commands 503 naming why and writing nothing, reads served, /health degraded', async () => {
    // Only a writer that bypasses the commands can do this: append straight to the store.
    const { store } = server.running.ledger;
    const poison = { type: 'DepositPosted', data: { partnerId: 'P-001', amountFen: MAX_SAFE }, eventId: crypto.randomUUID(), occurredAt: new Date().toISOString(), actor: { role: 'system', id: 'test' }, commandId: crypto.randomUUID(), correlationId: null, causationId: null, policyVersion: null };
    const appended = await store.append('partner-P-001', [poison as never], 'any');
    await expect.poll(() => server.running.ledger.readModelFailure()).not.toBeNull();
    expect(server.running.ledger.readModelFailure()).toContain('safe-integer');

    const before = await head(server);
    const refused = await post(server, '/partners/P-001/deposits', 'finance', { amount: 100 });
    expect(refused.status).toBe(503);
    expect(refused.body.detail).toContain('the read model stopped');
    expect(await head(server)).toBe(before);
    expect(before).toBe(appended.position);

    const health = await get(server, '/health', 'manager');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');
    const read = await get(server, '/partners/P-001/balance', 'finance');
    expect(read.status).toBe(200);
    expect(read.body.deposit).toBe(9_000_000);
  });
});
