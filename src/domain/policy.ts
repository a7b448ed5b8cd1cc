// The programme's policy as data: tiers, rates, deposits, windows, time zone, rounding.
// The default is the 2005 telecom programme (default-policy.json); a company loads its own
// through loadPolicy (the file is read at the edge, see src/ledger/policy-file.ts).
import { z } from 'zod';
import defaultPolicyJson from './default-policy.json' with { type: 'json' };
import { OPTIONAL_LINES } from './asp-line.js';
import { RevenueLine, TierMetric, TierName } from './events.js';
import { isCalendarDate } from './instant.js';

const FenAmount = z.number().int().min(0).refine(Number.isSafeInteger, 'must be a safe integer number of fen');
const RateBps = z.number().int().min(0).max(10_000);
const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-01-01')
  .refine(isCalendarDate, 'must be a calendar date (years 1000–9999; 2026-02-30 is not one)');

/** The reporting windows a tie between a partner and direct sales may be judged in (tie-window.ts). */
export const TieWindowKind = z.enum(['exact', 'same-day', 'same-week']);
export type TieWindowKind = z.infer<typeof TieWindowKind>;

export const DEFAULT_LIMITS = { maxAmountFen: 100_000_000_000, earliestOccurredAt: '2000-01-01', futureSkewMs: 60_000 } as const;

/** The default grace period for customer arrears before they are deducted from the deposit. */
export const DEFAULT_ARREARS_GRACE_DAYS = 90;

const PolicySchema = z.object({
  version: z.string().min(1).max(64),
  effectiveFrom: IsoDate,
  name: z.string().min(1).max(200).optional(),
  currency: z.literal('CNY'),
  timeZone: z.string().min(1),
  rounding: z.literal('half-away-from-zero'),
  tiers: z.array(TierName).min(1),
  tierEvaluation: z.object({
    /**
     * What a quarter's evaluation counts per partner: customers newly signed in it (default), or
     * new ports signed and paid in it (the programme's own measure: src/domain/new-ports.ts).
     */
    metric: TierMetric,
    thresholds: z.array(z.object({ tier: TierName, atLeast: z.number().int().min(1) })),
    otherwise: TierName,
  }),
  deposits: z.object({
    byTierFen: z.record(z.string(), FenAmount),
    minimumByKindFen: z.record(z.string(), FenAmount),
    /**
     * Days after a customer bill fell due that its uncollected arrears may be deducted from the
     * partner's deposit (src/domain/arrears-deduction.ts). Absent: 90.
     */
    arrearsGraceDays: z.number().int().min(0).max(3650).default(DEFAULT_ARREARS_GRACE_DAYS),
  }),
  commission: z.object({
    windowYears: z.number().int().min(1).max(50),
    /** Per revenue line, per tier, one rate per commission year; asp may be left out (asp-line.ts). */
    ratesBps: z.partialRecord(RevenueLine, z.record(z.string(), z.array(RateBps))),
    /** Lines whose default rates are placeholders, not a programme's figures. */
    illustrativeLines: z.array(RevenueLine).optional(),
    notes: z.string().optional(),
  }),
  ownership: z.object({
    idleTransferDays: z.number().int().min(0).max(3650),
    /**
     * "The same time" for a tie between a partner and direct sales (src/domain/tie-window.ts):
     * the same calendar day in the policy's time zone (default), the same week, or the exact instant.
     */
    tieWindow: TieWindowKind.default('same-day'),
  }),
  /**
   * What one command may carry: the largest single amount (so running totals stay exact),
   * and the range of business time (occurredAt) a fact may have. Absent: DEFAULT_LIMITS.
   */
  limits: z
    .object({
      /** The largest amount of one fact, in fen (default 100,000,000,000: 1 billion CNY). */
      maxAmountFen: FenAmount.min(1),
      /** The earliest business date a fact may carry (a date in the policy's time zone). */
      earliestOccurredAt: IsoDate,
      /** How far past the server's clock a back-filled occurredAt may lie (clock skew). */
      futureSkewMs: z.number().int().min(0).max(86_400_000),
    })
    .default(() => ({ ...DEFAULT_LIMITS })),
  /**
   * The weekly pipeline review (src/domain/weekly-report.ts): the day and local time, in the
   * policy's time zone, the weekly report is taken at. Absent: Thursday 10:00.
   */
  weeklyReview: z
    .object({
      day: z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']),
      time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time like 10:00'),
    })
    .default(() => ({ day: 'thursday' as const, time: '10:00' })),
  /** The equipment vendor's rebate programme; a policy without it runs no rebate programme. */
  rebates: z
    .object({
      /** true: the step levels and rates are placeholders, not a programme's numbers. */
      illustrative: z.boolean(),
      notes: z.string().optional(),
      /** Share of the yearly commitment per quarter, Q1..Q4, summing to 10,000. */
      quarterSplitBps: z.array(RateBps).length(4),
      /** Per partner kind, steps in rising order: the share of the cumulative target and the rebate rate. */
      steps: z.record(z.string(), z.array(z.object({ ofTargetBps: z.number().int().min(1).max(1_000_000), rateBps: RateBps })).min(1)),
      /** Per partner kind, the 1-based step that equals the cumulative commitment (100%). */
      commitmentStep: z.record(z.string(), z.number().int().min(1)),
      awards: z.object({ highEndProductLine: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/), topN: z.number().int().min(1).max(1000) }),
    })
    .optional(),
});

