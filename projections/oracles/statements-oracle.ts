// A test oracle, not run by the ledger: the naive fold of every commission line, cash source and
// payout over the whole log, which the property tests (test/unit/projections) compare the
// statements projection's answers against (projections/statements.ts).
import type { EventEnvelope } from '../../src/domain/events.js';
import { eventOf } from '../envelope.js';
import type { CashSource, PayoutView, QuarterOf, Settlement, StatementLine } from '../statements.js';

export interface StatementsState {
  readonly payments: ReadonlyMap<string, CashSource>;
  readonly refunds: ReadonlyMap<string, CashSource>;
  readonly lines: ReadonlyMap<string, StatementLine>;
  /** Keyed by `${partnerId} ${quarter}`. */
  readonly payouts: ReadonlyMap<string, PayoutView>;
}

export const initialStatements = (): StatementsState => ({
  payments: new Map(),
  refunds: new Map(),
  lines: new Map(),
  payouts: new Map(),
});

export const payoutKey = (partnerId: string, quarter: string): string => `${partnerId} ${quarter}`;

export function evolveStatements(state: StatementsState, e: EventEnvelope, quarterOf: QuarterOf): StatementsState {
  const ev = eventOf(e);
  const position = Number(e.position);
  const source: CashSource = { eventId: e.eventId, position, occurredAt: e.occurredAt };
  switch (ev.type) {
    case 'PaymentReceived':
      return { ...state, payments: new Map(state.payments).set(ev.data.paymentId, source) };
    case 'RefundIssued':
      return { ...state, refunds: new Map(state.refunds).set(ev.data.refundId, source) };
    case 'CommissionAccrued': {
      const d = ev.data;
      const cash = state.payments.get(d.paymentId) ?? source;
      const line = newLine(state, e, cash, quarterOf, {
        kind: 'accrual',
        partnerId: d.partnerId,
        customerKey: d.customerKey,
        paymentId: d.paymentId,
        refundId: null,
        revenueLine: d.line,
        cashFen: d.cashFen,
        rateBps: d.rateBps,
        commissionFen: d.commissionFen,
        tier: d.tier,
        commissionYear: d.commissionYear,
      });
      return { ...state, lines: new Map(state.lines).set(line.eventId, line) };
    }
    case 'CommissionClawedBack': {
      const d = ev.data;
      const cash = state.refunds.get(d.refundId) ?? source;
      const line = newLine(state, e, cash, quarterOf, {
        kind: 'clawback',
        partnerId: d.partnerId,
        customerKey: d.customerKey,
        paymentId: d.paymentId,
        refundId: d.refundId,
        revenueLine: d.line,
        cashFen: 0 - d.refundedCashFen,
        rateBps: d.rateBps,
        commissionFen: 0 - d.commissionFen,
        tier: null,
        commissionYear: null,
      });
      return { ...state, lines: new Map(state.lines).set(line.eventId, line) };
    }
    case 'CommissionPaidOut': {
      const d = ev.data;
      const settlement: Settlement = { quarter: d.quarter, eventId: e.eventId, position };
      const lines = new Map(state.lines);
      for (const settled of d.lines) {
        const line = lines.get(settled.eventId);
        if (line) lines.set(line.eventId, { ...line, settledBy: settlement });
      }
      const payout: PayoutView = {
        partnerId: d.partnerId,
        quarter: d.quarter,
        eventId: e.eventId,
        position,
        occurredAt: e.occurredAt,
        recordedAt: e.recordedAt,
        netFen: d.netFen,
        paidFen: d.paidFen,
        debtRecoveredFen: d.debtRecoveredFen,
        lineEventIds: d.lines.map((l) => l.eventId),
      };
      return { ...state, lines, payouts: new Map(state.payouts).set(payoutKey(d.partnerId, d.quarter), payout) };
    }
    case 'PartnerSigned':
    case 'DepositPosted':
    case 'DepositDeducted':
    case 'TierChanged':
    case 'TierCertified':
    case 'DealRegistered':
    case 'DealStageAdvanced':
    case 'DealLost':
    case 'ForecastRevised':
    case 'DealTransferred':
    case 'OwnershipRuled':
    case 'ContractSubmitted':
    case 'ContractConfirmed':
    case 'ContractRejected':
    case 'TransferProposed':
    case 'TransferRejected':
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
    case 'PolicyAdopted':
    case 'CommissionAdjusted':
      return state;
    default: {
      const never: never = ev;
      throw new Error(`unhandled event ${JSON.stringify(never)}`);
    }
  }
}

type LineFigures = Pick<
  StatementLine,
  | 'kind'
  | 'partnerId'
  | 'customerKey'
  | 'paymentId'
  | 'refundId'
  | 'revenueLine'
  | 'cashFen'
  | 'rateBps'
  | 'commissionFen'
  | 'tier'
  | 'commissionYear'
>;

function newLine(
  state: StatementsState,
  e: EventEnvelope,
  cash: CashSource,
  quarterOf: QuarterOf,
  figures: LineFigures,
): StatementLine {
  const cashQuarter = quarterOf(cash.occurredAt);
  return {
    ...figures,
    eventId: e.eventId,
    position: Number(e.position),
    sourceEventId: cash.eventId,
    sourcePosition: cash.position,
    cashAt: cash.occurredAt,
    cashQuarter,
    occurredAt: e.occurredAt,
    recordedAt: e.recordedAt,
    settledBy: null,
    priorPeriodAdjustment: state.payouts.has(payoutKey(figures.partnerId, cashQuarter)),
  };
}
