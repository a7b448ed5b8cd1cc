// Policy versions as specifications (src/domain/policy-history.ts: which version is in force;
// src/domain/policy-adoption.ts: a back-dated version's adjustments; src/domain/payout-lines.ts:
// the payout that settles them). The scenario: the gold port rate raised from 40% to 45%
// from 2024-07-01, adopted on 2024-09-15 after the Q2 payout.
import { describe, expect, it } from 'vitest';
import type { EventDataOf, LedgerEvent } from '../../../src/domain/events.js';
import { parseEvent } from '../../../src/domain/events.js';
import { commissionLinesOf, type LineSourceFact } from '../../../src/domain/policy-adoption.js';
import { policyDifferences } from '../../../src/domain/policy-diff.js';
import { historyOfPolicy, policyInForceAt, versionOf, withAdoption } from '../../../src/domain/policy-history.js';
import { defaultPolicy, loadPolicy, type Policy } from '../../../src/domain/policy.js';
import type { UnsettledLine } from '../../../src/domain/payout-lines.js';
import { ev, givenPayout, givenPolicy, MANAGER, signed } from './spec.js';

const V1 = defaultPolicy.version;
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** The default policy changed by `edit`, as version `version` effective from `effectiveFrom`. */
function versionWith(version: string, effectiveFrom: string, edit: (doc: any) => void = () => {}): Policy {
  const doc = structuredClone(defaultPolicy) as any;
  edit(doc);
  return loadPolicy({ ...doc, version, effectiveFrom });
}
const raised = versionWith('2024.2', '2024-07-01', (d) => (d.commission.ratesBps.port.gold = [4500, 1000]));
const adopt = (policy: Policy, reason = 'gold port rate raised to 45%') => ({ policy, document: policy as unknown as Record<string, unknown>, reason });

// ---- the log's commission lines: May (Q2, paid), July, August and a refund of August's cash --------

let position = 0n;
function fact<T extends LedgerEvent['type']>(type: T, data: EventDataOf<T>, occurredAt: string, n: number, policyVersion: string | null = V1): LineSourceFact {
  position += 1n;
  return { ...(parseEvent(type, data) as LedgerEvent), eventId: uuid(n), occurredAt, recordedAt: occurredAt, position, policyVersion } as LineSourceFact;
}
const base = { customerKey: 'name:acme', dealId: 'D-1' };
const payment = (paymentId: string, amountFen: number, at: string, n: number) => [
  fact('PaymentReceived', { ...base, paymentId, line: 'port', amountFen, ownerDealId: 'D-1', ownerPartnerId: 'P1', noCommissionReason: null }, at, n),
  fact('CommissionAccrued', { ...base, paymentId, partnerId: 'P1', line: 'port', cashFen: amountFen, tier: 'gold', commissionYear: 1, rateBps: 4000, commissionFen: Math.round((amountFen * 4000) / 10_000) }, at, n + 1),
];
const logFacts: LineSourceFact[] = [
  ...payment('PAY-MAY', 1_000_000, '2024-05-10T02:00:00.000Z', 1),
  ...payment('PAY-JUL', 1_000_000, '2024-07-10T02:00:00.000Z', 3),
  ...payment('PAY-AUG', 500_001, '2024-08-20T02:00:00.000Z', 5),
  fact('RefundIssued', { refundId: 'REF-AUG', paymentId: 'PAY-AUG', customerKey: 'name:acme', amountFen: 100_001, reason: 'left early' }, '2024-09-01T02:00:00.000Z', 7),
  fact('CommissionClawedBack', { refundId: 'REF-AUG', paymentId: 'PAY-AUG', customerKey: 'name:acme', partnerId: 'P1', line: 'port', refundedCashFen: 100_001, rateBps: 4000, commissionFen: 40_000 }, '2024-09-01T02:00:00.000Z', 8),
];
const lines = commissionLinesOf(logFacts);
const ADOPTED_AT = '2024-09-15T02:00:00.000Z';

const adjusted = (lineN: number, paymentId: string, kind: 'accrual' | 'clawback', cashAt: string, lineAt: string, fromFen: number, toFen: number, refundId: string | null = null) =>
  ev(
    'CommissionAdjusted',
    {
      adoptedVersion: '2024.2',
      partnerId: 'P1',
      customerKey: 'name:acme',
      paymentId,
      refundId,
      lineEventId: uuid(lineN),
      kind,
      line: 'port',
      cashAt,
      lineAt,
      fromVersion: V1,
      toVersion: '2024.2',
      fromRateBps: 4000,
      toRateBps: 4500,
      fromFen,
      toFen,
      adjustmentFen: toFen - fromFen,
    },
    ADOPTED_AT,
  ).event;
