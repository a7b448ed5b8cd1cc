// "The same time" is the same reporting window (src/domain/tie-window.ts): a partner and direct
// sales registering one customer in one window (default: the same calendar day in the policy's
// time zone) → the partner owns it, and the rule says so.
import { describe, expect, it } from 'vitest';
import { customerStateAt, foldCustomer, ownershipOf } from '../../../src/domain/customer.js';
import { foldPartner } from '../../../src/domain/partner.js';
import { defaultPolicy, loadPolicy, PolicyError } from '../../../src/domain/policy.js';
import { reportingWindowOf, type TieWindow, tieWindowOf } from '../../../src/domain/tie-window.js';
import { givenCustomer, givenCustomerIn, KEY, registerCommand, registered, signed, toFacts } from './spec.js';

const SHANGHAI = 'Asia/Shanghai';
const exact: TieWindow = { kind: 'exact', timeZone: SHANGHAI };
const sameWeek: TieWindow = { kind: 'same-week', timeZone: SHANGHAI };
const partnerP1 = foldPartner(toFacts([signed('P1', 'gold', '2025-12-01T02:00:00.000Z')]));
const partnerP2 = foldPartner(toFacts([signed('P2', 'gold', '2025-12-01T02:00:00.000Z')]));

// Monday 5 January 2026 in Shanghai (UTC+8): 09:00 local is 01:00Z, 17:00 local is 09:00Z.
const MON_0900 = '2026-01-05T01:00:00.000Z';
const MON_1700 = '2026-01-05T09:00:00.000Z';
const MON_2330 = '2026-01-05T15:30:00.000Z';
const TUE_0030 = '2026-01-05T16:30:00.000Z'; // the same UTC day as MON_2330, the next day in Shanghai
const TUE_0100 = '2026-01-05T17:00:00.000Z';
const TUE_2300 = '2026-01-06T15:00:00.000Z'; // another UTC day than TUE_0100, the same day in Shanghai
const FRI_1000 = '2026-01-09T02:00:00.000Z';
const NEXT_MON_1000 = '2026-01-12T02:00:00.000Z';

describe('the default window: the same calendar day in the policy\'s time zone', () => {
  it('is the default policy\'s, and a policy file without it gets it', () => {
    expect(tieWindowOf(defaultPolicy)).toEqual({ kind: 'same-day', timeZone: SHANGHAI });
    const { tieWindow: _dropped, ...ownership } = defaultPolicy.ownership;
    expect(loadPolicy({ ...structuredClone(defaultPolicy), ownership }).ownership.tieWindow).toBe('same-day');
    expect(() => loadPolicy({ ...structuredClone(defaultPolicy), ownership: { ...ownership, tieWindow: 'same-month' } })).toThrow(PolicyError);
    expect(() => loadPolicy({ ...structuredClone(defaultPolicy), ownership: { ...ownership, tieWindow: 'same-month' } })).toThrow(/ownership\.tieWindow/);
  });

  it('names the local day a registration falls in', () => {
    const w = tieWindowOf(defaultPolicy);
    expect(reportingWindowOf(MON_2330, w)).toEqual({ start: '2026-01-04T16:00:00.000Z', label: '2026-01-05' });
    expect(reportingWindowOf(TUE_0030, w)).toEqual({ start: '2026-01-05T16:00:00.000Z', label: '2026-01-06' });
    expect(reportingWindowOf(TUE_2300, w)).toEqual(reportingWindowOf(TUE_0100, w));
    expect(reportingWindowOf(FRI_1000, { kind: 'same-week', timeZone: SHANGHAI })).toEqual({ start: '2026-01-04T16:00:00.000Z', label: 'week of 2026-01-05' });
    expect(reportingWindowOf(MON_0900, exact)).toEqual({ start: MON_0900, label: MON_0900 });
  });

  it('given direct sales registered in the morning, when the partner registers the same afternoon, then the partner owns it by the tie rule', () => {
    const spec = givenCustomer(registered('DIRECT', null, MON_0900));
    spec.when(registerCommand('D1', 'P1'), MON_1700, { registeringPartner: partnerP1 }).then([registered('D1', 'P1', MON_1700).event]);
    const o = ownershipOf(foldCustomer(KEY, toFacts([registered('DIRECT', null, MON_0900), registered('D1', 'P1', MON_1700)])));
    expect(o).toMatchObject({ ownerDealId: 'D1', ownerPartnerId: 'P1', rule: 'tie-to-partner' });
    expect(o.ruleDetail).toContain('on the same day (2026-01-05 in Asia/Shanghai)');
    expect(o.ruleDetail).toContain(`direct sales at ${MON_0900} and the partner at ${MON_1700}`);
    expect(o.ruleDetail).toContain('a partner beats direct sales');
    expect(o.claims.map((c) => [c.dealId, c.status])).toEqual([
      ['D1', 'owner'],
      ['DIRECT', 'competing'],
    ]);
  });

  it('given the partner registered first, direct sales later the same day stay second: the partner owns by first registration', () => {
    const o = ownershipOf(givenCustomer(registered('D1', 'P1', MON_0900), registered('DIRECT', null, MON_1700)).state());
    expect(o).toMatchObject({ ownerDealId: 'D1', rule: 'first-registration' });
  });

  it('a back-filled direct claim recorded after the partner\'s, earlier the same day, does not unseat the partner', () => {
    const o = ownershipOf(givenCustomer(registered('D1', 'P1', MON_1700), registered('DIRECT', null, MON_0900)).state());
    expect(o).toMatchObject({ ownerDealId: 'D1', rule: 'tie-to-partner' });
  });

  it('the day is the policy\'s local day, not UTC\'s: 23:30 and 00:30 an hour apart are two days; 01:00 and 23:00 are one', () => {
    expect(ownershipOf(givenCustomer(registered('DIRECT', null, MON_2330), registered('D1', 'P1', TUE_0030)).state())).toMatchObject({
      ownerDealId: 'DIRECT',
      rule: 'first-registration',
    });
    expect(ownershipOf(givenCustomer(registered('DIRECT', null, TUE_0100), registered('D1', 'P1', TUE_2300)).state())).toMatchObject({
      ownerDealId: 'D1',
      rule: 'tie-to-partner',
    });
  });

  it('two partners in one window are still ordered by their instants; two direct claims too', () => {
    const partners = ownershipOf(givenCustomer(registered('D2', 'P2', MON_1700), registered('D1', 'P1', MON_0900)).state());
    expect(partners).toMatchObject({ ownerDealId: 'D1', rule: 'first-registration' });
    const directs = ownershipOf(givenCustomer(registered('X2', null, MON_1700), registered('X1', null, MON_0900)).state());
    expect(directs).toMatchObject({ ownerDealId: 'X1', rule: 'first-registration' });
  });

  it('a partner registered later the same day than another partner and direct sales: the first partner owns, the direct claim comes after both', () => {
    const o = ownershipOf(givenCustomer(registered('DIRECT', null, MON_0900), registered('D2', 'P2', MON_2330), registered('D1', 'P1', MON_1700)).state());
    expect(o.ownerDealId).toBe('D1');
    expect(o.claims.map((c) => c.dealId)).toEqual(['D1', 'D2', 'DIRECT']);
  });

  it('as the business stood in the morning, direct sales owned it; from the partner\'s registration on, the partner does', () => {
    const state = foldCustomer(KEY, toFacts([registered('DIRECT', null, MON_0900), registered('D1', 'P1', MON_1700)]));
    expect(ownershipOf(customerStateAt(state, '2026-01-05T05:00:00.000Z'))).toMatchObject({ ownerDealId: 'DIRECT', rule: 'first-registration' });
    expect(ownershipOf(customerStateAt(state, MON_1700))).toMatchObject({ ownerDealId: 'D1', rule: 'tie-to-partner' });
  });

  it('an earlier day always comes first, whoever registered', () => {
    const o = ownershipOf(givenCustomer(registered('D1', 'P1', TUE_0100), registered('DIRECT', null, MON_1700)).state());
    expect(o).toMatchObject({ ownerDealId: 'DIRECT', rule: 'first-registration' });
  });
});

