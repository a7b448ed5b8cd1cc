// Idempotent appends by event id, on EventStoreDB.
//
// What EventStoreDB guarantees: an append whose event ids were already written by an append at
// the same expected revision is acknowledged without writing again (it compares ids only, not
// content). With ANY it only tries, against a cache of recent writes. It keeps no index by event
// id, so it cannot refuse an id reused in another stream.
//
// What the adapter adds, before it writes:
//   - it looks for the append's ids where an earlier identical append must be: at the revisions the
//     caller's exact expectation places it (r + 1 …, or 0 … for 'no-stream'), and in the stream's
//     last IDEMPOTENCY_TAIL_EVENTS events for every expectation;
//   - all ids there, in one run, with the same stream, type and data → answered as the first time,
//     nothing written; only some of them, or other content → DuplicateEventError;
//   - after writing, it reads the events back and checks the ids and content again, which catches
//     the case EventStoreDB's own dedup lets through (same ids, other content, racing writers).
// Not covered: an id reused in ANOTHER stream, or further back than the window, is not detected
// (uuid v4/v7 ids do not collide by chance; a caller reusing one on purpose is not caught).
import type { EventEnvelope } from '../../domain/events.js';
import { DuplicateEventError } from '../event-store.js';
import { canonicalJson } from '../hash-chain.js';
import type { PreparedEvent } from './prepare.js';

/** How far back from the stream's head an earlier copy of an append's ids is looked for. */
export const IDEMPOTENCY_TAIL_EVENTS = 256;

/**
 * Given envelopes already stored in `stream` (any order, any subset), answers the earlier append
 * these events repeat, null when none of their ids is stored, or throws DuplicateEventError.
 */
export function findEarlierAppend(stream: string, events: readonly PreparedEvent[], stored: readonly EventEnvelope[]): EventEnvelope[] | null {
  const byId = new Map(stored.map((e) => [e.eventId, e]));
  const found = events.map((e) => byId.get(e.eventId) ?? null);
  const storedCount = found.filter((f) => f !== null).length;
  if (storedCount === 0) return null;
  return events.map((event, i) => {
    const earlier = found[i];
    if (!earlier) {
      throw new DuplicateEventError(event.eventId, `only ${storedCount} of the ${events.length} event ids of this append are stored; an append is all or nothing`);
    }
    assertSameContent(stream, event, earlier);
    const previous = i > 0 ? found[i - 1] : null;
    if (previous && earlier.revision !== previous.revision + 1n) {
      throw new DuplicateEventError(event.eventId, `stored at revision ${earlier.revision}, not right after ${previous.eventId} (revision ${previous.revision})`);
    }
    return earlier;
  });
}

function assertSameContent(stream: string, event: PreparedEvent, stored: EventEnvelope): void {
  const differences: string[] = [];
  if (stored.stream !== stream) differences.push(`stream ${stored.stream} ≠ ${stream}`);
  if (stored.type !== event.type) differences.push(`type ${stored.type} ≠ ${event.type}`);
  if (canonicalJson(stored.data) !== event.dataJson) differences.push('data differs');
  if (differences.length > 0) {
    throw new DuplicateEventError(event.eventId, `stored at ${stored.stream} revision ${stored.revision} (position ${stored.position}) with ${differences.join(', ')}`);
  }
}

/** The revisions where an exact expectation places an earlier copy of an n-event append, or null. */
export function expectedSlot(expected: bigint | 'no-stream' | 'any' | 'exists', count: number): { fromRevision: bigint; count: number } | null {
  if (expected === 'no-stream') return { fromRevision: 0n, count };
  if (typeof expected === 'bigint') return { fromRevision: expected + 1n, count };
  return null;
}
