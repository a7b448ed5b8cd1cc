// Failed authentication slows down per client address: free at first, then longer, capped,
// forgotten after the window; the memory of clients is bounded.
import { describe, expect, it } from 'vitest';
import { AuthFailures, DELAY_STEP_MS, FAILURE_WINDOW_MS, FREE_FAILURES, MAX_DELAY_MS, delayForFailures } from '../../src/app/auth/auth-failures.js';

describe('failed authentication back-off', () => {
  it('is free for the first failures, then grows by a step, up to the cap', () => {
    expect(delayForFailures(FREE_FAILURES)).toBe(0);
    expect(delayForFailures(FREE_FAILURES + 1)).toBe(DELAY_STEP_MS);
    expect(delayForFailures(FREE_FAILURES + 3)).toBe(3 * DELAY_STEP_MS);
    expect(delayForFailures(10_000)).toBe(MAX_DELAY_MS);
    expect(() => delayForFailures(-1)).toThrow(RangeError);
  });

  it('counts per client and forgets a client after the window', () => {
    let now = 0;
    const failures = new AuthFailures(() => now);
    for (let i = 0; i < FREE_FAILURES; i++) expect(failures.fail('10.0.0.1')).toBe(0);
    expect(failures.fail('10.0.0.1')).toBe(DELAY_STEP_MS);
    expect(failures.fail('10.0.0.2')).toBe(0);
    now += FAILURE_WINDOW_MS + 1;
    expect(failures.fail('10.0.0.1')).toBe(0);
  });
});
