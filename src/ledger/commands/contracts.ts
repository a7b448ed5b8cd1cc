// Contracts: the owning claim's contract submitted to the vendor, confirmed (the signing) or
// rejected by a manager. Each decides on the deal's customer stream; the rules are
// src/domain/contracts.ts, the own-partner rule src/domain/own-partner.ts.
import { z } from 'zod';
import { occurredAtProblem } from '../../domain/business-time.js';
import type { CustomerCommand } from '../../domain/customer-decide.js';
import { type CustomerState, findClaim } from '../../domain/customer.js';
import { refuse } from '../../domain/errors.js';
import { ContractPorts } from '../../domain/events.js';
import { type CommandCtx, type CommandDeps, defineCommand, occurredAtOf, outcome } from '../command-handling.js';
import { customerKeyOfDeal, decideOnCustomer, ownClaimOnly, ownershipSummary } from './deals.js';
import { AmountFen, EntityId, FreeText, IsoInstant, OccurredAt } from './fields.js';

/** Decides a contract command on the deal's customer; a partner acts only on its own claim (else: an unknown deal). */
async function onDealsCustomer<A>(deps: CommandDeps, ctx: CommandCtx, dealId: string, occurredAt: string, command: CustomerCommand, answer: (s: CustomerState, key: string) => A) {
  const key = await customerKeyOfDeal(deps, dealId);
  return decideOnCustomer(
    deps,
    ctx,
    key,
    occurredAt,
    command,
    (s) => answer(s, key),
    ownClaimOnly(ctx, dealId),
  );
}

export const submitContract = defineCommand({
  name: 'submitContract',
  input: z.strictObject({
    dealId: EntityId,
    ports: ContractPorts.meta({ description: 'Ports the contract sells' }),
    contractValue: AmountFen.meta({ description: "The contract's value in integer fen (1234500 is 12,345.00 CNY)" }),
    occurredAt: OccurredAt,
  }),
  async run(deps, input, ctx) {
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    const command: CustomerCommand = { type: 'SubmitContract', data: { dealId: input.dealId, ports: input.ports, contractValueFen: input.contractValue } };
    const h = await onDealsCustomer(deps, ctx, input.dealId, occurredAt, command, (s, key) => ({
      dealId: input.dealId,
      customerKey: key,
      contract: { status: 'submitted' as const, ports: input.ports, contractValueFen: input.contractValue, submittedAt: findClaim(s, input.dealId)?.contract?.submittedAt ?? occurredAt },
    }));
    return outcome(h.answer, [h]);
  },
});

export const confirmContract = defineCommand({
  name: 'confirmContract',
  input: z.strictObject({
    dealId: EntityId,
    signedAt: IsoInstant.meta({
      description: "The signing date: the deal is signed at this instant (not before the contract's submission; within the policy's limits like an occurredAt)",
    }),
  }),
  async run(deps, input, ctx) {
    // The signing date is the confirmation's business time, admitted like a back-filled occurredAt.
    const problem = occurredAtProblem(input.signedAt, deps.policy, deps.clock());
    if (problem !== null) refuse('signed-at-out-of-range', problem, { field: 'signedAt', signedAt: input.signedAt }, 'invalid');
    const command: CustomerCommand = { type: 'ConfirmContract', data: { dealId: input.dealId } };
    const h = await onDealsCustomer(deps, ctx, input.dealId, input.signedAt, command, (s, key) => ({
      dealId: input.dealId,
      customerKey: key,
      stage: findClaim(s, input.dealId)?.stage ?? null,
      signedAt: findClaim(s, input.dealId)?.signedAt ?? null,
      ownership: ownershipSummary(s, input.dealId),
    }));
    return outcome(h.answer, [h]);
  },
});

export const rejectContract = defineCommand({
  name: 'rejectContract',
  input: z.strictObject({ dealId: EntityId, reason: FreeText, occurredAt: OccurredAt }),
  async run(deps, input, ctx) {
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    const command: CustomerCommand = { type: 'RejectContract', data: { dealId: input.dealId, reason: input.reason } };
    const h = await onDealsCustomer(deps, ctx, input.dealId, occurredAt, command, (_s, key) => ({
      dealId: input.dealId,
      customerKey: key,
      contract: { status: 'rejected' as const, reason: input.reason.trim() },
    }));
    return outcome(h.answer, [h]);
  },
});
