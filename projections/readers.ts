// Answers from the read model about any cut of the log. Per-entity answers read an index range
// of that entity's rows; none of them scans the whole log.
import type Database from 'better-sqlite3';
import type { Signing } from '../src/domain/signed-customers.js';
import { type AccountTotals, addTotals, zeroTotals } from './balances.js';
import type { LogCut, TimeQuery } from './cut.js';
import type { DealFact, PipelineStage } from './pipeline.js';
import type { PayoutView, StatementLine } from './statements.js';
import type { TierStep } from './tiers.js';
import { totalsOfRow } from './read-model.js';

type Db = Database.Database;

/** No validAt: every instant. ISO strings compare in time order, and this sorts after all of them. */
const endOfTime = '9999-12-31T23:59:59.999Z';
const validBound = (cut: LogCut): string => cut.validAt ?? endOfTime;

const statements = new WeakMap<Db, Map<string, Database.Statement>>();
function stmt(db: Db, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}

/** Forgets prepared statements (after tables were dropped and recreated). */
export function forgetStatements(db: Db): void {
  statements.delete(db);
}

/** The last position recorded at or before `asOf` (0 when nothing was). One index seek. */
export function positionRecordedBy(db: Db, asOf: string): number {
  const row = stmt(db, 'SELECT position FROM clock WHERE recorded_at <= ? ORDER BY recorded_at DESC LIMIT 1').get(asOf) as
    | { position: number }
    | undefined;
  return row?.position ?? 0;
}

/** Resolves a reader's question into a cut, never beyond what the read model includes. */
export function resolveCut(db: Db, query: TimeQuery, includedPosition: number): LogCut {
  const asOf = query.asOf ?? null;
  const position = asOf === null ? includedPosition : Math.min(includedPosition, positionRecordedBy(db, asOf));
  return { position, validAt: query.validAt ?? null, asOf };
}

// ---- balances ---------------------------------------------------------------------------------

interface Sums {
  c_accrued: number;
  c_clawed_back: number;
  c_paid_out: number;
  c_deposit: number;
  c_debt: number;
  c_traffic: number;
  c_rebate: number;
}

/**
 * A partner's account sums over a cut. Without validAt: the running sums of the last row at or
 * below the cut (one seek). With validAt: the rows up to the last one whose running maximum of
 * occurredAt is ≤ validAt all count (one seek for the running sums); after it only late rows
 * (back-dated) can still have occurredAt ≤ validAt, and they are read from a partial index.
 */
export function balanceTotalsAt(db: Db, partnerId: string, cut: LogCut): AccountTotals {
  const sums = 'c_accrued, c_clawed_back, c_paid_out, c_deposit, c_debt, c_traffic, c_rebate';
  if (cut.validAt === null) {
    const row = stmt(db, `SELECT ${sums} FROM balance_rows WHERE partner_id = ? AND position <= ? ORDER BY position DESC LIMIT 1`).get(
      partnerId,
      cut.position,
    ) as Sums | undefined;
    return row ? totalsOfRow(row) : zeroTotals();
  }
  const prefix = stmt(
    db,
    'SELECT position FROM balance_rows WHERE partner_id = ? AND max_occurred_at <= ? ORDER BY max_occurred_at DESC, position DESC LIMIT 1',
  ).get(partnerId, cut.validAt) as { position: number } | undefined;
  const prefixEnd = Math.min(prefix?.position ?? 0, cut.position);
  const head = stmt(db, `SELECT ${sums} FROM balance_rows WHERE partner_id = ? AND position <= ? ORDER BY position DESC LIMIT 1`).get(
    partnerId,
    prefixEnd,
  ) as Sums | undefined;
  if (prefixEnd === cut.position) return head ? totalsOfRow(head) : zeroTotals();
  // A late row after the prefix lies at most max_lag_ms behind its running maximum, which is
  // past validAt: only late rows that occurred inside (validAt - max lag, validAt] can count.
  // (+position keeps the planner on the late rows' occurredAt index, not the position range.)
  const lag = stmt(db, 'SELECT max_lag_ms FROM balance_rows WHERE partner_id = ? AND position <= ? ORDER BY position DESC LIMIT 1').pluck().get(partnerId, cut.position) as
    | number
    | undefined;
  const from = new Date(Date.parse(cut.validAt) - (lag ?? 0)).toISOString();
  const tail = stmt(
    db,
    `SELECT coalesce(sum(d_accrued), 0) AS c_accrued, coalesce(sum(d_clawed_back), 0) AS c_clawed_back,
            coalesce(sum(d_paid_out), 0) AS c_paid_out, coalesce(sum(d_deposit), 0) AS c_deposit, coalesce(sum(d_debt), 0) AS c_debt,
            coalesce(sum(d_traffic), 0) AS c_traffic, coalesce(sum(d_rebate), 0) AS c_rebate
       FROM balance_rows
      WHERE partner_id = ? AND late = 1 AND occurred_at >= ? AND occurred_at <= ? AND +position > ? AND +position <= ?`,
  ).get(partnerId, from, cut.validAt, prefixEnd, cut.position) as Sums;
  return addTotals(head ? totalsOfRow(head) : zeroTotals(), totalsOfRow(tail));
}

