// Partners: signing, deposits, tiers. The route table of API.md for this capability.
import { z } from 'zod';
import { PartnerKind, TierName } from '../../domain/events.js';
import { AmountFen, EntityId, IdParams, OccurredAt, Quarter, ReasonText, TimeQuery } from '../http/api-schemas.js';
import { defineRoute } from '../http/route.js';

const occurredAt = OccurredAt().optional();
const tag = 'partners';

export const signPartnerRoute = defineRoute({
  id: 'signPartner',
  method: 'POST',
  path: '/partners',
  tag,
  summary: 'Sign a partner (PartnerSigned)',
  roles: ['manager'],
  body: z.strictObject({
    partnerId: EntityId,
    name: ReasonText,
    kind: PartnerKind,
    tier: TierName,
    parentPartnerId: EntityId.optional(),
    territory: ReasonText.optional(),
    occurredAt,
  }),
  successStatus: 201,
});

export const postDepositRoute = defineRoute({
  id: 'postDeposit',
  method: 'POST',
  path: '/partners/:id/deposits',
  tag,
  summary: 'Record a deposit received from the partner (DepositPosted)',
  roles: ['finance'],
  params: IdParams,
  body: z.strictObject({ amount: AmountFen, occurredAt }),
  successStatus: 201,
});

export const deductDepositRoute = defineRoute({
  id: 'deductDeposit',
  method: 'POST',
  path: '/partners/:id/deposit-deductions',
  tag,
  summary: 'Deduct from the deposit; what it cannot cover becomes debt (DepositDeducted)',
  roles: ['finance'],
  params: IdParams,
  body: z.strictObject({ amount: AmountFen, reason: ReasonText, reference: ReasonText.optional(), occurredAt }),
  successStatus: 201,
});

export const changeTierRoute = defineRoute({
  id: 'changeTier',
  method: 'POST',
  path: '/partners/:id/tier',
  tag,
  summary: "Change a partner's tier by hand (TierChanged)",
  roles: ['manager'],
  params: IdParams,
  body: z.strictObject({ tier: TierName, reason: ReasonText, occurredAt }),
  successStatus: 201,
});

export const evaluateTiersRoute = defineRoute({
  id: 'evaluateTiers',
  method: 'POST',
  path: '/tier-evaluations',
  tag,
  summary: 'Evaluate every partner for a quarter (TierChanged for each partner whose tier moves)',
  roles: ['manager'],
  body: z.strictObject({ quarter: Quarter, occurredAt }),
  successStatus: 201,
});

export const getPartnerRoute = defineRoute({
  id: 'getPartner',
  method: 'GET',
  path: '/partners/:id',
  tag,
  summary: 'A partner (partner tokens: their own)',
  roles: ['manager', 'finance', 'auditor', 'partner'],
  params: IdParams,
  query: TimeQuery,
  successStatus: 200,
});

export const getBalanceRoute = defineRoute({
  id: 'getBalance',
  method: 'GET',
  path: '/partners/:id/balance',
  tag,
  summary: "A partner's commission and deposit balance in fen",
  roles: ['manager', 'finance', 'auditor', 'partner'],
  params: IdParams,
  query: TimeQuery,
  successStatus: 200,
});

export const getTiersRoute = defineRoute({
  id: 'getTiers',
  method: 'GET',
  path: '/tiers',
  tag,
  summary: "Every partner's tier and since when",
  roles: ['manager', 'finance', 'auditor'],
  query: TimeQuery,
  successStatus: 200,
});

export const partnersRoutes = [
  signPartnerRoute,
  postDepositRoute,
  deductDepositRoute,
  changeTierRoute,
  evaluateTiersRoute,
  getPartnerRoute,
  getBalanceRoute,
  getTiersRoute,
];
