import { describe, expect, it } from 'vitest';
import { depositRequirement } from '../../../src/domain/partner-decide.js';
import { currentTier, foldPartner, tierAt } from '../../../src/domain/partner.js';
import { defaultPolicy } from '../../../src/domain/policy.js';
import { day, ev, givenPartner, signed, toFacts } from './spec.js';

const signing = { partnerId: 'P1', name: 'Partner P1', kind: 'relationship' as const, tier: 'silver', parentPartnerId: null, territory: null };
const deposit = (amountFen: number, at = day(1)) => ev('DepositPosted', { partnerId: 'P1', amountFen }, at);

describe('signing a partner', () => {
  it('writes PartnerSigned', () => {
    givenPartner().when({ type: 'SignPartner', data: signing }, day(0)).then([signed('P1', 'silver', day(0)).event]);
  });
  it('refuses a partner signed already', () => {
    const e = givenPartner(signed('P1', 'silver', day(0))).when({ type: 'SignPartner', data: signing }, day(1)).thenRefuses('partner-already-signed');
    expect(e.kind).toBe('conflict');
  });
  it('refuses a tier the policy does not know', () => {
    givenPartner().when({ type: 'SignPartner', data: { ...signing, tier: 'platinum' } }, day(0)).thenRefuses('tier-unknown');
  });
  it('refuses a parent partner that is not signed', () => {
    givenPartner().when({ type: 'SignPartner', data: { ...signing, parentPartnerId: 'G1' } }, day(0), { parent: null }).thenRefuses('parent-partner-unknown');
  });
  it('accepts a relationship partner under a signed gold partner', () => {
    const parent = foldPartner(toFacts([signed('G1', 'gold', day(-5))]));
    const events = givenPartner().when({ type: 'SignPartner', data: { ...signing, parentPartnerId: 'G1' } }, day(0), { parent }).events();
    expect(events[0]!.data).toMatchObject({ parentPartnerId: 'G1' });
  });
});

describe('deposits', () => {
  it('are posted to a signed partner', () => {
    givenPartner(signed('P1', 'silver', day(0))).when({ type: 'PostDeposit', data: { partnerId: 'P1', amountFen: 4_000_000 } }, day(1)).then([deposit(4_000_000).event]);
  });
  it('are refused for an unknown partner', () => {
    givenPartner().when({ type: 'PostDeposit', data: { partnerId: 'P1', amountFen: 1 } }, day(1)).thenRefuses('partner-unknown');
  });
  it('never go below zero: a larger deduction leaves the rest as debt', () => {
    givenPartner(signed('P1', 'silver', day(0)), deposit(300_000))
      .when({ type: 'DeductDeposit', data: { partnerId: 'P1', amountFen: 500_000, reason: 'unpaid bills', reference: 'INV-7' } }, day(2))
      .then([ev('DepositDeducted', { partnerId: 'P1', requestedFen: 500_000, deductedFen: 300_000, debtFen: 200_000, reason: 'unpaid bills', reference: 'INV-7' }, day(2)).event]);
  });
  it('refuse a deduction without a reason or with a non-positive amount', () => {
    const spec = givenPartner(signed('P1', 'silver', day(0)), deposit(300_000));
    spec.when({ type: 'DeductDeposit', data: { partnerId: 'P1', amountFen: 5, reason: ' ', reference: null } }, day(2)).thenRefuses('deduction-reason-required');
    spec.when({ type: 'DeductDeposit', data: { partnerId: 'P1', amountFen: 0, reason: 'x', reference: null } }, day(2)).thenRefuses('amount-positive');
  });
  it('follow the tier: the requirement and the shortfall', () => {
    const state = givenPartner(signed('P1', 'gold', day(0)), deposit(4_000_000)).state();
    expect(depositRequirement(state, defaultPolicy)).toMatchObject({ requiredFen: 9_000_000, depositFen: 4_000_000, shortfallFen: 5_000_000 });
    const wholesale = foldPartner(toFacts([signed('W1', 'standard', day(0), 'wholesale-voice')]));
    expect(depositRequirement(wholesale, defaultPolicy)).toMatchObject({ requiredFen: 10_000_000, shortfallFen: 10_000_000 });
  });
});

describe('manual tier changes', () => {
  const change = (tier: string, reason = 'strategic account') => ({ type: 'ChangeTier' as const, data: { partnerId: 'P1', tier, reason } });
  it('write TierChanged with the reason', () => {
    givenPartner(signed('P1', 'silver', day(0))).when(change('gold'), day(5)).then([
      ev('TierChanged', { partnerId: 'P1', from: 'silver', to: 'gold', reason: 'strategic account', source: 'manual', quarter: null, figures: {} }, day(5)).event,
    ]);
  });
  it('refuse the same tier, an unknown tier and a missing reason', () => {
    const spec = givenPartner(signed('P1', 'silver', day(0)));
    spec.when(change('silver'), day(5)).thenRefuses('tier-unchanged');
    spec.when(change('bronze'), day(5)).thenRefuses('tier-unknown');
    spec.when(change('gold', ''), day(5)).thenRefuses('tier-reason-required');
  });
  it('keep a history so the tier at any instant is known', () => {
    const state = foldPartner(
      toFacts([
        signed('P1', 'silver', day(0)),
        ev('TierChanged', { partnerId: 'P1', from: 'silver', to: 'gold', reason: 'x', source: 'manual', quarter: null, figures: {} }, day(10)),
        // back-filled: recorded later, occurred earlier
        ev('TierChanged', { partnerId: 'P1', from: 'silver', to: 'standard', reason: 'y', source: 'manual', quarter: null, figures: {} }, day(5)),
      ]),
    );
    expect(tierAt(state, day(-1))).toBeNull();
    expect(tierAt(state, day(0))).toBe('silver');
    expect(tierAt(state, day(7))).toBe('standard');
    expect(tierAt(state, day(10))).toBe('gold');
    expect(currentTier(state)).toBe('gold');
  });
});
