// The rule: when a quarter's evaluation takes effect, for tiers and rebates alike. The outcome
// of evaluating quarter Q (a new tier, a quarter's rebate) takes effect when the next quarter
// starts; evaluated before then, it takes effect at once (when it is evaluated). A manager's
// back-filled occurredAt is taken as given. The effective instant is the events' occurredAt.
import { nextQuarter, quarterStart } from './quarter.js';

/**
 * The instant an evaluation of `quarter` takes effect: `backFilledAt` when given, else the start
 * of the next quarter in the time zone, or `now` when that start is still to come.
 */
export function evaluationEffectiveAt(quarter: string, now: string, backFilledAt: string | null | undefined, timeZone: string): string {
  if (backFilledAt !== undefined && backFilledAt !== null) return backFilledAt;
  const nextStart = quarterStart(nextQuarter(quarter), timeZone);
  return nextStart < now ? nextStart : now;
}