// ---- partners and tiers -------------------------------------------------------------------------

export interface PartnerRow {
  partnerId: string;
  name: string;
  kind: string;
  parentPartnerId: string | null;
  territory: string | null;
  signedAt: string;
  position: number;
}

const partnerColumns = `partner_id AS partnerId, name, kind, parent_partner_id AS parentPartnerId, territory,
  occurred_at AS signedAt, position`;

export function partnerAt(db: Db, partnerId: string, cut: LogCut): PartnerRow | null {
  const row = stmt(db, `SELECT ${partnerColumns} FROM partners WHERE partner_id = ? AND position <= ? AND occurred_at <= ? ORDER BY position DESC LIMIT 1`).get(
    partnerId,
    cut.position,
    validBound(cut),
  ) as PartnerRow | undefined;
  return row ?? null;
}

export function partnersAt(db: Db, cut: LogCut): PartnerRow[] {
  // The bare columns of an aggregate with max() come from the row holding the maximum (SQLite).
  return stmt(db, `SELECT ${partnerColumns.replace('position', 'max(position) AS position')} FROM partners WHERE position <= ? AND occurred_at <= ? GROUP BY partner_id ORDER BY partner_id`).all(
    cut.position,
    validBound(cut),
  ) as PartnerRow[];
}

interface TierRowDb {
  tier: string;
  from_tier: string | null;
  occurred_at: string;
  recorded_at: string;
  position: number;
  event_id: string;
  reason: string;
  source: string;
  quarter: string | null;
  figures_json: string;
}

const tierStep = (r: TierRowDb): TierStep => ({
  tier: r.tier,
  from: r.from_tier,
  since: r.occurred_at,
  recordedAt: r.recorded_at,
  position: r.position,
  eventId: r.event_id,
  reason: r.reason,
  source: r.source as TierStep['source'],
  quarter: r.quarter,
  figures: JSON.parse(r.figures_json) as Record<string, number>,
});

/** The partner's tier at a cut: the step inside the cut that took effect last (then the later position). */
export function tierAt(db: Db, partnerId: string, cut: LogCut): TierStep | null {
  const row = stmt(
    db,
    'SELECT * FROM tier_rows WHERE partner_id = ? AND occurred_at <= ? AND position <= ? ORDER BY occurred_at DESC, position DESC LIMIT 1',
  ).get(partnerId, validBound(cut), cut.position) as TierRowDb | undefined;
  return row ? tierStep(row) : null;
}

/** Every partner signed within the cut with its tier at the cut, in one statement (a list answer). */
export function tiersAt(db: Db, cut: LogCut): Array<{ partnerId: string; tier: string; since: string }> {
  return stmt(
    db,
    `SELECT p.partner_id AS partnerId, t.tier AS tier, t.occurred_at AS since
       FROM (SELECT DISTINCT partner_id FROM partners WHERE position <= @position AND occurred_at <= @valid) p
       JOIN tier_rows t ON t.partner_id = p.partner_id AND t.position = (
         SELECT x.position FROM tier_rows x WHERE x.partner_id = p.partner_id AND x.occurred_at <= @valid AND x.position <= @position
          ORDER BY x.occurred_at DESC, x.position DESC LIMIT 1)
      ORDER BY p.partner_id`,
  ).all({ position: cut.position, valid: validBound(cut) }) as Array<{ partnerId: string; tier: string; since: string }>;
}

/**
 * What the partners and tiers tables hold within a cut, as one key: the last position of a row of
 * each at or below the cut. Rows are only ever added, at the position of their event, so two cuts
 * with the same key read the same rows (any row between them would raise the later one's key).
 * Cheaper than tiersAt (no join, no per-partner sort), so a tiers answer can be reused by key.
 */
export function partnersContentKey(db: Db, position: number): string {
  const row = stmt(
    db,
    `SELECT (SELECT max(position) FROM partners WHERE position <= @position) AS partners,
            (SELECT max(position) FROM tier_rows WHERE position <= @position) AS tiers`,
  ).get({ position }) as { partners: number | null; tiers: number | null };
  return `${row.partners ?? 0}:${row.tiers ?? 0}`;
}

