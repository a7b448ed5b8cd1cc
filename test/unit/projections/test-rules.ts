// Projection rules for specs: the domain's postings and payable rule, a fixed UTC+8 quarter.
import { partnerDeltasOf, payableOf } from '../../../src/domain/postings.js';
import { eventOf } from '../../../projections/envelope.js';
import type { ProjectionRules } from '../../../projections/rules.js';
import { quarterOfUtc8 } from './random-log.js';

export const testRules: ProjectionRules = {
  deltasOf: (e) => partnerDeltasOf(eventOf(e)),
  payableOf,
  depositRequiredFen: () => 0,
  quarterOf: quarterOfUtc8,
  idleWindowDays: 28,
};
