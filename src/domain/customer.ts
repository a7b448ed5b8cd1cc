// A customer's stream (customer-<key>): every claim on the customer, its stages, transfers,
// rulings, and the cash received and refunded with the commission lines it produced.
// Ownership is derived here and only here: projections and deciders both call ownershipOf.
import type { FoldFact } from './fact.js';
import { assertPositionGrows } from './fact.js';
import { assertNever } from './errors.js';
import type { EventDataOf } from './events.js';
import { defaultTieWindow, type ReportingWindow, reportingWindowOf, sameWindowWords, type TieWindow } from './tie-window.js';

export type Stage = EventDataOf<'DealStageAdvanced'>['stage'];
export type Channel = EventDataOf<'DealRegistered'>['channel'];
export type RevenueLine = EventDataOf<'PaymentReceived'>['line'];
export const stageOrder: readonly Stage[] = ['interest', 'meeting', 'solution', 'trial', 'signed'];

export interface Claim {
  dealId: string;
  partnerId: string | null;
  channel: Channel;
  customerName: string;
  /** The registration's occurredAt: the time ownership is ordered by. */
  registeredAt: string;
  /** The reporting window registeredAt falls in (the policy's tie window, tie-window.ts). */
  window: ReportingWindow;
  recordedAt: string;
  position: bigint;
  stage: Stage | null;
  lost: boolean;
  /** When the claim reached `signed` (occurredAt), or null. */
  signedAt: string | null;
  /** Its registration or its latest stage advance, by occurredAt. */
  lastProgressAt: string;
  /** Its contract submitted to the vendor and not yet confirmed or rejected (contracts.ts), or null. */
  contract: PendingContract | null;
}

export interface PendingContract {
  ports: number;
  contractValueFen: number;
  /** The submission's occurredAt. */
  submittedAt: string;
}

export interface OwnershipOverride {
  kind: 'transfer' | 'ruling';
  dealId: string;
  fromDealId: string | null;
  reason: string;
  occurredAt: string;
}

/** A handover proposed by one manager (transfers.ts): pending until another approves or rejects it. */
export interface TransferRecord {
  transferId: string;
  fromDealId: string;
  toDealId: string;
  reason: string;
  proposedBy: string;
  /** The proposal's occurredAt. */
  proposedAt: string;
  status: 'pending' | 'approved' | 'rejected';
}

export interface CommissionRecord {
  eventId: string;
  partnerId: string;
  tier: string;
  rateBps: number;
  commissionYear: number;
  commissionFen: number;
}

export interface PaymentRecord {
  paymentId: string;
  eventId: string;
  dealId: string;
  line: RevenueLine;
  amountFen: number;
  receivedAt: string;
  ownerDealId: string;
  ownerPartnerId: string | null;
  commission: CommissionRecord | null;
  refundedFen: number;
  clawedBackFen: number;
}

export interface CustomerState {
  customerKey: string;
  /** What "the same time" means when a partner and direct sales tie (the policy's ownership.tieWindow). */
  tieWindow: TieWindow;
  /** Every claim, in recorded order. */
  claims: readonly Claim[];
  override: OwnershipOverride | null;
  /** Every proposed transfer by id, with its status (transfers.ts). */
  transfers: ReadonlyMap<string, TransferRecord>;
  /** The owner that was lost last, while no transfer or ruling came after (for the rule's words). */
  lostOwnerDealId: string | null;
  payments: ReadonlyMap<string, PaymentRecord>;
  refundIds: ReadonlySet<string>;
  /** The facts that decide ownership, kept so ownership can be asked at a past instant. */
  ownershipFacts: readonly FoldFact[];
  lastPosition: bigint;
}

export type OwnershipRule =
  | 'first-registration'
  | 'tie-to-partner'
  | 'earlier-recorded'
  | 'transfer'
  | 'ruling'
  | 'passed-on-after-loss'
  | 'none';

export type ClaimStatus = 'owner' | 'competing' | 'lost';

export interface ClaimView {
  dealId: string;
  partnerId: string | null;
  channel: Channel;
  registeredAt: string;
  recordedAt: string;
  position: bigint;
  stage: Stage | null;
  status: ClaimStatus;
  lastProgressAt: string;
}

export interface Ownership {
  customerKey: string;
  ownerDealId: string | null;
  ownerPartnerId: string | null;
  rule: OwnershipRule;
  /** The rule in words, with the figures it was decided on. */
  ruleDetail: string;
  /** Claims in ownership order (reporting window, partner before direct, registration time, recorded order). */
  claims: ClaimView[];
}

