import { describe, expect, it } from 'vitest';
import { customerStateAt, foldCustomer, ownerClaim, ownerClaimAt, ownershipOf } from '../../../src/domain/customer.js';
import { advanced, day, ev, FINANCE, givenCustomer, KEY, lost, registerCommand, registered, signed, toFacts } from './spec.js';
import { foldPartner } from '../../../src/domain/partner.js';

const partnerP1 = foldPartner(toFacts([signed('P1', 'gold', day(-100))]));
const partnerP2 = foldPartner(toFacts([signed('P2', 'silver', day(-100))]));

describe('registering a deal', () => {
  it('records the first claim as the owner by first registration', () => {
    const spec = givenCustomer();
    spec.when(registerCommand('D1', 'P1'), day(0), { registeringPartner: partnerP1 }).then([registered('D1', 'P1', day(0)).event]);
  });

  it('accepts a claim on an owned customer as competing, never refuses it', () => {
    const spec = givenCustomer(registered('D1', 'P1', day(0)), registered('D2', 'P2', day(1)));
    const o = ownershipOf(spec.state());
    expect(o.ownerDealId).toBe('D1');
    expect(o.rule).toBe('first-registration');
    expect(o.claims.map((c) => c.status)).toEqual(['owner', 'competing']);
    spec.when(registerCommand('D3', null), day(2)).then([registered('D3', null, day(2)).event]);
  });

  it('refuses a deal id already on the customer', () => {
    givenCustomer(registered('D1', 'P1', day(0))).when(registerCommand('D1', 'P2'), day(1), { registeringPartner: partnerP2 }).thenRefuses('deal-id-taken');
  });

  it('refuses a claim by a partner that is not signed', () => {
    givenCustomer().when(registerCommand('D1', 'P9'), day(0), { registeringPartner: null }).thenRefuses('partner-unknown');
  });
});

describe('who owns a customer', () => {
  it('orders by occurredAt: a back-filled earlier registration wins', () => {
    const o = ownershipOf(givenCustomer(registered('D1', 'P1', day(5)), registered('D2', 'P2', day(3))).state());
    expect(o.ownerDealId).toBe('D2');
    expect(o.rule).toBe('first-registration');
    expect(o.ruleDetail).toContain('registered the customer first');
  });

  it('on an exact tie a partner beats direct sales, whatever was recorded first', () => {
    const o = ownershipOf(givenCustomer(registered('DIRECT', null, day(0)), registered('D1', 'P1', day(0))).state());
    expect(o.ownerDealId).toBe('D1');
    expect(o.ownerPartnerId).toBe('P1');
    expect(o.rule).toBe('tie-to-partner');
  });

  it('then the earlier recorded position wins', () => {
    const o = ownershipOf(givenCustomer(registered('D1', 'P1', day(0)), registered('D2', 'P2', day(0))).state());
    expect(o.ownerDealId).toBe('D1');
    expect(o.rule).toBe('earlier-recorded');
  });

  it('a lost owner passes ownership to the next live claim, and the rule says so', () => {
    const o = ownershipOf(givenCustomer(registered('D1', 'P1', day(0)), registered('D2', 'P2', day(1)), lost('D1', day(2))).state());
    expect(o.ownerDealId).toBe('D2');
    expect(o.rule).toBe('passed-on-after-loss');
    expect(o.ruleDetail).toContain('deal D1 was lost');
    expect(o.claims.map((c) => [c.dealId, c.status])).toEqual([
      ['D1', 'lost'],
      ['D2', 'owner'],
    ]);
  });

  it('no live claim: no owner', () => {
    const o = ownershipOf(givenCustomer(registered('D1', 'P1', day(0)), lost('D1', day(2))).state());
    expect(o).toMatchObject({ ownerDealId: null, rule: 'none' });
  });

  it('can be asked at a past business instant', () => {
    const state = foldCustomer(KEY, toFacts([registered('D1', 'P1', day(0)), registered('D2', 'P2', day(1)), lost('D1', day(10))]));
    expect(ownershipOf(customerStateAt(state, day(5))).ownerDealId).toBe('D1');
    expect(ownershipOf(customerStateAt(state, day(10))).ownerDealId).toBe('D2');
  });

  it('names the owning claim at an instant: the refolded past before a later fact, the present after the last one', () => {
    // D0 is back-filled: recorded last, registered first, and lost later still.
    const state = foldCustomer(KEY, toFacts([registered('D1', 'P1', day(3)), registered('D2', 'P2', day(4)), registered('D0', 'P2', day(1)), lost('D0', day(8))]));
    for (const instant of [day(0), day(2), day(3), day(5), day(8), day(9)]) {
      expect(ownerClaimAt(state, instant)?.dealId ?? null).toBe(ownerClaim(customerStateAt(state, instant))?.dealId ?? null);
    }
    expect(ownerClaimAt(state, day(0))).toBeNull();
    expect(ownerClaimAt(state, day(5))?.dealId).toBe('D0');
    expect(ownerClaimAt(state, day(9))?.dealId).toBe('D1');
  });
});

