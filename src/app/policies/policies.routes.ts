// Policy versions (issue #20): a manager adopts a version of the programme's policy; every
// version, one with its document, and what one changes against another, for who reads the rules.
import { z } from 'zod';
import { QueryInstant } from '../../ledger/commands/fields.js';
import { commandRoute } from '../http/command-route.js';
import { defineRoute } from '../http/route.js';

const tag = 'policies';
const readers = ['manager', 'finance', 'auditor'] as const;

const VersionParam = z.string().min(1).max(64);
export const VersionParams = z.strictObject({ version: VersionParam });
const AsOfQuery = z.strictObject({
  asOf: QueryInstant.optional().meta({ description: 'Transaction time: the versions adopted by this instant.' }),
});

const Adjustment = z.object({
  partnerId: z.string(),
  paymentId: z.string(),
  refundId: z.string().nullable(),
  lineEventId: z.string(),
  kind: z.enum(['accrual', 'clawback']),
  cashAt: z.string(),
  fromVersion: z.string(),
  toVersion: z.string(),
  fromFen: z.number().int(),
  toFen: z.number().int(),
  adjustmentFen: z.number().int(),
});

export const AdoptPolicyAnswer = z.object({
  version: z.string(),
  effectiveFrom: z.string(),
  adopted: z.boolean().meta({ description: 'false: the same version was adopted before with the same document; nothing was written' }),
  adjustments: z.array(Adjustment),
});

const Actor = z.object({ role: z.string(), id: z.string() });
export const PolicyVersionAnswer = z.object({
  version: z.string(),
  name: z.string().nullable(),
  effectiveFrom: z.string(),
  inForceFrom: z.string(),
  inForceUntil: z.string().nullable(),
  superseded: z.boolean(),
  inLog: z.boolean(),
  adoptedAt: z.string().nullable(),
  recordedAt: z.string().nullable(),
  actor: Actor.nullable(),
  reason: z.string().nullable(),
  position: z.number().int().nullable(),
});

export const adoptPolicyRoute = commandRoute('adoptPolicy', {
  path: '/policies',
  tag,
  summary: 'Adopt a version of the policy (PolicyAdopted; CommissionAdjusted for every line a back-dated version changes)',
  description:
    'The document is checked like a policy file (every problem named, 400). A version effective in the past re-decides every commission line and clawback ' +
    'with cash on or after effectiveFrom and writes the differences as adjustments, settled by the next payout; nothing recorded changes.',
  roles: ['manager'],
  response: AdoptPolicyAnswer,
});

export const listPoliciesRoute = defineRoute({
  id: 'listPolicies',
  method: 'GET',
  path: '/policies',
  tag,
  summary: 'Every policy version: when adopted, by whom, why, and from when (until when) it is in force',
  roles: [...readers],
  query: AsOfQuery,
  successStatus: 200,
  response: z.array(PolicyVersionAnswer),
});

export const getPolicyRoute = defineRoute({
  id: 'getPolicy',
  method: 'GET',
  path: '/policies/:version',
  tag,
  summary: 'One policy version with its document',
  roles: [...readers],
  params: VersionParams,
  query: AsOfQuery,
  successStatus: 200,
  response: PolicyVersionAnswer.extend({ document: z.record(z.string(), z.unknown()) }),
});

export const diffPolicyRoute = defineRoute({
  id: 'diffPolicy',
  method: 'GET',
  path: '/policies/:version/diff',
  tag,
  summary: 'What a version changes against another, field by field ({path, from, to}; from: the version compared against)',
  roles: [...readers],
  params: VersionParams,
  query: z.strictObject({
    against: VersionParam.meta({ description: 'The version compared against' }),
    asOf: QueryInstant.optional().meta({ description: 'Transaction time: the versions adopted by this instant.' }),
  }),
  successStatus: 200,
  response: z.object({ version: z.string(), against: z.string(), differences: z.array(z.object({ path: z.string(), from: z.unknown(), to: z.unknown() })) }),
});

export const policiesRoutes = [adoptPolicyRoute, listPoliciesRoute, getPolicyRoute, diffPolicyRoute];
