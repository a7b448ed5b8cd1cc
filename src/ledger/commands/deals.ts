// Deals and customers: registrations (claims), stages, rulings (transfers: transfers.ts). Each decides on the
// customer's stream (customer-<key>), which serialises every claim on one customer; the rules are
// src/domain/customer-decide.ts, the own-partner rule src/domain/own-partner.ts.
import { z } from 'zod';
import { chooseCustomerKey, customerKeyOf } from '../../domain/customer-key.js';
import { type CustomerCommand, type CustomerDecideContext, decideCustomer, requireForecastFigures } from '../../domain/customer-decide.js';
import { type ClaimStatus, type CustomerState, findClaim, ownershipOf } from '../../domain/customer.js';
import { type LedgerEvent, Stage } from '../../domain/events.js';
import { DIRECT_SALES, requireActsForItself, requireOwnClaim, unknownDeal } from '../../domain/own-partner.js';
import { type CommandCtx, type CommandDeps, defineCommand, occurredAtOf, onCustomerStream, outcome, partnerStateOf, policyAt } from '../command-handling.js';

/** A refund claws back at the rate its cash now earns: the line's, or the last back-dated adjustment's (policy-adoption.ts). */
function adjustedRatesOf(deps: CommandDeps): Partial<CustomerDecideContext> {
  const rates = deps.policies?.state().accrualRatesBps;
  return rates && rates.size > 0 ? { adjustedRateBps: (accrualEventId) => rates.get(accrualEventId) } : {};
}
import { EntityId, FreeText, NonNegativeFen, OccurredAt, Ports } from './fields.js';

/** Decides a customer command at the command's business time; `more` adds what the rule reads from other streams. */
export function decideOnCustomer<A>(
  deps: CommandDeps,
  ctx: CommandCtx,
  customerKey: string,
  occurredAt: string,
  command: CustomerCommand,
  answer: (s: CustomerState, events: readonly LedgerEvent[]) => A,
  more: (state: CustomerState) => Promise<Partial<CustomerDecideContext>> | Partial<CustomerDecideContext> = () => ({}),
) {
  return onCustomerStream<A>(deps, ctx, customerKey, occurredAt, async (state) => {
    const context: CustomerDecideContext = { policy: policyAt(deps, occurredAt), occurredAt, actor: ctx.actor, ...adjustedRatesOf(deps), ...(await more(state)) };
    return { events: decideCustomer(command, state, context), answer };
  });
}

/** A partner acts only on its own claim (own-partner.ts); checked on the state the command decides on. */
export const ownClaimOnly = (ctx: CommandCtx, dealId: string) => (state: CustomerState): Partial<CustomerDecideContext> => {
  requireOwnClaim(ctx.actor, findClaim(state, dealId), dealId);
  return {};
};

/** The customer a deal id claims (the read model's index, caught up); an unknown deal is 404. */
export async function customerKeyOfDeal(deps: CommandDeps, dealId: string): Promise<string> {
  await deps.lookups.catchUp();
  return (await deps.lookups.customerKeyOfDeal(dealId)) ?? unknownDeal(dealId);
}

/** The ownership as a command's answer states it, from one claim's side. */
export function ownershipSummary(state: CustomerState, dealId: string): { ownerDealId: string | null; ownerPartnerId: string | null; status: ClaimStatus; rule: string } {
  const o = ownershipOf(state);
  const claim = o.claims.find((c) => c.dealId === dealId);
  if (!claim) throw new Error(`invariant: deal ${dealId} is not a claim on ${state.customerKey}`);
  return { ownerDealId: o.ownerDealId, ownerPartnerId: o.ownerPartnerId, status: claim.status, rule: o.rule };
}

