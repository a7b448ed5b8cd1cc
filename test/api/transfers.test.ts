// Two departments agree on a handover (src/domain/transfers.ts), over HTTP: POST /deals/:id/transfer
// proposes (202 with a transferId, nothing moves); POST /transfers/:id/approve by a manager other
// than the proposer (the actor's id is the token's name) writes DealTransferred, with the 28-day
// rule checked again; /reject refuses it. The auditor's account (and `ledger dispute`'s rendering
// of it) shows the proposal and the approval with who did each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAccount } from '../../src/cli/commands/dispute.js';
import { command } from './support/programme.js';
import { type Answer, type ApiServer, get, post, refusedWithoutWriting, startApiServer } from './support/server.js';

let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer({ requestLog: false });
  await command(server, '/partners', 'manager', { partnerId: 'P-001', name: 'Handover Partner One', kind: 'development', tier: 'silver', occurredAt: '2025-01-06T02:00:00Z' });
  await command(server, '/partners', 'manager', { partnerId: 'P-002', name: 'Handover Partner Two', kind: 'development', tier: 'silver', occurredAt: '2025-01-06T02:00:00Z' });
});
afterAll(async () => {
  await server?.stop();
});

const head = async (): Promise<number> => (await get(server, '/health', 'auditor')).body.position as number;

const refused = (answer: Promise<Answer>, status: number, rule?: string) => refusedWithoutWriting(server, answer, status, rule);

/** Two claims on one customer: `from` registered on `fromAt`, `to` ten days later. */
async function contested(from: string, to: string, name: string, fromAt = '2025-01-10T02:00:00Z'): Promise<string> {
  const first = await command(server, '/deals', 'manager', { dealId: from, partnerId: 'P-001', customer: { name }, occurredAt: fromAt });
  await command(server, '/deals', 'manager', { dealId: to, partnerId: 'P-002', customer: { name: `${name} Co., Ltd.` }, occurredAt: new Date(Date.parse(fromAt) + 10 * 86_400_000).toISOString() });
  return first.customerKey as string;
}

async function propose(from: string, body: Record<string, unknown>, headers?: Record<string, string>) {
  const answer = await post(server, `/deals/${from}/transfer`, 'manager', body, headers);
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return answer;
}

describe('a proposal, then a second manager\'s approval', () => {
  let key: string;
  let transferId: string;
  beforeAll(async () => {
    key = await contested('D-T1', 'D-T2', 'Handover Logistics');
  });

  it('POST /deals/:id/transfer answers 202 with a transferId and moves nothing; the 28-day rule is checked at the proposal', async () => {
    await refused(post(server, '/deals/D-T1/transfer', 'manager', { toDealId: 'D-T2', reason: 'quiet', occurredAt: '2025-02-05T02:00:00Z' }), 422, 'transfer-owner-not-idle');
    const before = await head();
    const proposal = await propose('D-T1', { toDealId: 'D-T2', reason: 'no progress since January', occurredAt: '2025-03-01T02:00:00Z' });
    expect(proposal.body).toMatchObject({
      transferId: expect.stringMatching(/^TR-[0-9a-f]{20}$/),
      status: 'proposed',
      customerKey: key,
      fromDealId: 'D-T1',
      toDealId: 'D-T2',
      ownerIdleDays: 50,
      proposedBy: 'mgr-alice',
      ownership: { ownerDealId: 'D-T1', status: 'owner' },
      position: before + 1,
    });
    transferId = proposal.body.transferId;
    const ownership = await get(server, `/customers/${encodeURIComponent(key)}/ownership`, 'manager');
    expect(ownership.body).toMatchObject({ ownerDealId: 'D-T1', rule: 'first-registration' });
    await refused(post(server, '/deals/D-T1/transfer', 'manager2', { toDealId: 'D-T2', reason: 'again', occurredAt: '2025-03-01T03:00:00Z' }), 422, 'transfer-already-pending');
  });

  it('the proposer cannot approve it; nor can finance, an auditor or a partner; an unknown transfer is a 404', async () => {
    const body = await refused(post(server, `/transfers/${transferId}/approve`, 'manager', { occurredAt: '2025-03-02T02:00:00Z' }), 422, 'transfer-needs-second-manager');
    expect(body.detail).toMatch(/manager mgr-alice proposed transfer TR-/);
    for (const token of ['finance', 'auditor', 'partner1'] as const) expect((await post(server, `/transfers/${transferId}/approve`, token, {})).status).toBe(403);
    const unknown = await refused(post(server, '/transfers/TR-404/approve', 'manager2', {}), 404);
    expect(unknown.detail).toBe('no transfer TR-404');
  });

  it('a manager other than the proposer approves it: DealTransferred, the customer moves', async () => {
    const approved = await command(server, `/transfers/${transferId}/approve`, 'manager2', { occurredAt: '2025-03-02T02:00:00Z' });
    expect(approved).toMatchObject({
      transferId,
      status: 'approved',
      customerKey: key,
      fromDealId: 'D-T1',
      toDealId: 'D-T2',
      ownerIdleDays: 51,
      proposedBy: 'mgr-alice',
      approvedBy: 'mgr-dave',
      ownership: { ownerDealId: 'D-T2', ownerPartnerId: 'P-002', status: 'owner', rule: 'transfer' },
    });
    const now = await get(server, `/customers/${encodeURIComponent(key)}/ownership`, 'manager');
    expect(now.body).toMatchObject({ ownerDealId: 'D-T2', rule: 'transfer' });
    expect(now.body.explanation).toContain('no progress since January');
    const between = await get(server, `/customers/${encodeURIComponent(key)}/ownership`, 'manager', { validAt: '2025-03-01T12:00:00Z' });
    expect(between.body).toMatchObject({ ownerDealId: 'D-T1' });
    await refused(post(server, `/transfers/${transferId}/approve`, 'manager2', { occurredAt: '2025-03-03T02:00:00Z' }), 422, 'transfer-not-pending');
    await refused(post(server, `/transfers/${transferId}/reject`, 'manager2', {}), 422, 'transfer-not-pending');
  });

  it('the auditor\'s account shows the proposal and the approval, each with its manager; ledger dispute tells them', async () => {
    const audit = await get(server, `/audit/customers/${encodeURIComponent(key)}`, 'auditor');
    expect(audit.status).toBe(200);
    const steps = audit.body.events.filter((e: { type: string }) => e.type === 'TransferProposed' || e.type === 'DealTransferred');
    expect(steps.map((e: { type: string; actor: unknown; ownership: { ownerDealId: string } }) => [e.type, e.actor, e.ownership.ownerDealId])).toEqual([
      ['TransferProposed', { role: 'manager', id: 'mgr-alice' }, 'D-T1'],
      ['DealTransferred', { role: 'manager', id: 'mgr-dave' }, 'D-T2'],
    ]);
    expect(steps[1].data).toMatchObject({ transferId, proposedBy: 'mgr-alice', approvedBy: 'mgr-dave', ownerIdleDays: 51 });
    const account = renderAccount(audit.body);
    expect(account).toContain(`transfer ${transferId} proposed by mgr-alice: from deal D-T1 to deal D-T2`);
    expect(account).toContain(`(transfer ${transferId} proposed by mgr-alice, approved by mgr-dave)`);
    expect(account).toContain('by manager mgr-dave');
  });
});

