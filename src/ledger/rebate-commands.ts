// The rebate programme's commands (issue 9). Every fact lives on the partner's own stream, so a
// partner's purchases and its quarter's evaluation serialise there; an evaluation of a quarter
// writes one RebateEarned per programme partner with a commitment for the year, once.
import { type EventDataOf, partnerStream } from '../domain/events.js';
import { evolvePartner, initialPartnerState, type PartnerState } from '../domain/partner.js';
import { refuse } from '../domain/errors.js';
import { evaluationEffectiveAt } from '../domain/evaluation-effective-date.js';
import { compareQuarters, parseQuarter } from '../domain/quarter.js';
import { decideRebate, rebateProgramme, type RebateCommand } from '../domain/rebate-decide.js';
import { payerKeyOf, unpaidRebateFen } from '../domain/rebates.js';
import { type HandledCommand, handleStreamCommand, loadStream, runningTotalsFrom } from './command-handling.js';
import type { CommandCtx, CommandDeps, CommandOutcome } from './commands.js';
import { commandMeta } from './traffic-commands.js';

function outcomeOf<A>(answer: A, handled: ReadonlyArray<HandledCommand<unknown>>): CommandOutcome<A> {
  const positions = handled.flatMap((h) => (h.position === null ? [] : [h.position]));
  const position = positions.reduce<bigint | null>((max, p) => (max === null || p > max ? p : max), null);
  return { answer, positions, position };
}

async function partnerState(deps: CommandDeps, partnerId: string): Promise<PartnerState> {
  return (await loadStream(deps.store, partnerStream(partnerId), initialPartnerState, evolvePartner)).state;
}

function rebateCommand<A>(
  deps: CommandDeps,
  ctx: CommandCtx,
  partnerId: string,
  command: (state: PartnerState) => RebateCommand,
  answer: (s: PartnerState, written: boolean) => A,
  occurredAt?: string,
  distributorId?: string,
) {
  const meta = { ...commandMeta(deps, ctx), ...(occurredAt ? { occurredAt } : {}) };
  return handleStreamCommand<PartnerState, A>({
    store: deps.store,
    stream: partnerStream(partnerId),
    initial: initialPartnerState,
    evolve: evolvePartner,
    meta,
    totals: runningTotalsFrom(deps.lookups),
    decide: async (state) => {
      const distributor = distributorId ? await partnerState(deps, distributorId) : null;
      const events = decideRebate(command(state), state, { policy: deps.policy, occurredAt: meta.occurredAt, distributor });
      return { events, answer: (s, written) => answer(s, written.length > 0) };
    },
  });
}

/** POST /partners/:id/commitments {year, amount}. */
export async function setCommitment(deps: CommandDeps, input: { partnerId: string; year: number; amount: number }, ctx: CommandCtx) {
  const h = await rebateCommand(
    deps,
    ctx,
    input.partnerId,
    () => ({ type: 'SetCommitment', data: { partnerId: input.partnerId, year: input.year, amountFen: input.amount } }),
    (s, recorded) => ({ partnerId: input.partnerId, year: input.year, commitmentFen: s.rebates.commitments.get(input.year) ?? null, recorded }),
  );
  return outcomeOf(h.answer, [h]);
}

export interface RecordPurchaseInput {
  purchaseId: string;
  partnerId: string;
  amount: number;
  productLine: string;
  bid: boolean;
}

/** POST /purchases. */
export async function recordPurchase(deps: CommandDeps, input: RecordPurchaseInput, ctx: CommandCtx) {
  const data = { purchaseId: input.purchaseId, partnerId: input.partnerId, amountFen: input.amount, productLine: input.productLine, bid: input.bid };
  const h = await rebateCommand(
    deps,
    ctx,
    input.partnerId,
    () => ({ type: 'RecordPurchase', data }),
    (s, recorded) => ({ ...data, distributorId: s.rebates.purchases.get(input.purchaseId)?.distributorId ?? null, recorded }),
  );
  return outcomeOf(h.answer, [h]);
}

/** POST /partners/:id/distributor {distributorId}: the agent buys through this distributor from now on. */
export async function lockToDistributor(deps: CommandDeps, input: { partnerId: string; distributorId: string }, ctx: CommandCtx) {
  const h = await rebateCommand(
    deps,
    ctx,
    input.partnerId,
    () => ({ type: 'LockToDistributor', data: input }),
    (s, recorded) => ({ partnerId: input.partnerId, distributorId: s.rebates.distributorId, recorded }),
    undefined,
    input.distributorId,
  );
  return outcomeOf(h.answer, [h]);
}

/** POST /partners/:id/rebate-payments {rebatePaymentId, amount, payer?}: payer "vendor" or the distributor (default: the agent's lock, else the vendor). */
export async function payRebate(deps: CommandDeps, input: { partnerId: string; rebatePaymentId: string; amount: number; payer?: string | null }, ctx: CommandCtx) {
  let payerPartnerId: string | null = null;
  const h = await rebateCommand(
    deps,
    ctx,
    input.partnerId,
    (state) => {
      payerPartnerId = input.payer === undefined || input.payer === null ? state.rebates.distributorId : input.payer === 'vendor' ? null : input.payer;
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
  return outcomeOf(h.answer, [h]);
}

/**
 * POST /rebate-evaluations {quarter}: every programme partner with a commitment for the year
 * gets the quarter's RebateEarned (amount 0 included), once; evaluating the quarter again writes
 * nothing. A quarter earlier than one already evaluated is refused for all before any write.
 * The rebate takes effect when the domain says (evaluation-effective-date.ts): when the next
 * quarter starts, or now when evaluated before then, unless back-filled.
 */
export async function evaluateRebates(deps: CommandDeps, input: { quarter: string }, ctx: CommandCtx) {
  rebateProgramme(deps.policy);
  const { year } = parseQuarter(input.quarter);
  await deps.lookups.catchUp();
  const ids = await deps.lookups.partnerIds();
  for (const partnerId of ids) {
    const state = await partnerState(deps, partnerId);
    const later = [...state.rebates.earned.values()].filter((e) => e.year === year && compareQuarters(e.quarter, input.quarter) > 0);
    if (later.length > 0) {
      refuse('rebate-quarter-out-of-order', `rebate evaluation of ${input.quarter} refused: partner ${partnerId} is already evaluated for ${later.map((e) => e.quarter).join(', ')}`, {
        quarter: input.quarter,
        partnerId,
      });
    }
  }
  const occurredAt = evaluationEffectiveAt(input.quarter, deps.clock(), ctx.occurredAt, deps.policy.timeZone);
  const handled: Array<HandledCommand<unknown>> = [];
  const rebates: Array<Omit<EventDataOf<'RebateEarned'>, 'year' | 'quarter'>> = [];
  for (const partnerId of ids) {
    const h = await rebateCommand(deps, { ...ctx, occurredAt }, partnerId, () => ({ type: 'EvaluateRebate', data: { partnerId, quarter: input.quarter } }), () => null);
    handled.push(h);
    for (const e of h.stored) {
      if (e.type !== 'RebateEarned') continue;
      const { year: _y, quarter: _q, ...figures } = e.data as EventDataOf<'RebateEarned'>;
      rebates.push(figures);
    }
  }
  return outcomeOf({ quarter: input.quarter, evaluated: rebates.length, rebates }, handled);
}