export const registerDeal = defineCommand({
  name: 'registerDeal',
  input: z.strictObject({
    dealId: EntityId,
    partnerId: EntityId.meta({ description: 'The partner, or "direct" for the direct sales team' }),
    customer: z.strictObject({
      name: FreeText,
      taxId: z.string().trim().min(1).max(64).optional().meta({ description: 'Unified social credit code (18 characters), when known' }),
    }),
    expectedPorts: Ports.optional(),
    expectedRevenue: NonNegativeFen.optional(),
    occurredAt: OccurredAt,
  }),
  async run(deps, input, ctx) {
    requireActsForItself(ctx.actor, input.partnerId);
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    const direct = input.partnerId === DIRECT_SALES;
    const taxId = input.customer.taxId ?? null;
    const { key, match } = customerKeyOf({ name: input.customer.name, taxId });
    const command: CustomerCommand = {
      type: 'RegisterDeal',
      data: {
        dealId: input.dealId,
        customerKey: key,
        customer: { name: input.customer.name, taxId },
        match,
        channel: direct ? 'direct' : 'partner',
        partnerId: direct ? null : input.partnerId,
        expectedPorts: input.expectedPorts ?? null,
        expectedRevenueFen: input.expectedRevenue ?? null,
      },
    };
    const h = await decideOnCustomer(
      deps,
      ctx,
      key,
      occurredAt,
      command,
      (s) => {
        const o = ownershipSummary(s, input.dealId);
        return { dealId: input.dealId, customerKey: key, match, ownership: { ownerDealId: o.ownerDealId, ownerPartnerId: o.ownerPartnerId, status: o.status }, rule: o.rule };
      },
      async () => ({ registeringPartner: direct ? null : await partnerStateOf(deps.store, input.partnerId) }),
    );
    return outcome(h.answer, [h]);
  },
});

export const advanceStage = defineCommand({
  name: 'advanceStage',
  input: z.strictObject({ dealId: EntityId, stage: z.enum([...Stage.options, 'lost']), reason: FreeText.optional(), occurredAt: OccurredAt }),
  async run(deps, input, ctx) {
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    const key = await customerKeyOfDeal(deps, input.dealId);
    const command: CustomerCommand = { type: 'AdvanceStage', data: { dealId: input.dealId, stage: input.stage, reason: input.reason ?? null } };
    const h = await decideOnCustomer(
      deps,
      ctx,
      key,
      occurredAt,
      command,
      (s) => ({ dealId: input.dealId, customerKey: key, stage: input.stage, ownership: ownershipSummary(s, input.dealId) }),
      ownClaimOnly(ctx, input.dealId),
    );
    return outcome(h.answer, [h]);
  },
});

/** The week's revised estimates (ForecastRevised); the owning partner or a manager, on an open deal. */
export const reviseForecast = defineCommand({
  name: 'reviseForecast',
  // At least one of the two: the domain refuses an empty revision (forecast-empty, 400), since a
  // refinement here would not survive the route's split into params and body.
  input: z.strictObject({
    dealId: EntityId,
    expectedPorts: Ports.optional().meta({ description: 'Ports needed, as revised this week' }),
    expectedRevenue: NonNegativeFen.optional().meta({ description: 'The revenue estimate in integer fen, as revised this week (at most limits.maxAmountFen)' }),
    occurredAt: OccurredAt,
  }),
  async run(deps, input, ctx) {
    requireForecastFigures(input.dealId, input.expectedPorts ?? null, input.expectedRevenue ?? null);
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    const key = await customerKeyOfDeal(deps, input.dealId);
    const command: CustomerCommand = {
      type: 'ReviseForecast',
      data: { dealId: input.dealId, expectedPorts: input.expectedPorts ?? null, expectedRevenueFen: input.expectedRevenue ?? null },
    };
    const h = await decideOnCustomer(
      deps,
      ctx,
      key,
      occurredAt,
      command,
      () => ({ dealId: input.dealId, customerKey: key, expectedPorts: input.expectedPorts ?? null, expectedRevenueFen: input.expectedRevenue ?? null, revisedAt: occurredAt }),
      ownClaimOnly(ctx, input.dealId),
    );
    return outcome(h.answer, [h]);
  },
});

export const ruleOwnership = defineCommand({
  name: 'ruleOwnership',
  input: z.strictObject({
    customerKey: z.string().min(1).max(300).meta({ description: 'The customer key, or a name / tax id that normalises to it' }),
    ownerDealId: EntityId,
    reason: FreeText,
    occurredAt: OccurredAt,
  }),
  async run(deps, input, ctx) {
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    await deps.lookups.catchUp();
    const key = chooseCustomerKey(input.customerKey, await deps.lookups.customerKeysMatching(input.customerKey), 'command');
    const command: CustomerCommand = { type: 'RuleOwnership', data: { ownerDealId: input.ownerDealId, reason: input.reason } };
    const h = await decideOnCustomer(deps, ctx, key, occurredAt, command, (s) => {
      const o = ownershipOf(s);
      return { customerKey: key, ownerDealId: o.ownerDealId, ownerPartnerId: o.ownerPartnerId, rule: o.rule, ruleDetail: o.ruleDetail };
    });
    return outcome(h.answer, [h]);
  },
});
