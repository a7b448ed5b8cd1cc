// Certificates every quarter (issue #22 item 4), as specifications of
// src/domain/tier-certificate.ts and the evaluation that issues them (tier-evaluation.ts): every
// evaluated partner gets its certificate, valid for the next quarter, decided on the policy's
// metric (signedCustomers or newPorts).
import { describe, expect, it } from 'vitest';
import { defaultPolicy, type Policy } from '../../../src/domain/policy.js';
import { certificateValidity } from '../../../src/domain/tier-certificate.js';
import { ev, givenTierEvaluation, signed } from './spec.js';

const Q2_START = '2026-03-31T16:00:00.000Z'; // 1 April 00:00 in Shanghai
const Q2_END = '2026-06-30T15:59:59.999Z';
const evaluate = (partnerId: string, quarter = '2026-Q1') => ({ type: 'EvaluateTier' as const, data: { partnerId, quarter } });
const P1 = signed('P1', 'silver', '2026-01-05T02:00:00.000Z');

/** A company that counts new ports (illustrative thresholds). */
const portsPolicy: Policy = {
  ...defaultPolicy,
  tierEvaluation: { metric: 'newPorts', thresholds: [{ tier: 'gold', atLeast: 200 }, { tier: 'silver', atLeast: 100 }], otherwise: 'standard' },
};
const portFigures = (newPorts: number) => ({ newPorts, goldAtLeast: 200, silverAtLeast: 100 });
const certified = (previousTier: string, tier: string, figures: Record<string, number>, metric: 'signedCustomers' | 'newPorts') =>
  ev('TierCertified', { partnerId: 'P1', quarter: '2026-Q1', tier, previousTier, validFor: '2026-Q2', validFrom: Q2_START, validTo: Q2_END, metric, figures }, Q2_START);

describe('a certificate is valid for one quarter: the one after the quarter evaluated', () => {
  it('from its first instant to its last, in the policy time zone, across a year end', () => {
    expect(certificateValidity('2026-Q1', 'Asia/Shanghai')).toEqual({ validFor: '2026-Q2', validFrom: Q2_START, validTo: Q2_END });
    expect(certificateValidity('2026-Q4', 'Asia/Shanghai')).toEqual({ validFor: '2027-Q1', validFrom: '2026-12-31T16:00:00.000Z', validTo: '2027-03-31T15:59:59.999Z' });
    expect(certificateValidity('2026-Q4', 'UTC')).toEqual({ validFor: '2027-Q1', validFrom: '2027-01-01T00:00:00.000Z', validTo: '2027-03-31T23:59:59.999Z' });
  });
});

describe('every evaluated partner is certified, moved or not', () => {
  it('a partner whose tier stays gets its certificate alone, with the figures', () => {
    givenTierEvaluation(P1)
      .when(evaluate('P1'), Q2_START, { signedCustomers: new Map([['P1', 7]]) })
      .then([certified('silver', 'silver', { signedCustomers: 7, goldAtLeast: 10, silverAtLeast: 5 }, 'signedCustomers').event]);
  });

  it('a certificate already issued for the quarter is not issued again, whatever the figures say now', () => {
    givenTierEvaluation(P1, certified('silver', 'silver', { signedCustomers: 7, goldAtLeast: 10, silverAtLeast: 5 }, 'signedCustomers'))
      .when(evaluate('P1'), '2026-04-20T02:00:00.000Z', { signedCustomers: new Map([['P1', 12]]) })
      .then([]);
  });

  it('a partner signed after the quarter gets no certificate for it', () => {
    givenTierEvaluation(signed('P1', 'gold', '2026-04-02T02:00:00.000Z')).when(evaluate('P1'), '2026-04-10T02:00:00.000Z').then([]);
  });
});

describe('the metric is policy data: new ports signed and paid', () => {
  it('decides the tier on newPorts with the policy thresholds, and says so in the certificate and the move', () => {
    givenTierEvaluation(P1)
      .when(evaluate('P1'), Q2_START, { policy: portsPolicy, newPorts: new Map([['P1', 150]]) })
      .then([certified('silver', 'silver', portFigures(150), 'newPorts').event]);
    givenTierEvaluation(P1)
      .when(evaluate('P1'), Q2_START, { policy: portsPolicy, newPorts: new Map([['P1', 200]]), signedCustomers: new Map([['P1', 1]]) })
      .then([
        ev(
          'TierChanged',
          { partnerId: 'P1', from: 'silver', to: 'gold', reason: `2026-Q1 evaluation: 200 new ports signed and paid (policy ${defaultPolicy.version})`, source: 'evaluation', quarter: '2026-Q1', figures: portFigures(200) },
          Q2_START,
        ).event,
        certified('silver', 'gold', portFigures(200), 'newPorts').event,
      ]);
  });

  it('a partner without new ports counts 0', () => {
    givenTierEvaluation(P1)
      .when(evaluate('P1'), Q2_START, { policy: portsPolicy, newPorts: new Map() })
      .then([
        ev(
          'TierChanged',
          { partnerId: 'P1', from: 'silver', to: 'standard', reason: `2026-Q1 evaluation: 0 new ports signed and paid (policy ${defaultPolicy.version})`, source: 'evaluation', quarter: '2026-Q1', figures: portFigures(0) },
          Q2_START,
        ).event,
        certified('silver', 'standard', portFigures(0), 'newPorts').event,
      ]);
  });

  it('refuses to decide a newPorts evaluation without the quarter’s new ports (a command-layer bug, not a rule)', () => {
    expect(() => givenTierEvaluation(P1).when(evaluate('P1'), Q2_START, { policy: portsPolicy }).events()).toThrow(/needs the quarter's newPorts/);
  });
});