export function tierHistoryAt(db: Db, partnerId: string, cut: LogCut): TierStep[] {
  const rows = stmt(db, 'SELECT * FROM tier_rows WHERE partner_id = ? AND position <= ? AND occurred_at <= ? ORDER BY occurred_at, position').all(
    partnerId,
    cut.position,
    validBound(cut),
  ) as TierRowDb[];
  return rows.map(tierStep);
}

/** A partner's tier certificate for an evaluated quarter (one TierCertified). */
export interface CertificateRow {
  quarter: string;
  tier: string;
  previousTier: string;
  validFor: string;
  validFrom: string;
  validTo: string;
  metric: string;
  figures: Record<string, number>;
  /** When it was issued (the evaluation's effective instant) and recorded. */
  certifiedAt: string;
  recordedAt: string;
}

/** The partner's certificates inside the cut, by quarter (a few per year). */
export function certificatesAt(db: Db, partnerId: string, cut: LogCut): CertificateRow[] {
  const rows = stmt(
    db,
    `SELECT quarter, tier, previous_tier, valid_for, valid_from, valid_to, metric, figures_json, occurred_at, recorded_at
       FROM certificate_rows WHERE partner_id = ? AND position <= ? AND occurred_at <= ? ORDER BY quarter, position`,
  ).all(partnerId, cut.position, validBound(cut)) as Array<{
    quarter: string;
    tier: string;
    previous_tier: string;
    valid_for: string;
    valid_from: string;
    valid_to: string;
    metric: string;
    figures_json: string;
    occurred_at: string;
    recorded_at: string;
  }>;
  return rows.map((r) => ({
    quarter: r.quarter,
    tier: r.tier,
    previousTier: r.previous_tier,
    validFor: r.valid_for,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    metric: r.metric,
    figures: JSON.parse(r.figures_json) as Record<string, number>,
    certifiedAt: r.occurred_at,
    recordedAt: r.recorded_at,
  }));
}

// ---- ownership ----------------------------------------------------------------------------------

export interface ClaimEventRow {
  position: number;
  occurredAt: string;
  recordedAt: string;
  eventId: string;
  type: string;
  data: unknown;
}

/** The customer's ownership-deciding events inside the cut, in log order (few per customer). */
export function claimEventsAt(db: Db, customerKey: string, cut: LogCut): ClaimEventRow[] {
  const rows = stmt(
    db,
    `SELECT position, occurred_at AS occurredAt, recorded_at AS recordedAt, event_id AS eventId, type, data_json
       FROM claim_events WHERE customer_key = ? AND position <= ? AND occurred_at <= ? ORDER BY position`,
  ).all(customerKey, cut.position, validBound(cut)) as Array<Omit<ClaimEventRow, 'data'> & { data_json: string }>;
  return rows.map(({ data_json, ...r }) => ({ ...r, data: JSON.parse(data_json) as unknown }));
}

export function customerKeyOfDeal(db: Db, dealId: string): string | null {
  const row = stmt(db, 'SELECT customer_key FROM deals WHERE deal_id = ? ORDER BY position LIMIT 1').get(dealId) as { customer_key: string } | undefined;
  return row?.customer_key ?? null;
}

/** The customer a proposed transfer is about (the partial index claim_events_by_transfer). */
export function customerKeyOfTransfer(db: Db, transferId: string): string | null {
  const row = stmt(
    db,
    `SELECT customer_key FROM claim_events WHERE type = 'TransferProposed' AND json_extract(data_json, '$.transferId') = ? ORDER BY position LIMIT 1`,
  ).get(transferId) as { customer_key: string } | undefined;
  return row?.customer_key ?? null;
}

export function customerKeyOfPayment(db: Db, paymentId: string): string | null {
  const row = stmt(db, `SELECT customer_key FROM cash_events WHERE kind = 'payment' AND id = ? ORDER BY position LIMIT 1`).get(paymentId) as
    | { customer_key: string }
    | undefined;
  return row?.customer_key ?? null;
}

/** Customers registered under a name or tax id, matched exactly against the stored spelling. */
export function customerKeysNamed(db: Db, nameOrTaxId: string): string[] {
  const rows = stmt(db, 'SELECT DISTINCT customer_key FROM customers WHERE name = ? OR tax_id = ? ORDER BY customer_key').all(
    nameOrTaxId,
    nameOrTaxId,
  ) as Array<{ customer_key: string }>;
  return rows.map((r) => r.customer_key);
}

export function customerExists(db: Db, customerKey: string): boolean {
  return stmt(db, 'SELECT 1 FROM customers WHERE customer_key = ? LIMIT 1').get(customerKey) !== undefined;
}

// ---- pipeline -----------------------------------------------------------------------------------

