// Decisions of the rebate programme (the equipment vendor's): yearly commitments, purchases,
// an agent's lock to one distributor, the quarterly step-rebate evaluation and rebate payments.
//
// HOW A QUARTERLY REBATE IS COMPUTED (a cumulative true-up, what a finance person expects of a
// step programme):
//   1. The cumulative target of quarter Q is the commitment × the quarterly split summed up to
//      Q (12% / 43% / 79% / 100% by default), rounded half away from zero to the fen.
//   2. Cumulative purchases are every purchase of the partner with occurredAt from the start of
//      the year to the end of Q (policy time zone), bids INCLUDED: bids climb the steps.
//   3. The step reached is the highest step whose threshold (its share of the cumulative
//      target, e.g. 100% for step 3 of a distributor) is ≤ the cumulative purchases: reaching
//      a threshold exactly reaches the step. No step reached: rate 0.
//   4. The step's rate applies to the cumulative ELIGIBLE purchases (bids EXCLUDED), rounded
//      once: that is the rebate the year has earned so far.
//   5. The quarter's rebate is that minus the rebates of the same year already earned in
//      earlier quarters, never below zero: a partner who climbs a step later in the year gets
//      the higher rate on everything bought that year (the true-up), and a rebate once earned is
//      never taken back when a later quarter's target is missed.
// Only sums of purchases by quarter enter the computation, so the rebates never depend on the
// order in which the same purchases were recorded. A quarter is evaluated once per partner
// (RebateEarned, amount 0 included, closes it); a purchase dated in a closed quarter is refused,
// so an evaluated quarter's figures never change. A locked agent's rebate is owed by its
// distributor (payerPartnerId), not by the vendor.
//
// TWO-LEVEL DISTRIBUTION:
//   - A locked agent's purchases through its distributor (PurchaseRecorded.distributorId) also
//     count toward the DISTRIBUTOR's steps: the evaluation command hands the distributor's
//     decision its locked agents' purchases (RebateDecideContext.agentPurchases); they are added
//     to its cumulativePurchasesFen and listed per agent in RebateEarned.lockedAgentPurchases.
//     They are not part of its cumulativeEligibleFen: the agent earns the rebate on them, the
//     distributor only climbs with them. A purchase through a distributor dated in a quarter the
//     distributor has evaluated is refused, as its own would be.
//   - A three-party agreement (LockedToDistributor.secondLevel) makes a value-added agent a
//     second-level agent: evaluated on the policy's `second-level-agent` steps (2 steps),
//     paid by its distributor like any locked agent.
import { requireAmountFen } from './amount-limit.js';
import { eventOf } from './decide-context.js';
import type { Decider } from './decider.js';
import { refuse } from './errors.js';
import type { EventDataOf, EventOf } from './events.js';
import { applyRateBps, formatFen } from './money.js';
import { evolvePartner, initialPartnerState, type PartnerState } from './partner.js';
import { requireSigned } from './partner-decide.js';
import type { Policy } from './policy.js';
import { compareQuarters, parseQuarter, quarterOf } from './quarter.js';
import { earnedInYearFen, payerKeyOf, unpaidRebateFen } from './rebates.js';

export const REBATE_KINDS = ['distributor', 'value-added-agent'] as const;
export type RebateKind = (typeof REBATE_KINDS)[number];
export const isRebateKind = (kind: string | null): kind is RebateKind => kind === 'distributor' || kind === 'value-added-agent';

export type RebateProgramme = NonNullable<Policy['rebates']>;

/** The step table a partner is evaluated on: its kind, or `second-level-agent` for an agent under a three-party agreement. */
export type RebateStepKind = RebateKind | 'second-level-agent';
export const SECOND_LEVEL_STEPS = 'second-level-agent';

export function stepKindOf(state: PartnerState): RebateStepKind | null {
  if (!isRebateKind(state.kind)) return null;
  return state.kind === 'value-added-agent' && state.rebates.secondLevel ? SECOND_LEVEL_STEPS : state.kind;
}

export function rebateProgramme(policy: Policy): RebateProgramme {
  if (!policy.rebates) refuse('rebate-programme-absent', `policy ${policy.version} runs no rebate programme`);
  return policy.rebates;
}

// ---- the computation -------------------------------------------------------------------------

export interface PurchaseAmount {
  amountFen: number;
  bid: boolean;
  occurredAt: string;
}

/** A locked agent's purchase through the distributor being evaluated. */
export interface AgentPurchase extends PurchaseAmount {
  partnerId: string;
}

