// The end-to-end bench sizes its demo run from two calibration runs: a fixed part (the
// partners' own events) and a part per customer.
import { describe, expect, it } from 'vitest';
import { demoSizeFor } from '../../../src/bench/end-to-end-bench.js';

describe('sizing the end-to-end demo run', () => {
  it('separates the partners’ fixed events from the events per customer', () => {
    const size = demoSizeFor(1_000_000, { customers: 50, events: 3_000 }, { customers: 200, events: 6_000 });
    expect(size).toEqual({ customers: 49_900, perCustomer: 20, fixedEvents: 2_000 });
  });

  it('refuses calibration runs that do not grow', () => {
    expect(() => demoSizeFor(1_000, { customers: 50, events: 3_000 }, { customers: 50, events: 3_100 })).toThrow(RangeError);
    expect(() => demoSizeFor(1_000, { customers: 50, events: 3_000 }, { customers: 200, events: 3_000 })).toThrow(RangeError);
  });
});