describe('the 28-day rule again at the approval, and rejections', () => {
  it('an owner that advanced after the proposal keeps the customer: the approval is refused', async () => {
    await contested('D-A1', 'D-A2', 'Advanced Meanwhile Trading');
    const proposal = await propose('D-A1', { toDealId: 'D-A2', reason: 'idle', occurredAt: '2025-03-01T02:00:00Z' });
    await command(server, '/deals/D-A1/stage', 'manager', { stage: 'meeting', occurredAt: '2025-03-03T02:00:00Z' });
    const body = await refused(post(server, `/transfers/${proposal.body.transferId}/approve`, 'manager2', { occurredAt: '2025-03-05T02:00:00Z' }), 422, 'transfer-owner-not-idle');
    expect(body.detail).toBe('transfer-owner-not-idle: transfer approval refused: the owner advanced the deal 2 days ago; 28 days without progress are required');
    expect(body.figures).toMatchObject({ ownerIdleDays: 2, requiredIdleDays: 28 });
  });

  it('another manager rejects a proposal, with a reason or none; the customer stays, and a new proposal may follow', async () => {
    const key = await contested('D-R1', 'D-R2', 'Rejected Handover Trading');
    const first = await propose('D-R1', { toDealId: 'D-R2', reason: 'idle', occurredAt: '2025-03-01T02:00:00Z' });
    await refused(post(server, `/transfers/${first.body.transferId}/reject`, 'manager', { reason: 'changed my mind' }), 422, 'transfer-needs-second-manager');
    const rejected = await command(server, `/transfers/${first.body.transferId}/reject`, 'manager2', { reason: 'the partner has a trial booked' });
    expect(rejected).toMatchObject({ transferId: first.body.transferId, status: 'rejected', reason: 'the partner has a trial booked', proposedBy: 'mgr-alice', rejectedBy: 'mgr-dave', ownership: { ownerDealId: 'D-R1' } });
    expect((await get(server, `/customers/${encodeURIComponent(key)}/ownership`, 'manager')).body).toMatchObject({ ownerDealId: 'D-R1' });
    const second = await propose('D-R1', { toDealId: 'D-R2', reason: 'still idle', occurredAt: '2025-04-01T02:00:00Z' });
    expect(second.body.transferId).not.toBe(first.body.transferId);
    expect(await command(server, `/transfers/${second.body.transferId}/reject`, 'manager2', {})).toMatchObject({ status: 'rejected', reason: null });
    const audit = await get(server, `/audit/customers/${encodeURIComponent(key)}`, 'auditor');
    expect(audit.body.events.filter((e: { type: string }) => e.type.startsWith('Transfer')).map((e: { type: string }) => e.type)).toEqual([
      'TransferProposed',
      'TransferRejected',
      'TransferProposed',
      'TransferRejected',
    ]);
  });

  it('a proposal retried with its Idempotency-Key is answered with the same transferId and writes nothing more; a caller may name its own id', async () => {
    await contested('D-I1', 'D-I2', 'Idempotent Handover Trading');
    const headers = { 'Idempotency-Key': 'handover-I1-1' };
    const body = { toDealId: 'D-I2', reason: 'idle', occurredAt: '2025-03-01T02:00:00Z' };
    const first = await propose('D-I1', body, headers);
    const before = await head();
    const again = await propose('D-I1', body, headers);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.transferId).toBe(first.body.transferId);
    expect(await head()).toBe(before);
    await command(server, `/transfers/${first.body.transferId}/reject`, 'manager2', {});
    const named = await propose('D-I1', { ...body, transferId: 'TR-HANDOVER-7', occurredAt: '2025-03-02T02:00:00Z' });
    expect(named.body.transferId).toBe('TR-HANDOVER-7');
    await command(server, '/transfers/TR-HANDOVER-7/reject', 'manager2', {});
    await refused(post(server, '/deals/D-I1/transfer', 'manager', { ...body, transferId: 'TR-HANDOVER-7', occurredAt: '2025-03-03T02:00:00Z' }), 409, 'transfer-id-taken');
  });
});