export type RebateFigures = Omit<EventDataOf<'RebateEarned'>, 'partnerId' | 'payerPartnerId'>;

/** The cumulative share of the yearly commitment due by the end of quarter q (1..4), in bps. */
export function cumulativeSplitBps(programme: RebateProgramme, q: number): number {
  if (!Number.isInteger(q) || q < 1 || q > 4) throw new RangeError(`quarter number ${q} must be 1..4`);
  return programme.quarterSplitBps.slice(0, q).reduce((a, b) => a + b, 0);
}

/** Steps (1-based) reached: the highest whose threshold ≤ cumulative purchases, 0 for none. */
export function stepReached(thresholdsFen: readonly number[], cumulativeFen: number): number {
  let step = 0;
  thresholdsFen.forEach((t, i) => {
    if (cumulativeFen >= t) step = i + 1;
  });
  return step;
}

/** The figures of quarter `quarter` for a partner of `kind` (see the header for the rule). */
export function rebateFigures(
  kind: RebateStepKind,
  commitmentFen: number,
  quarter: string,
  purchases: Iterable<PurchaseAmount>,
  earnedBeforeFen: number,
  policy: Policy,
  agentPurchases: Iterable<AgentPurchase> = [],
): RebateFigures {
  const programme = rebateProgramme(policy);
  const steps = programme.steps[kind];
  if (!steps) throw new Error(`policy ${policy.version} names no rebate steps for ${kind}`);
  const { year, q } = parseQuarter(quarter);
  const cumulativeTargetFen = applyRateBps(commitmentFen, cumulativeSplitBps(programme, q));
  let cumulativePurchasesFen = 0;
  let cumulativeEligibleFen = 0;
  const inYearToDate = (p: PurchaseAmount) => {
    const pq = quarterOf(p.occurredAt, policy.timeZone);
    return parseQuarter(pq).year === year && compareQuarters(pq, quarter) <= 0;
  };
  for (const p of purchases) {
    if (!inYearToDate(p)) continue;
    cumulativePurchasesFen += p.amountFen;
    if (!p.bid) cumulativeEligibleFen += p.amountFen;
  }
  // Locked agents' purchases through the distributor climb its steps and earn it nothing.
  const byAgent = new Map<string, number>();
  for (const p of agentPurchases) {
    if (!inYearToDate(p)) continue;
    byAgent.set(p.partnerId, (byAgent.get(p.partnerId) ?? 0) + p.amountFen);
    cumulativePurchasesFen += p.amountFen;
  }
  const lockedAgentPurchases = [...byAgent].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([partnerId, fen]) => ({ partnerId, cumulativePurchasesFen: fen }));
  const thresholdsFen = steps.map((s) => applyRateBps(cumulativeTargetFen, s.ofTargetBps));
  const step = stepReached(thresholdsFen, cumulativePurchasesFen);
  const rateBps = step === 0 ? 0 : steps[step - 1]!.rateBps;
  const cumulativeRebateFen = applyRateBps(cumulativeEligibleFen, rateBps);
  const amountFen = Math.max(0, cumulativeRebateFen - earnedBeforeFen);
  if (!Number.isSafeInteger(cumulativePurchasesFen) || amountFen > cumulativeRebateFen) throw new Error('rebate arithmetic broke its invariant');
  return {
    year,
    quarter,
    commitmentFen,
    cumulativeTargetFen,
    cumulativePurchasesFen,
    cumulativeEligibleFen,
    step,
    stepThresholdFen: step === 0 ? 0 : thresholdsFen[step - 1]!,
    rateBps,
    cumulativeRebateFen,
    earnedBeforeFen,
    amountFen,
    ...(lockedAgentPurchases.length > 0 ? { lockedAgentPurchases } : {}),
  };
}

// ---- commands --------------------------------------------------------------------------------

export type RebateCommand =
  | { type: 'SetCommitment'; data: { partnerId: string; year: number; amountFen: number } }
  | { type: 'RecordPurchase'; data: { purchaseId: string; partnerId: string; amountFen: number; productLine: string; bid: boolean } }
  | { type: 'LockToDistributor'; data: { partnerId: string; distributorId: string; secondLevel?: true } }
  | { type: 'EvaluateRebate'; data: { partnerId: string; quarter: string } }
  | { type: 'PayRebate'; data: { rebatePaymentId: string; partnerId: string; payerPartnerId: string | null; amountFen: number } };

