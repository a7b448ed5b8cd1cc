// Helpers over stored envelopes shared by every projection.
import type { EventEnvelope, LedgerEvent } from '../src/domain/events.js';

/**
 * The envelope's type and data as the discriminated union, so a `switch` narrows the data: the
 * envelope itself (it has both fields), no object per event. Readers only; nothing writes to it.
 */
export const eventOf = (e: EventEnvelope): LedgerEvent => e as unknown as LedgerEvent;

/** Sorts by a string key without locale surprises. */
export const byKey =
  <T>(key: (t: T) => string) =>
  (a: T, b: T): number => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
