// Decisions on a customer's stream: claims, stages, transfers, rulings, cash and refunds; the
// contracts' rules are src/domain/contracts.ts, the transfers' (proposal, approval) transfers.ts.
import { requireAmountFen, requireWithinLimit } from './amount-limit.js';
import type { CustomerState, RevenueLine, Stage } from './customer.js';
import { findClaim, ownerClaim, ownerClaimAt, stageOrder } from './customer.js';
import { ownerWords, requireClaim, requireOpen } from './claim-checks.js';
import { type ContractCommand, decideContract, requireVendorSigns } from './contracts.js';
import { decideTransferCommand, type TransferCommand } from './transfers.js';
import type { CustomerMatch } from './customer-key.js';
import { type DecideContext, eventOf, requiredText, requireManager } from './decide-context.js';
import { assertNever, refuse } from './errors.js';
import type { EventOf } from './events.js';
import { applyRateBps, formatFen } from './money.js';
import { linePaysCommission, noRateReason } from './asp-line.js';
import { commissionRateBps } from './policy.js';
import { type PartnerState, tierAt } from './partner.js';
import { partnerViewOf } from './partner-view.js';

export type CustomerCommand =
  | {
      type: 'RegisterDeal';
      data: {
        dealId: string;
        customerKey: string;
        customer: { name: string; taxId: string | null };
        match: CustomerMatch;
        channel: 'partner' | 'direct';
        partnerId: string | null;
        expectedPorts: number | null;
        expectedRevenueFen: number | null;
      };
    }
  | { type: 'AdvanceStage'; data: { dealId: string; stage: Stage | 'lost'; reason?: string | null } }
  | { type: 'RuleOwnership'; data: { ownerDealId: string; reason: string } }
  | { type: 'ReviseForecast'; data: { dealId: string; expectedPorts: number | null; expectedRevenueFen: number | null } }
  | { type: 'ReceivePayment'; data: { paymentId: string; dealId: string; line: RevenueLine; amountFen: number } }
  | { type: 'IssueRefund'; data: { refundId: string; paymentId: string; amountFen: number; reason: string } }
  | ContractCommand
  | TransferCommand;

export interface CustomerDecideContext extends DecideContext {
  /** RegisterDeal by a partner: that partner's state. */
  registeringPartner?: PartnerState | null;
  /** ReceivePayment: the state of the partner that owned the customer when the cash was received. */
  ownerPartner?: PartnerState | null;
  /**
   * IssueRefund: the rate an accrual line now carries when a back-dated policy version adjusted it
   * (policy-adoption.ts), by the accrual's event id; undefined: the rate it was recorded at.
   */
  adjustedRateBps?: (accrualEventId: string) => number | undefined;
}

export type CustomerEvent = EventOf<
  | 'DealRegistered'
  | 'DealStageAdvanced'
  | 'DealLost'
  | 'ForecastRevised'
  | 'DealTransferred'
  | 'OwnershipRuled'
  | 'PaymentReceived'
  | 'CommissionAccrued'
  | 'RefundIssued'
  | 'CommissionClawedBack'
  | 'ContractSubmitted'
  | 'ContractConfirmed'
  | 'ContractRejected'
  | 'TransferProposed'
  | 'TransferRejected'
>;

export function decideCustomer(command: CustomerCommand, state: CustomerState, ctx: CustomerDecideContext): CustomerEvent[] {
  switch (command.type) {
    case 'RegisterDeal':
      return [decideRegistration(command.data, state, ctx)];
    case 'AdvanceStage':
      return [decideStage(command.data, state, ctx)];
    case 'ProposeTransfer':
    case 'ApproveTransfer':
    case 'RejectTransfer':
      return [decideTransferCommand(command, state, ctx)];
    case 'RuleOwnership':
      return [decideRuling(command.data, state, ctx)];
    case 'ReviseForecast':
      return [decideForecast(command.data, state, ctx)];
    case 'ReceivePayment':
      return decidePayment(command.data, state, ctx);
    case 'IssueRefund':
      return decideRefund(command.data, state, ctx);
    case 'SubmitContract':
    case 'ConfirmContract':
    case 'RejectContract':
      return [decideContract(command, state, ctx)];
    default:
      return assertNever(command, 'customer command');
  }
}

