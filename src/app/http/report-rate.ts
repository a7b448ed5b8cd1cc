// Per-token rate limits on the expensive reads (/reports/*): a token bucket per token digest
// that holds one minute's allowance and refills continuously. The conflicts report, which walks
// every contested customer with all its claims, costs REPORT_COSTS['/reports/conflicts'] units;
// every other report one. Past the allowance a request answers 429 with Retry-After (whole
// seconds until the bucket holds its cost again). Bounded: at most MAX_TRACKED_TOKENS buckets.
export const REPORT_PREFIX = '/reports/';
export const REPORT_COSTS: Readonly<Record<string, number>> = { '/reports/conflicts': 5 };
export const MAX_TRACKED_TOKENS = 10_000;

interface Bucket {
  units: number;
  atMs: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export class ReportRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    /** Units per token per minute (and the largest burst). */
    private readonly perMinute: number,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new RangeError(`a report rate must be a whole number of units a minute, got ${perMinute}`);
    this.perMs = perMinute / 60_000;
  }

  /** Whether a route pattern is rate-limited, and what a call costs. */
  static costOf(routePath: string): number {
    if (!routePath.startsWith(REPORT_PREFIX)) return 0;
    return REPORT_COSTS[routePath] ?? 1;
  }

  /** Takes `cost` units from the token's bucket, or says how long to wait for them. */
  take(tokenDigest: string, cost: number): RateDecision {
    if (cost <= 0) return { ok: true };
    const now = this.nowMs();
    let bucket = this.buckets.get(tokenDigest);
    if (bucket) {
      bucket.units = Math.min(this.perMinute, bucket.units + (now - bucket.atMs) * this.perMs);
      bucket.atMs = now;
    } else {
      if (this.buckets.size >= MAX_TRACKED_TOKENS) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
      bucket = { units: this.perMinute, atMs: now };
      this.buckets.set(tokenDigest, bucket);
    }
    const needed = Math.min(cost, this.perMinute);
    if (bucket.units >= needed) {
      bucket.units -= needed;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((needed - bucket.units) / this.perMs / 1_000)) };
  }
}