export function initialCustomerState(customerKey: string, tieWindow: TieWindow = defaultTieWindow): CustomerState {
  if (customerKey.length === 0) throw new Error('a customer state needs a customer key');
  return {
    customerKey,
    tieWindow,
    claims: [],
    override: null,
    transfers: new Map(),
    lostOwnerDealId: null,
    payments: new Map(),
    refundIds: new Set(),
    ownershipFacts: [],
    lastPosition: 0n,
  };
}

// ---- evolve --------------------------------------------------------------------------------

export function evolveCustomer(state: CustomerState, fact: FoldFact): CustomerState {
  assertPositionGrows(state.lastPosition, fact.position, `customer ${state.customerKey}`);
  const next = evolveCustomerEvent(state, fact);
  return { ...next, lastPosition: fact.position };
}

function evolveCustomerEvent(state: CustomerState, fact: FoldFact): CustomerState {
  switch (fact.type) {
    case 'DealRegistered':
    case 'DealStageAdvanced':
    case 'DealLost':
    case 'DealTransferred':
    case 'OwnershipRuled':
    case 'ContractSubmitted':
    case 'ContractConfirmed':
    case 'ContractRejected':
    case 'TransferProposed':
    case 'TransferRejected':
      assertSameCustomer(state, fact.data.customerKey, fact.type);
      return { ...applyOwnershipFact(state, fact), ownershipFacts: [...state.ownershipFacts, fact] };
    case 'PaymentReceived':
    case 'CommissionAccrued':
    case 'RefundIssued':
    case 'CommissionClawedBack':
      assertSameCustomer(state, fact.data.customerKey, fact.type);
      return applyCashFact(state, fact);
    case 'ForecastRevised':
      // An estimate, not an ownership fact: the claim must exist; the figures live in the pipeline (projections/pipeline.ts).
      assertSameCustomer(state, fact.data.customerKey, fact.type);
      return updateClaim(state, fact.data.dealId, (c) => c);
    case 'PartnerSigned':
    case 'DepositPosted':
    case 'DepositDeducted':
    case 'TierChanged':
    case 'TierCertified':
    case 'CommissionPaidOut':
    case 'TrafficBilled':
    case 'TrafficSettled':
    case 'CreditSuspended':
    case 'CreditResumed':
    case 'CustomerBillIssued':
    case 'CustomerBillCollected':
    case 'ArrearsExempted':
    case 'CommitmentSet':
    case 'PurchaseRecorded':
    case 'LockedToDistributor':
    case 'RebateEarned':
    case 'RebatePaid':
      throw new Error(`${fact.type} belongs to a partner stream, not to customer ${state.customerKey}`);
    case 'PolicyAdopted':
    case 'CommissionAdjusted':
      throw new Error(`${fact.type} belongs to the policy stream, not to customer ${state.customerKey}`);
    default:
      return assertNever(fact, 'event type');
  }
}

function assertSameCustomer(state: CustomerState, customerKey: string, type: string): void {
  if (customerKey !== state.customerKey) {
    throw new Error(`${type} for customer ${customerKey} folded into customer ${state.customerKey}`);
  }
}