const policyAdopted = (p: Policy, reason: string) => ev('PolicyAdopted', { version: p.version, effectiveFrom: p.effectiveFrom, document: p as unknown as Record<string, unknown>, reason }, ADOPTED_AT);
const FIRST_REASON = 'the configured policy the earlier facts were decided under (first adoption in the log)';

const julyAdjustment = adjusted(4, 'PAY-JUL', 'accrual', '2024-07-10T02:00:00.000Z', '2024-07-10T02:00:00.000Z', 400_000, 450_000);
const augustAdjustment = adjusted(6, 'PAY-AUG', 'accrual', '2024-08-20T02:00:00.000Z', '2024-08-20T02:00:00.000Z', 200_000, 225_000);
const refundAdjustment = adjusted(8, 'PAY-AUG', 'clawback', '2024-08-20T02:00:00.000Z', '2024-09-01T02:00:00.000Z', 40_000, 45_000, 'REF-AUG');

describe('the version in force at a business instant', () => {
  // The first logged adoption replaces the configured policy; the log's first adoption is that policy.
  const logged = withAdoption(historyOfPolicy(defaultPolicy), { policy: defaultPolicy, adoptedAt: ADOPTED_AT, recordedAt: ADOPTED_AT, actor: MANAGER, reason: 'first', position: 9n });
  const history = withAdoption(logged, { policy: raised, adoptedAt: ADOPTED_AT, recordedAt: ADOPTED_AT, actor: MANAGER, reason: 'r', position: 10n });
  it('a version is in force from its effectiveFrom, midnight in the policy time zone, until the next one', () => {
    expect(policyInForceAt(history, '2024-06-30T15:59:59.999Z').version).toBe(V1); // 23:59:59.999 on 30 June in Shanghai
    expect(policyInForceAt(history, '2024-06-30T16:00:00.000Z').version).toBe('2024.2');
    expect(policyInForceAt(history, '2030-01-01T00:00:00.000Z').version).toBe('2024.2');
  });
  it('the configured policy stands in only while the log holds no adoption', () => {
    expect(historyOfPolicy(defaultPolicy).map((v) => [v.policy.version, v.position])).toEqual([[V1, null]]);
    expect(withAdoption(historyOfPolicy(defaultPolicy), { policy: raised, adoptedAt: ADOPTED_AT, recordedAt: ADOPTED_AT, actor: MANAGER, reason: 'r', position: 1n }).map((v) => v.policy.version)).toEqual(['2024.2']);
  });
  it('before the earliest version, the earliest applies', () => {
    expect(policyInForceAt(history, '2001-01-01T00:00:00.000Z').version).toBe(V1);
  });
  it('two versions from one date: the one adopted later supersedes', () => {
    const again = versionWith('2024.3', '2024-07-01', (d) => (d.commission.ratesBps.port.gold = [5000, 1000]));
    const next = withAdoption(history, { policy: again, adoptedAt: ADOPTED_AT, recordedAt: ADOPTED_AT, actor: MANAGER, reason: 'r', position: 11n });
    expect(policyInForceAt(next, '2024-08-01T00:00:00.000Z').version).toBe('2024.3');
    expect(next.map((v) => v.policy.version)).toEqual([V1, '2024.2', '2024.3']);
    expect(versionOf({ policy: again, adoptedAt: null, recordedAt: null, actor: null, reason: null, position: null }).effectiveFromInstant).toBe('2024-06-30T16:00:00.000Z');
  });
});

