// Validates an append completely before anything is sent (the shared rules of
// ../prepare-append.ts), and names the ledger's streams: only they are read back from $all.
import { SchemaViolationError, customerStream, partnerStream } from '../../domain/events.js';
import type { ExpectedRevision, NewEvent } from '../event-store.js';
import { prepareAppend as prepareAnyAppend, type PreparedEvent } from '../prepare-append.js';

export type { PreparedEvent } from '../prepare-append.js';

/** Every stream the ledger writes starts with one of these (src/domain/events.ts names them). */
export const LEDGER_STREAM_PREFIXES: readonly string[] = [partnerStream(''), customerStream('')];

export function isLedgerStream(stream: string): boolean {
  return LEDGER_STREAM_PREFIXES.some((prefix) => stream.startsWith(prefix) && stream.length > prefix.length);
}

/** Throws SchemaViolationError (or DuplicateEventError for an id twice in one append). */
export function prepareAppend(stream: string, events: NewEvent[], expected: ExpectedRevision): PreparedEvent[] {
  if (typeof stream === 'string' && !isLedgerStream(stream)) {
    throw new SchemaViolationError('stream', [
      { path: 'stream', message: `must start with one of ${LEDGER_STREAM_PREFIXES.join(', ')} (only those are read back from $all), got "${stream}"` },
    ]);
  }
  return prepareAnyAppend(stream, events, expected);
}
