// Two departments agree on a handover (src/domain/transfers.ts): a manager proposes a transfer,
// nothing moves; a manager other than the proposer approves it (DealTransferred, the 28-day rule
// checked again then) or rejects it.
import { describe, expect, it } from 'vitest';
import { customerStateAt, foldCustomer, ownershipOf, pendingTransfer } from '../../../src/domain/customer.js';
import type { Actor } from '../../../src/domain/events.js';
import { advanced, day, ev, FINANCE, givenCustomer, KEY, lost, registered, toFacts } from './spec.js';

const DAVE: Actor = { role: 'manager', id: 'mgr-dave' }; // the second department
const base = [registered('D1', 'P1', day(0)), registered('D2', 'P2', day(1)), advanced('D1', null, 'meeting', day(10))];
const propose = (transferId = 'T1', reason = 'no progress for a month') => ({ type: 'ProposeTransfer' as const, data: { transferId, fromDealId: 'D1', toDealId: 'D2', reason } });
const approve = (transferId = 'T1', reason: string | null = null) => ({ type: 'ApproveTransfer' as const, data: { transferId, reason } });
const reject = (transferId = 'T1', reason: string | null = null) => ({ type: 'RejectTransfer' as const, data: { transferId, reason } });
const proposed = (at: string, transferId = 'T1', ownerIdleDays = 28) =>
  ev('TransferProposed', { transferId, customerKey: KEY, fromDealId: 'D1', toDealId: 'D2', reason: 'no progress for a month', ownerIdleDays, proposedBy: 'm-1' }, at);
const transferred = (at: string, ownerIdleDays: number) =>
  ev('DealTransferred', { customerKey: KEY, fromDealId: 'D1', toDealId: 'D2', reason: 'no progress for a month', ownerIdleDays, transferId: 'T1', proposedBy: 'm-1', approvedBy: 'mgr-dave' }, at);
const rejected = (at: string, reason: string | null) => ev('TransferRejected', { transferId: 'T1', customerKey: KEY, fromDealId: 'D1', toDealId: 'D2', reason, rejectedBy: 'mgr-dave' }, at);

describe('a proposal', () => {
  it('given an owner idle for 28 days, when a manager proposes the transfer, then it is recorded and nothing moves', () => {
    givenCustomer(...base).when(propose(), day(38)).then([proposed(day(38)).event]);
    const state = foldCustomer(KEY, toFacts([...base, proposed(day(38))]));
    expect(ownershipOf(state)).toMatchObject({ ownerDealId: 'D1', rule: 'first-registration' });
    expect(pendingTransfer(state)).toMatchObject({ transferId: 'T1', fromDealId: 'D1', toDealId: 'D2', proposedBy: 'm-1', proposedAt: day(38), status: 'pending' });
  });

  it('is refused under the same rules as a transfer: 28 idle days, from the owner, to another live claim, no ruling, a manager and a reason', () => {
    const e = givenCustomer(...base).when(propose(), day(19)).thenRefuses('transfer-owner-not-idle');
    expect(e.detail).toBe('transfer refused: the owner advanced the deal 9 days ago; 28 days without progress are required');
    givenCustomer(...base).when(propose(), day(40), { actor: FINANCE }).thenRefuses('transfer-needs-manager');
    givenCustomer(...base).when(propose('T1', ' '), day(40)).thenRefuses('transfer-reason-required');
    givenCustomer(...base, lost('D2', day(11))).when(propose(), day(40)).thenRefuses('transfer-target-invalid');
    givenCustomer(...base, ev('OwnershipRuled', { customerKey: KEY, ownerDealId: 'D1', reason: 'committee' }, day(12))).when(propose(), day(60)).thenRefuses('ruling-stands');
  });

  it('one at a time: another proposal waits while one is pending', () => {
    givenCustomer(...base, proposed(day(38))).when(propose('T2'), day(39)).thenRefuses('transfer-already-pending', /transfer T1 .* waits for another manager/);
  });

  it('a transfer id names one proposal', () => {
    const e = givenCustomer(...base, proposed(day(38)), rejected(day(39), null)).when(propose('T1'), day(40)).thenRefuses('transfer-id-taken');
    expect(e.kind).toBe('conflict');
  });
});