describe('adopting a back-dated version', () => {
  it('on a log without adoptions: the configured policy first, the new version, and adjustments only for cash received from 1 July', () => {
    givenPolicy()
      .when(adopt(raised), ADOPTED_AT, { lines })
      .then([policyAdopted(defaultPolicy, FIRST_REASON).event, policyAdopted(raised, 'gold port rate raised to 45%').event, julyAdjustment, augustAdjustment, refundAdjustment]);
  });

  it('the May line (cash before 1 July, paid in Q2) is never adjusted, whatever the rate', () => {
    const events = givenPolicy().when(adopt(raised), ADOPTED_AT, { lines }).events();
    expect(events.filter((e) => e.type === 'CommissionAdjusted' && e.data.paymentId === 'PAY-MAY')).toEqual([]);
  });

  it('with the configured policy already in the log, only the new version and its adjustments', () => {
    givenPolicy(policyAdopted(defaultPolicy, FIRST_REASON))
      .when(adopt(raised), ADOPTED_AT, { lines })
      .then([policyAdopted(raised, 'gold port rate raised to 45%').event, julyAdjustment, augustAdjustment, refundAdjustment]);
  });

  it('a later version re-decides from the figure now recorded (line plus earlier adjustments), naming the version it replaces', () => {
    const given = [policyAdopted(defaultPolicy, FIRST_REASON), policyAdopted(raised, 'r')];
    const adjustedLines = commissionLinesOf([...logFacts, ...[julyAdjustment, augustAdjustment, refundAdjustment].map((e, i) => fact(e.type, e.data as any, ADOPTED_AT, 20 + i, '2024.2'))]);
    const lowered = versionWith('2024.3', '2024-08-01', (d) => (d.commission.ratesBps.port.gold = [3000, 1000]));
    const events = givenPolicy(...given).when(adopt(lowered, 'lowered from August'), ADOPTED_AT, { lines: adjustedLines }).events();
    expect(events.map((e) => (e.type === 'CommissionAdjusted' ? [e.data.paymentId, e.data.kind, e.data.fromVersion, e.data.fromFen, e.data.toFen, e.data.adjustmentFen] : e.type))).toEqual([
      'PolicyAdopted',
      ['PAY-AUG', 'accrual', '2024.2', 225_000, 150_000, -75_000],
      ['PAY-AUG', 'clawback', '2024.2', 45_000, 30_000, -15_000],
    ]);
  });

  it('the same version and document again writes nothing; another document under its name is refused', () => {
    const given = [policyAdopted(defaultPolicy, FIRST_REASON), policyAdopted(raised, 'r')];
    givenPolicy(...given).when(adopt(raised), ADOPTED_AT, { lines }).then([]);
    const other = versionWith('2024.2', '2024-07-01');
    givenPolicy(...given).when(adopt(other), ADOPTED_AT, { lines }).thenRefuses('policy-version-taken');
    givenPolicy().when(adopt(versionWith(V1, '2005-01-01', (d) => (d.deposits.byTierFen.gold = 1))), ADOPTED_AT).thenRefuses('policy-version-taken');
  });

  it('only a manager adopts', () => {
    givenPolicy().when(adopt(raised), ADOPTED_AT, { lines, actor: { role: 'finance', id: 'f-1' } }).thenRefuses('policy-adoption-manager-only');
  });

  it('refuses a version that moves the time zone or the tie window, or drops a tier lines were earned at', () => {
    givenPolicy().when(adopt(versionWith('tz', '2024-07-01', (d) => (d.timeZone = 'Europe/Paris'))), ADOPTED_AT).thenRefuses('policy-time-zone-fixed');
    givenPolicy().when(adopt(versionWith('tw', '2024-07-01', (d) => (d.ownership.tieWindow = 'exact'))), ADOPTED_AT).thenRefuses('policy-tie-window-fixed');
    const noGold = versionWith('no-gold', '2024-07-01', (d) => {
      d.tiers = ['silver', 'standard'];
      d.tierEvaluation.thresholds = [{ tier: 'silver', atLeast: 5 }];
      delete d.deposits.byTierFen.gold;
      for (const line of Object.keys(d.commission.ratesBps)) delete d.commission.ratesBps[line].gold;
    });
    givenPolicy().when(adopt(noGold), ADOPTED_AT, { lines }).thenRefuses('policy-tier-unknown');
  });

  it('a version with a shorter window takes the commission of cash outside it to zero', () => {
    const oneYear = versionWith('one-year', '2024-07-01', (d) => {
      d.commission.windowYears = 1;
      for (const byTier of Object.values(d.commission.ratesBps) as Array<Record<string, number[]>>) for (const t of Object.keys(byTier)) byTier[t] = byTier[t]!.slice(0, 1);
    });
    const secondYear = commissionLinesOf([{ ...logFacts[2]! }, { ...logFacts[3]!, data: { ...(logFacts[3]!.data as any), commissionYear: 2, rateBps: 1000, commissionFen: 100_000 } } as LineSourceFact]);
    const events = givenPolicy().when(adopt(oneYear), ADOPTED_AT, { lines: secondYear }).events();
    expect(events.at(-1)).toMatchObject({ type: 'CommissionAdjusted', data: { fromFen: 100_000, toFen: 0, adjustmentFen: -100_000, toRateBps: 0 } });
  });
});

