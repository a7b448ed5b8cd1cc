// The partner-visibility rule (src/domain/partner-view.ts): a partner learns its own claims in
// full and, of the others, only whether another claim owns the customer, since when, and from
// when its own claim could be transferred.
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/domain/events.js';
import { partnerViewOf } from '../../../src/domain/partner-view.js';
import { defaultPolicy } from '../../../src/domain/policy.js';
import { advanced, day, ev, givenCustomer, KEY, lost, registered } from './spec.js';

const P2: Actor = { role: 'partner', id: 'P2' };
const view = (partnerId: string, ...given: Parameters<typeof givenCustomer>) => partnerViewOf(givenCustomer(...given).state(), partnerId, defaultPolicy);

/** A registration under a spelling of the partner's own. */
const spelled = (dealId: string, partnerId: string, name: string, at: string) =>
  ev(
    'DealRegistered',
    {
      dealId,
      customerKey: KEY,
      customer: { name, taxId: null },
      match: { by: 'name', input: name, normalised: 'acme' },
      channel: 'partner',
      partnerId,
      expectedPorts: null,
      expectedRevenueFen: null,
    },
    at,
  );
const transferred = (fromDealId: string, toDealId: string, at: string) => ev('DealTransferred', { customerKey: KEY, fromDealId, toDealId, reason: 'idle', ownerIdleDays: 40 }, at);
const ruled = (ownerDealId: string, at: string) => ev('OwnershipRuled', { customerKey: KEY, ownerDealId, reason: 'committee' }, at);

/** Nothing of another claim in a view: its deal ids, partners, stages, spellings. */
function expectNothingOf(v: unknown, ...secrets: string[]): void {
  const text = JSON.stringify(v);
  for (const secret of secrets) expect(text, secret).not.toContain(secret);
}

