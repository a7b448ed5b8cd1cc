// The high-end award ranks value-added agents only (src/domain/high-end-award.ts).
import { describe, expect, it } from 'vitest';
import { rankHighEndAward } from '../../../src/domain/high-end-award.js';

describe('the high-end award', () => {
  it('ranks value-added agents only: a distributor or another kind is never ranked, however much it bought', () => {
    const ranking = rankHighEndAward(
      [
        { partnerId: 'D-1', kind: 'distributor', purchasesFen: 50_000_000 },
        { partnerId: 'A-2', kind: 'value-added-agent', purchasesFen: 900 },
        { partnerId: 'R-1', kind: 'relationship', purchasesFen: 10_000 },
        { partnerId: 'A-1', kind: 'value-added-agent', purchasesFen: 1_000 },
        { partnerId: 'X-1', kind: null, purchasesFen: 5_000 },
      ],
      20,
    );
    expect(ranking).toEqual([
      { rank: 1, partnerId: 'A-1', purchasesFen: 1_000 },
      { rank: 2, partnerId: 'A-2', purchasesFen: 900 },
    ]);
  });
  it('competition ranking: ties share a rank, the next skips, and a tie at the cut-off is listed whole', () => {
    const agents = [
      ['A-4', 100],
      ['A-1', 300],
      ['A-3', 300],
      ['A-2', 200],
      ['A-5', 200],
    ] as const;
    const ranking = rankHighEndAward(
      agents.map(([partnerId, purchasesFen]) => ({ partnerId, kind: 'value-added-agent' as const, purchasesFen })),
      3,
    );
    expect(ranking.map((r) => [r.rank, r.partnerId])).toEqual([
      [1, 'A-1'],
      [1, 'A-3'],
      [3, 'A-2'],
      [3, 'A-5'],
    ]);
  });
});
