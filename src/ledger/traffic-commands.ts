// The wholesale-voice traffic commands (issue 10): bill traffic against a reseller's deposit,
// record its settlements. Both decide on the reseller's partner stream, so concurrent bills for
// one reseller serialise on its revision (and, in-process, on the stream's mutex).
import { partnerStream } from '../domain/events.js';
import { evolvePartner, initialPartnerState, type PartnerState } from '../domain/partner.js';
import { creditUseOf, trafficOutstandingFen } from '../domain/traffic.js';
import { decideTrafficBill, decideTrafficSettlement } from '../domain/traffic-decide.js';
import type { EventMeta } from './command-handling.js';
import { handleStreamCommand, runningTotalsFrom } from './command-handling.js';
import type { CommandCtx, CommandDeps, CommandOutcome } from './commands.js';

export interface BillTrafficInput {
  partnerId: string;
  billId: string;
  /** Fen. */
  amount: number;
  /** The month the traffic was carried in, "2026-07". */
  period: string;
}

export interface SettleTrafficInput {
  partnerId: string;
  settlementId: string;
  /** Fen. */
  amount: number;
}

export interface CreditAnswer {
  partnerId: string;
  creditLimitFen: number;
  trafficOutstandingFen: number;
  creditAvailableFen: number;
  /** false when the same bill or settlement was recorded already (nothing written). */
  recorded: boolean;
}

/** The envelope fields of a command's events (the same as commands.ts writes). */
export function commandMeta(deps: CommandDeps, ctx: CommandCtx): EventMeta {
  return {
    occurredAt: ctx.occurredAt ?? deps.clock(),
    actor: ctx.actor,
    commandId: ctx.commandId,
    correlationId: ctx.correlationId,
    policyVersion: deps.policy.version,
  };
}

function creditAnswer(s: PartnerState, recorded: boolean): CreditAnswer {
  const use = creditUseOf(s.depositFen, trafficOutstandingFen(s.traffic));
  return { partnerId: s.partnerId!, ...use, recorded };
}

function outcomeOf<A>(answer: A, position: bigint | null): CommandOutcome<A> {
  return { answer, positions: position === null ? [] : [position], position };
}

/** POST /partners/:id/traffic: TrafficBilled, or a 422 naming the limit, the outstanding traffic and the shortfall. */
export async function billTraffic(deps: CommandDeps, input: BillTrafficInput, ctx: CommandCtx): Promise<CommandOutcome<CreditAnswer & { billId: string }>> {
  const handled = await handleStreamCommand<PartnerState, CreditAnswer & { billId: string }>({
    store: deps.store,
    stream: partnerStream(input.partnerId),
    initial: initialPartnerState,
    evolve: evolvePartner,
    meta: commandMeta(deps, ctx),
    totals: runningTotalsFrom(deps.lookups),
    decide: (state) => ({
      events: decideTrafficBill({ partnerId: input.partnerId, billId: input.billId, amountFen: input.amount, period: input.period }, state, deps.policy),
      answer: (s, events) => ({ billId: input.billId, ...creditAnswer(s, events.length > 0) }),
    }),
  });
  return outcomeOf(handled.answer, handled.position);
}

/** POST /partners/:id/traffic-settlements: TrafficSettled, refused above the outstanding traffic. */
export async function settleTraffic(deps: CommandDeps, input: SettleTrafficInput, ctx: CommandCtx): Promise<CommandOutcome<CreditAnswer & { settlementId: string }>> {
  const handled = await handleStreamCommand<PartnerState, CreditAnswer & { settlementId: string }>({
    store: deps.store,
    stream: partnerStream(input.partnerId),
    initial: initialPartnerState,
    evolve: evolvePartner,
    meta: commandMeta(deps, ctx),
    totals: runningTotalsFrom(deps.lookups),
    decide: (state) => ({
      events: decideTrafficSettlement({ partnerId: input.partnerId, settlementId: input.settlementId, amountFen: input.amount }, state, deps.policy),
      answer: (s, events) => ({ settlementId: input.settlementId, ...creditAnswer(s, events.length > 0) }),
    }),
  });
  return outcomeOf(handled.answer, handled.position);
}
