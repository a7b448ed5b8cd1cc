import { describe, expect, it } from 'vitest';
import { foldPartner } from '../../../src/domain/partner.js';
import { defaultPolicy } from '../../../src/domain/policy.js';
import { decideTierEvaluation } from '../../../src/domain/tier-evaluation.js';
import { day, signed, toFacts } from './spec.js';

const partners = [
  foldPartner(toFacts([signed('P1', 'silver', day(0))])),
  foldPartner(toFacts([signed('P2', 'silver', day(0))])),
  foldPartner(toFacts([signed('P3', 'gold', day(0))])),
];

describe('tier evaluation', () => {
  it('moves partners by newly signed customers: ≥10 gold, ≥5 silver, else standard; only moves are written', () => {
    const moves = decideTierEvaluation('2026-Q1', partners, new Map([['P1', 10], ['P2', 5], ['P3', 4]]), defaultPolicy);
    expect(moves.map((m) => [m.partnerId, m.event.data.from, m.event.data.to])).toEqual([
      ['P1', 'silver', 'gold'],
      ['P3', 'gold', 'standard'],
    ]);
    expect(moves[0]!.event.data).toMatchObject({ source: 'evaluation', quarter: '2026-Q1', figures: { signedCustomers: 10, goldAtLeast: 10, silverAtLeast: 5 } });
  });

  it('writes nothing when the same quarter is evaluated again', () => {
    const counts = new Map([['P1', 10], ['P2', 5]]);
    const moves = decideTierEvaluation('2026-Q1', partners, counts, defaultPolicy);
    expect(moves.map((m) => m.partnerId)).toEqual(['P1', 'P3']);
    const after = partners.map((p) => {
      const move = moves.find((m) => m.partnerId === p.partnerId);
      if (!move) return p;
      const facts = toFacts([signed(p.partnerId!, p.tierHistory[0]!.tier, day(0))]);
      const moved = { ...move.event, eventId: 'x', occurredAt: day(90), recordedAt: day(90), position: 2n };
      // a manager moves P1 back afterwards: the quarter that already moved it is still not evaluated again
      const back = { type: 'TierChanged' as const, data: { partnerId: 'P1', from: 'gold', to: 'silver', reason: 'manual', source: 'manual' as const, quarter: null, figures: {} }, eventId: 'y', occurredAt: day(91), recordedAt: day(91), position: 3n };
      return foldPartner(p.partnerId === 'P1' ? [...facts, moved, back] : [...facts, moved]);
    });
    expect(decideTierEvaluation('2026-Q1', after, counts, defaultPolicy)).toEqual([]);
    expect(decideTierEvaluation('2026-Q2', after, counts, defaultPolicy).map((m) => m.partnerId)).toEqual(['P1']);
  });
});
