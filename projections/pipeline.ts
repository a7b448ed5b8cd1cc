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

// The deal facts are the customer events the ownership projection stores (claim_events, with the
// forecast revisions): one row per event serves both, and a fact is rebuilt from its event by
// dealFactOf. deal_signings: each partner's first signing of a customer, filed under the quarter
// it fell in (the tier evaluation's candidates), with the deal and the instant.
export const pipelineProjection = projectionModule({
  version: 2,
  // the deal facts are the ownership projection's claim events; the applier reads its deals
  reads: ['ownership'],
  tables: ['deal_signings'],
  create: `
DROP TABLE IF EXISTS deal_events;
CREATE TABLE IF NOT EXISTS deal_signings (
  quarter TEXT NOT NULL, partner_id TEXT NOT NULL, customer_key TEXT NOT NULL, position INTEGER NOT NULL,
  deal_id TEXT NOT NULL, signed_at TEXT NOT NULL,
  PRIMARY KEY (quarter, partner_id, customer_key)) WITHOUT ROWID;`,
  indexes: [],
  writeSql: {
    signing: 'INSERT OR IGNORE INTO deal_signings VALUES (?, ?, ?, ?, ?, ?)',
  },
  applier({ write, drain, db, rules }) {
    /** Each registered deal's partner ('direct' for direct sales); loaded whole on first use and kept current. */
    const dealPartners = new Map<string, string>();
    let loaded = false;
    // The ownership projection's deals (applied before this one): every registration.
    const registrations = db.prepare('SELECT deal_id, partner_id FROM deals ORDER BY position');
    const partnerOfDeal = (dealId: string): string | null => {
      if (!loaded) {
        drain();
        for (const r of registrations.iterate() as Iterable<{ deal_id: string; partner_id: string | null }>) {
          if (!dealPartners.has(r.deal_id)) dealPartners.set(r.deal_id, r.partner_id ?? directSalesId);
        }
        loaded = true;
      }
      return dealPartners.get(dealId) ?? null;
    };
    return {
      apply(e, ev) {
        if (!dealEventTypes.has(e.type)) return 0;
        if (ev.type === 'DealRegistered') {
          dealPartners.set(ev.data.dealId, ev.data.partnerId ?? directSalesId);
          return 1;
        }
        // A signing: an advance to signed, or the vendor's confirmation of the contract (contracts.ts).
        if ((ev.type === 'DealStageAdvanced' && ev.data.stage === 'signed') || ev.type === 'ContractConfirmed') {
          const partnerId = partnerOfDeal(ev.data.dealId);
          if (partnerId !== null) write('signing', [rules.quarterOf(e.occurredAt), partnerId, ev.data.customerKey, Number(e.position), ev.data.dealId, e.occurredAt]);
        }
        return 1;
      },
      forget() {
        dealPartners.clear();
        loaded = false;
      },
    };
  },
});

// ---- readers ----------------------------------------------------------------------------------

/** Every deal fact inside the cut, in log order (a list answer: it costs what the list has). */
export function dealFactsAt(db: Db, cut: LogCut): DealFact[] {
  const rows = stmt(
    db,
    `SELECT position, occurred_at AS occurredAt, type, data_json FROM claim_events
      WHERE position <= ? AND occurred_at <= ? AND type IN (${[...dealEventTypes].map((t) => `'${t}'`).join(', ')}) ORDER BY position`,
  ).all(cut.position, validBound(cut)) as Array<{ position: number; occurredAt: string; type: string; data_json: string }>;
  const facts: DealFact[] = [];
  for (const r of rows) {
    const fact = dealFactOf({ type: r.type, data: JSON.parse(r.data_json) as unknown, position: r.position, occurredAt: r.occurredAt } as unknown as EventEnvelope);
    if (fact) facts.push(fact);
  }
  return facts;
}

/**
 * The partners' deals signed inside the quarter, by the quarter the read model filed each signing
 * under (its first per partner and customer): candidate rows for the tier evaluation, whose rule
 * (src/domain/signed-customers.ts) decides which count. One index range.
 */
export function signingsInQuarter(db: Db, quarter: string): Signing[] {
  return stmt(
    db,
    `SELECT deal_id AS dealId, partner_id AS partnerId, customer_key AS customerKey, signed_at AS signedAt
       FROM deal_signings WHERE quarter = ? ORDER BY position`,
  ).all(quarter) as Signing[];
}
