// Pipeline: the weekly report. Every deal with its stage, expected ports and revenue, grouped
// by partner and stage; key deals (stage solution and up) and claims without progress for the
// policy's idle window (28 days by default) flagged relative to a given instant.
import type Database from 'better-sqlite3';
import type { EventEnvelope } from '../src/domain/events.js';
import type { Signing } from '../src/domain/signed-customers.js';
import type { LogCut } from './cut.js';
import { byKey, eventOf } from './envelope.js';
import { projectionModule } from './projection.js';
import { stmt, validBound } from './sql.js';

type Db = Database.Database;

export const pipelineStages = ['registered', 'interest', 'meeting', 'solution', 'trial', 'signed', 'lost'] as const;
export type PipelineStage = (typeof pipelineStages)[number];
const keyStages: ReadonlySet<PipelineStage> = new Set(['solution', 'trial', 'signed']);

/** The direct sales team appears in the pipeline under this id. */
export const directSalesId = 'direct';

export interface DealView {
  dealId: string;
  customerKey: string;
  customerName: string;
  partnerId: string;
  channel: 'partner' | 'direct';
  stage: PipelineStage;
  expectedPorts: number;
  expectedRevenueFen: number;
  registeredAt: string;
  /** The registration or the latest stage advance (occurredAt). */
  lastProgressAt: string;
  lastPosition: number;
}

/** What one event tells the pipeline, in a flat form the read model stores as a row. */
export type DealFact =
  | {
      kind: 'registered';
      position: number;
      occurredAt: string;
      dealId: string;
      customerKey: string;
      customerName: string;
      partnerId: string;
      channel: 'partner' | 'direct';
      expectedPorts: number;
      expectedRevenueFen: number;
    }
  | { kind: 'advanced'; position: number; occurredAt: string; dealId: string; stage: PipelineStage }
  | { kind: 'lost'; position: number; occurredAt: string; dealId: string }
  /** A forecast revision: null leaves that estimate as it was. */
  | { kind: 'forecast'; position: number; occurredAt: string; dealId: string; expectedPorts: number | null; expectedRevenueFen: number | null };

export function dealFactOf(e: EventEnvelope): DealFact | null {
  const ev = eventOf(e);
  const at = { position: Number(e.position), occurredAt: e.occurredAt };
  switch (ev.type) {
    case 'DealRegistered': {
      const d = ev.data;
      return {
        kind: 'registered',
        ...at,
        dealId: d.dealId,
        customerKey: d.customerKey,
        customerName: d.customer.name,
        partnerId: d.partnerId ?? directSalesId,
        channel: d.channel,
        expectedPorts: d.expectedPorts ?? 0,
        expectedRevenueFen: d.expectedRevenueFen ?? 0,
      };
    }
    case 'DealStageAdvanced':
      return { kind: 'advanced', ...at, dealId: ev.data.dealId, stage: ev.data.stage };
    case 'DealLost':
      return { kind: 'lost', ...at, dealId: ev.data.dealId };
    case 'ForecastRevised':
      return { kind: 'forecast', ...at, dealId: ev.data.dealId, expectedPorts: ev.data.expectedPorts, expectedRevenueFen: ev.data.expectedRevenueFen };
    case 'ContractConfirmed':
      // The vendor's confirmation is the signing (src/domain/contracts.ts).
      return { kind: 'advanced', ...at, dealId: ev.data.dealId, stage: 'signed' };
    case 'PartnerSigned':
    case 'DepositPosted':
    case 'DepositDeducted':
    case 'TierChanged':
    case 'TierCertified':
    case 'CommissionPaidOut':
    case 'DealTransferred':
    case 'OwnershipRuled':
    case 'ContractSubmitted':
    case 'ContractRejected':
    case 'TransferProposed':
    case 'TransferRejected':
    case 'PaymentReceived':
    case 'CommissionAccrued':
    case 'RefundIssued':
    case 'CommissionClawedBack':
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
      return null;
    default: {
      const never: never = ev;
      throw new Error(`unhandled event ${JSON.stringify(never)}`);
    }
  }
}