describe('other windows the policy may name', () => {
  it('"exact": only the same instant is a tie, as before', () => {
    expect(ownershipOf(givenCustomerIn(exact)(registered('DIRECT', null, MON_0900), registered('D1', 'P1', MON_1700)).state())).toMatchObject({
      ownerDealId: 'DIRECT',
      rule: 'first-registration',
    });
    const tie = ownershipOf(givenCustomerIn(exact)(registered('DIRECT', null, MON_0900), registered('D1', 'P1', MON_0900)).state());
    expect(tie).toMatchObject({ ownerDealId: 'D1', rule: 'tie-to-partner' });
    expect(tie.ruleDetail).toContain(`at the same instant ${MON_0900}`);
  });

  it('"same-week": Monday and Friday of one week tie; the next Monday does not', () => {
    const week = ownershipOf(givenCustomerIn(sameWeek)(registered('DIRECT', null, MON_0900), registered('D1', 'P1', FRI_1000)).state());
    expect(week).toMatchObject({ ownerDealId: 'D1', rule: 'tie-to-partner' });
    expect(week.ruleDetail).toContain('in the same week (week of 2026-01-05 in Asia/Shanghai)');
    expect(ownershipOf(givenCustomerIn(sameWeek)(registered('DIRECT', null, FRI_1000), registered('D1', 'P1', NEXT_MON_1000)).state())).toMatchObject({
      ownerDealId: 'DIRECT',
      rule: 'first-registration',
    });
  });

  it('the same registrations decide differently under each window, each by its own rule', () => {
    const facts = [registered('DIRECT', null, MON_0900), registered('D1', 'P1', FRI_1000)];
    expect(ownershipOf(givenCustomerIn(exact)(...facts).state()).ownerDealId).toBe('DIRECT');
    expect(ownershipOf(givenCustomer(...facts).state()).ownerDealId).toBe('DIRECT');
    expect(ownershipOf(givenCustomerIn(sameWeek)(...facts).state()).ownerDealId).toBe('D1');
  });

  it('a second partner registering in the window is accepted as a competing claim (ties never refuse a registration)', () => {
    givenCustomerIn(sameWeek)(registered('DIRECT', null, MON_0900), registered('D1', 'P1', MON_1700))
      .when(registerCommand('D2', 'P2'), FRI_1000, { registeringPartner: partnerP2 })
      .then([registered('D2', 'P2', FRI_1000).event]);
  });
});
