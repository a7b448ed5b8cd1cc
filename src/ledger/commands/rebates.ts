// The rebate programme: commitments, purchases, an agent's distributor, quarterly evaluations,
// rebate payments. Every fact lives on the partner's own stream; an evaluation writes one
// RebateEarned per programme partner with a commitment for the year, once; a distributor's
// decision is handed the purchases its locked agents recorded through it (they climb its steps).
// The rules are src/domain/rebate-decide.ts; when an evaluation takes effect, evaluation-effective-date.ts.
import { z } from 'zod';
import { refuse } from '../../domain/errors.js';
import { evaluationEffectiveAt } from '../../domain/evaluation-effective-date.js';
import { type EventDataOf, ProductLine, RebateYear } from '../../domain/events.js';
import type { PartnerState } from '../../domain/partner.js';
import { compareQuarters, parseQuarter } from '../../domain/quarter.js';
import { type AgentPurchase, decideRebate, rebateProgramme, type RebateCommand } from '../../domain/rebate-decide.js';
import { payerKeyOf, unpaidRebateFen } from '../../domain/rebates.js';
import { type CommandCtx, type CommandDeps, defineCommand, type HandledCommand, occurredAtOf, onPartnerStream, outcome, partnerStateOf, policyAt } from '../command-handling.js';
import { depsForQuarter } from '../policy-book.js';
import { AmountFen, EntityId, OccurredAt, Quarter } from './fields.js';

function decideOnRebates<A>(
  deps: CommandDeps,
  ctx: CommandCtx,
  partnerId: string,
  occurredAt: string,
  command: (state: PartnerState) => RebateCommand,
  answer: (s: PartnerState, written: boolean) => A,
  /** The distributor whose state the decision needs: an id, or read off the partner's state. */
  distributorId: string | null | ((state: PartnerState) => string | null) = null,
  agentPurchases: readonly AgentPurchase[] = [],
) {
  return onPartnerStream<A>(deps, ctx, partnerId, occurredAt, async (state) => {
    const id = typeof distributorId === 'function' ? distributorId(state) : distributorId;
    const distributor = id ? await partnerStateOf(deps.store, id) : null;
    const events = decideRebate(command(state), state, { policy: policyAt(deps, occurredAt), occurredAt, distributor, agentPurchases });
    return { events, answer: (s, written) => answer(s, written.length > 0) };
  });
}

export const setCommitment = defineCommand({
  name: 'setCommitment',
  input: z.strictObject({ partnerId: EntityId, year: RebateYear, amount: AmountFen, occurredAt: OccurredAt }),
  async run(deps, input, ctx) {
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    const h = await decideOnRebates(
      deps,
      ctx,
      input.partnerId,
      occurredAt,
      () => ({ type: 'SetCommitment', data: { partnerId: input.partnerId, year: input.year, amountFen: input.amount } }),
      (s, recorded) => ({ partnerId: input.partnerId, year: input.year, commitmentFen: s.rebates.commitments.get(input.year) ?? null, recorded }),
    );
    return outcome(h.answer, [h]);
  },
});

export const recordPurchase = defineCommand({
  name: 'recordPurchase',
  input: z.strictObject({ purchaseId: EntityId, partnerId: EntityId, amount: AmountFen, productLine: ProductLine, bid: z.boolean().default(false), occurredAt: OccurredAt }),
  async run(deps, input, ctx) {
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    const data = { purchaseId: input.purchaseId, partnerId: input.partnerId, amountFen: input.amount, productLine: input.productLine, bid: input.bid };
    const h = await decideOnRebates(
      deps,
      ctx,
      input.partnerId,
      occurredAt,
      () => ({ type: 'RecordPurchase', data }),
      (s, recorded) => ({ ...data, distributorId: s.rebates.purchases.get(input.purchaseId)?.distributorId ?? null, recorded }),
      (state) => state.rebates.distributorId, // its evaluated quarters are closed to the agent's purchases
    );
    return outcome(h.answer, [h]);
  },
});

/** The agent buys through this distributor from now on; secondLevel: under a three-party agreement (a second-level agent). */
export const lockToDistributor = defineCommand({
  name: 'lockToDistributor',
  input: z.strictObject({ partnerId: EntityId, distributorId: EntityId, secondLevel: z.boolean().optional(), occurredAt: OccurredAt }),
  async run(deps, input, ctx) {
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    const h = await decideOnRebates(
      deps,
      ctx,
      input.partnerId,
      occurredAt,
      () => ({ type: 'LockToDistributor', data: { partnerId: input.partnerId, distributorId: input.distributorId, ...(input.secondLevel ? { secondLevel: true as const } : {}) } }),
      (s, recorded) => ({ partnerId: input.partnerId, distributorId: s.rebates.distributorId, secondLevel: s.rebates.secondLevel, recorded }),
      input.distributorId,
    );
    return outcome(h.answer, [h]);
  },
});

