// The rule: a quarter's tier evaluation, partner by partner. DOMAIN.md: "Tier evaluation for
// quarter Q counts, per partner, the customers whose owning deal was signed inside Q: ≥ 10 →
// gold, ≥ 5 → silver, else standard. Only partners whose tier moves get a TierChanged;
// evaluating the same quarter again writes nothing." and "Every partner gets a new certificate
// each quarter ... whether or not its tier moved".
//  - What is counted is the policy's tierEvaluation.metric: signedCustomers (which signings
//    count: signed-customers.ts) or newPorts (new-ports.ts). The thresholds are policy data.
//  - Every evaluated partner gets its certificate (TierCertified, tier-certificate.ts); a move
//    also writes a TierChanged first, as before.
//  - The TierChanged takes effect at the context's occurredAt, which is the evaluation's
//    effective instant (evaluation-effective-date.ts), with the figures it was decided on.
//  - Only partners signed by the quarter's end, and by that effective instant, are evaluated: a
//    partner signed later had no part in the quarter and gets no TierChanged dated before it
//    existed.
//  - A quarter already certified for the partner (or, in a log from before certificates, one
//    that already moved it) is not evaluated again.
import { type DecideContext, eventOf } from './decide-context.js';
import type { Decider } from './decider.js';
import type { EventOf } from './events.js';
import { currentTier, evolvePartner, initialPartnerState, type PartnerState } from './partner.js';
import { tierForSignedCount } from './policy.js';
import { parseQuarter, quarterEnd } from './quarter.js';
import { certificateOf } from './tier-certificate.js';

export interface EvaluateTier {
  type: 'EvaluateTier';
  data: { partnerId: string; quarter: string };
}

export interface TierEvaluationContext extends DecideContext {
  /** Per partner, the customers signed inside the quarter (signed-customers.ts); absent is 0. */
  signedCustomers: ReadonlyMap<string, number>;
  /** Per partner, the new ports signed and paid inside the quarter (new-ports.ts); needed when the policy counts newPorts. */
  newPorts?: ReadonlyMap<string, number>;
}

export type TierEvaluationEvent = EventOf<'TierChanged' | 'TierCertified'>;

/** Whether the partner's quarter is evaluated already: certified, or moved by it in a log from before certificates. */
export function isQuarterEvaluated(state: PartnerState, quarter: string): boolean {
  return state.certifiedQuarters.has(quarter) || state.evaluatedQuarters.has(quarter);
}

/** The metric's figure for a partner: what the evaluation is decided on. */
function figureOf(ctx: TierEvaluationContext, partnerId: string): number {
  const metric = ctx.policy.tierEvaluation.metric;
  const counts = metric === 'newPorts' ? ctx.newPorts : ctx.signedCustomers;
  if (counts === undefined) throw new Error(`a ${metric} evaluation needs the quarter's ${metric} per partner`);
  const value = counts.get(partnerId) ?? 0;
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${metric} of ${partnerId} must be a whole number`);
  return value;
}

function reasonOf(quarter: string, metric: string, value: number, policyVersion: string): string {
  const what = metric === 'newPorts' ? `new port${value === 1 ? '' : 's'} signed and paid` : `newly signed customer${value === 1 ? '' : 's'}`;
  return `${quarter} evaluation: ${value} ${what} (policy ${policyVersion})`;
}

/** Whether the partner takes part in the quarter's evaluation taking effect at `effectiveAt`. */
export function isEvaluated(state: PartnerState, quarter: string, effectiveAt: string, timeZone: string): boolean {
  if (!state.signed || state.signedAt === null) return false;
  return state.signedAt <= quarterEnd(quarter, timeZone) && state.signedAt <= effectiveAt;
}

export function decideTierEvaluation(command: EvaluateTier, state: PartnerState, ctx: TierEvaluationContext): TierEvaluationEvent[] {
  const { partnerId, quarter } = command.data;
  parseQuarter(quarter);
  if (!isEvaluated(state, quarter, ctx.occurredAt, ctx.policy.timeZone) || isQuarterEvaluated(state, quarter)) return [];
  if (state.partnerId !== partnerId) throw new Error(`tier evaluation of ${partnerId} decided on partner ${state.partnerId}'s stream`);
  const metric = ctx.policy.tierEvaluation.metric;
  const value = figureOf(ctx, partnerId);
  const from = currentTier(state)!;
  const to = tierForSignedCount(ctx.policy, value);
  const figures: Record<string, number> = { [metric]: value };
  for (const t of ctx.policy.tierEvaluation.thresholds) figures[`${t.tier}AtLeast`] = t.atLeast;
  const certificate = certificateOf({ partnerId, quarter, tier: to, previousTier: from, figures }, ctx.policy);
  if (to === from) return [certificate];
  const reason = reasonOf(quarter, metric, value, ctx.policy.version);
  return [eventOf('TierChanged', { partnerId, from, to, reason, source: 'evaluation', quarter, figures }), certificate];
}

/** The tier evaluation as a decider on one partner's stream. */
export const tierEvaluationDecider: Decider<EvaluateTier, PartnerState, TierEvaluationEvent, TierEvaluationContext> = {
  decide: decideTierEvaluation,
  evolve: evolvePartner,
  initialState: initialPartnerState,
};
