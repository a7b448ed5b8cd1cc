// The rebate programme's high-end award: a yearly top-N ranking of VALUE-ADDED AGENTS by their
// purchases of the policy's high-end product line (rebates.awards). Distributors and every other
// kind are not ranked, whatever they bought; a second-level agent (a value-added agent under a
// three-party agreement) is a value-added agent and is ranked. Competition ranking: equal
// purchases share a rank, the next rank skips; everyone ranked within topN is awarded, so a tie at
// the cut-off lists more than topN. Equal purchases are listed by partner id.
import type { PartnerKind } from './partner.js';

export const AWARD_KIND: PartnerKind = 'value-added-agent';

export interface AwardCandidate {
  partnerId: string;
  /** The partner's kind (null: unknown at the cut, never ranked). */
  kind: PartnerKind | null;
  purchasesFen: number;
}

export interface AwardRank {
  rank: number;
  partnerId: string;
  purchasesFen: number;
}

export function rankHighEndAward(candidates: Iterable<AwardCandidate>, topN: number): AwardRank[] {
  const agents = [...candidates]
    .filter((c) => c.kind === AWARD_KIND && c.purchasesFen > 0)
    .sort((a, b) => b.purchasesFen - a.purchasesFen || (a.partnerId < b.partnerId ? -1 : a.partnerId > b.partnerId ? 1 : 0));
  const ranking: AwardRank[] = [];
  for (const [i, c] of agents.entries()) {
    const previous = ranking[ranking.length - 1];
    const rank = previous && previous.purchasesFen === c.purchasesFen ? previous.rank : i + 1;
    if (rank > topN) break;
    ranking.push({ rank, partnerId: c.partnerId, purchasesFen: c.purchasesFen });
  }
  return ranking;
}