describe('the approval: another department agrees', () => {
  const pending = [...base, proposed(day(38))];

  it('given a proposal, when a manager other than the proposer approves it, then the customer is transferred, naming both', () => {
    givenCustomer(...pending).when(approve(), day(40), { actor: DAVE }).then([transferred(day(40), 30).event]);
    const state = foldCustomer(KEY, toFacts([...pending, transferred(day(40), 30)]));
    expect(ownershipOf(state)).toMatchObject({ ownerDealId: 'D2', rule: 'transfer' });
    expect(ownershipOf(state).ruleDetail).toContain('no progress for a month');
    expect(state.transfers.get('T1')?.status).toBe('approved');
    expect(pendingTransfer(state)).toBeNull();
  });

  it('the approving manager may add a reason of its own', () => {
    const [moved] = givenCustomer(...pending).when(approve('T1', ' key-account team agrees '), day(40), { actor: DAVE }).events();
    expect(moved!.data).toMatchObject({ approvalReason: 'key-account team agrees', reason: 'no progress for a month' });
  });

  it('the proposer cannot approve its own proposal: the same manager is one department', () => {
    const e = givenCustomer(...pending).when(approve(), day(40)).thenRefuses('transfer-needs-second-manager', /another manager decides it/);
    expect(e.figures).toEqual({ transferId: 'T1', proposedBy: 'm-1' });
  });

  it('needs a manager', () => {
    givenCustomer(...pending).when(approve(), day(40), { actor: FINANCE }).thenRefuses('transfer-needs-manager');
  });

  it('checks the 28-day rule again at its own time: an owner that advanced since the proposal keeps the customer', () => {
    givenCustomer(...pending, advanced('D1', 'meeting', 'solution', day(39)))
      .when(approve(), day(41), { actor: DAVE })
      .thenRefuses('transfer-owner-not-idle', /^transfer approval refused: the owner advanced the deal 2 days ago/);
  });

  it('checks the rest again too: a target lost meanwhile, a ruling meanwhile', () => {
    givenCustomer(...pending, lost('D2', day(39))).when(approve(), day(40), { actor: DAVE }).thenRefuses('transfer-target-invalid');
    givenCustomer(...pending, ev('OwnershipRuled', { customerKey: KEY, ownerDealId: 'D1', reason: 'committee' }, day(39)))
      .when(approve(), day(40), { actor: DAVE })
      .thenRefuses('ruling-stands');
  });

  it('is not dated before the proposal', () => {
    givenCustomer(...pending).when(approve(), day(37), { actor: DAVE }).thenRefuses('transfer-decided-before-proposal');
  });

  it('decides a pending proposal once; an unknown one is not found', () => {
    givenCustomer(...pending, transferred(day(40), 30)).when(approve(), day(41), { actor: DAVE }).thenRefuses('transfer-not-pending', /already approved/);
    givenCustomer(...pending, rejected(day(40), null)).when(approve(), day(41), { actor: DAVE }).thenRefuses('transfer-not-pending', /already rejected/);
    expect(givenCustomer(...pending).when(approve('T9'), day(41), { actor: DAVE }).thenRefuses('transfer-unknown').kind).toBe('not-found');
  });

  it('as the business stood before the approval the proposer\'s deal owned the customer; from it on, the other', () => {
    const state = foldCustomer(KEY, toFacts([...pending, transferred(day(40), 30)]));
    expect(ownershipOf(customerStateAt(state, day(39))).ownerDealId).toBe('D1');
    expect(pendingTransfer(customerStateAt(state, day(39)))?.transferId).toBe('T1');
    expect(ownershipOf(customerStateAt(state, day(40))).ownerDealId).toBe('D2');
  });
});

describe('the rejection', () => {
  const pending = [...base, proposed(day(38))];

  it('given a proposal, when a manager other than the proposer rejects it, then the customer stays and a new proposal may follow', () => {
    givenCustomer(...pending).when(reject('T1', ' the partner booked a meeting '), day(39), { actor: DAVE }).then([rejected(day(39), 'the partner booked a meeting').event]);
    givenCustomer(...pending).when(reject(), day(39), { actor: DAVE }).then([rejected(day(39), null).event]);
    const state = foldCustomer(KEY, toFacts([...pending, rejected(day(39), null)]));
    expect(ownershipOf(state).ownerDealId).toBe('D1');
    expect(state.transfers.get('T1')?.status).toBe('rejected');
    givenCustomer(...pending, rejected(day(39), null)).when(propose('T2'), day(45)).then([proposed(day(45), 'T2', 35).event]);
  });

  it('the proposer does not reject it either, and only a pending proposal is rejected', () => {
    givenCustomer(...pending).when(reject(), day(39)).thenRefuses('transfer-needs-second-manager');
    givenCustomer(...pending, transferred(day(40), 30)).when(reject(), day(41), { actor: DAVE }).thenRefuses('transfer-not-pending');
  });
});
