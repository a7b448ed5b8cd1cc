// When a 503 tells the client to ask again (Retry-After): a projection rebuilding beside the live
// ones gives its ETA in whole seconds, at least 1 and at most an hour; other problems say nothing.
import { describe, expect, it } from 'vitest';
import { ProblemError, retryAfterSecondsOf } from '../../../src/app/http/problem.js';

const rebuilding = (etaSeconds: number | null) =>
  new ProblemError('unavailable', 'the balances projection is being rebuilt', undefined, {
    rule: 'projection-rebuilding',
    figures: { projection: 'balances', version: 2, position: 3, head: 9, etaSeconds },
  });

describe('Retry-After of a problem', () => {
  it("is a rebuild's ETA rounded up, between 1 second and an hour", () => {
    expect(retryAfterSecondsOf(rebuilding(12.2))).toBe(13);
    expect(retryAfterSecondsOf(rebuilding(0.2))).toBe(1);
    expect(retryAfterSecondsOf(rebuilding(0))).toBe(1);
    expect(retryAfterSecondsOf(rebuilding(7_200))).toBe(3_600);
  });

  it('is 1 second while the rebuild has no ETA yet', () => {
    expect(retryAfterSecondsOf(rebuilding(null))).toBe(1);
  });

  it('is absent for every other problem, a 503 of another cause included', () => {
    expect(retryAfterSecondsOf(new ProblemError('unavailable', 'the store is unavailable'))).toBeNull();
    expect(retryAfterSecondsOf(new ProblemError('invalid-input', 'bad', [{ path: 'body.amount', message: 'must be an integer' }]))).toBeNull();
  });
});
