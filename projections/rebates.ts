// The rebate programme's read model: purchases (for each partner's quarterly sums and the yearly
// high-end award) and the programme's other facts (commitments, locks, rebates earned and paid),
// one row per event keyed by log position with both clocks, so every answer reads an index
// range of one partner (or one year) inside any cut.
import { canonicalJson } from '../src/store/hash-chain.js';
import type Database from 'better-sqlite3';
import type { LogCut } from './cut.js';
import { projectionModule } from './projection.js';
import { stmt, validBound } from './sql.js';

type Db = Database.Database;

export const rebateEventTypes: ReadonlySet<string> = new Set(['CommitmentSet', 'PurchaseRecorded', 'LockedToDistributor', 'RebateEarned', 'RebatePaid']);

export const rebatesProjection = projectionModule({
  version: 1,
  tables: ['purchase_rows', 'rebate_rows'],
  create: `
CREATE TABLE IF NOT EXISTS purchase_rows (
  position INTEGER PRIMARY KEY, partner_id TEXT NOT NULL, occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL,
  year INTEGER NOT NULL, quarter TEXT NOT NULL, purchase_id TEXT NOT NULL, product_line TEXT NOT NULL,
  amount_fen INTEGER NOT NULL, bid INTEGER NOT NULL, distributor_id TEXT);
CREATE TABLE IF NOT EXISTS rebate_rows (
  position INTEGER PRIMARY KEY, partner_id TEXT NOT NULL, occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL,
  type TEXT NOT NULL, year INTEGER, quarter TEXT, payer_partner_id TEXT, amount_fen INTEGER NOT NULL, data_json TEXT NOT NULL);`,
  indexes: [
    'CREATE INDEX IF NOT EXISTS purchase_rows_by_partner ON purchase_rows (partner_id, year, position);',
    'CREATE INDEX IF NOT EXISTS purchase_rows_by_line ON purchase_rows (year, product_line, partner_id);',
    'CREATE INDEX IF NOT EXISTS purchase_rows_by_distributor ON purchase_rows (distributor_id, year, position) WHERE distributor_id IS NOT NULL;',
    'CREATE INDEX IF NOT EXISTS rebate_rows_by_partner ON rebate_rows (partner_id, position);',
    'CREATE INDEX IF NOT EXISTS rebate_rows_by_payer ON rebate_rows (payer_partner_id, year) WHERE payer_partner_id IS NOT NULL;',
  ],
  writeSql: {
    purchase: 'INSERT OR REPLACE INTO purchase_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    rebateRow: 'INSERT OR REPLACE INTO rebate_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  },
  applier: ({ write, rules }) => ({
    apply(e, ev) {
      if (!rebateEventTypes.has(e.type)) return 0;
      const position = Number(e.position);
      const row = (partnerId: string, type: string, year: number | null, quarter: string | null, payer: string | null, amountFen: number) =>
        write('rebateRow', [position, partnerId, e.occurredAt, e.recordedAt, type, year, quarter, payer, amountFen, canonicalJson(e.data)]);
      switch (ev.type) {
        case 'PurchaseRecorded': {
          const d = ev.data;
          const quarter = rules.quarterOf(e.occurredAt);
          write('purchase', [position, d.partnerId, e.occurredAt, e.recordedAt, Number(quarter.slice(0, 4)), quarter, d.purchaseId, d.productLine, d.amountFen, d.bid ? 1 : 0, d.distributorId]);
          return 1;
        }
        case 'CommitmentSet':
          row(ev.data.partnerId, ev.type, ev.data.year, null, null, ev.data.amountFen);
          return 1;
        case 'LockedToDistributor':
          row(ev.data.partnerId, ev.type, null, null, ev.data.distributorId, 0);
          return 1;
        case 'RebateEarned':
          row(ev.data.partnerId, ev.type, ev.data.year, ev.data.quarter, ev.data.payerPartnerId, ev.data.amountFen);
          return 1;
        case 'RebatePaid':
          row(ev.data.partnerId, ev.type, null, null, ev.data.payerPartnerId, ev.data.amountFen);
          return 1;
        default:
          return 0;
      }
    },
  }),
});

// ---- readers ----------------------------------------------------------------------------------

