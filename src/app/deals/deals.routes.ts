// Deals and customers: registrations (claims), stages, transfers, rulings, ownership.
import { z } from 'zod';
import { Stage } from '../../domain/events.js';
import { EntityId, IdParams, KeyParams, NonNegativeFenInput, OccurredAt, ReasonText, TimeQuery } from '../http/api-schemas.js';
import { defineRoute } from '../http/route.js';

const occurredAt = OccurredAt().optional();
const tag = 'deals';

export const DealStageInput = z.enum([...Stage.options, 'lost']);

export const registerDealRoute = defineRoute({
  id: 'registerDeal',
  method: 'POST',
  path: '/deals',
  tag,
  summary: 'Register a deal: a claim on a customer (DealRegistered); a customer someone else owns is kept as a competing claim',
  description:
    'Answers 201 with {dealId, customerKey, ownership: {ownerDealId, ownerPartnerId, status: "owner" | "competing"}}. ' +
    'partnerId is the registering partner, or "direct" for the direct sales team (managers only). A partner registers only for itself and never sets occurredAt.',
  roles: ['manager', 'partner'],
  body: z.strictObject({
    dealId: EntityId,
    partnerId: EntityId.meta({ description: 'The partner, or "direct" for the direct sales team' }),
    customer: z.strictObject({
      name: ReasonText,
      taxId: z.string().trim().min(1).max(64).optional().meta({ description: 'Unified social credit code (18 characters), when known' }),
    }),
    expectedPorts: z.number().int().min(0).max(10_000_000).optional(),
    expectedRevenue: NonNegativeFenInput.optional(),
    occurredAt,
  }),
  successStatus: 201,
});

export const advanceStageRoute = defineRoute({
  id: 'advanceDealStage',
  method: 'POST',
  path: '/deals/:id/stage',
  tag,
  summary: 'Report progress: a stage forward (DealStageAdvanced) or lost (DealLost); only the owning claim advances',
  roles: ['manager', 'partner'],
  params: IdParams,
  body: z.strictObject({ stage: DealStageInput, reason: ReasonText.optional(), occurredAt }),
  successStatus: 201,
});

export const transferDealRoute = defineRoute({
  id: 'transferDeal',
  method: 'POST',
  path: '/deals/:id/transfer',
  tag,
  summary: "Hand the customer from this (owning) deal to another live claim after 4 weeks without the owner's progress (DealTransferred)",
  roles: ['manager'],
  params: IdParams,
  body: z.strictObject({ toDealId: EntityId, reason: ReasonText, occurredAt }),
  successStatus: 201,
});

export const ruleOwnershipRoute = defineRoute({
  id: 'ruleOwnership',
  method: 'POST',
  path: '/customers/:key/ruling',
  tag,
  summary: "A manager's ruling on who owns the customer (OwnershipRuled)",
  roles: ['manager'],
  params: KeyParams,
  body: z.strictObject({ ownerDealId: EntityId, reason: ReasonText, occurredAt }),
  successStatus: 201,
});

export const getOwnershipRoute = defineRoute({
  id: 'getOwnership',
  method: 'GET',
  path: '/customers/:key/ownership',
  tag,
  summary: 'Who owns a customer, every claim, and the rule that made the owner (partner tokens: only with a claim on it)',
  description: 'The key is the customer key, or a name / tax id that normalises to it.',
  roles: ['manager', 'auditor', 'partner'],
  params: KeyParams,
  query: TimeQuery,
  successStatus: 200,
});

export const dealsRoutes = [registerDealRoute, advanceStageRoute, transferDealRoute, ruleOwnershipRoute, getOwnershipRoute];