export interface RebateDecideContext {
  policy: Policy;
  /** The command's business instant (a purchase's occurredAt). */
  occurredAt: string;
  /**
   * LockToDistributor: the named distributor's state; RecordPurchase: the distributor the agent
   * is locked to (loaded by the command layer).
   */
  distributor?: PartnerState | null;
  /** EvaluateRebate of a distributor: the purchases its locked agents recorded through it. */
  agentPurchases?: readonly AgentPurchase[];
}

export type RebateEvent = EventOf<'CommitmentSet' | 'PurchaseRecorded' | 'LockedToDistributor' | 'RebateEarned' | 'RebatePaid'>;

export function decideRebate(command: RebateCommand, state: PartnerState, ctx: RebateDecideContext): RebateEvent[] {
  rebateProgramme(ctx.policy);
  requireSigned(state, command.data.partnerId);
  switch (command.type) {
    case 'SetCommitment':
      return decideCommitment(command.data, state, ctx.policy);
    case 'RecordPurchase':
      return decidePurchase(command.data, state, ctx);
    case 'LockToDistributor':
      return decideLock(command.data, state, ctx.distributor ?? null, ctx.policy);
    case 'EvaluateRebate':
      return decideEvaluation(command.data.quarter, state, ctx.policy, ctx.agentPurchases ?? []);
    case 'PayRebate':
      return decidePayment(command.data, state, ctx.policy);
    default: {
      const never: never = command;
      throw new Error(`unhandled rebate command ${JSON.stringify(never)}`);
    }
  }
}

function requireProgrammeKind(state: PartnerState, what: string): RebateKind {
  if (!isRebateKind(state.kind)) {
    refuse('rebate-partner-kind', `${what} refused: partner ${state.partnerId} is ${state.kind}; the rebate programme is for distributors and value-added agents`, { kind: state.kind });
  }
  return state.kind;
}


/** Evaluated quarters of a year (from its earned rebates). */
function evaluatedQuartersOf(state: PartnerState, year: number): string[] {
  return [...state.rebates.earned.values()].filter((e) => e.year === year).map((e) => e.quarter).sort();
}

function decideCommitment(d: { partnerId: string; year: number; amountFen: number }, state: PartnerState, policy: Policy): RebateEvent[] {
  requireProgrammeKind(state, 'a commitment');
  requireAmountFen(d.amountFen, policy, 'commitment');
  const previous = state.rebates.commitments.get(d.year) ?? null;
  if (previous === d.amountFen) return [];
  const evaluated = evaluatedQuartersOf(state, d.year);
  if (evaluated.length > 0) {
    refuse('commitment-year-evaluated', `the ${d.year} commitment of partner ${d.partnerId} cannot change: ${evaluated.join(', ')} already evaluated against ${formatFen(previous ?? 0)}`, {
      year: d.year,
      commitmentFen: previous,
    });
  }
  return [eventOf('CommitmentSet', { partnerId: d.partnerId, year: d.year, amountFen: d.amountFen, previousFen: previous })];
}

function decidePurchase(d: Extract<RebateCommand, { type: 'RecordPurchase' }>['data'], state: PartnerState, ctx: RebateDecideContext): RebateEvent[] {
  requireProgrammeKind(state, 'a purchase');
  requireAmountFen(d.amountFen, ctx.policy, 'purchase');
  const known = state.rebates.purchases.get(d.purchaseId);
  if (known) {
    if (known.amountFen === d.amountFen && known.productLine === d.productLine && known.bid === d.bid) return [];
    refuse('purchase-id-taken', `purchase ${d.purchaseId} is already recorded for partner ${d.partnerId} with other figures`, { purchaseId: d.purchaseId }, 'conflict');
  }
  const quarter = quarterOf(ctx.occurredAt, ctx.policy.timeZone);
  if (state.rebates.earned.has(quarter)) {
    refuse('purchase-quarter-evaluated', `purchase ${d.purchaseId} refused: it is dated in ${quarter}, whose rebate partner ${d.partnerId} has already been evaluated`, { quarter });
  }
  // It also climbs the distributor's steps, so the distributor's evaluated quarters are closed to it too.
  const through = state.rebates.distributorId;
  if (through !== null && ctx.distributor?.partnerId === through && ctx.distributor.rebates.earned.has(quarter)) {
    refuse('purchase-quarter-evaluated', `purchase ${d.purchaseId} refused: it is dated in ${quarter}, whose rebate distributor ${through} (which partner ${d.partnerId} buys through) has already been evaluated`, {
      quarter,
      distributorId: through,
    });
  }
  return [eventOf('PurchaseRecorded', { ...d, distributorId: state.rebates.distributorId })];
}