describe('the Q3 payout settles the adjustments as prior-period lines', () => {
  const Q3_END = '2024-09-30T15:59:59.999Z';
  const accrualLine = (n: number, paymentId: string, fen: number, at: string): UnsettledLine => ({ eventId: uuid(n), type: 'CommissionAccrued', commissionFen: fen, paymentId, occurredAt: at, position: BigInt(n) });
  const adjustmentLine = (n: number, paymentId: string, signedFen: number, cashAt: string, kind: 'accrual' | 'clawback', adjustedAt = ADOPTED_AT): UnsettledLine => ({
    eventId: uuid(n),
    type: 'CommissionAdjusted',
    commissionFen: signedFen,
    paymentId,
    occurredAt: cashAt,
    position: BigInt(n),
    adjusts: { kind, adjustedAt },
  });
  const q3Lines = [
    accrualLine(4, 'PAY-JUL', 400_000, '2024-07-10T02:00:00.000Z'),
    accrualLine(6, 'PAY-AUG', 200_000, '2024-08-20T02:00:00.000Z'),
    { ...accrualLine(8, 'PAY-AUG', 40_000, '2024-09-01T02:00:00.000Z'), type: 'CommissionClawedBack' as const },
    adjustmentLine(20, 'PAY-JUL', 50_000, '2024-07-10T02:00:00.000Z', 'accrual'),
    adjustmentLine(21, 'PAY-AUG', 25_000, '2024-08-20T02:00:00.000Z', 'accrual'),
    adjustmentLine(22, 'PAY-AUG', -5_000, '2024-09-01T02:00:00.000Z', 'clawback'),
  ];
  const goldP1 = signed('P1', 'gold', '2024-01-08T01:00:00.000Z');

  it('every line and adjustment with cash in Q3 is paid, net 630,000', () => {
    const [paid] = givenPayout(goldP1).when({ partnerId: 'P1', quarter: '2024-Q3' }, '2024-10-08T02:00:00.000Z', { lines: q3Lines }).events();
    expect(paid).toMatchObject({
      type: 'CommissionPaidOut',
      data: { quarter: '2024-Q3', netFen: 630_000, paidFen: 630_000, lines: q3Lines.map((l) => ({ eventId: l.eventId, commissionFen: l.type === 'CommissionClawedBack' ? -l.commissionFen : l.commissionFen })) },
    });
  });

  it('an adjustment adopted after the payout instant is not due yet; one for cash after the quarter waits for its quarter', () => {
    const late = adjustmentLine(30, 'PAY-JUL', 50_000, '2024-07-10T02:00:00.000Z', 'accrual', '2024-10-20T02:00:00.000Z');
    const october = adjustmentLine(31, 'PAY-OCT', 10_000, '2024-10-02T02:00:00.000Z', 'accrual');
    const [paid] = givenPayout(goldP1).when({ partnerId: 'P1', quarter: '2024-Q3' }, '2024-10-08T02:00:00.000Z', { lines: [accrualLine(4, 'PAY-JUL', 400_000, '2024-07-10T02:00:00.000Z'), late, october] }).events();
    expect(paid).toMatchObject({ type: 'CommissionPaidOut', data: { netFen: 400_000, lines: [{ eventId: uuid(4), commissionFen: 400_000 }] } });
    expect(Q3_END < '2024-10-02T02:00:00.000Z').toBe(true);
  });
});

describe('the difference between two versions', () => {
  it('names each changed field with both values, and nothing else', () => {
    expect(policyDifferences(defaultPolicy, raised)).toEqual([{ path: 'commission.ratesBps.port.gold.0', from: 4000, to: 4500 }]);
    const more = versionWith('x', '2024-07-01', (d) => {
      d.deposits.byTierFen.gold = 10_000_000;
      d.commission.illustrativeLines = undefined;
    });
    expect(policyDifferences(defaultPolicy, more)).toEqual([
      { path: 'commission.illustrativeLines', from: defaultPolicy.commission.illustrativeLines, to: null },
      { path: 'deposits.byTierFen.gold', from: 9_000_000, to: 10_000_000 },
    ]);
  });
});