function applyOwnershipFact(state: CustomerState, fact: FoldFact): CustomerState {
  switch (fact.type) {
    case 'DealRegistered': {
      const d = fact.data;
      if (state.claims.some((c) => c.dealId === d.dealId)) throw new Error(`deal ${d.dealId} registered twice on ${state.customerKey}`);
      const claim: Claim = {
        dealId: d.dealId,
        partnerId: d.partnerId,
        channel: d.channel,
        customerName: d.customer.name,
        registeredAt: fact.occurredAt,
        window: reportingWindowOf(fact.occurredAt, state.tieWindow),
        recordedAt: fact.recordedAt,
        position: fact.position,
        stage: null,
        lost: false,
        signedAt: null,
        lastProgressAt: fact.occurredAt,
        contract: null,
      };
      return { ...state, claims: [...state.claims, claim] };
    }
    case 'DealStageAdvanced': {
      const d = fact.data;
      return updateClaim(state, d.dealId, (c) => ({
        ...c,
        stage: d.stage,
        signedAt: d.stage === 'signed' ? fact.occurredAt : c.signedAt,
        lastProgressAt: fact.occurredAt > c.lastProgressAt ? fact.occurredAt : c.lastProgressAt,
        contract: d.stage === 'signed' ? null : c.contract,
      }));
    }
    case 'ContractSubmitted': {
      const d = fact.data;
      return updateClaim(state, d.dealId, (c) => ({ ...c, contract: { ports: d.ports, contractValueFen: d.contractValueFen, submittedAt: fact.occurredAt } }));
    }
    case 'ContractConfirmed':
      // The vendor's confirmation is the signing: the same effect as an advance to signed.
      return updateClaim(state, fact.data.dealId, (c) => ({
        ...c,
        stage: 'signed',
        signedAt: fact.occurredAt,
        lastProgressAt: fact.occurredAt > c.lastProgressAt ? fact.occurredAt : c.lastProgressAt,
        contract: null,
      }));
    case 'ContractRejected':
      return updateClaim(state, fact.data.dealId, (c) => ({ ...c, contract: null }));
    case 'DealLost': {
      const ownerBefore = ownerClaim(state);
      const lostOwner = ownerBefore?.dealId === fact.data.dealId ? fact.data.dealId : state.lostOwnerDealId;
      const override = state.override?.dealId === fact.data.dealId ? null : state.override;
      return { ...updateClaim(state, fact.data.dealId, (c) => ({ ...c, lost: true })), override, lostOwnerDealId: lostOwner };
    }
    case 'DealTransferred': {
      const d = fact.data;
      const override: OwnershipOverride = { kind: 'transfer', dealId: d.toDealId, fromDealId: d.fromDealId, reason: d.reason, occurredAt: fact.occurredAt };
      return { ...settleTransfer(state, d.transferId, 'approved'), override, lostOwnerDealId: null };
    }
    case 'TransferProposed': {
      const d = fact.data;
      if (state.transfers.has(d.transferId)) throw new Error(`transfer ${d.transferId} proposed twice on ${state.customerKey}`);
      const record: TransferRecord = {
        transferId: d.transferId,
        fromDealId: d.fromDealId,
        toDealId: d.toDealId,
        reason: d.reason,
        proposedBy: d.proposedBy,
        proposedAt: fact.occurredAt,
        status: 'pending',
      };
      return { ...state, transfers: new Map(state.transfers).set(d.transferId, record) };
    }
    case 'TransferRejected':
      return settleTransfer(state, fact.data.transferId, 'rejected');
    case 'OwnershipRuled': {
      const d = fact.data;
      const from = ownerClaim(state)?.dealId ?? null;
      const override: OwnershipOverride = { kind: 'ruling', dealId: d.ownerDealId, fromDealId: from, reason: d.reason, occurredAt: fact.occurredAt };
      return { ...state, override, lostOwnerDealId: null };
    }
    default:
      throw new Error(`${fact.type} does not decide ownership`);
  }
}

/** A proposal approved or rejected (a transfer from before proposals names none; one outside a valid-time cut is not known). */
function settleTransfer(state: CustomerState, transferId: string | undefined, status: 'approved' | 'rejected'): CustomerState {
  const record = transferId === undefined ? undefined : state.transfers.get(transferId);
  if (!record) return state;
  return { ...state, transfers: new Map(state.transfers).set(record.transferId, { ...record, status }) };
}

/** The transfer waiting for a second manager, if any (one at a time per customer). */
export function pendingTransfer(state: CustomerState): TransferRecord | null {
  for (const t of state.transfers.values()) if (t.status === 'pending') return t;
  return null;
}

function updateClaim(state: CustomerState, dealId: string, change: (c: Claim) => Claim): CustomerState {
  const index = state.claims.findIndex((c) => c.dealId === dealId);
  if (index < 0) throw new Error(`deal ${dealId} is not a claim on customer ${state.customerKey}`);
  const claims = state.claims.slice();
  claims[index] = change(claims[index]!);
  return { ...state, claims };
}