interface DealEventRow {
  position: number;
  occurred_at: string;
  kind: DealFact['kind'];
  deal_id: string;
  customer_key: string | null;
  customer_name: string | null;
  partner_id: string | null;
  channel: string | null;
  stage: string | null;
  expected_ports: number | null;
  expected_revenue_fen: number | null;
}

function dealFactOfRow(r: DealEventRow): DealFact {
  const at = { position: r.position, occurredAt: r.occurred_at, dealId: r.deal_id };
  switch (r.kind) {
    case 'registered':
      return {
        kind: 'registered',
        ...at,
        customerKey: r.customer_key ?? '',
        customerName: r.customer_name ?? '',
        partnerId: r.partner_id ?? '',
        channel: r.channel === 'direct' ? 'direct' : 'partner',
        expectedPorts: r.expected_ports ?? 0,
        expectedRevenueFen: r.expected_revenue_fen ?? 0,
      };
    case 'advanced':
      return { kind: 'advanced', ...at, stage: r.stage as PipelineStage };
    case 'lost':
      return { kind: 'lost', ...at };
    case 'forecast':
      return { kind: 'forecast', ...at, expectedPorts: r.expected_ports, expectedRevenueFen: r.expected_revenue_fen };
    default: {
      const never: never = r.kind;
      throw new Error(`unknown deal event kind ${String(never)}`);
    }
  }
}

/** Every deal fact inside the cut, in log order (a list answer: it costs what the list has). */
export function dealFactsAt(db: Db, cut: LogCut): DealFact[] {
  const rows = stmt(db, 'SELECT * FROM deal_events WHERE position <= ? AND occurred_at <= ? ORDER BY position').all(
    cut.position,
    validBound(cut),
  ) as DealEventRow[];
  return rows.map(dealFactOfRow);
}

/** The ports of every contract confirmed inside the cut, by deal (the weekly report's sales; a list answer). */
export function contractPortsAt(db: Db, cut: LogCut): Map<string, number> {
  const rows = stmt(
    db,
    `SELECT json_extract(data_json, '$.dealId') AS dealId, json_extract(data_json, '$.ports') AS ports
       FROM claim_events WHERE type = 'ContractConfirmed' AND position <= ? AND occurred_at <= ? ORDER BY position`,
  ).all(cut.position, validBound(cut)) as Array<{ dealId: string; ports: number }>;
  return new Map(rows.map((r) => [r.dealId, r.ports]));
}

/** Each deal's first payment inside the cut (occurredAt), by deal (the weekly report's sales; a list answer). */
export function firstPaymentsAt(db: Db, cut: LogCut): Map<string, string> {
  const rows = stmt(
    db,
    `SELECT deal_id AS dealId, min(occurred_at) AS paidAt FROM cash_events
      WHERE kind = 'payment' AND deal_id IS NOT NULL AND position <= ? AND occurred_at <= ? GROUP BY deal_id`,
  ).all(cut.position, validBound(cut)) as Array<{ dealId: string; paidAt: string }>;
  return new Map(rows.map((r) => [r.dealId, r.paidAt]));
}

/**
 * The partners' deals signed inside the quarter, by the quarter the read model filed each signing
 * under (its first per partner and customer): candidate rows for the tier evaluation, whose rule
 * (src/domain/signed-customers.ts) decides which count. One index range and a primary-key join.
 */
export function signingsInQuarter(db: Db, quarter: string): Signing[] {
  return stmt(
    db,
    `SELECT e.deal_id AS dealId, s.partner_id AS partnerId, s.customer_key AS customerKey, e.occurred_at AS signedAt
       FROM deal_signings s JOIN deal_events e ON e.position = s.position
      WHERE s.quarter = ? ORDER BY s.position`,
  ).all(quarter) as Signing[];
}

// ---- statements ---------------------------------------------------------------------------------

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
    settledBy:
      settled && r.settled_quarter !== null && r.settled_event_id !== null && r.settled_position !== null
        ? { quarter: r.settled_quarter, eventId: r.settled_event_id, position: r.settled_position }
        : null,
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
       OR (l.settled_quarter = @quarter AND l.settled_position <= @position AND l.settled_occurred_at <= @valid))
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

/** Commission lines not yet settled by a payout (command side: the current log), in log order. */
export function unsettledLinesOf(db: Db, partnerId: string, cut: LogCut): StatementLine[] {
  const rows = stmt(
    db,
    `${linesSelect} WHERE l.partner_id = @partner AND l.settled_position IS NULL AND l.position <= @position ORDER BY l.position`,
  ).all({ partner: partnerId, position: cut.position, valid: endOfTime }) as LineRow[];
  return rows.map((r) => lineOfRow(r, cut));
}
