// Tiers: every partner's current tier and the history of its changes, folded from
// PartnerSigned (the starting tier) and TierChanged (every change, with reason and figures).
import type { EventEnvelope } from '../src/domain/events.js';
import { byKey, eventOf } from './envelope.js';

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

export interface PartnerTiers {
  partnerId: string;
  tier: string;
  since: string;
  history: TierStep[];
}

export type TiersState = ReadonlyMap<string, PartnerTiers>;
export const initialTiers = (): TiersState => new Map();

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

/** Tier steps in effect order, as the domain orders them: by when they took effect, then by log position. */
export function compareSteps(a: TierStep, b: TierStep): number {
  if (a.since !== b.since) return a.since < b.since ? -1 : 1;
  return a.position - b.position;
}

/** The partner's tier is the last step in effect order (a back-dated change does not override a later one). */
export function evolveTiers(state: TiersState, e: EventEnvelope): TiersState {
  const change = tierStepOf(e);
  if (!change) return state;
  const previous = state.get(change.partnerId);
  const history = [...(previous?.history ?? []), change.step].sort(compareSteps);
  const current = history[history.length - 1]!;
  const next = new Map(state);
  next.set(change.partnerId, { partnerId: change.partnerId, tier: current.tier, since: current.since, history });
  return next;
}

/** The API shape of GET /tiers, sorted by partner id. */
export function tierList(state: TiersState): Array<{ partnerId: string; tier: string; since: string }> {
  return [...state.values()]
    .map((p) => ({ partnerId: p.partnerId, tier: p.tier, since: p.since }))
    .sort(byKey((p) => p.partnerId));
}