function applyCashFact(state: CustomerState, fact: FoldFact): CustomerState {
  switch (fact.type) {
    case 'PaymentReceived': {
      const d = fact.data;
      if (state.payments.has(d.paymentId)) throw new Error(`payment ${d.paymentId} received twice`);
      const record: PaymentRecord = {
        paymentId: d.paymentId,
        eventId: fact.eventId,
        dealId: d.dealId,
        line: d.line,
        amountFen: d.amountFen,
        receivedAt: fact.occurredAt,
        ownerDealId: d.ownerDealId,
        ownerPartnerId: d.ownerPartnerId,
        commission: null,
        refundedFen: 0,
        clawedBackFen: 0,
      };
      return { ...state, payments: new Map(state.payments).set(d.paymentId, record) };
    }
    case 'CommissionAccrued': {
      const d = fact.data;
      const commission: CommissionRecord = {
        eventId: fact.eventId,
        partnerId: d.partnerId,
        tier: d.tier,
        rateBps: d.rateBps,
        commissionYear: d.commissionYear,
        commissionFen: d.commissionFen,
      };
      return updatePayment(state, d.paymentId, (p) => ({ ...p, commission }));
    }
    case 'RefundIssued': {
      const d = fact.data;
      const next = updatePayment(state, d.paymentId, (p) => {
        const refundedFen = p.refundedFen + d.amountFen;
        if (refundedFen > p.amountFen) throw new Error(`payment ${p.paymentId} refunded beyond its amount`);
        return { ...p, refundedFen };
      });
      return { ...next, refundIds: new Set(state.refundIds).add(d.refundId) };
    }
    case 'CommissionClawedBack': {
      const d = fact.data;
      return updatePayment(state, d.paymentId, (p) => ({ ...p, clawedBackFen: p.clawedBackFen + d.commissionFen }));
    }
    default:
      throw new Error(`${fact.type} is not a cash fact`);
  }
}

function updatePayment(state: CustomerState, paymentId: string, change: (p: PaymentRecord) => PaymentRecord): CustomerState {
  const payment = state.payments.get(paymentId);
  if (!payment) throw new Error(`payment ${paymentId} is not known on customer ${state.customerKey}`);
  return { ...state, payments: new Map(state.payments).set(paymentId, change(payment)) };
}

// ---- ownership -----------------------------------------------------------------------------

/**
 * Ownership order: the earlier reporting window first; inside one window (the same time, the
 * policy's tie window: tie-window.ts) a partner before direct sales; then the earlier
 * registration; then recorded order.
 */
export function compareClaims(a: Claim, b: Claim): number {
  if (a.window.start !== b.window.start) return a.window.start < b.window.start ? -1 : 1;
  if (a.channel !== b.channel) return a.channel === 'partner' ? -1 : 1;
  if (a.registeredAt !== b.registeredAt) return a.registeredAt < b.registeredAt ? -1 : 1;
  return a.position < b.position ? -1 : a.position > b.position ? 1 : 0;
}

export function claimsInOrder(state: CustomerState): Claim[] {
  return state.claims.slice().sort(compareClaims);
}

export const isLive = (c: Claim): boolean => !c.lost;

/** The owning claim: a standing transfer or ruling, else the first live claim in ownership order. */
export function ownerClaim(state: CustomerState): Claim | null {
  if (state.override) {
    const target = state.claims.find((c) => c.dealId === state.override!.dealId);
    if (target && isLive(target)) return target;
  }
  return claimsInOrder(state).find(isLive) ?? null;
}

export function findClaim(state: CustomerState, dealId: string): Claim | null {
  return state.claims.find((c) => c.dealId === dealId) ?? null;
}

const who = (c: Claim): string => (c.partnerId === null ? `deal ${c.dealId} (direct sales)` : `deal ${c.dealId} (partner ${c.partnerId})`);

