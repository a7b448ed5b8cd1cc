// Contracts are the vendor's (src/domain/contracts.ts): a partner cannot mark its deal signed; the
// owning claim submits its contract, a manager confirms it (the signing, at signedAt) or rejects it.
import { describe, expect, it } from 'vitest';
import { addYears } from '../../../src/domain/customer-decide.js';
import { customerStateAt, findClaim, foldCustomer, ownershipOf } from '../../../src/domain/customer.js';
import type { Actor } from '../../../src/domain/events.js';
import { foldPartner } from '../../../src/domain/partner.js';
import { defaultPolicy } from '../../../src/domain/policy.js';
import { signedCustomersByPartner } from '../../../src/domain/signed-customers.js';
import { advanced, day, ev, givenCustomer, KEY, lost, registered, signed, toFacts } from './spec.js';

const P1: Actor = { role: 'partner', id: 'P1' };
const P2: Actor = { role: 'partner', id: 'P2' };
const FINANCE: Actor = { role: 'finance', id: 'f-1' };
const partnerP1 = foldPartner(toFacts([signed('P1', 'gold', day(-100))]));

const base = [registered('D1', 'P1', day(0)), registered('D2', 'P2', day(1)), advanced('D1', null, 'trial', day(5))];
const submit = (dealId = 'D1', ports = 40, contractValueFen = 4_800_000) => ({ type: 'SubmitContract' as const, data: { dealId, ports, contractValueFen } });
const confirm = (dealId = 'D1') => ({ type: 'ConfirmContract' as const, data: { dealId } });
const reject = (reason: string, dealId = 'D1') => ({ type: 'RejectContract' as const, data: { dealId, reason } });
const submitted = (at: string, dealId = 'D1', ports = 40, contractValueFen = 4_800_000) => ev('ContractSubmitted', { customerKey: KEY, dealId, ports, contractValueFen }, at);
const confirmed = (signedAt: string, from: 'trial' | null = 'trial', dealId = 'D1') =>
  ev('ContractConfirmed', { customerKey: KEY, dealId, from, ports: 40, contractValueFen: 4_800_000, signedAt }, signedAt);
const rejected = (reason: string, at: string) => ev('ContractRejected', { customerKey: KEY, dealId: 'D1', reason, ports: 40, contractValueFen: 4_800_000 }, at);