describe('stages', () => {
  const base = [registered('D1', 'P1', day(0)), registered('D2', 'P2', day(1))];

  it('the owner advances, skipping stages if it likes', () => {
    givenCustomer(...base)
      .when({ type: 'AdvanceStage', data: { dealId: 'D1', stage: 'solution' } }, day(3))
      .then([ev('DealStageAdvanced', { dealId: 'D1', customerKey: KEY, from: null, stage: 'solution' }, day(3)).event]);
  });

  it('only the owner advances', () => {
    givenCustomer(...base).when({ type: 'AdvanceStage', data: { dealId: 'D2', stage: 'meeting' } }, day(3)).thenRefuses('only-owner-advances', /deal D1 owns it/);
  });

  it('stages move forward only', () => {
    givenCustomer(...base, advanced('D1', null, 'trial', day(2)))
      .when({ type: 'AdvanceStage', data: { dealId: 'D1', stage: 'meeting' } }, day(3))
      .thenRefuses('stage-forward-only');
    givenCustomer(...base, advanced('D1', null, 'trial', day(2)))
      .when({ type: 'AdvanceStage', data: { dealId: 'D1', stage: 'trial' } }, day(3))
      .thenRefuses('stage-forward-only');
  });

  it('signed is final', () => {
    givenCustomer(...base, advanced('D1', null, 'signed', day(2)))
      .when({ type: 'AdvanceStage', data: { dealId: 'D1', stage: 'lost' } }, day(3))
      .thenRefuses('deal-closed', /signed, which is final/);
  });

  it('lost is final', () => {
    givenCustomer(...base, lost('D2', day(2)))
      .when({ type: 'AdvanceStage', data: { dealId: 'D2', stage: 'interest' } }, day(3))
      .thenRefuses('deal-closed', /lost/);
  });

  it('any live claim may be closed as lost', () => {
    givenCustomer(...base)
      .when({ type: 'AdvanceStage', data: { dealId: 'D2', stage: 'lost', reason: 'customer chose D1' } }, day(3))
      .then([ev('DealLost', { dealId: 'D2', customerKey: KEY, reason: 'customer chose D1' }, day(3)).event]);
  });

  it('an unknown deal is not found', () => {
    const e = givenCustomer(...base).when({ type: 'AdvanceStage', data: { dealId: 'D9', stage: 'meeting' } }, day(3)).thenRefuses('deal-unknown');
    expect(e.kind).toBe('not-found');
  });
});