function ruleOf(state: CustomerState, owner: Claim | null): { rule: OwnershipRule; ruleDetail: string } {
  if (owner === null) {
    const detail = state.claims.length === 0 ? 'no claim on this customer' : 'every claim on this customer is lost';
    return { rule: 'none', ruleDetail: detail };
  }
  const o = state.override;
  if (o && o.dealId === owner.dealId) {
    const from = o.fromDealId === null ? '' : ` from deal ${o.fromDealId}`;
    return o.kind === 'transfer'
      ? { rule: 'transfer', ruleDetail: `transferred${from} to ${who(owner)} at ${o.occurredAt}: ${o.reason}` }
      : { rule: 'ruling', ruleDetail: `ruled at ${o.occurredAt} that ${who(owner)} owns the customer: ${o.reason}` };
  }
  const ordered = claimsInOrder(state);
  const earlier = ordered.slice(0, ordered.indexOf(owner));
  const passedFrom = earlier[earlier.length - 1]?.dealId ?? state.lostOwnerDealId;
  if (passedFrom !== null && passedFrom !== owner.dealId) {
    return {
      rule: 'passed-on-after-loss',
      ruleDetail: `deal ${passedFrom} was lost; ownership passed to ${who(owner)}, the next live claim (registered ${owner.registeredAt})`,
    };
  }
  // Direct sales registered in the owner's window, no later than the owner: it owns by the tie rule.
  const tiedDirect = ordered.find((c) => c !== owner && c.channel !== owner.channel && c.window.start === owner.window.start && c.registeredAt <= owner.registeredAt);
  if (tiedDirect) {
    const when = tiedDirect.registeredAt === owner.registeredAt ? sameWindowWords({ ...state.tieWindow, kind: 'exact' }, { start: owner.registeredAt, label: owner.registeredAt }) : `${sameWindowWords(state.tieWindow, owner.window)}, direct sales at ${tiedDirect.registeredAt} and the partner at ${owner.registeredAt}`;
    return {
      rule: 'tie-to-partner',
      ruleDetail: `${who(owner)} and ${who(tiedDirect)} registered ${when}: the same time, and on a tie a partner beats direct sales`,
    };
  }
  const tiedSame = ordered.find((c) => c !== owner && c.registeredAt === owner.registeredAt);
  if (tiedSame) {
    return {
      rule: 'earlier-recorded',
      ruleDetail: `${who(owner)} and ${who(tiedSame)} registered at the same instant ${owner.registeredAt}; ${owner.dealId} was recorded first (position ${owner.position} before ${tiedSame.position})`,
    };
  }
  const next = ordered.find((c) => c !== owner);
  const after = next ? `, before ${who(next)} at ${next.registeredAt}` : '';
  return { rule: 'first-registration', ruleDetail: `${who(owner)} registered the customer first, at ${owner.registeredAt}${after}` };
}

export function ownershipOf(state: CustomerState): Ownership {
  const owner = ownerClaim(state);
  const claims = claimsInOrder(state).map(
    (c): ClaimView => ({
      dealId: c.dealId,
      partnerId: c.partnerId,
      channel: c.channel,
      registeredAt: c.registeredAt,
      recordedAt: c.recordedAt,
      position: c.position,
      stage: c.stage,
      status: c.lost ? 'lost' : c === owner ? 'owner' : 'competing',
      lastProgressAt: c.lastProgressAt,
    }),
  );
  const live = claims.filter((c) => c.status !== 'lost').length;
  const owners = claims.filter((c) => c.status === 'owner').length;
  if (owners !== (live > 0 ? 1 : 0)) throw new Error(`customer ${state.customerKey} has ${owners} owners among ${live} live claims`);
  return {
    customerKey: state.customerKey,
    ownerDealId: owner?.dealId ?? null,
    ownerPartnerId: owner?.partnerId ?? null,
    ...ruleOf(state, owner),
    claims,
  };
}

/**
 * The customer as it stood at a business instant: the ownership facts that occurred at or
 * before it, folded in recorded order (cash is not refolded).
 */
export function customerStateAt(state: CustomerState, instant: string): CustomerState {
  let past = initialCustomerState(state.customerKey, state.tieWindow);
  for (const fact of state.ownershipFacts) {
    if (fact.occurredAt > instant) continue;
    const dealId = claimDealIdOf(fact);
    if (dealId !== null && !findClaim(past, dealId)) continue; // its registration occurred later
    past = evolveCustomer(past, fact);
  }
  return past;
}

/**
 * The owning claim at a business instant. When no ownership fact occurred after the instant
 * (a payment received after the last stage report: the usual case) that is the owner now,
 * without refolding the stream.
 */
export function ownerClaimAt(state: CustomerState, instant: string): Claim | null {
  for (const fact of state.ownershipFacts) if (fact.occurredAt > instant) return ownerClaim(customerStateAt(state, instant));
  return ownerClaim(state);
}

/** The claim a stage, loss or contract fact is about (null for the others): it needs that claim registered. */
export function claimDealIdOf(fact: FoldFact): string | null {
  switch (fact.type) {
    case 'DealStageAdvanced':
    case 'DealLost':
    case 'ContractSubmitted':
    case 'ContractConfirmed':
    case 'ContractRejected':
      return fact.data.dealId;
    default:
      return null;
  }
}

export function foldCustomer(customerKey: string, facts: Iterable<FoldFact>, tieWindow: TieWindow = defaultTieWindow): CustomerState {
  let state = initialCustomerState(customerKey, tieWindow);
  for (const fact of facts) state = evolveCustomer(state, fact);
  return state;
}
