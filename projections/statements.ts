// Statements: per partner per quarter, every commission line traceable to the cash event that
// produced it (PaymentReceived → CommissionAccrued, RefundIssued → CommissionClawedBack), the
// payout that settled it, and prior-period adjustments marked: lines learned after their own
// quarter had already been paid.
import type Database from 'better-sqlite3';
import type { EventEnvelope } from '../src/domain/events.js';
import type { LogCut } from './cut.js';
import { projectionModule } from './projection.js';
import { endOfTime, stmt, validBound } from './sql.js';

type Db = Database.Database;

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

/** The payout that settled a line's or an adjustment's row, if its settlement columns are set. */
function settlementOfRow(r: { settled_quarter: string | null; settled_event_id: string | null; settled_position: number | null }): Settlement | null {
  if (r.settled_quarter === null || r.settled_event_id === null || r.settled_position === null) return null;
  return { quarter: r.settled_quarter, eventId: r.settled_event_id, position: r.settled_position };
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

/**
 * A back-dated policy version's adjustment of a line (CommissionAdjusted, src/domain/policy-adoption.ts):
 * in the statement of the line's cash quarter, settled by a payout like the line it adjusts.
 */
export interface StatementAdjustment {
  eventId: string;
  position: number;
  /** The line adjusted (its CommissionAccrued or CommissionClawedBack). */
  lineEventId: string;
  kind: 'accrual' | 'clawback';
  paymentId: string;
  refundId: string | null;
  revenueLine: string;
  /** When the adjusted line's cash moved (the payment's, or the refund's for a clawback) and its quarter. */
  cashAt: string;
  cashQuarter: string;
  fromVersion: string;
  toVersion: string;
  fromRateBps: number;
  toRateBps: number;
  fromFen: number;
  toFen: number;
  /** Signed as the partner sees it: more commission positive (a larger clawback negative). */
  commissionFen: number;
  occurredAt: string;
  recordedAt: string;
  settledBy: Settlement | null;
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

/** Quarter of an instant ("2026-Q3") as seen in a time zone: `quarterOf(isoInstant) → quarter`. */
export type QuarterOf = (instant: string) => string;

export interface Statement {
  partnerId: string;
  quarter: string;
  lines: StatementLine[];
  /** Prior-period adjustments by a back-dated policy version, of lines of the quarter or settled by its payout. */
  adjustments: StatementAdjustment[];
  accruedFen: number;
  clawedBackFen: number;
  /** Σ adjustments (signed as the partner sees them). */
  adjustmentsFen: number;
  /** accrued − clawed back + adjustments. */
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
  adjustments: Iterable<StatementAdjustment> = [],
): Statement {
  const chosen = [...lines]
    .filter((l) => l.partnerId === partnerId && (l.cashQuarter === quarter || l.settledBy?.quarter === quarter))
    .sort((a, b) => a.position - b.position);
  const accruedFen = chosen.filter((l) => l.kind === 'accrual').reduce((s, l) => s + l.commissionFen, 0);
  const clawedBackFen = 0 - chosen.filter((l) => l.kind === 'clawback').reduce((s, l) => s + l.commissionFen, 0);
  const chosenAdjustments = [...adjustments].filter((a) => a.cashQuarter === quarter || a.settledBy?.quarter === quarter).sort((a, b) => a.position - b.position);
  const adjustmentsFen = chosenAdjustments.reduce((s, a) => s + a.commissionFen, 0);
  const payoutView = payout === null ? null : withoutLineIds(payout);
  return {
    partnerId,
    quarter,
    lines: chosen,
    adjustments: chosenAdjustments,
    accruedFen,
    clawedBackFen,
    adjustmentsFen,
    netFen: accruedFen - clawedBackFen + adjustmentsFen,
    payout: payoutView,
  };
}

function withoutLineIds(p: PayoutView): Omit<PayoutView, 'lineEventIds'> {
  const { lineEventIds: _ignored, ...rest } = p;
  return rest;
}

// ---- the read model -----------------------------------------------------------------------------

/** Cash events remembered for the commission lines that follow them (usually in the same append). */
const maxRecentCash = 10_000;

/** A payment or refund as the commission lines see it: its source, and whether its cash_events row is on file. */
interface RecentCash {
  source: CashSource;
  /** Its cash_events row, written when the batch ends with no line from it yet (null: written, or consumed). */
  row: unknown[] | null;
  /** Its cash_events row was written and no line has removed it yet. */
  onFile: boolean;
}

// cash_events: the payments and refunds no commission line has come from (a payment to direct
// sales, with no commission, or a refund without a clawback; and, between two batches, cash whose
// line is in the next one): a line holds its cash source itself, so the usual payment is never a
// row of its own. first_payments: per deal, each payment that occurred before every earlier one
// (the running minimum of occurredAt in log order: its first payment inside any cut).
// commission_lines: every accrual and clawback with the cash it came from and, once paid out, the
// payout that settled it; payouts: one row per payout.
export const statementsProjection = projectionModule({
  version: 2,
  tables: ['cash_events', 'first_payments', 'commission_lines', 'payouts', 'commission_adjustments'],
  create: `
CREATE TABLE IF NOT EXISTS cash_events (
  position INTEGER PRIMARY KEY, kind TEXT NOT NULL, id TEXT NOT NULL, event_id TEXT NOT NULL, occurred_at TEXT NOT NULL,
  customer_key TEXT NOT NULL, deal_id TEXT, payment_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS first_payments (
  deal_id TEXT NOT NULL, position INTEGER NOT NULL, occurred_at TEXT NOT NULL, PRIMARY KEY (deal_id, position)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS commission_lines (
  position INTEGER PRIMARY KEY, event_id TEXT NOT NULL, kind TEXT NOT NULL, partner_id TEXT NOT NULL, customer_key TEXT NOT NULL,
  payment_id TEXT NOT NULL, refund_id TEXT, source_event_id TEXT NOT NULL, source_position INTEGER NOT NULL,
  revenue_line TEXT NOT NULL, cash_at TEXT NOT NULL, cash_quarter TEXT NOT NULL, cash_fen INTEGER NOT NULL,
  rate_bps INTEGER NOT NULL, commission_fen INTEGER NOT NULL, tier TEXT, commission_year INTEGER,
  occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL,
  settled_quarter TEXT, settled_event_id TEXT, settled_position INTEGER, settled_occurred_at TEXT);
CREATE TABLE IF NOT EXISTS payouts (
  partner_id TEXT NOT NULL, quarter TEXT NOT NULL, event_id TEXT NOT NULL, position INTEGER NOT NULL,
  occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL, net_fen INTEGER NOT NULL, paid_fen INTEGER NOT NULL,
  debt_recovered_fen INTEGER NOT NULL,
  PRIMARY KEY (partner_id, quarter, position)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS commission_adjustments (
  position INTEGER PRIMARY KEY, event_id TEXT NOT NULL, partner_id TEXT NOT NULL, line_event_id TEXT NOT NULL, kind TEXT NOT NULL,
  payment_id TEXT NOT NULL, refund_id TEXT, revenue_line TEXT NOT NULL, cash_at TEXT NOT NULL, cash_quarter TEXT NOT NULL,
  from_version TEXT NOT NULL, to_version TEXT NOT NULL, from_rate_bps INTEGER NOT NULL, to_rate_bps INTEGER NOT NULL,
  from_fen INTEGER NOT NULL, to_fen INTEGER NOT NULL, commission_fen INTEGER NOT NULL, occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL,
  settled_quarter TEXT, settled_event_id TEXT, settled_position INTEGER, settled_occurred_at TEXT);`,
  indexes: [
    'CREATE INDEX IF NOT EXISTS cash_events_by_id ON cash_events (kind, id);',
    // A payment's customer and, after a restart, a line's cash source when its row is gone (lines_by_payment).
    'CREATE INDEX IF NOT EXISTS lines_by_payment ON commission_lines (payment_id);',
    // A partner's lines that moved money, in log order: the balances projection adds those after a partner's last
    // balance row. Partial, so only a query naming commission_fen <> 0 uses it (the statements' own plans stay).
    'CREATE INDEX IF NOT EXISTS lines_by_partner ON commission_lines (partner_id, position) WHERE commission_fen <> 0;',
    'CREATE INDEX IF NOT EXISTS lines_by_cash_quarter ON commission_lines (partner_id, cash_quarter);',
    // The lines a payout of another quarter settled (few: a line is mostly settled by its own quarter's payout).
    'CREATE INDEX IF NOT EXISTS lines_settled_elsewhere ON commission_lines (partner_id, settled_quarter) WHERE settled_quarter <> cash_quarter;',
    'CREATE INDEX IF NOT EXISTS lines_unsettled ON commission_lines (partner_id, position) WHERE settled_position IS NULL;',
    'CREATE INDEX IF NOT EXISTS adjustments_by_partner ON commission_adjustments (partner_id, cash_quarter);',
    'CREATE INDEX IF NOT EXISTS adjustments_by_event ON commission_adjustments (event_id);',
  ],
  writeSql: {
    cashInsert: 'INSERT OR REPLACE INTO cash_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    cashDelete: 'DELETE FROM cash_events WHERE position = ?',
    firstPayment: 'INSERT OR REPLACE INTO first_payments VALUES (?, ?, ?)',
    line: 'INSERT OR REPLACE INTO commission_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)',
    payout: 'INSERT OR REPLACE INTO payouts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    // Every line a payout settles, in one statement (their positions as a JSON array).
    settle:
      'UPDATE commission_lines SET settled_quarter = ?, settled_event_id = ?, settled_position = ?, settled_occurred_at = ? WHERE position IN (SELECT value FROM json_each(?))',
    adjustment: 'INSERT OR REPLACE INTO commission_adjustments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)',
    settleAdjustment:
      'UPDATE commission_adjustments SET settled_quarter = ?, settled_event_id = ?, settled_position = ?, settled_occurred_at = ? WHERE event_id = ? AND settled_position IS NULL',
  },
  applier({ write, drain, db, rules }) {
    /** Per partner, its commission lines no payout has settled yet: event id → position (loaded on first use). */
    const unsettled = new Map<string, Map<string, number>>();
    let unsettledLoaded = false;
    /** Recent cash by id: payments and refunds apart (no key to build per event). */
    const recentCash = { payment: new Map<string, RecentCash>(), refund: new Map<string, RecentCash>() };
    /** Cash of the current batch whose row waits for the batch's end (a line from it may still come). */
    let awaiting: RecentCash[] = [];
    /** Per deal, the earliest occurredAt of its payments so far (loaded on first use). */
    const firstPaid = new Map<string, string>();
    let firstPaidLoaded = false;
    const firstPaidRows = db.prepare('SELECT deal_id, min(occurred_at) AS occurred_at FROM first_payments GROUP BY deal_id');
    const firstPaidOf = (dealId: string): string | undefined => {
      if (!firstPaidLoaded) {
        drain();
        for (const r of firstPaidRows.iterate() as Iterable<{ deal_id: string; occurred_at: string }>) {
          const known = firstPaid.get(r.deal_id);
          if (known === undefined || r.occurred_at < known) firstPaid.set(r.deal_id, r.occurred_at);
        }
        firstPaidLoaded = true;
      }
      return firstPaid.get(dealId);
    };
    /** Adjustments no payout settled yet (the settle UPDATE is keyed by event id; an unknown id only costs a no-op). */
    const adjustmentIds = new Set<string>();
    let adjustmentsLoaded = false;
    const unsettledAdjustmentRows = db.prepare('SELECT event_id FROM commission_adjustments WHERE settled_position IS NULL');
    const loadAdjustments = () => {
      if (adjustmentsLoaded) return;
      drain();
      for (const r of unsettledAdjustmentRows.iterate() as Iterable<{ event_id: string }>) adjustmentIds.add(r.event_id);
      adjustmentsLoaded = true;
    };
    const unsettledRows = db.prepare('SELECT partner_id, event_id, position FROM commission_lines WHERE settled_position IS NULL ORDER BY position');
    const cashRow = db.prepare('SELECT event_id, position, occurred_at FROM cash_events WHERE kind = ? AND id = ? ORDER BY position DESC LIMIT 1');
    // The source an earlier line of the same cash recorded (its row was removed when that line came).
    const lineSource = db.prepare(
      `SELECT source_event_id AS event_id, source_position AS position, cash_at AS occurred_at FROM commission_lines
        WHERE payment_id = ? AND (CASE WHEN ? = 'payment' THEN kind = 'accrual' ELSE refund_id = ? END) ORDER BY source_position DESC LIMIT 1`,
    );

    /** A partner's unsettled lines; every partner's are loaded in one scan on first use and kept current. */
    const unsettledOf = (partnerId: string): Map<string, number> => {
      if (!unsettledLoaded) {
        drain();
        unsettled.clear();
        for (const r of unsettledRows.iterate() as Iterable<{ partner_id: string; event_id: string; position: number }>) {
          const lines = unsettled.get(r.partner_id) ?? new Map<string, number>();
          lines.set(r.event_id, r.position);
          unsettled.set(r.partner_id, lines);
        }
        unsettledLoaded = true;
      }
      let lines = unsettled.get(partnerId);
      if (!lines) {
        lines = new Map();
        unsettled.set(partnerId, lines);
      }
      return lines;
    };

    /**
     * A line's cash source, and its cash_events row removed (a line now comes from it): from
     * memory, else its row, else the source an earlier line of it recorded, else the line itself.
     */
    const cashSource = (kind: 'payment' | 'refund', id: string, paymentId: string, fallback: EventEnvelope): CashSource => {
      const recent = recentCash[kind];
      const cached = recent.get(id);
      if (cached) {
        cached.row = null; // consumed: no row at the batch's end
        if (cached.onFile) {
          write('cashDelete', [cached.source.position]);
          cached.onFile = false;
        }
        return cached.source;
      }
      drain();
      type SourceRow = { event_id: string; position: number; occurred_at: string };
      const row = cashRow.get(kind, id) as SourceRow | undefined;
      if (row) write('cashDelete', [row.position]);
      const found = row ?? (lineSource.get(paymentId, kind, id) as SourceRow | undefined);
      if (!found) return { eventId: fallback.eventId, position: Number(fallback.position), occurredAt: fallback.occurredAt };
      const source = { eventId: found.event_id, position: found.position, occurredAt: found.occurred_at };
      recent.set(id, { source, row: null, onFile: false });
      return source;
    };

    return {
      beginBatch() {
        // Trimmed between batches only: the current batch's cash is always in the map, so a miss
        // reads a committed row (the bulk writer has not written the current batch yet).
        // The older half goes (a line in this batch comes from cash of the last one, or a committed row).
        for (const recent of [recentCash.payment, recentCash.refund]) {
          if (recent.size < maxRecentCash) continue;
          let drop = recent.size - maxRecentCash / 2;
          for (const key of recent.keys()) {
            if (drop-- <= 0) break;
            recent.delete(key);
          }
        }
        awaiting = [];
      },
      endBatch() {
        // Cash no line has come from yet: on file, so a line in a later batch (or after a restart) finds it.
        for (const cash of awaiting) {
          if (cash.row === null) continue;
          write('cashInsert', cash.row);
          cash.row = null;
          cash.onFile = true;
        }
        awaiting = [];
      },
      apply(e, ev) {
        const position = Number(e.position);
        switch (ev.type) {
          case 'PaymentReceived':
          case 'RefundIssued': {
            const kind = ev.type === 'PaymentReceived' ? 'payment' : 'refund';
            const id = ev.type === 'PaymentReceived' ? ev.data.paymentId : ev.data.refundId;
            const dealId = ev.type === 'PaymentReceived' ? ev.data.dealId : null;
            if (dealId !== null) {
              const first = firstPaidOf(dealId);
              if (first === undefined || e.occurredAt < first) {
                write('firstPayment', [dealId, position, e.occurredAt]);
                firstPaid.set(dealId, e.occurredAt);
              }
            }
            const cash: RecentCash = {
              source: { eventId: e.eventId, position, occurredAt: e.occurredAt },
              row: [position, kind, id, e.eventId, e.occurredAt, ev.data.customerKey, dealId, ev.data.paymentId],
              onFile: false,
            };
            recentCash[kind].set(id, cash);
            awaiting.push(cash);
            return 1;
          }
          case 'CommissionAccrued':
          case 'CommissionClawedBack': {
            const accrual = ev.type === 'CommissionAccrued';
            const d = ev.data;
            const refundId = ev.type === 'CommissionClawedBack' ? ev.data.refundId : null;
            const cash = refundId === null ? cashSource('payment', d.paymentId, d.paymentId, e) : cashSource('refund', refundId, d.paymentId, e);
            const cashFen = ev.type === 'CommissionAccrued' ? ev.data.cashFen : 0 - ev.data.refundedCashFen;
            const lines = unsettledOf(d.partnerId); // loaded before this line's row exists
            write('line', [
              position,
              e.eventId,
              accrual ? 'accrual' : 'clawback',
              d.partnerId,
              d.customerKey,
              d.paymentId,
              refundId,
              cash.eventId,
              cash.position,
              d.line,
              cash.occurredAt,
              rules.quarterOf(cash.occurredAt),
              cashFen,
              d.rateBps,
              accrual ? d.commissionFen : 0 - d.commissionFen,
              ev.type === 'CommissionAccrued' ? ev.data.tier : null,
              ev.type === 'CommissionAccrued' ? ev.data.commissionYear : null,
              e.occurredAt,
              e.recordedAt,
            ]);
            lines.set(e.eventId, position);
            return 1;
          }
          case 'CommissionPaidOut': {
            const d = ev.data;
            write('payout', [d.partnerId, d.quarter, e.eventId, position, e.occurredAt, e.recordedAt, d.netFen, d.paidFen, d.debtRecoveredFen]);
            const lines = unsettledOf(d.partnerId);
            const settled: number[] = [];
            for (const line of d.lines) {
              const linePosition = lines.get(line.eventId);
              if (linePosition === undefined) {
                // Not a commission line of this partner: a policy adjustment, or settled already.
                loadAdjustments();
                if (adjustmentIds.delete(line.eventId)) write('settleAdjustment', [d.quarter, e.eventId, position, e.occurredAt, line.eventId]);
                continue;
              }
              settled.push(linePosition);
              lines.delete(line.eventId);
            }
            if (settled.length > 0) write('settle', [d.quarter, e.eventId, position, e.occurredAt, JSON.stringify(settled)]);
            return 1;
          }
          case 'CommissionAdjusted': {
            const d = ev.data;
            const lineAt = d.kind === 'accrual' ? d.cashAt : d.lineAt;
            const signedFen = d.kind === 'accrual' ? d.adjustmentFen : 0 - d.adjustmentFen;
            write('adjustment', [
              position,
              e.eventId,
              d.partnerId,
              d.lineEventId,
              d.kind,
              d.paymentId,
              d.refundId,
              d.line,
              lineAt,
              rules.quarterOf(lineAt),
              d.fromVersion,
              d.toVersion,
              d.fromRateBps,
              d.toRateBps,
              d.fromFen,
              d.toFen,
              signedFen,
              e.occurredAt,
              e.recordedAt,
            ]);
            loadAdjustments();
            adjustmentIds.add(e.eventId);
            return 1;
          }
          default:
            return 0;
        }
      },
      forget() {
        unsettled.clear();
        unsettledLoaded = false;
        adjustmentIds.clear();
        adjustmentsLoaded = false;
        recentCash.payment.clear();
        recentCash.refund.clear();
        awaiting = [];
        firstPaid.clear();
        firstPaidLoaded = false;
      },
    };
  },
});

// ---- readers ----------------------------------------------------------------------------------

interface LineRow {
  event_id: string;
  position: number;
  kind: 'accrual' | 'clawback';
  partner_id: string;
  customer_key: string;
  payment_id: string;
  refund_id: string | null;
  source_event_id: string;
  source_position: number;
  revenue_line: string;
  cash_at: string;
  cash_quarter: string;
  cash_fen: number;
  rate_bps: number;
  commission_fen: number;
  tier: string | null;
  commission_year: number | null;
  occurred_at: string;
  recorded_at: string;
  settled_quarter: string | null;
  settled_event_id: string | null;
  settled_position: number | null;
  settled_occurred_at: string | null;
  prior_period: number;
}

function lineOfRow(r: LineRow, cut: LogCut): StatementLine {
  const settled =
    r.settled_position !== null && r.settled_position <= cut.position && (r.settled_occurred_at ?? endOfTime) <= validBound(cut);
  return {
    eventId: r.event_id,
    position: r.position,
    kind: r.kind,
    partnerId: r.partner_id,
    customerKey: r.customer_key,
    paymentId: r.payment_id,
    refundId: r.refund_id,
    sourceEventId: r.source_event_id,
    sourcePosition: r.source_position,
    revenueLine: r.revenue_line,
    cashAt: r.cash_at,
    cashQuarter: r.cash_quarter,
    cashFen: r.cash_fen,
    rateBps: r.rate_bps,
    commissionFen: r.commission_fen,
    tier: r.tier,
    commissionYear: r.commission_year,
    occurredAt: r.occurred_at,
    recordedAt: r.recorded_at,
    settledBy: settled ? settlementOfRow(r) : null,
    priorPeriodAdjustment: r.prior_period === 1,
  };
}

/** A line is a prior-period adjustment when a payout of its cash quarter, inside the cut, came before it. */
const linesSelect = `SELECT l.*, EXISTS (SELECT 1 FROM payouts p WHERE p.partner_id = l.partner_id AND p.quarter = l.cash_quarter
    AND p.position < l.position AND p.occurred_at <= @valid) AS prior_period FROM commission_lines l`;

/** The lines of one partner's statement for one quarter inside the cut, in log order. */
export function statementLinesAt(db: Db, partnerId: string, quarter: string, cut: LogCut): StatementLine[] {
  const rows = stmt(
    db,
    `${linesSelect} WHERE l.partner_id = @partner AND l.position <= @position AND l.occurred_at <= @valid AND (l.cash_quarter = @quarter
       OR (l.settled_quarter = @quarter AND l.settled_quarter <> l.cash_quarter AND l.settled_position <= @position AND l.settled_occurred_at <= @valid))
     ORDER BY l.position`,
  ).all({ partner: partnerId, position: cut.position, valid: validBound(cut), quarter }) as LineRow[];
  return rows.map((r) => lineOfRow(r, cut));
}

export function payoutAt(db: Db, partnerId: string, quarter: string, cut: LogCut): PayoutView | null {
  const row = stmt(
    db,
    `SELECT partner_id AS partnerId, quarter, event_id AS eventId, position, occurred_at AS occurredAt, recorded_at AS recordedAt,
            net_fen AS netFen, paid_fen AS paidFen, debt_recovered_fen AS debtRecoveredFen
       FROM payouts WHERE partner_id = ? AND quarter = ? AND position <= ? AND occurred_at <= ? ORDER BY position DESC LIMIT 1`,
  ).get(partnerId, quarter, cut.position, validBound(cut)) as Omit<PayoutView, 'lineEventIds'> | undefined;
  return row ? { ...row, lineEventIds: [] } : null;
}

interface AdjustmentRow {
  event_id: string;
  position: number;
  line_event_id: string;
  kind: 'accrual' | 'clawback';
  payment_id: string;
  refund_id: string | null;
  revenue_line: string;
  cash_at: string;
  cash_quarter: string;
  from_version: string;
  to_version: string;
  from_rate_bps: number;
  to_rate_bps: number;
  from_fen: number;
  to_fen: number;
  commission_fen: number;
  occurred_at: string;
  recorded_at: string;
  settled_quarter: string | null;
  settled_event_id: string | null;
  settled_position: number | null;
  settled_occurred_at: string | null;
}

/** One partner's policy adjustments in a quarter's statement inside the cut: of lines with cash in it, or settled by its payout. */
export function statementAdjustmentsAt(db: Db, partnerId: string, quarter: string, cut: LogCut): StatementAdjustment[] {
  const valid = validBound(cut);
  const rows = stmt(
    db,
    `SELECT * FROM commission_adjustments WHERE partner_id = @partner AND position <= @position AND occurred_at <= @valid AND (cash_quarter = @quarter
       OR (settled_quarter = @quarter AND settled_position <= @position AND settled_occurred_at <= @valid))
     ORDER BY position`,
  ).all({ partner: partnerId, position: cut.position, valid, quarter }) as AdjustmentRow[];
  return rows.map((r) => {
    const settled = r.settled_position !== null && r.settled_position <= cut.position && (r.settled_occurred_at ?? endOfTime) <= valid;
    return {
      eventId: r.event_id,
      position: r.position,
      lineEventId: r.line_event_id,
      kind: r.kind,
      paymentId: r.payment_id,
      refundId: r.refund_id,
      revenueLine: r.revenue_line,
      cashAt: r.cash_at,
      cashQuarter: r.cash_quarter,
      fromVersion: r.from_version,
      toVersion: r.to_version,
      fromRateBps: r.from_rate_bps,
      toRateBps: r.to_rate_bps,
      fromFen: r.from_fen,
      toFen: r.to_fen,
      commissionFen: r.commission_fen,
      occurredAt: r.occurred_at,
      recordedAt: r.recorded_at,
      settledBy: settled ? settlementOfRow(r) : null,
    };
  });
}

/** Commission lines not yet settled by a payout (command side: the current log), in log order. */
export function unsettledLinesOf(db: Db, partnerId: string, cut: LogCut): StatementLine[] {
  const rows = stmt(
    db,
    `${linesSelect} WHERE l.partner_id = @partner AND l.settled_position IS NULL AND l.position <= @position ORDER BY l.position`,
  ).all({ partner: partnerId, position: cut.position, valid: endOfTime }) as LineRow[];
  return rows.map((r) => lineOfRow(r, cut));
}

/**
 * Each deal's first payment inside the cut (occurredAt), by deal (the weekly report's sales; a list
 * answer). The earliest occurredAt among the payments up to a position is that of the deal's last
 * first_payments row up to it; inside a valid-time cut it counts when it occurred by validAt (if it
 * did not, no payment up to the position did).
 */
export function firstPaymentsAt(db: Db, cut: LogCut): Map<string, string> {
  // The bare occurred_at of an aggregate with max() comes from the row holding the maximum (SQLite).
  const rows = stmt(
    db,
    `SELECT deal_id AS dealId, occurred_at AS paidAt, max(position) FROM first_payments WHERE position <= ? GROUP BY deal_id`,
  ).all(cut.position) as Array<{ dealId: string; paidAt: string }>;
  const valid = validBound(cut);
  return new Map(rows.filter((r) => r.paidAt <= valid).map((r) => [r.dealId, r.paidAt]));
}

/** The customer a payment was received from: its cash row, or a commission line from it. */
export function customerKeyOfPayment(db: Db, paymentId: string): string | null {
  const row = stmt(
    db,
    `SELECT customer_key FROM (SELECT customer_key, position FROM cash_events WHERE kind = 'payment' AND id = @id
       UNION ALL SELECT customer_key, source_position FROM commission_lines WHERE payment_id = @id) ORDER BY position LIMIT 1`,
  ).get({ id: paymentId }) as { customer_key: string } | undefined;
  return row?.customer_key ?? null;
}
