import { describe, expect, it } from 'vitest';
import { MAX_LEDGER_POSITION, compareRawPositions, decodePosition, encodePosition } from '../../../src/store/eventstoredb/positions.js';

const at = (offset: bigint) => ({ commit: offset, prepare: offset });

describe('the ledger position on EventStoreDB: commit + 1', () => {
  it('decodes back to the same {commit, prepare} for the first, typical and largest offsets', () => {
    for (const offset of [0n, 1n, 4_096n, 268_435_456n * 37n + 123n, MAX_LEDGER_POSITION - 1n]) {
      const position = encodePosition(at(offset));
      expect(position).toBe(offset + 1n);
      expect(decodePosition(position)).toEqual(at(offset));
    }
  });

  it('keeps $all order: sorting by encoded position sorts as EventStoreDB orders (commit, prepare)', () => {
    let seed = 7n;
    const next = () => (seed = (seed * 6_364_136_223_846_793_005n + 1_442_695_040_888_963_407n) % 2n ** 52n);
    const raw = Array.from({ length: 500 }, () => at(next()));
    const byServer = [...raw].sort(compareRawPositions);
    const byLedger = [...raw].sort((a, b) => (encodePosition(a) < encodePosition(b) ? -1 : encodePosition(a) > encodePosition(b) ? 1 : 0));
    expect(byLedger).toEqual(byServer);
    for (let i = 1; i < byServer.length; i++) {
      expect(encodePosition(byServer[i]!) >= encodePosition(byServer[i - 1]!)).toBe(true);
    }
  });

  it('compares raw positions by commit first, then prepare', () => {
    expect(compareRawPositions({ commit: 5n, prepare: 9n }, { commit: 6n, prepare: 1n })).toBe(-1);
    expect(compareRawPositions({ commit: 6n, prepare: 2n }, { commit: 6n, prepare: 1n })).toBe(1);
    expect(compareRawPositions(at(3n), at(3n))).toBe(0);
  });

  it('refuses what is not one of the ledger’s events: an explicit transaction, negatives, beyond a safe integer', () => {
    expect(() => encodePosition({ commit: 2_000n, prepare: 1_500n })).toThrow(/explicit transaction/);
    expect(() => encodePosition({ commit: -1n, prepare: -1n })).toThrow(RangeError);
    expect(() => encodePosition(at(MAX_LEDGER_POSITION))).toThrow(/largest the read model stores exactly/);
    expect(() => encodePosition({ commit: 1 as unknown as bigint, prepare: 1n })).toThrow(RangeError);
  });

  it('decodes only positions ≥ 1n within the safe range (0n means "before the first event" and is never read from)', () => {
    expect(() => decodePosition(0n)).toThrow(RangeError);
    expect(() => decodePosition(-4n)).toThrow(RangeError);
    expect(() => decodePosition(MAX_LEDGER_POSITION + 1n)).toThrow(RangeError);
    expect(decodePosition(MAX_LEDGER_POSITION)).toEqual(at(MAX_LEDGER_POSITION - 1n));
  });
});
