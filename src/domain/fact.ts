// The input of every evolve: a ledger event with the envelope fields the rules read.
// A stored envelope carries all of them; `factOf` narrows one to the discriminated union.
import type { EventEnvelope, LedgerEvent } from './events.js';

/** When and where a fact was recorded: what the folds read besides the event itself. */
export interface FactMeta {
  eventId: string;
  /** Valid time: when it happened in the business. */
  occurredAt: string;
  /** Transaction time: when the ledger stored it. */
  recordedAt: string;
  /** 1-based global position in the log. */
  position: bigint;
}

/** A stored fact: the event, both times, its global position and its stream revision. */
export type Fact = LedgerEvent & FactMeta & { revision: bigint };

/** What an evolve needs: a Fact without its stream revision (projections may not carry it). */
export type FoldFact = LedgerEvent & FactMeta;

type EnvelopeLike = Pick<EventEnvelope, 'type' | 'data' | 'eventId' | 'occurredAt' | 'recordedAt' | 'position'> & {
  revision?: bigint;
};

/**
 * An envelope as a Fact. The store validated `data` against its type's schema when it was
 * written and read, so the pairing of `type` and `data` holds; this only tells TypeScript.
 */
export function factOf(e: EnvelopeLike & { revision: bigint }): Fact;
export function factOf(e: EnvelopeLike): FoldFact;
export function factOf(e: EnvelopeLike): FoldFact {
  const base = {
    type: e.type,
    data: e.data,
    eventId: e.eventId,
    occurredAt: e.occurredAt,
    recordedAt: e.recordedAt,
    position: e.position,
  };
  return (e.revision === undefined ? base : { ...base, revision: e.revision }) as FoldFact;
}

/** Asserts the log's order: positions only grow within a fold. */
export function assertPositionGrows(previous: bigint, next: bigint, what: string): void {
  if (next <= previous) {
    throw new Error(`${what}: position ${next} does not follow ${previous}; facts must be folded in log order`);
  }
}
