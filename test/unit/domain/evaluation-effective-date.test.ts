// When a quarter's evaluation takes effect (src/domain/evaluation-effective-date.ts): tiers and rebates alike.
import { describe, expect, it } from 'vitest';
import { evaluationEffectiveAt } from '../../../src/domain/evaluation-effective-date.js';
import { defaultPolicy } from '../../../src/domain/policy.js';

const TZ = defaultPolicy.timeZone; // Asia/Shanghai
const Q4_START = '2026-09-30T16:00:00.000Z'; // 1 October 00:00 in Shanghai

describe('the effective instant of an evaluation', () => {
  it('is the start of the next quarter when evaluated after it', () => {
    expect(evaluationEffectiveAt('2026-Q3', '2026-10-05T02:00:00.000Z', null, TZ)).toBe(Q4_START);
    expect(evaluationEffectiveAt('2026-Q3', '2027-05-01T00:00:00.000Z', undefined, TZ)).toBe(Q4_START);
  });

  it('is now when evaluated before the next quarter starts', () => {
    expect(evaluationEffectiveAt('2026-Q3', '2026-09-20T02:00:00.000Z', null, TZ)).toBe('2026-09-20T02:00:00.000Z');
    expect(evaluationEffectiveAt('2026-Q3', Q4_START, null, TZ)).toBe(Q4_START);
  });

  it('is the back-filled instant when a manager gives one', () => {
    expect(evaluationEffectiveAt('2026-Q3', '2026-10-05T02:00:00.000Z', '2026-10-02T00:00:00.000Z', TZ)).toBe('2026-10-02T00:00:00.000Z');
  });

  it('rolls a fourth quarter over into the next year', () => {
    expect(evaluationEffectiveAt('2026-Q4', '2027-02-01T00:00:00.000Z', null, TZ)).toBe('2026-12-31T16:00:00.000Z');
  });
});