describe('partnerViewOf', () => {
  it('a partner without a claim on the customer learns nothing', () => {
    expect(view('P9', registered('D1', 'P1', day(0)), registered('D2', 'P2', day(1)))).toBeNull();
  });

  it('a competing claim: its own claim and spelling; another claim owns it since its registration; transferable 28 days after the owner last progressed', () => {
    const v = view('P2', spelled('D1', 'P1', 'ACME CORP LTD', day(0)), advanced('D1', null, 'trial', day(5)), spelled('D2', 'P2', 'Acme', day(10)));
    expect(v).toEqual({
      customerKey: KEY,
      customerName: 'Acme',
      owner: 'other',
      ownerDealId: null,
      ownerPartnerId: null,
      ownerSince: day(0),
      transferableFrom: day(5 + defaultPolicy.ownership.idleTransferDays),
      rule: 'first-registration',
      explanation: `another claim owns the customer since ${day(0)} (registered first); your claim could be handed the customer from ${day(33)}, once the owner has made no progress for 28 days`,
      claims: [{ dealId: 'D2', partnerId: 'P2', channel: 'partner', registeredAt: day(10), recordedAt: day(10), stage: null, status: 'competing' }],
    });
    expectNothingOf(v, 'D1', 'P1', 'ACME CORP', 'trial');
  });

  it('the owner learns nothing of competing claims: its claim, owner self, no transfer date', () => {
    const v = view('P1', registered('D1', 'P1', day(0)), registered('D2', 'P2', day(1)), registered('D3', null, day(2)));
    expect(v).toMatchObject({ owner: 'self', ownerDealId: 'D1', ownerPartnerId: 'P1', ownerSince: day(0), transferableFrom: null, rule: 'first-registration' });
    expect(v!.claims.map((c) => c.dealId)).toEqual(['D1']);
    expect(v!.explanation).toBe(`your deal D1 owns the customer since ${day(0)} (registered first)`);
    expectNothingOf(v, 'D2', 'P2', 'D3', 'direct');
  });

  it('ties, "recorded first" and "passed on after a loss" read as first-registration: each would tell of another claim', () => {
    expect(view('P1', registered('DIRECT', null, day(0)), registered('D1', 'P1', day(0)))?.rule).toBe('first-registration');
    expect(view('P2', registered('D1', 'P1', day(0)), registered('D2', 'P2', day(0)))).toMatchObject({ owner: 'other', rule: 'first-registration' });
    const passed = view('P2', registered('D1', 'P1', day(0)), registered('D2', 'P2', day(1)), lost('D1', day(2)));
    expect(passed).toMatchObject({ owner: 'self', ownerDealId: 'D2', ownerSince: day(1), rule: 'first-registration' });
    expectNothingOf(passed, 'D1', 'P1', 'lost');
  });

  it('a transfer or a ruling: since its instant; a ruling leaves nothing transferable', () => {
    const base = [registered('D1', 'P1', day(0)), registered('D2', 'P2', day(1))];
    const afterTransfer = [...base, transferred('D1', 'D2', day(40))];
    expect(view('P2', ...afterTransfer)).toMatchObject({ owner: 'self', ownerSince: day(40), rule: 'transfer', transferableFrom: null });
    expect(view('P1', ...afterTransfer)).toMatchObject({ owner: 'other', ownerSince: day(40), rule: 'transfer', transferableFrom: day(1 + 28) });
    expectNothingOf(view('P1', ...afterTransfer), 'D2', 'P2');
    const ruling = view('P2', ...base, ruled('D1', day(3)));
    expect(ruling).toMatchObject({ owner: 'other', ownerSince: day(3), rule: 'ruling', transferableFrom: null });
    expect(ruling!.explanation).toContain('only a new ruling changes the owner');
  });

  it('a partner whose only claim is lost: nothing transferable; no live owner at all: owner none', () => {
    const v = view('P2', registered('D1', 'P1', day(0)), registered('D2', 'P2', day(1)), lost('D2', day(2)));
    expect(v).toMatchObject({ owner: 'other', transferableFrom: null, claims: [{ dealId: 'D2', status: 'lost' }] });
    expect(v!.explanation).toContain('you have no live claim');
    const none = view('P2', registered('D1', 'P1', day(0)), registered('D2', 'P2', day(1)), lost('D1', day(2)), lost('D2', day(3)));
    expect(none).toMatchObject({ owner: 'none', ownerSince: null, transferableFrom: null, rule: 'none', explanation: 'no live claim owns the customer' });
  });

  it('the idle window is the policy\'s', () => {
    const policy = { ownership: { ...defaultPolicy.ownership, idleTransferDays: 10 } };
    const v = partnerViewOf(givenCustomer(registered('D1', 'P1', day(0)), registered('D2', 'P2', day(1))).state(), 'P2', policy);
    expect(v?.transferableFrom).toBe(day(10));
  });
});

describe('the refusal a partner meets advancing a claim it does not own', () => {
  const base = [registered('D1', 'P1', day(0)), advanced('D1', null, 'meeting', day(4)), registered('D2', 'P2', day(1))];

  it('names no other claim: since when, transferable from', () => {
    const refusal = givenCustomer(...base)
      .when({ type: 'AdvanceStage', data: { dealId: 'D2', stage: 'interest' } }, day(5), { actor: P2 })
      .thenRefuses('only-owner-advances', /another claim owns the customer since/);
    expect(refusal.figures).toEqual({ dealId: 'D2', ownerSince: day(0), transferableFrom: day(32) });
    expectNothingOf({ detail: refusal.detail, figures: refusal.figures }, 'D1', 'P1', 'meeting');
  });

  it('a manager is still told which deal owns it', () => {
    const refusal = givenCustomer(...base)
      .when({ type: 'AdvanceStage', data: { dealId: 'D2', stage: 'interest' } }, day(5))
      .thenRefuses('only-owner-advances', /deal D1 owns it/);
    expect(refusal.figures).toEqual({ dealId: 'D2', ownerDealId: 'D1' });
  });
});
