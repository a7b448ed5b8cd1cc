// New ports signed and paid (issue #22 item 4), as specifications of src/domain/new-ports.ts:
// given a quarter's signings and their customers' streams, then the ports each partner sold.
import { describe, expect, it } from 'vitest';
import { newPortsByPartner, portsOfDeal } from '../../../src/domain/new-ports.js';
import type { Signing } from '../../../src/domain/signed-customers.js';
import { ev, type Given, toFacts } from './spec.js';

const TZ = 'Asia/Shanghai';
const Q = '2026-Q1';
const Q_END = '2026-03-31T15:59:59.999Z';

const registered = (dealId: string, partnerId: string | null, customerKey: string, expectedPorts: number | null): Given =>
  ev(
    'DealRegistered',
    {
      dealId,
      customerKey,
      customer: { name: customerKey, taxId: null },
      match: { by: 'name', input: customerKey, normalised: customerKey },
      channel: partnerId === null ? 'direct' : 'partner',
      partnerId,
      expectedPorts,
      expectedRevenueFen: null,
    },
    '2026-01-02T02:00:00.000Z',
  );
const paid = (paymentId: string, dealId: string, customerKey: string, line: 'port' | 'conference', at: string): Given =>
  ev('PaymentReceived', { paymentId, customerKey, dealId, line, amountFen: 100_000, ownerDealId: dealId, ownerPartnerId: 'P1', noCommissionReason: null }, at);
const signing = (dealId: string, partnerId: string | null, customerKey: string, signedAt = '2026-02-01T02:00:00.000Z'): Signing => ({ dealId, partnerId, customerKey, signedAt });

function portsOf(signings: Signing[], streams: Record<string, Given[]>): Map<string, number> {
  const facts = new Map(Object.entries(streams).map(([key, given]) => [key, toFacts(given)]));
  return newPortsByPartner(signings, (key) => facts.get(key) ?? [], Q, TZ);
}

describe('new ports of a quarter', () => {
  it('counts the ports of a deal signed in the quarter whose port fee was paid by its end', () => {
    const streams = { acme: [registered('D1', 'P1', 'acme', 40), paid('PAY-1', 'D1', 'acme', 'port', '2026-02-10T02:00:00.000Z')] };
    expect(portsOf([signing('D1', 'P1', 'acme')], streams)).toEqual(new Map([['P1', 40]]));
  });

  it('does not count a signing whose port fee came after the quarter, or only other lines were paid', () => {
    const late = { acme: [registered('D1', 'P1', 'acme', 40), paid('PAY-1', 'D1', 'acme', 'port', '2026-03-31T16:00:00.000Z')] };
    expect(portsOf([signing('D1', 'P1', 'acme')], late)).toEqual(new Map());
    const conference = { acme: [registered('D1', 'P1', 'acme', 40), paid('PAY-1', 'D1', 'acme', 'conference', '2026-02-10T02:00:00.000Z')] };
    expect(portsOf([signing('D1', 'P1', 'acme')], conference)).toEqual(new Map());
  });

  it('paid at the quarter’s last instant counts', () => {
    const streams = { acme: [registered('D1', 'P1', 'acme', 40), paid('PAY-1', 'D1', 'acme', 'port', Q_END)] };
    expect(portsOf([signing('D1', 'P1', 'acme')], streams)).toEqual(new Map([['P1', 40]]));
  });

  it('ignores signings outside the quarter and direct sales', () => {
    const streams = {
      acme: [registered('D1', 'P1', 'acme', 40), paid('PAY-1', 'D1', 'acme', 'port', '2026-04-10T02:00:00.000Z')],
      beta: [registered('D2', null, 'beta', 90), paid('PAY-2', 'D2', 'beta', 'port', '2026-02-10T02:00:00.000Z')],
    };
    expect(portsOf([signing('D1', 'P1', 'acme', '2026-04-02T02:00:00.000Z'), signing('D2', null, 'beta')], streams)).toEqual(new Map());
  });

  it('sums a partner’s customers, counting one customer once (its larger signed figure)', () => {
    const streams = {
      acme: [registered('D1', 'P1', 'acme', 40), registered('D3', 'P1', 'acme', 25), paid('PAY-1', 'D1', 'acme', 'port', '2026-02-10T02:00:00.000Z'), paid('PAY-3', 'D3', 'acme', 'port', '2026-02-11T02:00:00.000Z')],
      beta: [registered('D2', 'P1', 'beta', 15), paid('PAY-2', 'D2', 'beta', 'port', '2026-03-01T02:00:00.000Z')],
    };
    expect(portsOf([signing('D1', 'P1', 'acme'), signing('D3', 'P1', 'acme'), signing('D2', 'P1', 'beta')], streams)).toEqual(new Map([['P1', 55]]));
  });
});

describe('the ports of a signed deal', () => {
  it('are its expectedPorts as registered, 0 when none were given', () => {
    expect(portsOfDeal(toFacts([registered('D1', 'P1', 'acme', 40)]), 'D1')).toBe(40);
    expect(portsOfDeal(toFacts([registered('D1', 'P1', 'acme', null)]), 'D1')).toBe(0);
  });

  it('are the confirmed contract’s ports when the vendor’s confirmation is on record', () => {
    const confirmed = ev('ContractConfirmed', { customerKey: 'acme', dealId: 'D1', from: 'trial', ports: 55, contractValueFen: 6_600_000, signedAt: '2026-02-01T02:00:00.000Z' }, '2026-02-01T02:00:00.000Z');
    const facts = toFacts([registered('D1', 'P1', 'acme', 40), confirmed]);
    expect(portsOfDeal(facts, 'D1')).toBe(55);
    expect(portsOfDeal(facts, 'D2')).toBe(0);
  });
});