describe('transfers', () => {
  const base = [registered('D1', 'P1', day(0)), registered('D2', 'P2', day(1)), advanced('D1', null, 'meeting', day(10))];
  // Two departments agree on a handover (src/domain/transfers.ts): a manager proposes, another approves.
  const transfer = { type: 'ProposeTransfer' as const, data: { transferId: 'T1', fromDealId: 'D1', toDealId: 'D2', reason: 'no progress for a month' } };
  const proposal = ev('TransferProposed', { transferId: 'T1', customerKey: KEY, fromDealId: 'D1', toDealId: 'D2', reason: 'no progress for a month', ownerIdleDays: 28, proposedBy: 'm-1' }, day(38));

  it('moves ownership when the owner made no progress for 28 days: proposed by one manager, approved by another', () => {
    const spec = givenCustomer(...base);
    spec.when(transfer, day(38)).then([proposal.event]);
    expect(ownershipOf(givenCustomer(...base, proposal).state())).toMatchObject({ ownerDealId: 'D1', rule: 'first-registration' }); // nothing moved yet
    givenCustomer(...base, proposal)
      .when({ type: 'ApproveTransfer', data: { transferId: 'T1', reason: null } }, day(38), { actor: { role: 'manager', id: 'm-2' } })
      .then([
        ev('DealTransferred', { customerKey: KEY, fromDealId: 'D1', toDealId: 'D2', reason: 'no progress for a month', ownerIdleDays: 28, transferId: 'T1', proposedBy: 'm-1', approvedBy: 'm-2' }, day(38)).event,
      ]);
    const after = givenCustomer(...base, ev('DealTransferred', { customerKey: KEY, fromDealId: 'D1', toDealId: 'D2', reason: 'idle', ownerIdleDays: 28 }, day(38)));
    expect(ownershipOf(after.state())).toMatchObject({ ownerDealId: 'D2', rule: 'transfer' });
  });

  it('is refused when the owner advanced less than 28 days ago, with the figures', () => {
    const e = givenCustomer(...base).when(transfer, day(19)).thenRefuses('transfer-owner-not-idle');
    expect(e.detail).toBe('transfer refused: the owner advanced the deal 9 days ago; 28 days without progress are required');
    expect(e.figures).toMatchObject({ ownerIdleDays: 9, requiredIdleDays: 28 });
  });

  it('counts from the registration when the owner never advanced', () => {
    givenCustomer(registered('D1', 'P1', day(0)), registered('D2', 'P2', day(1)))
      .when(transfer, day(27))
      .thenRefuses('transfer-owner-not-idle', /registered the customer 27 days ago/);
  });

  it('needs a manager', () => {
    givenCustomer(...base).when(transfer, day(40), { actor: FINANCE }).thenRefuses('transfer-needs-manager');
  });

  it('needs a reason', () => {
    givenCustomer(...base).when({ ...transfer, data: { ...transfer.data, reason: '  ' } }, day(40)).thenRefuses('transfer-reason-required');
  });

  it('must come from the owner', () => {
    givenCustomer(...base)
      .when({ ...transfer, data: { ...transfer.data, fromDealId: 'D2', toDealId: 'D1' } }, day(40))
      .thenRefuses('transfer-from-not-owner');
  });

  it('must go to another live claim on the same customer', () => {
    givenCustomer(...base, lost('D2', day(11))).when(transfer, day(40)).thenRefuses('transfer-target-invalid');
    givenCustomer(...base).when({ ...transfer, data: { ...transfer.data, toDealId: 'D9' } }, day(40)).thenRefuses('deal-unknown');
  });
});

describe('rulings', () => {
  const base = [registered('D1', 'P1', day(0)), registered('D2', 'P2', day(1))];
  const ruled = ev('OwnershipRuled', { customerKey: KEY, ownerDealId: 'D2', reason: 'arbitration' }, day(5));

  it('name the owner outright', () => {
    givenCustomer(...base)
      .when({ type: 'RuleOwnership', data: { ownerDealId: 'D2', reason: 'arbitration' } }, day(5))
      .then([ruled.event]);
    expect(ownershipOf(givenCustomer(...base, ruled).state())).toMatchObject({ ownerDealId: 'D2', rule: 'ruling' });
  });

  it('are the last word: a back-filled earlier claim does not unseat the ruled owner', () => {
    const o = ownershipOf(givenCustomer(...base, ruled, registered('D0', 'P3', day(-5))).state());
    expect(o.ownerDealId).toBe('D2');
  });

  it('refuse transfers until the next ruling', () => {
    givenCustomer(...base, ruled)
      .when({ type: 'ProposeTransfer', data: { transferId: 'T1', fromDealId: 'D2', toDealId: 'D1', reason: 'idle' } }, day(100))
      .thenRefuses('ruling-stands');
  });

  it('need a manager, a reason and a live claim', () => {
    const spec = givenCustomer(...base, lost('D1', day(2)));
    spec.when({ type: 'RuleOwnership', data: { ownerDealId: 'D2', reason: 'x' } }, day(5), { actor: FINANCE }).thenRefuses('ruling-needs-manager');
    spec.when({ type: 'RuleOwnership', data: { ownerDealId: 'D2', reason: '' } }, day(5)).thenRefuses('ruling-reason-required');
    spec.when({ type: 'RuleOwnership', data: { ownerDealId: 'D1', reason: 'x' } }, day(5)).thenRefuses('ruling-owner-lost');
  });

  it('a lost ruled owner passes ownership on', () => {
    const o = ownershipOf(givenCustomer(...base, ruled, lost('D2', day(6))).state());
    expect(o).toMatchObject({ ownerDealId: 'D1', rule: 'passed-on-after-loss' });
  });
});
