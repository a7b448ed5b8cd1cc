// Statements: per partner per quarter, every commission line traceable to the cash event that
// produced it (PaymentReceived → CommissionAccrued, RefundIssued → CommissionClawedBack), the
// payout that settled it, and prior-period adjustments marked: lines learned after their own
// quarter had already been paid.
import type { EventEnvelope } from '../src/domain/events.js';
import { eventOf } from './envelope.js';

export interface CashSource {
  eventId: string;
  position: number;
  occurredAt: string;
}

export interface Settlement {
  quarter: string;
  eventId: string;
  position: number;
}

export interface StatementLine {
  eventId: string;
  position: number;
  kind: 'accrual' | 'clawback';
  partnerId: string;
  customerKey: string;
  paymentId: string;
  refundId: string | null;
  /** The PaymentReceived (accrual) or RefundIssued (clawback) this line comes from. */
  sourceEventId: string;
  sourcePosition: number;
  revenueLine: string;
  /** When the cash moved (the source event's occurredAt) and the quarter that falls in. */
  cashAt: string;
  cashQuarter: string;
  cashFen: number;
  rateBps: number;
  /** Signed: positive for an accrual, negative for a clawback. */
  commissionFen: number;
  tier: string | null;
  commissionYear: number | null;
  occurredAt: string;
  recordedAt: string;
  settledBy: Settlement | null;
  /** Recorded after a payout of its own cash quarter: carried into a later payout. */
  priorPeriodAdjustment: boolean;
}

export interface PayoutView {
  partnerId: string;
  quarter: string;
  eventId: string;
  position: number;
  occurredAt: string;
  recordedAt: string;
  netFen: number;
  paidFen: number;
  debtRecoveredFen: number;
  lineEventIds: string[];
}

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

/** Quarter of an instant ("2026-Q3") as seen in a time zone: `quarterOf(isoInstant) → quarter`. */
export type QuarterOf = (instant: string) => string;

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

export interface Statement {
  partnerId: string;
  quarter: string;
  lines: StatementLine[];
  accruedFen: number;
  clawedBackFen: number;
  netFen: number;
  /** The quarter's payout, when it has been made. */
  payout: Omit<PayoutView, 'lineEventIds'> | null;
}

/**
 * One partner's statement for one quarter: the lines whose cash fell in the quarter and the
 * lines its payout settled (earlier quarters' adjustments among them), in log order.
 */
export function statementOf(
  lines: Iterable<StatementLine>,
  payout: PayoutView | null,
  partnerId: string,
  quarter: string,
): Statement {
  const chosen = [...lines]
    .filter((l) => l.partnerId === partnerId && (l.cashQuarter === quarter || l.settledBy?.quarter === quarter))
    .sort((a, b) => a.position - b.position);
  const accruedFen = chosen.filter((l) => l.kind === 'accrual').reduce((s, l) => s + l.commissionFen, 0);
  const clawedBackFen = 0 - chosen.filter((l) => l.kind === 'clawback').reduce((s, l) => s + l.commissionFen, 0);
  const payoutView = payout === null ? null : withoutLineIds(payout);
  return { partnerId, quarter, lines: chosen, accruedFen, clawedBackFen, netFen: accruedFen - clawedBackFen, payout: payoutView };
}

function withoutLineIds(p: PayoutView): Omit<PayoutView, 'lineEventIds'> {
  const { lineEventIds: _ignored, ...rest } = p;
  return rest;
}
