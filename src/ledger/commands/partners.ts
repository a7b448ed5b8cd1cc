// Partners: signing, deposits and deductions, manual tier changes. Each decides on the
// partner's own stream (partner-<id>); the rules are src/domain/partner-decide.ts.
import { z } from 'zod';
import type { DecideContext } from '../../domain/decide-context.js';
import { PartnerKind, TierName } from '../../domain/events.js';
import { decidePartner, depositRequirement, type PartnerCommand } from '../../domain/partner-decide.js';
import { currentTier, type PartnerState } from '../../domain/partner.js';
import type { Policy } from '../../domain/policy.js';
import { type CommandCtx, type CommandDeps, defineCommand, occurredAtOf, onPartnerStream, outcome, partnerStateOf, policyAt } from '../command-handling.js';
import { AmountFen, EntityId, FreeText, OccurredAt } from './fields.js';

function decideOnPartner<A>(deps: CommandDeps, ctx: CommandCtx, partnerId: string, occurredAtInput: string | undefined, command: PartnerCommand, answer: (s: PartnerState, events: readonly { type: string; data: unknown }[]) => A, parentId: string | null = null) {
  const occurredAt = occurredAtOf(deps, ctx, occurredAtInput);
  const context: DecideContext = { policy: policyAt(deps, occurredAt), occurredAt, actor: ctx.actor };
  return onPartnerStream<A>(deps, ctx, partnerId, occurredAt, async (state) => {
    const parent = parentId ? await partnerStateOf(deps.store, parentId) : null;
    return { events: decidePartner(command, state, { ...context, parent }), answer };
  });
}

function depositAnswer(policy: Policy, s: PartnerState) {
  const r = depositRequirement(s, policy);
  return { partnerId: s.partnerId!, depositFen: s.depositFen, debtFen: s.debtFen, depositRequiredFen: r.requiredFen, shortfallFen: r.shortfallFen };
}

export const signPartner = defineCommand({
  name: 'signPartner',
  input: z.strictObject({
    partnerId: EntityId,
    name: FreeText,
    kind: PartnerKind,
    tier: TierName,
    parentPartnerId: EntityId.optional(),
    territory: FreeText.optional(),
    occurredAt: OccurredAt,
  }),
  async run(deps, input, ctx) {
    const data = { partnerId: input.partnerId, name: input.name, kind: input.kind, tier: input.tier, parentPartnerId: input.parentPartnerId ?? null, territory: input.territory ?? null };
    const h = await decideOnPartner(deps, ctx, input.partnerId, input.occurredAt, { type: 'SignPartner', data }, (s) => ({ ...data, signedAt: s.signedAt }), data.parentPartnerId);
    return outcome(h.answer, [h]);
  },
});

export const postDeposit = defineCommand({
  name: 'postDeposit',
  input: z.strictObject({ partnerId: EntityId, amount: AmountFen, occurredAt: OccurredAt }),
  async run(deps, input, ctx) {
    const command: PartnerCommand = { type: 'PostDeposit', data: { partnerId: input.partnerId, amountFen: input.amount } };
    const h = await decideOnPartner(deps, ctx, input.partnerId, input.occurredAt, command, (s) => depositAnswer(policyAt(deps, deps.clock()), s));
    return outcome(h.answer, [h]);
  },
});

export const deductDeposit = defineCommand({
  name: 'deductDeposit',
  input: z.strictObject({ partnerId: EntityId, amount: AmountFen, reason: FreeText, reference: FreeText.optional(), occurredAt: OccurredAt }),
  async run(deps, input, ctx) {
    const command: PartnerCommand = { type: 'DeductDeposit', data: { partnerId: input.partnerId, amountFen: input.amount, reason: input.reason, reference: input.reference ?? null } };
    const h = await decideOnPartner(deps, ctx, input.partnerId, input.occurredAt, command, (s, events) => {
      const d = events[0]?.type === 'DepositDeducted' ? (events[0].data as { requestedFen: number; deductedFen: number; debtFen: number }) : null;
      return { ...depositAnswer(policyAt(deps, deps.clock()), s), requestedFen: d?.requestedFen ?? 0, deductedFen: d?.deductedFen ?? 0, addedDebtFen: d?.debtFen ?? 0 };
    });
    return outcome(h.answer, [h]);
  },
});

export const changeTier = defineCommand({
  name: 'changeTier',
  input: z.strictObject({ partnerId: EntityId, tier: TierName, reason: FreeText, occurredAt: OccurredAt }),
  async run(deps, input, ctx) {
    const command: PartnerCommand = { type: 'ChangeTier', data: { partnerId: input.partnerId, tier: input.tier, reason: input.reason } };
    const h = await decideOnPartner(deps, ctx, input.partnerId, input.occurredAt, command, (s, events) => ({
      from: events[0]?.type === 'TierChanged' ? (events[0].data as { from: string }).from : null,
      tier: currentTier(s),
      ...depositAnswer(policyAt(deps, deps.clock()), s),
    }));
    return outcome(h.answer, [h]);
  },
});
