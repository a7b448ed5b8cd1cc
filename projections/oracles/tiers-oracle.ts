// A test oracle, not run by the ledger: the naive fold of every partner's tier and tier history
// over the whole log, which the property tests (test/unit/projections) compare the partners
// projection's answers against (projections/partners.ts).
import type { EventEnvelope } from '../../src/domain/events.js';
import { byKey } from '../envelope.js';
import { type TierStep, tierStepOf } from '../partners.js';

export interface PartnerTiers {
  partnerId: string;
  tier: string;
  since: string;
  history: TierStep[];
}

export type TiersState = ReadonlyMap<string, PartnerTiers>;
export const initialTiers = (): TiersState => new Map();

/** Tier steps in effect order, as the domain orders them: by when they took effect, then by log position. */
export function compareSteps(a: TierStep, b: TierStep): number {
  if (a.since !== b.since) return a.since < b.since ? -1 : 1;
  return a.position - b.position;
}

/** The partner's tier is the last step in effect order (a back-dated change does not override a later one). */
export function evolveTiers(state: TiersState, e: EventEnvelope): TiersState {
  const change = tierStepOf(e);
  if (!change) return state;
  const previous = state.get(change.partnerId);
  const history = [...(previous?.history ?? []), change.step].sort(compareSteps);
  const current = history[history.length - 1]!;
  const next = new Map(state);
  next.set(change.partnerId, { partnerId: change.partnerId, tier: current.tier, since: current.since, history });
  return next;
}

/** The API shape of GET /tiers, sorted by partner id. */
export function tierList(state: TiersState): Array<{ partnerId: string; tier: string; since: string }> {
  return [...state.values()]
    .map((p) => ({ partnerId: p.partnerId, tier: p.tier, since: p.since }))
    .sort(byKey((p) => p.partnerId));
}