// ---- claims ----------------------------------------------------------------------------------

function decideRegistration(
  d: Extract<CustomerCommand, { type: 'RegisterDeal' }>['data'],
  state: CustomerState,
  ctx: CustomerDecideContext,
): EventOf<'DealRegistered'> {
  if (d.customerKey !== state.customerKey) throw new Error(`registration for ${d.customerKey} decided on ${state.customerKey}`);
  if (findClaim(state, d.dealId)) {
    refuse('deal-id-taken', `deal ${d.dealId} is already registered on customer ${state.customerKey}`, { dealId: d.dealId }, 'conflict');
  }
  if (d.channel === 'direct' && d.partnerId !== null) throw new Error('a direct sales claim names no partner');
  if (d.channel === 'partner') {
    const p = ctx.registeringPartner;
    if (d.partnerId === null || !p?.signed || p.partnerId !== d.partnerId) {
      refuse('partner-unknown', `partner ${d.partnerId} is not signed`, { partnerId: d.partnerId }, 'not-found');
    }
  }
  if (d.expectedRevenueFen !== null) requireWithinLimit(d.expectedRevenueFen, ctx.policy, 'revenue estimate');
  return eventOf('DealRegistered', {
    dealId: d.dealId,
    customerKey: d.customerKey,
    customer: d.customer,
    match: d.match,
    channel: d.channel,
    partnerId: d.partnerId,
    expectedPorts: d.expectedPorts,
    expectedRevenueFen: d.expectedRevenueFen,
  });
}

function decideStage(
  d: Extract<CustomerCommand, { type: 'AdvanceStage' }>['data'],
  state: CustomerState,
  ctx: CustomerDecideContext,
): EventOf<'DealStageAdvanced' | 'DealLost'> {
  const claim = requireClaim(state, d.dealId);
  requireOpen(claim, d.stage === 'lost' ? 'closing the deal' : 'stage change');
  if (d.stage === 'signed') requireVendorSigns(ctx, claim.dealId);
  if (ctx.occurredAt < claim.registeredAt) {
    refuse('stage-before-registration', `stage change refused: ${ctx.occurredAt} is before the deal's registration at ${claim.registeredAt}`, {
      occurredAt: ctx.occurredAt,
      registeredAt: claim.registeredAt,
    });
  }
  if (d.stage === 'lost') {
    return eventOf('DealLost', { dealId: d.dealId, customerKey: state.customerKey, reason: d.reason?.trim() || null });
  }
  if (ownerClaim(state)?.dealId !== claim.dealId) {
    if (ctx.actor.role === 'partner') {
      // A partner is told what partner-view.ts lets it know of the owning claim, never its deal.
      const view = partnerViewOf(state, ctx.actor.id, ctx.policy);
      refuse('only-owner-advances', `stage change refused: deal ${claim.dealId} does not own customer ${state.customerKey}; ${view?.explanation ?? 'another claim owns it'}`, {
        dealId: claim.dealId,
        ownerSince: view?.ownerSince ?? null,
        transferableFrom: view?.transferableFrom ?? null,
      });
    }
    refuse('only-owner-advances', `stage change refused: deal ${claim.dealId} does not own customer ${state.customerKey}; ${ownerWords(state)}`, {
      dealId: claim.dealId,
      ownerDealId: ownerClaim(state)?.dealId ?? null,
    });
  }
  const from = claim.stage;
  if (from !== null && stageOrder.indexOf(d.stage) <= stageOrder.indexOf(from)) {
    refuse('stage-forward-only', `stage change refused: deal ${claim.dealId} is at ${from}; stages move forward only (to ${d.stage} is not forward)`, {
      from,
      to: d.stage,
    });
  }
  return eventOf('DealStageAdvanced', { dealId: d.dealId, customerKey: state.customerKey, from, stage: d.stage });
}

/** A forecast revision names at least one figure (malformed otherwise: 400, before any other rule). */
export function requireForecastFigures(dealId: string, expectedPorts: number | null, expectedRevenueFen: number | null): void {
  if (expectedPorts === null && expectedRevenueFen === null) {
    refuse('forecast-empty', `forecast revision refused: give expectedPorts, expectedRevenue or both for deal ${dealId}`, { dealId }, 'invalid');
  }
}

