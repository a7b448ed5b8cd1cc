import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyRateBps, assertPostingsBalance, fen, formatFen } from '../../../src/domain/money.js';

describe('money', () => {
  it('rounds half away from zero to the fen', () => {
    expect(applyRateBps(1, 5000)).toBe(1); // 0.5 → 1
    expect(applyRateBps(-1, 5000)).toBe(-1); // −0.5 → −1
    expect(applyRateBps(3, 4000)).toBe(1); // 1.2 → 1
    expect(applyRateBps(4, 4000)).toBe(2); // 1.6 → 2
    expect(applyRateBps(12_345, 3000)).toBe(3_704); // 3703.5 → 3704
    expect(applyRateBps(-12_345, 3000)).toBe(-3_704);
  });

  it('is exact for the largest safe amounts', () => {
    expect(applyRateBps(Number.MAX_SAFE_INTEGER, 10_000)).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => applyRateBps(Number.MAX_SAFE_INTEGER, 10_001)).toThrow(/safe integer/);
  });

  it('agrees with exact rational rounding for any amount and rate', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 10_000 }), (amount, rate) => {
        const exact = BigInt(amount) * BigInt(rate);
        const got = BigInt(applyRateBps(amount, rate));
        const diff = got * 10_000n - exact; // rounding error × 10,000
        const abs = diff < 0n ? -diff : diff;
        expect(abs <= 5_000n).toBe(true);
        if (abs === 5_000n) expect(got * (exact < 0n ? -1n : 1n) > 0n).toBe(true); // a half goes away from zero
      }),
    );
  });

  it('refuses floats and unsafe integers as fen', () => {
    expect(() => fen(1.5)).toThrow(/safe integer/);
    expect(() => fen(2 ** 53)).toThrow(/safe integer/);
  });

  it('asserts postings sum to zero', () => {
    expect(() => assertPostingsBalance([{ amountFen: 5 }, { amountFen: -5 }])).not.toThrow();
    expect(() => assertPostingsBalance([{ amountFen: 5 }, { amountFen: -4 }])).toThrow(/sum to 1 fen/);
  });

  it('formats fen without floats', () => {
    expect(formatFen(1_234_500)).toBe('12,345.00 CNY');
    expect(formatFen(-5)).toBe('-0.05 CNY');
  });
});