/** payer "vendor" or the distributor (default: the agent's lock, else the vendor). */
export const payRebate = defineCommand({
  name: 'payRebate',
  input: z.strictObject({ partnerId: EntityId, rebatePaymentId: EntityId, amount: AmountFen, payer: z.union([z.literal('vendor'), EntityId]).optional(), occurredAt: OccurredAt }),
  async run(deps, input, ctx) {
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    let payerPartnerId: string | null = null;
    const h = await decideOnRebates(
      deps,
      ctx,
      input.partnerId,
      occurredAt,
      (state) => {
        payerPartnerId = input.payer === undefined ? state.rebates.distributorId : input.payer === 'vendor' ? null : input.payer;
        return { type: 'PayRebate', data: { rebatePaymentId: input.rebatePaymentId, partnerId: input.partnerId, payerPartnerId, amountFen: input.amount } };
      },
      (s, recorded) => ({
        partnerId: input.partnerId,
        rebatePaymentId: input.rebatePaymentId,
        payer: payerPartnerId ?? 'vendor',
        amountFen: input.amount,
        unpaidFen: unpaidRebateFen(s.rebates, payerKeyOf(payerPartnerId)),
        recorded,
      }),
    );
    return outcome(h.answer, [h]);
  },
});

/**
 * Every programme partner with a commitment for the year gets the quarter's RebateEarned
 * (amount 0 included), once; evaluating the quarter again writes nothing. A quarter earlier
 * than one already evaluated is refused for all before any write.
 */
export const evaluateRebates = defineCommand({
  name: 'evaluateRebates',
  input: z.strictObject({ quarter: Quarter, occurredAt: OccurredAt }),
  async run(commandDeps, input, ctx) {
    // A quarter's rebates are decided (and their events named) under the version in force at its end.
    const deps = depsForQuarter(commandDeps, input.quarter);
    rebateProgramme(deps.policy);
    const backfilled = input.occurredAt === undefined ? null : occurredAtOf(deps, ctx, input.occurredAt);
    const { year } = parseQuarter(input.quarter);
    await deps.lookups.catchUp();
    const ids = await deps.lookups.partnerIds();
    // Purchases recorded through each distributor by the agents locked to it (they climb its steps).
    const throughDistributor = new Map<string, AgentPurchase[]>();
    for (const partnerId of ids) {
      const state = await partnerStateOf(deps.store, partnerId);
      for (const p of state.rebates.purchases.values()) {
        if (p.distributorId === null) continue;
        const list = throughDistributor.get(p.distributorId) ?? [];
        list.push({ partnerId, amountFen: p.amountFen, bid: p.bid, occurredAt: p.occurredAt });
        throughDistributor.set(p.distributorId, list);
      }
      const later = [...state.rebates.earned.values()].filter((e) => e.year === year && compareQuarters(e.quarter, input.quarter) > 0);
      if (later.length > 0) {
        refuse('rebate-quarter-out-of-order', `rebate evaluation of ${input.quarter} refused: partner ${partnerId} is already evaluated for ${later.map((e) => e.quarter).join(', ')}`, {
          quarter: input.quarter,
          partnerId,
        });
      }
    }
    const occurredAt = evaluationEffectiveAt(input.quarter, deps.clock(), backfilled, deps.policy.timeZone);
    const handled: Array<HandledCommand<unknown>> = [];
    const rebates: Array<Omit<EventDataOf<'RebateEarned'>, 'year' | 'quarter'>> = [];
    for (const partnerId of ids) {
      const h = await decideOnRebates(
        deps,
        ctx,
        partnerId,
        occurredAt,
        () => ({ type: 'EvaluateRebate', data: { partnerId, quarter: input.quarter } }),
        () => null,
        null,
        throughDistributor.get(partnerId) ?? [],
      );
      handled.push(h);
      for (const e of h.stored) {
        if (e.type !== 'RebateEarned') continue;
        const { year: _y, quarter: _q, ...figures } = e.data as EventDataOf<'RebateEarned'>;
        rebates.push(figures);
      }
    }
    return outcome({ quarter: input.quarter, evaluated: rebates.length, rebates }, handled);
  },
});