export type Policy = z.infer<typeof PolicySchema>;
export type RevenueLineName = z.infer<typeof RevenueLine>;

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  constructor(readonly problems: readonly string[]) {
    super(`the policy is invalid: ${problems.join('; ')}`);
  }
}

/** Validates a policy document; throws PolicyError naming every problem. */
export function loadPolicy(json: unknown): Policy {
  const parsed = PolicySchema.safeParse(json);
  if (!parsed.success) {
    throw new PolicyError(parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`));
  }
  const problems = consistencyProblems(parsed.data);
  if (problems.length > 0) throw new PolicyError(problems);
  return parsed.data;
}

function consistencyProblems(p: Policy): string[] {
  const problems: string[] = [];
  const known = new Set(p.tiers);
  if (known.size !== p.tiers.length) problems.push('tiers: a tier is named twice');
  if (!isTimeZone(p.timeZone)) problems.push(`timeZone: "${p.timeZone}" is not a time zone this runtime knows`);
  if (Number.isNaN(Date.parse(`${p.effectiveFrom}T00:00:00Z`))) problems.push(`effectiveFrom: "${p.effectiveFrom}" is not a calendar date`);
  const e = p.tierEvaluation;
  if (!known.has(e.otherwise)) problems.push(`tierEvaluation.otherwise: unknown tier "${e.otherwise}"`);
  e.thresholds.forEach((t, i) => {
    if (!known.has(t.tier)) problems.push(`tierEvaluation.thresholds.${i}.tier: unknown tier "${t.tier}"`);
    const prev = e.thresholds[i - 1];
    if (prev && prev.atLeast <= t.atLeast) problems.push(`tierEvaluation.thresholds.${i}: thresholds must fall from the highest tier down`);
  });
  for (const tier of p.tiers) {
    if (p.deposits.byTierFen[tier] === undefined) problems.push(`deposits.byTierFen.${tier}: missing`);
  }
  for (const tier of Object.keys(p.deposits.byTierFen)) {
    if (!known.has(tier)) problems.push(`deposits.byTierFen.${tier}: unknown tier`);
  }
  for (const line of RevenueLine.options) {
    const byTier = p.commission.ratesBps[line];
    if (!byTier) {
      if (!OPTIONAL_LINES.has(line)) problems.push(`commission.ratesBps.${line}: missing`);
      continue;
    }
    for (const tier of p.tiers) {
      const rates = byTier[tier];
      if (!rates) problems.push(`commission.ratesBps.${line}.${tier}: missing`);
      else if (rates.length !== p.commission.windowYears) {
        problems.push(`commission.ratesBps.${line}.${tier}: ${rates.length} yearly rates for a ${p.commission.windowYears}-year window`);
      }
    }
  }
  if (p.rebates) problems.push(...rebateProblems(p.rebates));
  return problems;
}

function rebateProblems(r: NonNullable<Policy['rebates']>): string[] {
  const problems: string[] = [];
  const split = r.quarterSplitBps.reduce((a, b) => a + b, 0);
  if (split !== 10_000) problems.push(`rebates.quarterSplitBps: the quarters sum to ${split} bps, not 10000`);
  for (const [kind, steps] of Object.entries(r.steps)) {
    steps.forEach((s, i) => {
      const prev = steps[i - 1];
      if (prev && prev.ofTargetBps >= s.ofTargetBps) problems.push(`rebates.steps.${kind}.${i}: steps must rise`);
    });
    const at = r.commitmentStep[kind];
    if (at === undefined) problems.push(`rebates.commitmentStep.${kind}: missing`);
    else if (steps[at - 1]?.ofTargetBps !== 10_000) problems.push(`rebates.commitmentStep.${kind}: step ${at} must be 10000 bps (the cumulative commitment)`);
  }
  for (const kind of Object.keys(r.commitmentStep)) if (!r.steps[kind]) problems.push(`rebates.steps.${kind}: missing`);
  return problems;
}

function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The default programme's policy (validated when this module loads). */
export const defaultPolicy: Policy = loadPolicy(defaultPolicyJson);

// ---- reading the policy --------------------------------------------------------------------

export function isTier(policy: Policy, tier: string): boolean {
  return policy.tiers.includes(tier);
}

/** The deposit a partner of this tier and kind must hold: the tier's, raised to its kind's minimum. */
export function depositRequiredFen(policy: Policy, tier: string, kind: string): number {
  const byTier = policy.deposits.byTierFen[tier];
  if (byTier === undefined) throw new Error(`policy ${policy.version} names no deposit for tier "${tier}"`);
  return Math.max(byTier, policy.deposits.minimumByKindFen[kind] ?? 0);
}

export function depositShortfallFen(policy: Policy, tier: string, kind: string, depositFen: number): number {
  return Math.max(0, depositRequiredFen(policy, tier, kind) - depositFen);
}

/** The rate of a line for a tier in a commission year (1-based), or null outside the window. */
export function commissionRateBps(policy: Policy, line: RevenueLineName, tier: string, commissionYear: number): number | null {
  if (!Number.isInteger(commissionYear) || commissionYear < 1) throw new RangeError(`commission year ${commissionYear} must be 1 or more`);
  if (commissionYear > policy.commission.windowYears) return null;
  const rates = policy.commission.ratesBps[line]?.[tier];
  if (!rates) throw new Error(`policy ${policy.version} names no ${line} rate for tier "${tier}"`);
  const rate = rates[commissionYear - 1];
  if (rate === undefined) throw new Error(`policy ${policy.version} names no year-${commissionYear} ${line} rate for "${tier}"`);
  return rate;
}

/** The tier an evaluation gives for the metric's figure (a count of newly signed customers by default). */
export function tierForSignedCount(policy: Policy, signedCustomers: number): string {
  const hit = policy.tierEvaluation.thresholds.find((t) => signedCustomers >= t.atLeast);
  return hit?.tier ?? policy.tierEvaluation.otherwise;
}

/** The idle window for transfers, in milliseconds. */
export function idleTransferMs(policy: Policy): number {
  return policy.ownership.idleTransferDays * DAY_MS;
}

export const DAY_MS = 86_400_000;
