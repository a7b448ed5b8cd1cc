// Deals and customers: registrations (claims), stages, transfers, rulings, ownership.
import { KeyParams, TimeQuery } from '../http/api-schemas.js';
import { commandRoute } from '../http/command-route.js';
import { defineRoute } from '../http/route.js';
import { DealRegisteredAnswer, ForecastAnswer, OwnershipAnswer, RulingAnswer, StageAnswer, TransferAnswer } from '../http/answers.js';

const tag = 'deals';

export const registerDealRoute = commandRoute('registerDeal', {
  path: '/deals',
  tag,
  summary: 'Register a deal: a claim on a customer (DealRegistered); a customer someone else owns is kept as a competing claim',
  description:
    'Answers 201 with {dealId, customerKey, ownership: {ownerDealId, ownerPartnerId, status: "owner" | "competing"}}. ' +
    'partnerId is the registering partner, or "direct" for the direct sales team (managers only). A partner registers only for itself and never sets occurredAt.',
  roles: ['manager', 'partner'],
  response: DealRegisteredAnswer,
});

export const advanceStageRoute = commandRoute('advanceStage', {
  id: 'advanceDealStage',
  path: '/deals/:id/stage',
  pathFields: { id: 'dealId' },
  tag,
  summary: 'Report progress: a stage forward (DealStageAdvanced) or lost (DealLost); only the owning claim advances',
  roles: ['manager', 'partner'],
  response: StageAnswer,
});

export const reviseForecastRoute = commandRoute('reviseForecast', {
  path: '/deals/:id/forecast',
  pathFields: { id: 'dealId' },
  tag,
  summary: "Revise the week's estimates of an open deal: expectedPorts, expectedRevenue in fen, or both (ForecastRevised); each revision is kept, so a weekly report shows the figures known at its review",
  description: 'The owning partner (for its own deal, never back-dated) or a manager. At least one figure (else 400 forecast-empty); the revenue estimate is capped by limits.maxAmountFen (422 amount-over-limit); a signed or lost deal is final (422 deal-closed).',
  roles: ['manager', 'partner'],
  response: ForecastAnswer,
});

export const transferDealRoute = commandRoute('transferDeal', {
  path: '/deals/:id/transfer',
  pathFields: { id: 'dealId' },
  tag,
  summary: "Propose handing the customer from this (owning) deal to another live claim after 4 weeks without the owner's progress (TransferProposed); nothing moves until another manager approves it",
  description: 'Answers 202 with the transferId; POST /transfers/{id}/approve (a manager other than the proposer) writes DealTransferred, /reject refuses it. The 28-day rule is checked now and again at the approval.',
  roles: ['manager'],
  successStatus: 202,
  response: TransferAnswer,
});

export const ruleOwnershipRoute = commandRoute('ruleOwnership', {
  path: '/customers/:key/ruling',
  pathFields: { key: 'customerKey' },
  tag,
  summary: "A manager's ruling on who owns the customer (OwnershipRuled)",
  roles: ['manager'],
  response: RulingAnswer,
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
  response: OwnershipAnswer,
});

export const dealsRoutes = [registerDealRoute, advanceStageRoute, reviseForecastRoute, transferDealRoute, ruleOwnershipRoute, getOwnershipRoute];