/** Folds one fact into the deals map, mutating it (callers own the map). */
export function applyDealFact(deals: Map<string, DealView>, fact: DealFact): void {
  switch (fact.kind) {
    case 'registered':
      deals.set(fact.dealId, {
        dealId: fact.dealId,
        customerKey: fact.customerKey,
        customerName: fact.customerName,
        partnerId: fact.partnerId,
        channel: fact.channel,
        stage: 'registered',
        expectedPorts: fact.expectedPorts,
        expectedRevenueFen: fact.expectedRevenueFen,
        registeredAt: fact.occurredAt,
        lastProgressAt: fact.occurredAt,
        lastPosition: fact.position,
      });
      return;
    case 'advanced': {
      const deal = deals.get(fact.dealId);
      if (!deal) return; // its registration lies outside the cut
      const lastProgressAt = fact.occurredAt > deal.lastProgressAt ? fact.occurredAt : deal.lastProgressAt;
      deals.set(deal.dealId, { ...deal, stage: fact.stage, lastProgressAt, lastPosition: fact.position });
      return;
    }
    case 'lost': {
      const deal = deals.get(fact.dealId);
      if (!deal) return;
      deals.set(deal.dealId, { ...deal, stage: 'lost', lastPosition: fact.position });
      return;
    }
    case 'forecast': {
      const deal = deals.get(fact.dealId);
      if (!deal) return;
      deals.set(deal.dealId, {
        ...deal,
        expectedPorts: fact.expectedPorts ?? deal.expectedPorts,
        expectedRevenueFen: fact.expectedRevenueFen ?? deal.expectedRevenueFen,
        lastPosition: fact.position,
      });
      return;
    }
    default: {
      const never: never = fact;
      throw new Error(`unhandled deal fact ${JSON.stringify(never)}`);
    }
  }
}

export interface DealLine {
  dealId: string;
  customerKey: string;
  customerName: string;
  channel: 'partner' | 'direct';
  stage: PipelineStage;
  expectedPorts: number;
  expectedRevenueFen: number;
  registeredAt: string;
  lastProgressAt: string;
  idleDays: number;
  key: boolean;
  stale: boolean;
}

export interface StageSummary {
  stage: PipelineStage;
  deals: number;
  expectedPorts: number;
  expectedRevenueFen: number;
}

export interface PartnerPipeline {
  partnerId: string;
  byStage: StageSummary[];
  keyDeals: DealLine[];
  staleClaims: DealLine[];
  deals: DealLine[];
}

export interface PipelineReport {
  /** The instant idleness is measured against. */
  at: string;
  idleWindowDays: number;
  partners: PartnerPipeline[];
}

const dayMs = 86_400_000;

/** Whole days from `fromIso` to `toIso` (never negative). */
export function wholeDaysBetween(fromIso: string, toIso: string): number {
  return Math.max(0, Math.floor((Date.parse(toIso) - Date.parse(fromIso)) / dayMs));
}

export function dealLine(deal: DealView, atIso: string, idleWindowDays: number): DealLine {
  const idleDays = wholeDaysBetween(deal.lastProgressAt, atIso);
  const open = deal.stage !== 'signed' && deal.stage !== 'lost';
  return {
    dealId: deal.dealId,
    customerKey: deal.customerKey,
    customerName: deal.customerName,
    channel: deal.channel,
    stage: deal.stage,
    expectedPorts: deal.expectedPorts,
    expectedRevenueFen: deal.expectedRevenueFen,
    registeredAt: deal.registeredAt,
    lastProgressAt: deal.lastProgressAt,
    idleDays,
    key: keyStages.has(deal.stage),
    stale: open && idleDays >= idleWindowDays,
  };
}

function summarise(lines: readonly DealLine[]): StageSummary[] {
  return pipelineStages.map((stage) => {
    const inStage = lines.filter((l) => l.stage === stage);
    return {
      stage,
      deals: inStage.length,
      expectedPorts: inStage.reduce((sum, l) => sum + l.expectedPorts, 0),
      expectedRevenueFen: inStage.reduce((sum, l) => sum + l.expectedRevenueFen, 0),
    };
  });
}

