// Which signings count for a quarter's tier evaluation (src/domain/signed-customers.ts).
import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../../src/domain/policy.js';
import { type Signing, signedCustomersByPartner } from '../../../src/domain/signed-customers.js';

const TZ = defaultPolicy.timeZone; // Asia/Shanghai
let n = 0;
const signing = (partnerId: string | null, customerKey: string, signedAt: string): Signing => ({ dealId: `D-${++n}`, partnerId, customerKey, signedAt });
const count = (signings: Signing[], quarter = '2026-Q1') => Object.fromEntries(signedCustomersByPartner(signings, quarter, TZ));

describe('signed customers per partner', () => {
  it('counts the distinct customers each partner signed inside the quarter', () => {
    expect(count([signing('P1', 'tax:1', '2026-01-10T02:00:00.000Z'), signing('P1', 'tax:2', '2026-02-10T02:00:00.000Z'), signing('P2', 'tax:3', '2026-03-10T02:00:00.000Z')])).toEqual({ P1: 2, P2: 1 });
  });

  it('takes the quarter in the policy time zone: the boundaries are local midnights', () => {
    const signings = [
      signing('P1', 'name:a', '2025-12-31T16:00:00.000Z'), // 1 January 00:00 in Shanghai: inside Q1
      signing('P1', 'name:b', '2025-12-31T15:59:59.999Z'), // 31 December: Q4 of 2025
      signing('P1', 'name:c', '2026-03-31T15:59:59.999Z'), // the last instant of Q1
      signing('P1', 'name:d', '2026-03-31T16:00:00.000Z'), // 1 April: Q2
    ];
    expect(count(signings)).toEqual({ P1: 2 });
    expect(count(signings, '2026-Q2')).toEqual({ P1: 1 });
  });

  it('counts a customer once per partner, however many of its deals the partner signed', () => {
    expect(count([signing('P1', 'tax:1', '2026-01-10T02:00:00.000Z'), signing('P1', 'tax:1', '2026-02-10T02:00:00.000Z')])).toEqual({ P1: 1 });
  });

  it('counts a customer for each partner whose deal on it was signed (each owned it when signed)', () => {
    expect(count([signing('P1', 'tax:1', '2026-01-10T02:00:00.000Z'), signing('P2', 'tax:1', '2026-03-01T02:00:00.000Z')])).toEqual({ P1: 1, P2: 1 });
  });

  it('counts direct sales for nobody', () => {
    expect(count([signing(null, 'tax:1', '2026-01-10T02:00:00.000Z')])).toEqual({});
  });

  it('leaves out a partner with no signing in the quarter (the evaluation reads it as 0)', () => {
    expect(signedCustomersByPartner([], '2026-Q1', TZ).size).toBe(0);
  });
});
