// Tier certificates: one per partner and evaluated quarter (TierCertified, written by
// POST /tier-evaluations), valid for the quarter after it.
import { CertificatesAnswer } from '../http/answers.js';
import { IdParams, TimeQuery } from '../http/api-schemas.js';
import { defineRoute } from '../http/route.js';

export const getCertificatesRoute = defineRoute({
  id: 'getCertificates',
  method: 'GET',
  path: '/partners/:id/certificates',
  tag: 'partners',
  summary: "A partner's tier certificates, one per evaluated quarter (partner tokens: their own)",
  description:
    'Answers [{quarter, tier, validFrom, validTo, figures, …}] sorted by quarter: the quarter evaluated, the tier certified, the quarter it is valid for (validFor, the next one) ' +
    'with its first and last instant, the metric and the figures it was decided on. asOf / validAt as on every read.',
  roles: ['manager', 'finance', 'auditor', 'partner'],
  params: IdParams,
  query: TimeQuery,
  successStatus: 200,
  response: CertificatesAnswer,
});

export const certificatesRoutes = [getCertificatesRoute];