/** The weekly report over the deals of a cut, idleness measured at `atIso`; optionally one partner only. */
export function pipelineReport(
  deals: Iterable<DealView>,
  atIso: string,
  idleWindowDays: number,
  onlyPartnerId?: string,
): PipelineReport {
  const byPartner = new Map<string, DealLine[]>();
  for (const deal of deals) {
    if (onlyPartnerId !== undefined && deal.partnerId !== onlyPartnerId) continue;
    const lines = byPartner.get(deal.partnerId) ?? [];
    lines.push(dealLine(deal, atIso, idleWindowDays));
    byPartner.set(deal.partnerId, lines);
  }
  const partners = [...byPartner.entries()]
    .map(([partnerId, lines]) => {
      const sorted = [...lines].sort(byKey((l) => l.dealId));
      return {
        partnerId,
        byStage: summarise(sorted),
        keyDeals: sorted.filter((l) => l.key),
        staleClaims: sorted.filter((l) => l.stale),
        deals: sorted,
      };
    })
    .sort(byKey((p) => p.partnerId));
  return { at: atIso, idleWindowDays, partners };
}

// ---- the read model -----------------------------------------------------------------------------

/** Events that tell the pipeline something (dealFactOf answers null for every other type). */
const dealEventTypes: ReadonlySet<string> = new Set(['DealRegistered', 'DealStageAdvanced', 'DealLost', 'ContractConfirmed', 'ForecastRevised']);

// deal_events: the deal facts, one row per event; deal_signings: each partner's first signing of
// a customer, filed under the quarter it fell in (the tier evaluation's candidates).
export const pipelineProjection = projectionModule({
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
  writeSql: {
    dealEvent: 'INSERT OR REPLACE INTO deal_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    signing: 'INSERT OR IGNORE INTO deal_signings VALUES (?, ?, ?, ?)',
  },
  applier({ write, drain, db, rules }) {
    /** Each registered deal's partner; loaded whole on first use and kept current. */
    const dealPartners = new Map<string, string>();
    let loaded = false;
    const registrations = db.prepare(`SELECT deal_id, partner_id FROM deal_events WHERE kind = 'registered' ORDER BY position`);
    const partnerOfDeal = (dealId: string): string | null => {
      if (!loaded) {
        drain();
        for (const r of registrations.iterate() as Iterable<{ deal_id: string; partner_id: string }>) {
          if (!dealPartners.has(r.deal_id)) dealPartners.set(r.deal_id, r.partner_id);
        }
        loaded = true;
      }
      return dealPartners.get(dealId) ?? null;
    };
    return {
      apply(e, ev) {
        if (!dealEventTypes.has(e.type)) return 0; // no deal fact: skip building one
        const fact = dealFactOf(e);
        if (!fact) return 0;
        switch (fact.kind) {
          case 'registered':
            write('dealEvent', [
              fact.position,
              fact.occurredAt,
              fact.kind,
              fact.dealId,
              fact.customerKey,
              fact.customerName,
              fact.partnerId,
              fact.channel,
              null,
              fact.expectedPorts,
              fact.expectedRevenueFen,
            ]);
            dealPartners.set(fact.dealId, fact.partnerId);
            return 1;
          case 'advanced': {
            write('dealEvent', [fact.position, fact.occurredAt, fact.kind, fact.dealId, null, null, null, null, fact.stage, null, null]);
            const partnerId = partnerOfDeal(fact.dealId);
            // A signing: an advance to signed, or the vendor's confirmation of the contract (contracts.ts).
            if (fact.stage === 'signed' && partnerId !== null && (ev.type === 'DealStageAdvanced' || ev.type === 'ContractConfirmed')) {
              write('signing', [rules.quarterOf(e.occurredAt), partnerId, ev.data.customerKey, fact.position]);
            }
            return 1;
          }
          case 'lost':
            write('dealEvent', [fact.position, fact.occurredAt, fact.kind, fact.dealId, null, null, null, null, null, null, null]);
            return 1;
          case 'forecast':
            write('dealEvent', [fact.position, fact.occurredAt, fact.kind, fact.dealId, null, null, null, null, null, fact.expectedPorts, fact.expectedRevenueFen]);
            return 1;
          default: {
            const never: never = fact;
            throw new Error(`unhandled deal fact ${JSON.stringify(never)}`);
          }
        }
      },
      forget() {
        dealPartners.clear();
        loaded = false;
      },
    };
  },
});

// ---- readers ----------------------------------------------------------------------------------

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