describe('a partner cannot declare its own deal signed', () => {
  it('given its own open deal, when the partner posts stage signed, then it is refused: contracts are the vendor\'s', () => {
    const e = givenCustomer(...base).when({ type: 'AdvanceStage', data: { dealId: 'D1', stage: 'signed' } }, day(6), { actor: P1 }).thenRefuses('partner-cannot-sign', /contracts are the vendor's/);
    expect(e.figures).toEqual({ dealId: 'D1', stage: 'signed' });
  });

  it('the partner still reports every other stage, and may close its deal as lost', () => {
    givenCustomer(registered('D1', 'P1', day(0)))
      .when({ type: 'AdvanceStage', data: { dealId: 'D1', stage: 'trial' } }, day(3), { actor: P1 })
      .then([ev('DealStageAdvanced', { dealId: 'D1', customerKey: KEY, from: null, stage: 'trial' }, day(3)).event]);
    givenCustomer(...base).when({ type: 'AdvanceStage', data: { dealId: 'D1', stage: 'lost' } }, day(6), { actor: P1 }).events();
  });

  it('a manager still may: the vendor signing its own paper', () => {
    givenCustomer(...base)
      .when({ type: 'AdvanceStage', data: { dealId: 'D1', stage: 'signed' } }, day(6))
      .then([ev('DealStageAdvanced', { dealId: 'D1', customerKey: KEY, from: 'trial', stage: 'signed' }, day(6)).event]);
  });
});

describe('submitting the contract', () => {
  it('given the owning claim, when its partner submits the contract, then it waits for the vendor', () => {
    const spec = givenCustomer(...base);
    spec.when(submit(), day(7), { actor: P1 }).then([submitted(day(7)).event]);
    const after = foldCustomer(KEY, toFacts([...base, submitted(day(7))]));
    expect(findClaim(after, 'D1')).toMatchObject({ stage: 'trial', signedAt: null, contract: { ports: 40, contractValueFen: 4_800_000, submittedAt: day(7) } });
  });

  it('a manager may submit it too (a direct sales deal, or for the partner)', () => {
    givenCustomer(registered('X1', null, day(0))).when(submit('X1'), day(2)).then([submitted(day(2), 'X1').event]);
  });

  it('only the owning claim\'s contract: a competing claim is refused, and its partner is not told who owns the customer', () => {
    const partners = givenCustomer(...base).when(submit('D2'), day(7), { actor: P2 }).thenRefuses('contract-not-owner', /another claim owns it/);
    expect(partners.detail).not.toContain('D1');
    givenCustomer(...base).when(submit('D2'), day(7)).thenRefuses('contract-not-owner', /deal D1 owns it/);
  });

  it('one pending contract at a time', () => {
    givenCustomer(...base, submitted(day(7))).when(submit('D1', 41), day(8), { actor: P1 }).thenRefuses('contract-already-pending', /submitted .*40 ports/);
  });

  it('not on a closed deal', () => {
    givenCustomer(...base, lost('D1', day(6))).when(submit(), day(7)).thenRefuses('deal-closed', /lost, which is final/);
    givenCustomer(...base, advanced('D1', 'trial', 'signed', day(6))).when(submit(), day(7)).thenRefuses('deal-closed', /signed, which is final/);
  });

  it('not dated before the deal\'s registration', () => {
    givenCustomer(registered('D1', 'P1', day(2))).when(submit(), day(1)).thenRefuses('contract-before-registration');
  });

  it('a contract value within the policy\'s limit', () => {
    givenCustomer(...base).when(submit('D1', 40, defaultPolicy.limits.maxAmountFen + 1), day(7)).thenRefuses('amount-over-limit');
  });

  it('an unknown deal is not found', () => {
    expect(givenCustomer(...base).when(submit('D9'), day(7)).thenRefuses('deal-unknown').kind).toBe('not-found');
  });
});

describe('the vendor\'s confirmation is the signing', () => {
  const pending = [...base, submitted(day(7))];

  it('given a pending contract, when a manager confirms it with the signing date, then the deal is signed at that date', () => {
    givenCustomer(...pending).when(confirm(), day(9)).then([confirmed(day(9)).event]);
    const after = foldCustomer(KEY, toFacts([...pending, confirmed(day(9))]));
    expect(findClaim(after, 'D1')).toMatchObject({ stage: 'signed', signedAt: day(9), lastProgressAt: day(9), contract: null });
    expect(ownershipOf(after)).toMatchObject({ ownerDealId: 'D1', claims: [{ dealId: 'D1', stage: 'signed', status: 'owner' }, { dealId: 'D2', status: 'competing' }] });
  });

  it('the signing date may lie before the confirmation is recorded (back-filled), never before the submission', () => {
    givenCustomer(...pending).when(confirm(), day(6)).thenRefuses('contract-signed-before-submission', /before the contract was submitted/);
    givenCustomer(...pending).when(confirm(), day(7)).then([confirmed(day(7)).event]);
  });

  it('only a manager confirms', () => {
    givenCustomer(...pending).when(confirm(), day(9), { actor: P1 }).thenRefuses('contract-confirm-needs-manager');
    givenCustomer(...pending).when(confirm(), day(9), { actor: FINANCE }).thenRefuses('contract-confirm-needs-manager');
  });

  it('only a pending contract', () => {
    givenCustomer(...base).when(confirm(), day(9)).thenRefuses('contract-not-pending', /no contract waiting/);
    givenCustomer(...pending, rejected('wrong port count', day(8))).when(confirm(), day(9)).thenRefuses('contract-not-pending');
  });

  it('not once the claim stopped owning the customer or was lost', () => {
    const transferred = ev('DealTransferred', { customerKey: KEY, fromDealId: 'D1', toDealId: 'D2', reason: 'idle', ownerIdleDays: 30 }, day(8));
    givenCustomer(...pending, transferred).when(confirm(), day(9)).thenRefuses('contract-not-owner', /deal D2 owns it/);
    givenCustomer(...pending, lost('D1', day(8))).when(confirm(), day(9)).thenRefuses('deal-closed');
  });

  it('signed is final: no stage change after it', () => {
    givenCustomer(...pending, confirmed(day(9))).when({ type: 'AdvanceStage', data: { dealId: 'D1', stage: 'lost' } }, day(10)).thenRefuses('deal-closed', /signed, which is final/);
  });

  it('starts the commission years: cash before the signing date is refused, cash after it earns year one, a year on year two', () => {
    const signedState = [...pending, confirmed(day(9))];
    const pay = { type: 'ReceivePayment' as const, data: { paymentId: 'PAY-1', dealId: 'D1', line: 'port' as const, amountFen: 100_000 } };
    givenCustomer(...signedState).when(pay, day(8), { ownerPartner: partnerP1 }).thenRefuses('payment-before-signing');
    expect(givenCustomer(...signedState).when(pay, day(20), { ownerPartner: partnerP1 }).events()[1]).toMatchObject({ data: { commissionYear: 1, rateBps: 4000 } });
    expect(givenCustomer(...signedState).when(pay, addYears(day(9), 1), { ownerPartner: partnerP1 }).events()[1]).toMatchObject({ data: { commissionYear: 2, rateBps: 1000 } });
  });

  it('as the business stood before the signing date the deal was not signed; from it on, it was', () => {
    const state = foldCustomer(KEY, toFacts([...pending, confirmed(day(9))]));
    expect(findClaim(customerStateAt(state, day(8)), 'D1')).toMatchObject({ stage: 'trial', signedAt: null, contract: { ports: 40 } });
    expect(findClaim(customerStateAt(state, day(9)), 'D1')).toMatchObject({ stage: 'signed', signedAt: day(9), contract: null });
  });

  it('counts for the tier evaluation of the quarter of its signing date (as a signing does)', () => {
    // The read model hands the rule a ContractConfirmed as a signing at its occurredAt.
    const counted = signedCustomersByPartner([{ dealId: 'D1', partnerId: 'P1', customerKey: KEY, signedAt: day(9) }], '2026-Q1', defaultPolicy.timeZone);
    expect(counted).toEqual(new Map([['P1', 1]]));
  });

  it('a manager\'s advance to signed settles a pending contract too', () => {
    const after = foldCustomer(KEY, toFacts([...pending, advanced('D1', 'trial', 'signed', day(9))]));
    expect(findClaim(after, 'D1')).toMatchObject({ stage: 'signed', contract: null });
  });
});

describe('rejecting the contract', () => {
  const pending = [...base, submitted(day(7))];

  it('given a pending contract, when a manager rejects it with a reason, then the claim may submit another', () => {
    givenCustomer(...pending).when(reject('  port count does not match the order form '), day(8)).then([rejected('port count does not match the order form', day(8)).event]);
    givenCustomer(...pending, rejected('port count does not match the order form', day(8))).when(submit('D1', 42, 5_040_000), day(10), { actor: P1 }).then([submitted(day(10), 'D1', 42, 5_040_000).event]);
  });

  it('needs a manager, a reason, and a pending contract', () => {
    givenCustomer(...pending).when(reject('no'), day(8), { actor: P1 }).thenRefuses('contract-reject-needs-manager');
    givenCustomer(...pending).when(reject('   '), day(8)).thenRefuses('contract-reason-required');
    givenCustomer(...base).when(reject('nothing to reject'), day(8)).thenRefuses('contract-not-pending');
  });
});
