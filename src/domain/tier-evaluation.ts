// The rule: a quarter's tier evaluation, partner by partner. DOMAIN.md: "Tier evaluation for
// quarter Q counts, per partner, the customers whose owning deal was signed inside Q: ≥ 10 →
// gold, ≥ 5 → silver, else standard. Only partners whose tier moves get a TierChanged;
// evaluating the same quarter again writes nothing."
//  - Which signings count: signed-customers.ts. The thresholds are policy data.
//  - The TierChanged takes effect at the context's occurredAt, which is the evaluation's
//    effective instant (evaluation-effective-date.ts), with the figures it was decided on.
//  - Only partners signed by the quarter's end, and by that effective instant, are evaluated: a
//    partner signed later had no part in the quarter and gets no TierChanged dated before it
//    existed.
//  - A quarter that already moved the partner is not evaluated again.
import { type DecideContext, eventOf } from './decide-context.js';
import type { Decider } from './decider.js';
import type { EventOf } from './events.js';
import { currentTier, evolvePartner, initialPartnerState, type PartnerState } from './partner.js';
import { tierForSignedCount } from './policy.js';
import { parseQuarter, quarterEnd } from './quarter.js';

export interface EvaluateTier {
  type: 'EvaluateTier';
  data: { partnerId: string; quarter: string };
}

export interface TierEvaluationContext extends DecideContext {
  /** Per partner, the customers signed inside the quarter (signed-customers.ts); absent is 0. */
  signedCustomers: ReadonlyMap<string, number>;
}

export type TierEvaluationEvent = EventOf<'TierChanged'>;

/** Whether the partner takes part in the quarter's evaluation taking effect at `effectiveAt`. */
export function isEvaluated(state: PartnerState, quarter: string, effectiveAt: string, timeZone: string): boolean {
  if (!state.signed || state.signedAt === null) return false;
  return state.signedAt <= quarterEnd(quarter, timeZone) && state.signedAt <= effectiveAt;
}

export function decideTierEvaluation(command: EvaluateTier, state: PartnerState, ctx: TierEvaluationContext): TierEvaluationEvent[] {
  const { partnerId, quarter } = command.data;
  parseQuarter(quarter);
  if (!isEvaluated(state, quarter, ctx.occurredAt, ctx.policy.timeZone) || state.evaluatedQuarters.has(quarter)) return [];
  if (state.partnerId !== partnerId) throw new Error(`tier evaluation of ${partnerId} decided on partner ${state.partnerId}'s stream`);
  const signedCustomers = ctx.signedCustomers.get(partnerId) ?? 0;
  if (!Number.isSafeInteger(signedCustomers) || signedCustomers < 0) throw new Error(`signed count of ${partnerId} must be a whole number`);
  const from = currentTier(state)!;
  const to = tierForSignedCount(ctx.policy, signedCustomers);
  if (to === from) return [];
  const figures: Record<string, number> = { signedCustomers };
  for (const t of ctx.policy.tierEvaluation.thresholds) figures[`${t.tier}AtLeast`] = t.atLeast;
  const reason = `${quarter} evaluation: ${signedCustomers} newly signed customer${signedCustomers === 1 ? '' : 's'} (policy ${ctx.policy.version})`;
  return [eventOf('TierChanged', { partnerId, from, to, reason, source: 'evaluation', quarter, figures })];
}

/** The tier evaluation as a decider on one partner's stream. */
export const tierEvaluationDecider: Decider<EvaluateTier, PartnerState, TierEvaluationEvent, TierEvaluationContext> = {
  decide: decideTierEvaluation,
  evolve: evolvePartner,
  initialState: initialPartnerState,
};