function decideLock(d: { partnerId: string; distributorId: string; secondLevel?: true }, state: PartnerState, distributor: PartnerState | null, policy: Policy): RebateEvent[] {
  if (state.kind !== 'value-added-agent') {
    refuse('lock-agent-only', `only a value-added agent is locked to a distributor; partner ${d.partnerId} is ${state.kind}`, { kind: state.kind });
  }
  if (!distributor?.signed || distributor.partnerId !== d.distributorId) {
    refuse('lock-distributor-unknown', `distributor ${d.distributorId} is not signed`, { distributorId: d.distributorId }, 'not-found');
  }
  if (distributor.kind !== 'distributor') {
    refuse('lock-not-a-distributor', `partner ${d.distributorId} is ${distributor.kind}, not a distributor`, { distributorId: d.distributorId, kind: distributor.kind });
  }
  const secondLevel = d.secondLevel === true;
  if (secondLevel && !rebateProgramme(policy).steps[SECOND_LEVEL_STEPS]) {
    refuse('second-level-steps-absent', `a three-party agreement refused: policy ${policy.version} names no ${SECOND_LEVEL_STEPS} steps`, {});
  }
  const current = state.rebates.distributorId;
  if (current === d.distributorId && state.rebates.secondLevel === secondLevel) return [];
  if (current !== null) {
    const as = state.rebates.secondLevel ? 'a second-level agent (three-party agreement)' : 'an agent';
    refuse('agent-already-locked', `agent ${d.partnerId} is locked to distributor ${current} as ${as}`, { distributorId: current, secondLevel: state.rebates.secondLevel }, 'conflict');
  }
  return [eventOf('LockedToDistributor', secondLevel ? { partnerId: d.partnerId, distributorId: d.distributorId, secondLevel: true } : { partnerId: d.partnerId, distributorId: d.distributorId })];
}

/** The quarter's RebateEarned, or nothing: outside the programme, no commitment, or evaluated already. */
export function decideEvaluation(quarter: string, state: PartnerState, policy: Policy, agentPurchases: readonly AgentPurchase[] = []): RebateEvent[] {
  const stepKind = stepKindOf(state);
  if (stepKind === null) return [];
  const { year } = parseQuarter(quarter);
  const commitmentFen = state.rebates.commitments.get(year);
  if (commitmentFen === undefined || state.rebates.earned.has(quarter)) return [];
  const later = evaluatedQuartersOf(state, year).filter((q) => compareQuarters(q, quarter) > 0);
  if (later.length > 0) {
    refuse('rebate-quarter-out-of-order', `rebate evaluation of ${quarter} refused: ${later.join(', ')} of partner ${state.partnerId} already evaluated`, { quarter, partnerId: state.partnerId });
  }
  const through = state.kind === 'distributor' ? agentPurchases : [];
  const figures = rebateFigures(stepKind, commitmentFen, quarter, state.rebates.purchases.values(), earnedInYearFen(state.rebates, year), policy, through);
  return [eventOf('RebateEarned', { partnerId: state.partnerId!, payerPartnerId: state.rebates.distributorId, ...figures })];
}

function decidePayment(d: Extract<RebateCommand, { type: 'PayRebate' }>['data'], state: PartnerState, policy: Policy): RebateEvent[] {
  requireAmountFen(d.amountFen, policy, 'rebate payment');
  const known = state.rebates.payments.get(d.rebatePaymentId);
  if (known) {
    if (known.amountFen === d.amountFen && known.payerPartnerId === d.payerPartnerId) return [];
    refuse('rebate-payment-id-taken', `rebate payment ${d.rebatePaymentId} is already recorded with other figures`, { rebatePaymentId: d.rebatePaymentId }, 'conflict');
  }
  const unpaidFen = unpaidRebateFen(state.rebates, payerKeyOf(d.payerPartnerId));
  if (d.amountFen > unpaidFen) {
    const payer = d.payerPartnerId === null ? 'the vendor' : `distributor ${d.payerPartnerId}`;
    refuse('rebate-payment-exceeds-unpaid', `rebate payment of ${formatFen(d.amountFen)} refused: ${payer} owes partner ${d.partnerId} ${formatFen(unpaidFen)}`, {
      amountFen: d.amountFen,
      unpaidFen,
    });
  }
  return [eventOf('RebatePaid', d)];
}

/** The rebate programme on the partner's stream, in the one decider shape. */
export const rebateDecider: Decider<RebateCommand, PartnerState, RebateEvent, RebateDecideContext> = {
  decide: decideRebate,
  evolve: evolvePartner,
  initialState: initialPartnerState,
};
