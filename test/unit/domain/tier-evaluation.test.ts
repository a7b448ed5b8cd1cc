// Tier evaluation as specifications (src/domain/tier-evaluation.ts): given a partner's stream,
// when its quarter is evaluated with the signed-customer counts (context `signedCustomers`)
// at the evaluation's effective instant, then its certificate (TierCertified, issue #22 item 4),
// after a TierChanged when the tier moves, or nothing.
// Expectations changed by issue #22 item 4: every evaluated partner now also gets its
// TierCertified (a partner that does not move gets the certificate alone, where it got nothing).
import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../../src/domain/policy.js';
import { ev, type Given, givenTierEvaluation, signed } from './spec.js';

const Q1_END = '2026-03-31T15:59:59.999Z'; // 23:59:59.999 in Shanghai
const Q2_START = '2026-03-31T16:00:00.000Z';
const evaluate = (partnerId: string, quarter = '2026-Q1') => ({ type: 'EvaluateTier' as const, data: { partnerId, quarter } });
const counts = (entries: Array<[string, number]>) => ({ signedCustomers: new Map(entries) });
const moved = (partnerId: string, from: string, to: string, signedCustomers: number, quarter = '2026-Q1') =>
  ev(
    'TierChanged',
    {
      partnerId,
      from,
      to,
      reason: `${quarter} evaluation: ${signedCustomers} newly signed customer${signedCustomers === 1 ? '' : 's'} (policy ${defaultPolicy.version})`,
      source: 'evaluation',
      quarter,
      figures: { signedCustomers, goldAtLeast: 10, silverAtLeast: 5 },
    },
    Q2_START,
  );
const VALIDITY: Record<string, { validFor: string; validFrom: string; validTo: string }> = {
  '2026-Q1': { validFor: '2026-Q2', validFrom: Q2_START, validTo: '2026-06-30T15:59:59.999Z' },
  '2026-Q2': { validFor: '2026-Q3', validFrom: '2026-06-30T16:00:00.000Z', validTo: '2026-09-30T15:59:59.999Z' },
};
const certified = (partnerId: string, previousTier: string, tier: string, signedCustomers: number, quarter = '2026-Q1', at = Q2_START) =>
  ev(
    'TierCertified',
    { partnerId, quarter, tier, previousTier, ...VALIDITY[quarter]!, metric: 'signedCustomers', figures: { signedCustomers, goldAtLeast: 10, silverAtLeast: 5 } },
    at,
  );
const P1 = signed('P1', 'silver', '2026-01-05T02:00:00.000Z');

describe('tier evaluation', () => {
  it('moves partners by newly signed customers: ≥10 gold, ≥5 silver, else standard; a move is a TierChanged, and every partner gets its certificate', () => {
    const all = counts([['P1', 10], ['P2', 5], ['P3', 4]]);
    givenTierEvaluation(P1).when(evaluate('P1'), Q2_START, all).then([moved('P1', 'silver', 'gold', 10).event, certified('P1', 'silver', 'gold', 10).event]);
    givenTierEvaluation(signed('P2', 'silver', '2026-01-05T02:00:00.000Z')).when(evaluate('P2'), Q2_START, all).then([certified('P2', 'silver', 'silver', 5).event]);
    givenTierEvaluation(signed('P3', 'gold', '2026-01-05T02:00:00.000Z'))
      .when(evaluate('P3'), Q2_START, all)
      .then([moved('P3', 'gold', 'standard', 4).event, certified('P3', 'gold', 'standard', 4).event]);
  });

  it('counts a partner absent from the counts as 0 signed customers', () => {
    givenTierEvaluation(P1).when(evaluate('P1'), Q2_START).then([moved('P1', 'silver', 'standard', 0).event, certified('P1', 'silver', 'standard', 0).event]);
  });

  it('writes nothing when the same quarter is certified already, moved or not', () => {
    givenTierEvaluation(P1, certified('P1', 'silver', 'silver', 6)).when(evaluate('P1'), '2026-04-03T02:00:00.000Z', counts([['P1', 10]])).then([]);
    const move = { event: moved('P1', 'silver', 'gold', 10).event, occurredAt: Q2_START };
    givenTierEvaluation(P1, move, certified('P1', 'silver', 'gold', 10)).when(evaluate('P1'), '2026-04-03T02:00:00.000Z', counts([['P1', 0]])).then([]);
  });

  it('writes nothing when the same quarter is evaluated again, even after a manual move back (a log from before certificates: the move alone)', () => {
    const first: Given = { event: moved('P1', 'silver', 'gold', 10).event, occurredAt: Q2_START };
    // a manager moves P1 back afterwards: the quarter that already moved it is still not evaluated again
    const back = ev('TierChanged', { partnerId: 'P1', from: 'gold', to: 'silver', reason: 'manual', source: 'manual', quarter: null, figures: {} }, '2026-04-02T02:00:00.000Z');
    givenTierEvaluation(P1, first, back).when(evaluate('P1'), '2026-04-03T02:00:00.000Z', counts([['P1', 10]])).then([]);
    givenTierEvaluation(P1, first, back)
      .when(evaluate('P1', '2026-Q2'), '2026-07-01T00:00:00.000Z', counts([['P1', 10]]))
      .then([moved('P1', 'silver', 'gold', 10, '2026-Q2').event, certified('P1', 'silver', 'gold', 10, '2026-Q2').event]);
  });

  it('ignores a partner signed after the quarter ends: no TierChanged dated before it existed', () => {
    givenTierEvaluation(signed('P9', 'gold', Q2_START)).when(evaluate('P9'), '2026-04-10T02:00:00.000Z').then([]);
    // signed at the quarter's last instant, it is evaluated with the quarter
    givenTierEvaluation(signed('P9', 'gold', Q1_END))
      .when(evaluate('P9'), '2026-04-10T02:00:00.000Z')
      .then([moved('P9', 'gold', 'standard', 0).event, certified('P9', 'gold', 'standard', 0).event]);
  });

  it('ignores a partner not yet signed when a back-filled evaluation takes effect', () => {
    givenTierEvaluation(signed('P8', 'gold', '2026-03-20T02:00:00.000Z')).when(evaluate('P8'), '2026-03-10T02:00:00.000Z').then([]);
  });

  it('writes nothing for a partner that is not signed', () => {
    givenTierEvaluation().when(evaluate('P7'), Q2_START).then([]);
  });

  it('rejects a malformed quarter', () => {
    expect(() => givenTierEvaluation(P1).when(evaluate('P1', '2026-Q5'), Q2_START).events()).toThrow(/not a quarter/);
  });
});
