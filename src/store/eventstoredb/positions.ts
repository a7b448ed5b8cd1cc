// The ledger's global position on EventStoreDB: one bigint that grows with $all order and
// decodes back to the {commit, prepare} pair of the event in EventStoreDB's transaction file.
//
// Decision: position = commit + 1, and only events whose commit equals their prepare are ours.
//   - Every ledger event is written by a gRPC append. EventStoreDB writes those as prepare records
//     flagged "committed" (an implicit transaction, no separate commit record); reading $all it
//     reports such an event at {commit: L, prepare: L}, L being the record's byte offset in the
//     log. Only legacy explicit transactions (the old TCP API) give commit ≠ prepare, and the
//     ledger never writes those: decoding one is refused, not guessed.
//   - $all is ordered by (commit, prepare); with commit = prepare that is the order of L, so
//     L + 1 preserves the order exactly. The + 1 keeps 0n meaning "before the first event", as the
//     port wants (subscribe(0n) = from the start, headPosition() = 0n for an empty log), and makes
//     positions 1-based like the embedded store's, though not dense: they are byte offsets.
//   - The read model stores positions as SQLite integers read into JS numbers, so a position must
//     stay a safe integer: L < 2^53 − 1 bytes (8 PiB of log). Asserted, never wrapped.
// A pair encoding (commit · 2^64 + prepare) would also round-trip, but needs 128 bits.
import type { Position } from '@eventstore/db-client';

export const MAX_LEDGER_POSITION = BigInt(Number.MAX_SAFE_INTEGER);

/** EventStoreDB's {commit, prepare} of one of the ledger's events → the ledger's position. */
export function encodePosition(position: Position): bigint {
  const { commit, prepare } = position;
  if (typeof commit !== 'bigint' || typeof prepare !== 'bigint' || commit < 0n || prepare < 0n) {
    throw new RangeError(`EventStoreDB position must be two non-negative bigints, got commit ${String(commit)}, prepare ${String(prepare)}`);
  }
  if (commit !== prepare) {
    throw new RangeError(
      `EventStoreDB position {commit ${commit}, prepare ${prepare}} belongs to an explicit transaction; the ledger writes only implicit ones (commit = prepare)`,
    );
  }
  const encoded = commit + 1n;
  if (encoded > MAX_LEDGER_POSITION) {
    throw new RangeError(`EventStoreDB log position ${commit} is beyond ${MAX_LEDGER_POSITION - 1n}, the largest the read model stores exactly`);
  }
  return encoded;
}

/** The ledger's position (≥ 1n) → the {commit, prepare} EventStoreDB reads and subscribes from. */
export function decodePosition(position: bigint): Position {
  if (typeof position !== 'bigint' || position < 1n || position > MAX_LEDGER_POSITION) {
    throw new RangeError(`a ledger position on EventStoreDB is a bigint in 1..${MAX_LEDGER_POSITION}, got ${String(position)}`);
  }
  const offset = position - 1n;
  return { commit: offset, prepare: offset };
}

/** Orders two EventStoreDB positions as $all does: by commit, then by prepare. */
export function compareRawPositions(a: Position, b: Position): -1 | 0 | 1 {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}
