// Ownership: per customer, the owning claim, every claim with both times, its stage and status,
// and the rule that made the owner. The rules are the domain's (customer evolve + ownershipOf);
// this module stores the events that decide ownership, per customer (few per customer), feeds
// them to those rules for a cut and shapes the answer; and keeps the id indexes the command
// side needs (customers by name and tax id, deals and transfers to their customer). The same
// rows (with the forecast revisions) are the pipeline's deal facts: one row per customer event,
// not one per projection.
import { canonicalJson } from '../src/store/hash-chain.js';
import type Database from 'better-sqlite3';
import type { EventEnvelope } from '../src/domain/events.js';
import type { LogCut } from './cut.js';
import { projectionModule } from './projection.js';
import { stmt, validBound } from './sql.js';

type Db = Database.Database;

/** Events that decide a customer's ownership (the customer stream minus the cash). */
export const claimEventTypes: ReadonlySet<string> = new Set([
  'DealRegistered',
  'DealStageAdvanced',
  'DealLost',
  'DealTransferred',
  'OwnershipRuled',
  'ContractSubmitted',
  'ContractConfirmed',
  'ContractRejected',
  'TransferProposed',
  'TransferRejected',
]);

/**
 * Events stored in claim_events: the ownership-deciding ones and a deal's forecast revisions
 * (the pipeline reads its deal facts from this table too: projections/pipeline.ts).
 */
export const customerEventTypes: ReadonlySet<string> = new Set([...claimEventTypes, 'ForecastRevised']);

export interface ClaimView {
  dealId: string;
  partnerId: string | null;
  channel: 'partner' | 'direct';
  registeredAt: string;
  recordedAt: string;
  stage: string | null;
  status: string;
}

export interface OwnershipView {
  customerKey: string;
  ownerDealId: string | null;
  ownerPartnerId: string | null;
  claims: ClaimView[];
  /** Why the owner owns: first registration, tie to partner, lost claim passed on, transfer, ruling. */
  rule: string;
  /** The rule in words, with the figures. */
  explanation: string;
}

/** The minimum of an envelope the customer fold reads. */
export type ClaimEnvelope = Pick<EventEnvelope, 'type' | 'data' | 'position' | 'occurredAt' | 'recordedAt' | 'eventId'>;

export interface OwnershipFold<S> {
  initial(customerKey: string): S;
  evolve(state: S, e: ClaimEnvelope): S;
  view(state: S, customerKey: string): OwnershipView;
}

export const ownershipProjection = projectionModule({
  version: 2,
  // version 1 stored no ForecastRevised rows, which the pipeline's deal facts (version 2) read
  // from this table: its tables do not answer during a rebuild (the revisions would be missing)
  compatibleSince: 2,
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
  writeSql: {
    claim: 'INSERT OR REPLACE INTO claim_events VALUES (?, ?, ?, ?, ?, ?, ?)',
    customer: 'INSERT OR REPLACE INTO customers VALUES (?, ?, ?, ?)',
    deal: 'INSERT OR REPLACE INTO deals VALUES (?, ?, ?, ?, ?)',
  },
  applier: ({ write }) => ({
    apply(e, ev) {
      if (!customerEventTypes.has(e.type)) return 0;
      const position = Number(e.position);
      const key = 'customerKey' in ev.data ? ev.data.customerKey : null;
      if (key === null) throw new Error(`${e.type} at ${position} names no customer`);
      write('claim', [position, key, e.occurredAt, e.recordedAt, e.eventId, e.type, canonicalJson(e.data)]);
      if (ev.type === 'DealRegistered') {
        const d = ev.data;
        write('customer', [position, key, d.customer.name, d.customer.taxId]);
        write('deal', [position, d.dealId, key, d.partnerId, d.channel]);
      }
      return 1;
    },
  }),
});

// ---- readers ----------------------------------------------------------------------------------

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
       FROM claim_events WHERE customer_key = ? AND position <= ? AND occurred_at <= ? AND type <> 'ForecastRevised' ORDER BY position`,
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

/** The ports of every contract confirmed inside the cut, by deal (the weekly report's sales; a list answer). */
export function contractPortsAt(db: Db, cut: LogCut): Map<string, number> {
  const rows = stmt(
    db,
    `SELECT json_extract(data_json, '$.dealId') AS dealId, json_extract(data_json, '$.ports') AS ports
       FROM claim_events WHERE type = 'ContractConfirmed' AND position <= ? AND occurred_at <= ? ORDER BY position`,
  ).all(cut.position, validBound(cut)) as Array<{ dealId: string; ports: number }>;
  return new Map(rows.map((r) => [r.dealId, r.ports]));
}