/** The week's revised estimates: an open claim's, at least one figure, revenue within the policy's cap, not before its registration. */
function decideForecast(
  d: Extract<CustomerCommand, { type: 'ReviseForecast' }>['data'],
  state: CustomerState,
  ctx: CustomerDecideContext,
): EventOf<'ForecastRevised'> {
  requireForecastFigures(d.dealId, d.expectedPorts, d.expectedRevenueFen);
  const claim = requireClaim(state, d.dealId);
  requireOpen(claim, 'forecast revision');
  if (d.expectedRevenueFen !== null) requireWithinLimit(d.expectedRevenueFen, ctx.policy, 'revenue estimate');
  if (ctx.occurredAt < claim.registeredAt) {
    refuse('forecast-before-registration', `forecast revision refused: ${ctx.occurredAt} is before the deal's registration at ${claim.registeredAt}`, {
      occurredAt: ctx.occurredAt,
      registeredAt: claim.registeredAt,
    });
  }
  return eventOf('ForecastRevised', { dealId: claim.dealId, customerKey: state.customerKey, expectedPorts: d.expectedPorts, expectedRevenueFen: d.expectedRevenueFen });
}

function decideRuling(
  d: Extract<CustomerCommand, { type: 'RuleOwnership' }>['data'],
  state: CustomerState,
  ctx: CustomerDecideContext,
): EventOf<'OwnershipRuled'> {
  requireManager(ctx, 'ruling-needs-manager', 'ruling');
  const reason = requiredText(d.reason, 'ruling-reason-required', 'a reason for the ruling');
  const claim = requireClaim(state, d.ownerDealId);
  if (claim.lost) refuse('ruling-owner-lost', `ruling refused: deal ${claim.dealId} is lost and can own nothing`, { dealId: claim.dealId });
  return eventOf('OwnershipRuled', { customerKey: state.customerKey, ownerDealId: claim.dealId, reason });
}

// ---- cash ------------------------------------------------------------------------------------

/** The instant `years` calendar years after an instant (UTC fields; 29 February rolls to 1 March). */
export function addYears(instant: string, years: number): string {
  const t = new Date(Date.parse(instant));
  t.setUTCFullYear(t.getUTCFullYear() + years);
  return t.toISOString();
}

/** Commission year of cash received at `cashAt` for a customer signed at `signedAt` (1-based, bounded). */
export function commissionYearOf(signedAt: string, cashAt: string, maxYear: number): number {
  if (cashAt < signedAt) throw new Error('cash before signing has no commission year');
  let year = 1;
  while (year <= maxYear && addYears(signedAt, year) <= cashAt) year++;
  return year;
}

