// Partners, tiers and certificates: each partner's signing, every tier step (PartnerSigned is
// the starting tier, TierChanged every change with reason and figures) and its tier certificates,
// one row per event keyed by partner and position with both clocks.
import { canonicalJson } from '../src/store/hash-chain.js';
import type Database from 'better-sqlite3';
import type { EventEnvelope } from '../src/domain/events.js';
import type { LogCut } from './cut.js';
import { eventOf } from './envelope.js';
import { projectionModule } from './projection.js';
import { stmt, validBound } from './sql.js';

type Db = Database.Database;

export interface TierStep {
  tier: string;
  from: string | null;
  /** When the tier took effect (the event's occurredAt). */
  since: string;
  recordedAt: string;
  position: number;
  eventId: string;
  reason: string;
  source: 'signing' | 'manual' | 'evaluation';
  quarter: string | null;
  figures: Record<string, number>;
}

/** The tier step an event produces, or null when the event does not touch a tier. */
export function tierStepOf(e: EventEnvelope): { partnerId: string; step: TierStep } | null {
  if (e.type !== 'PartnerSigned' && e.type !== 'TierChanged') return null; // most events: no allocation
  const common = { since: e.occurredAt, recordedAt: e.recordedAt, position: Number(e.position), eventId: e.eventId };
  const ev = eventOf(e);
  switch (ev.type) {
    case 'PartnerSigned': {
      const d = ev.data;
      return {
        partnerId: d.partnerId,
        step: { ...common, tier: d.tier, from: null, reason: 'signed', source: 'signing', quarter: null, figures: {} },
      };
    }
    case 'TierChanged': {
      const d = ev.data;
      return {
        partnerId: d.partnerId,
        step: { ...common, tier: d.to, from: d.from, reason: d.reason, source: d.source, quarter: d.quarter, figures: d.figures },
      };
    }
    default:
      return null;
  }
}

// certificate_rows: one row per TierCertified (a partner's certificate for an evaluated quarter).
export const partnersProjection = projectionModule({
  version: 1,
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
  writeSql: {
    partner: 'INSERT OR REPLACE INTO partners VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    tier: 'INSERT OR REPLACE INTO tier_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    certificate: 'INSERT OR REPLACE INTO certificate_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  },
  applier: ({ write }) => ({
    apply(e, ev) {
      const position = Number(e.position);
      if (ev.type === 'PartnerSigned') {
        const d = ev.data;
        write('partner', [d.partnerId, position, e.occurredAt, e.recordedAt, d.name, d.kind, d.parentPartnerId, d.territory]);
      }
      if (ev.type === 'TierCertified') {
        const d = ev.data;
        write('certificate', [d.partnerId, position, e.occurredAt, e.recordedAt, d.quarter, d.tier, d.previousTier, d.validFor, d.validFrom, d.validTo, d.metric, canonicalJson(d.figures)]);
        return 1;
      }
      const change = tierStepOf(e);
      if (!change) return ev.type === 'PartnerSigned' ? 1 : 0;
      const st = change.step;
      write('tier', [change.partnerId, position, e.occurredAt, e.recordedAt, e.eventId, st.tier, st.from, st.reason, st.source, st.quarter, canonicalJson(st.figures)]);
      return 1;
    },
  }),
});

// ---- readers ----------------------------------------------------------------------------------

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