export interface RebateRow {
  position: number;
  partnerId: string;
  occurredAt: string;
  recordedAt: string;
  type: 'CommitmentSet' | 'LockedToDistributor' | 'RebateEarned' | 'RebatePaid';
  year: number | null;
  quarter: string | null;
  payerPartnerId: string | null;
  amountFen: number;
  data: unknown;
}

interface RebateRowDb {
  position: number;
  partner_id: string;
  occurred_at: string;
  recorded_at: string;
  type: RebateRow['type'];
  year: number | null;
  quarter: string | null;
  payer_partner_id: string | null;
  amount_fen: number;
  data_json: string;
}

const rowOf = (r: RebateRowDb): RebateRow => ({
  position: r.position,
  partnerId: r.partner_id,
  occurredAt: r.occurred_at,
  recordedAt: r.recorded_at,
  type: r.type,
  year: r.year,
  quarter: r.quarter,
  payerPartnerId: r.payer_partner_id,
  amountFen: r.amount_fen,
  data: JSON.parse(r.data_json) as unknown,
});

/** A partner's programme facts inside the cut, in log order (a few per quarter). */
export function rebateRowsAt(db: Db, partnerId: string, cut: LogCut): RebateRow[] {
  const rows = stmt(db, 'SELECT * FROM rebate_rows WHERE partner_id = ? AND position <= ? AND occurred_at <= ? ORDER BY position').all(
    partnerId,
    cut.position,
    validBound(cut),
  ) as RebateRowDb[];
  return rows.map(rowOf);
}

/** Rebates of a year that a distributor owes its locked agents, inside the cut. */
export function rebatesOwedByAt(db: Db, payerPartnerId: string, year: number, cut: LogCut): RebateRow[] {
  const rows = stmt(
    db,
    `SELECT * FROM rebate_rows WHERE payer_partner_id = ? AND year = ? AND type = 'RebateEarned' AND position <= ? AND occurred_at <= ? ORDER BY position`,
  ).all(payerPartnerId, year, cut.position, validBound(cut)) as RebateRowDb[];
  return rows.map(rowOf);
}

export interface QuarterPurchases {
  quarter: string;
  purchasesFen: number;
  bidPurchasesFen: number;
  count: number;
}

/** A partner's purchases of a year inside the cut, summed per quarter. */
export function purchasesByQuarterAt(db: Db, partnerId: string, year: number, cut: LogCut): QuarterPurchases[] {
  return stmt(
    db,
    `SELECT quarter, sum(amount_fen) AS purchasesFen, sum(CASE WHEN bid = 1 THEN amount_fen ELSE 0 END) AS bidPurchasesFen, count(*) AS count
       FROM purchase_rows WHERE partner_id = ? AND year = ? AND position <= ? AND occurred_at <= ? GROUP BY quarter ORDER BY quarter`,
  ).all(partnerId, year, cut.position, validBound(cut)) as QuarterPurchases[];
}

/** Purchases of a year that agents recorded through a distributor (they climb its steps), inside the cut, per agent and quarter. */
export function agentPurchasesByQuarterAt(db: Db, distributorId: string, year: number, cut: LogCut): Array<{ partnerId: string; quarter: string; purchasesFen: number }> {
  return stmt(
    db,
    `SELECT partner_id AS partnerId, quarter, sum(amount_fen) AS purchasesFen
       FROM purchase_rows WHERE distributor_id = ? AND year = ? AND position <= ? AND occurred_at <= ? GROUP BY partner_id, quarter ORDER BY quarter, partner_id`,
  ).all(distributorId, year, cut.position, validBound(cut)) as Array<{ partnerId: string; quarter: string; purchasesFen: number }>;
}

/** Purchases of one product line in a year inside the cut, per partner, largest first (then by id). */
export function productLineTotalsAt(db: Db, year: number, productLine: string, cut: LogCut): Array<{ partnerId: string; purchasesFen: number }> {
  return stmt(
    db,
    `SELECT partner_id AS partnerId, sum(amount_fen) AS purchasesFen FROM purchase_rows
      WHERE year = ? AND product_line = ? AND position <= ? AND occurred_at <= ? GROUP BY partner_id ORDER BY purchasesFen DESC, partner_id`,
  ).all(year, productLine, cut.position, validBound(cut)) as Array<{ partnerId: string; purchasesFen: number }>;
}
