// The read models' SQLite schema, one group of tables per projection, so one projection can be
// dropped and rebuilt alone. Temporal rows are keyed by entity and log position and carry both
// clocks, so an answer about any cut reads an index range of one entity, never the whole log.
import { rebateTables } from './rebates.js';

export const projectionNames = ['clock', 'partners', 'balances', 'ownership', 'pipeline', 'statements', 'rebates'] as const;
export type ProjectionName = (typeof projectionNames)[number];

/** Bump when a table changes shape: an older read-model file is then rebuilt from the log. */
export const readModelSchemaVersion = 8;

export const metaTables = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (projection TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID;
`;

/**
 * Per projection: its tables, the statements creating them, and its secondary indexes (kept
 * apart so a rebuild can load the tables first and index them once at the end).
 */
export const projectionTables: Record<ProjectionName, { create: string; tables: string[]; indexes: string[] }> = {
  // recordedAt → last position recorded at that instant: the asOf cut is one index seek.
  clock: {
    tables: ['clock'],
    create: `CREATE TABLE IF NOT EXISTS clock (recorded_at TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID;`,
    indexes: [],
  },
  // certificate_rows: one row per TierCertified (a partner's certificate for an evaluated quarter).
  partners: {
    tables: ['partners', 'tier_rows', 'certificate_rows'],
    create: `
CREATE TABLE IF NOT EXISTS partners (
  partner_id TEXT NOT NULL, position INTEGER NOT NULL, occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL,
  name TEXT NOT NULL, kind TEXT NOT NULL, parent_partner_id TEXT, territory TEXT,
  PRIMARY KEY (partner_id, position)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tier_rows (
  partner_id TEXT NOT NULL, position INTEGER NOT NULL, occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL,
  event_id TEXT NOT NULL, tier TEXT NOT NULL, from_tier TEXT, reason TEXT NOT NULL, source TEXT NOT NULL,
  quarter TEXT, figures_json TEXT NOT NULL,
  PRIMARY KEY (partner_id, position)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS certificate_rows (
  partner_id TEXT NOT NULL, position INTEGER NOT NULL, occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL,
  quarter TEXT NOT NULL, tier TEXT NOT NULL, previous_tier TEXT NOT NULL, valid_for TEXT NOT NULL,
  valid_from TEXT NOT NULL, valid_to TEXT NOT NULL, metric TEXT NOT NULL, figures_json TEXT NOT NULL,
  PRIMARY KEY (partner_id, position)) WITHOUT ROWID;`,
    indexes: ['CREATE INDEX IF NOT EXISTS tier_rows_in_effect ON tier_rows (partner_id, occurred_at, position);'],
  },
  // One row per (partner, money event): the deltas, the running sums in log order, the running
  // maximum of occurredAt and whether the row is late (occurred before an earlier row of the
  // partner). validAt answers = running sum at the last in-order prefix + the late rows after it.
  // max_lag_ms: the running maximum of how far a late row lies behind the running maximum
  // (ms), so the late rows that can still count are found in a window of occurredAt.
  balances: {
    tables: ['balance_rows'],
    create: `
CREATE TABLE IF NOT EXISTS balance_rows (
  partner_id TEXT NOT NULL, position INTEGER NOT NULL, occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL,
  max_occurred_at TEXT NOT NULL, late INTEGER NOT NULL,
  d_accrued INTEGER NOT NULL, d_clawed_back INTEGER NOT NULL, d_paid_out INTEGER NOT NULL, d_deposit INTEGER NOT NULL, d_debt INTEGER NOT NULL,
  c_accrued INTEGER NOT NULL, c_clawed_back INTEGER NOT NULL, c_paid_out INTEGER NOT NULL, c_deposit INTEGER NOT NULL, c_debt INTEGER NOT NULL,
  d_traffic INTEGER NOT NULL DEFAULT 0, c_traffic INTEGER NOT NULL DEFAULT 0, d_rebate INTEGER NOT NULL DEFAULT 0, c_rebate INTEGER NOT NULL DEFAULT 0,
  max_lag_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (partner_id, position)) WITHOUT ROWID;`,
    indexes: [
      'CREATE INDEX IF NOT EXISTS balance_rows_by_max ON balance_rows (partner_id, max_occurred_at, position);',
      'CREATE INDEX IF NOT EXISTS balance_rows_late_by_time ON balance_rows (partner_id, occurred_at, position) WHERE late = 1;',
    ],
  },
  // The events that decide ownership, per customer (few per customer), folded on read by the
  // domain's customer evolve; and the id indexes the command side needs.
  ownership: {
    tables: ['claim_events', 'customers', 'deals'],
    create: `
CREATE TABLE IF NOT EXISTS claim_events (
  position INTEGER PRIMARY KEY, customer_key TEXT NOT NULL, occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL,
  event_id TEXT NOT NULL, type TEXT NOT NULL, data_json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS customers (
  position INTEGER PRIMARY KEY, customer_key TEXT NOT NULL, name TEXT NOT NULL, tax_id TEXT);
CREATE TABLE IF NOT EXISTS deals (
  position INTEGER PRIMARY KEY, deal_id TEXT NOT NULL, customer_key TEXT NOT NULL, partner_id TEXT, channel TEXT NOT NULL);`,
    indexes: [
      'CREATE INDEX IF NOT EXISTS claim_events_by_customer ON claim_events (customer_key, position);',
      // A proposed transfer's id → its customer (the approval and rejection find the stream by it).
      "CREATE INDEX IF NOT EXISTS claim_events_by_transfer ON claim_events (json_extract(data_json, '$.transferId')) WHERE type = 'TransferProposed';",
      'CREATE INDEX IF NOT EXISTS customers_by_key ON customers (customer_key);',
      'CREATE INDEX IF NOT EXISTS customers_by_name ON customers (name);',
      'CREATE INDEX IF NOT EXISTS customers_by_tax_id ON customers (tax_id) WHERE tax_id IS NOT NULL;',
      'CREATE INDEX IF NOT EXISTS deals_by_id ON deals (deal_id);',
    ],
  },
  pipeline: {
    tables: ['deal_events', 'deal_signings'],
    create: `
CREATE TABLE IF NOT EXISTS deal_events (
  position INTEGER PRIMARY KEY, occurred_at TEXT NOT NULL, kind TEXT NOT NULL, deal_id TEXT NOT NULL,
  customer_key TEXT, customer_name TEXT, partner_id TEXT, channel TEXT, stage TEXT,
  expected_ports INTEGER, expected_revenue_fen INTEGER);
CREATE TABLE IF NOT EXISTS deal_signings (
  quarter TEXT NOT NULL, partner_id TEXT NOT NULL, customer_key TEXT NOT NULL, position INTEGER NOT NULL,
  PRIMARY KEY (quarter, partner_id, customer_key)) WITHOUT ROWID;`,
    indexes: ['CREATE INDEX IF NOT EXISTS deal_events_by_deal ON deal_events (deal_id, position);'],
  },
  statements: {
    tables: ['cash_events', 'commission_lines', 'payouts'],
    create: `
CREATE TABLE IF NOT EXISTS cash_events (
  position INTEGER PRIMARY KEY, kind TEXT NOT NULL, id TEXT NOT NULL, event_id TEXT NOT NULL, occurred_at TEXT NOT NULL,
  customer_key TEXT NOT NULL, deal_id TEXT, payment_id TEXT NOT NULL);
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
  PRIMARY KEY (partner_id, quarter, position)) WITHOUT ROWID;`,
    indexes: ['CREATE INDEX IF NOT EXISTS cash_events_by_id ON cash_events (kind, id);', 'CREATE INDEX IF NOT EXISTS lines_by_cash_quarter ON commission_lines (partner_id, cash_quarter);', 'CREATE INDEX IF NOT EXISTS lines_by_settled_quarter ON commission_lines (partner_id, settled_quarter);', 'CREATE INDEX IF NOT EXISTS lines_unsettled ON commission_lines (partner_id, position) WHERE settled_position IS NULL;'],
  },
  // The rebate programme: purchases and the programme's other facts (projections/rebates.ts).
  rebates: rebateTables,
};