function decidePayment(
  d: Extract<CustomerCommand, { type: 'ReceivePayment' }>['data'],
  state: CustomerState,
  ctx: CustomerDecideContext,
): Array<EventOf<'PaymentReceived' | 'CommissionAccrued'>> {
  if (state.payments.has(d.paymentId)) {
    refuse('payment-id-taken', `payment ${d.paymentId} is already recorded`, { paymentId: d.paymentId }, 'conflict');
  }
  requireAmountFen(d.amountFen, ctx.policy, 'payment');
  requireClaim(state, d.dealId);
  const owner = ownerClaimAt(state, ctx.occurredAt);
  if (owner === null) {
    refuse('payment-before-signing', `payment refused: no claim owned customer ${state.customerKey} at ${ctx.occurredAt}, so it was not signed`, {
      receivedAt: ctx.occurredAt,
    });
  }
  if (owner.signedAt === null || owner.signedAt > ctx.occurredAt) {
    refuse('payment-before-signing', `payment refused: customer ${state.customerKey} was not signed at ${ctx.occurredAt} (owning deal ${owner.dealId} is at ${owner.stage ?? 'registration'}); cash before signing is not accepted`, {
      receivedAt: ctx.occurredAt,
      ownerDealId: owner.dealId,
    });
  }
  const base = {
    paymentId: d.paymentId,
    customerKey: state.customerKey,
    dealId: d.dealId,
    line: d.line,
    amountFen: d.amountFen,
    ownerDealId: owner.dealId,
    ownerPartnerId: owner.partnerId,
  };
  if (owner.partnerId === null) {
    return [eventOf('PaymentReceived', { ...base, noCommissionReason: 'direct sales earn no commission' })];
  }
  const policy = ctx.policy;
  const year = commissionYearOf(owner.signedAt, ctx.occurredAt, policy.commission.windowYears);
  if (year > policy.commission.windowYears) {
    const reason = `cash received after the ${policy.commission.windowYears}-year commission window (customer signed ${owner.signedAt})`;
    return [eventOf('PaymentReceived', { ...base, noCommissionReason: reason })];
  }
  if (!linePaysCommission(policy, d.line)) return [eventOf('PaymentReceived', { ...base, noCommissionReason: noRateReason(policy, d.line) })];
  const partner = ctx.ownerPartner;
  if (!partner?.signed || partner.partnerId !== owner.partnerId) {
    throw new Error(`payment ${d.paymentId}: the command layer must pass partner ${owner.partnerId}'s state`);
  }
  const tier = tierAt(partner, ctx.occurredAt) ?? partner.tierHistory[0]!.tier;
  const rateBps = commissionRateBps(policy, d.line, tier, year)!;
  return [
    eventOf('PaymentReceived', { ...base, noCommissionReason: null }),
    eventOf('CommissionAccrued', {
      paymentId: d.paymentId,
      customerKey: state.customerKey,
      dealId: owner.dealId,
      partnerId: owner.partnerId,
      line: d.line,
      cashFen: d.amountFen,
      tier,
      commissionYear: year,
      rateBps,
      commissionFen: applyRateBps(d.amountFen, rateBps),
    }),
  ];
}

function decideRefund(
  d: Extract<CustomerCommand, { type: 'IssueRefund' }>['data'],
  state: CustomerState,
  ctx: CustomerDecideContext,
): Array<EventOf<'RefundIssued' | 'CommissionClawedBack'>> {
  if (state.refundIds.has(d.refundId)) refuse('refund-id-taken', `refund ${d.refundId} is already recorded`, { refundId: d.refundId }, 'conflict');
  const reason = requiredText(d.reason, 'refund-reason-required', 'a reason for the refund');
  const payment = state.payments.get(d.paymentId);
  if (!payment) refuse('payment-unknown', `payment ${d.paymentId} is not recorded on customer ${state.customerKey}`, { paymentId: d.paymentId }, 'not-found');
  requireAmountFen(d.amountFen, ctx.policy, 'refund');
  const leftFen = payment.amountFen - payment.refundedFen;
  if (d.amountFen > leftFen) {
    refuse('refund-exceeds-payment', `refund refused: ${formatFen(d.amountFen)} exceeds the ${formatFen(leftFen)} left of payment ${payment.paymentId} (${formatFen(payment.amountFen)} received, ${formatFen(payment.refundedFen)} refunded)`, {
      refundFen: d.amountFen,
      leftFen,
      paymentFen: payment.amountFen,
      refundedFen: payment.refundedFen,
    });
  }
  if (ctx.occurredAt < payment.receivedAt) {
    refuse('refund-before-payment', `refund refused: ${ctx.occurredAt} is before payment ${payment.paymentId} was received (${payment.receivedAt})`);
  }
  const refund = eventOf('RefundIssued', { refundId: d.refundId, paymentId: payment.paymentId, customerKey: state.customerKey, amountFen: d.amountFen, reason });
  const c = payment.commission;
  if (c === null) return [refund];
  // The commission of the cash refunded so far, minus what was clawed back before: rounding
  // per line, and the sum of every clawback never exceeds the commission that cash earned.
  const rateBps = ctx.adjustedRateBps?.(c.eventId) ?? c.rateBps;
  const clawFen = applyRateBps(payment.refundedFen + d.amountFen, rateBps) - applyRateBps(payment.refundedFen, rateBps);
  return [
    refund,
    eventOf('CommissionClawedBack', {
      refundId: d.refundId,
      paymentId: payment.paymentId,
      customerKey: state.customerKey,
      partnerId: c.partnerId,
      line: payment.line,
      refundedCashFen: d.amountFen,
      rateBps,
      commissionFen: clawFen,
    }),
  ];
}

