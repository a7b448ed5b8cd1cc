// The rule: the quarter's tier certificate. DOMAIN.md: "Certification is quarterly: at each
// quarter end the tier is re-evaluated from that quarter's results, and the certificate is valid
// for one quarter. Every partner gets a new certificate each quarter, valid for that quarter
// only, whether or not its tier moved."
//  - Every partner the quarter's evaluation takes part in (tier-evaluation.ts isEvaluated) gets
//    a TierCertified for it: its tier after the evaluation, the tier before, the metric and the
//    figures it was decided on. A move also writes its TierChanged (before the certificate, in
//    the same append), as it always did.
//  - The certificate of quarter Q is valid for the quarter the new tier is in effect for: the
//    next one, from its first instant to its last in the policy's time zone (a new tier takes
//    effect at the next quarter's start: evaluation-effective-date.ts).
//  - A quarter is certified once per partner: evaluating it again writes nothing.
import { eventOf } from './decide-context.js';
import type { EventOf } from './events.js';
import type { Policy } from './policy.js';
import { nextQuarter, quarterEnd, quarterStart } from './quarter.js';

/** The quarter a certificate of `quarter` is valid for, and its first and last instants. */
export function certificateValidity(quarter: string, timeZone: string): { validFor: string; validFrom: string; validTo: string } {
  const validFor = nextQuarter(quarter);
  return { validFor, validFrom: quarterStart(validFor, timeZone), validTo: quarterEnd(validFor, timeZone) };
}

export interface CertificateFigures {
  partnerId: string;
  quarter: string;
  tier: string;
  previousTier: string;
  /** The metric's figure and the thresholds it was measured against. */
  figures: Record<string, number>;
}

/** The certificate of a partner's evaluated quarter. */
export function certificateOf(c: CertificateFigures, policy: Policy): EventOf<'TierCertified'> {
  return eventOf('TierCertified', {
    partnerId: c.partnerId,
    quarter: c.quarter,
    tier: c.tier,
    previousTier: c.previousTier,
    ...certificateValidity(c.quarter, policy.timeZone),
    metric: policy.tierEvaluation.metric,
    figures: c.figures,
  });
}
