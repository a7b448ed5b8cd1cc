// Partners: signing, deposits, tiers. The route table of API.md for this capability.
import { IdParams, TimeQuery } from '../http/api-schemas.js';
import { commandRoute } from '../http/command-route.js';
import { defineRoute } from '../http/route.js';
import { BalanceAnswer, DeductionAnswer, DepositAnswer, PartnerAnswerSchema, SignPartnerAnswer, TierChangeAnswer, TiersAnswer } from '../http/answers.js';

const tag = 'partners';

export const signPartnerRoute = commandRoute('signPartner', { path: '/partners', tag, summary: 'Sign a partner (PartnerSigned)', roles: ['manager'], response: SignPartnerAnswer });

export const postDepositRoute = commandRoute('postDeposit', {
  path: '/partners/:id/deposits',
  pathFields: { id: 'partnerId' },
  tag,
  summary: 'Record a deposit received from the partner (DepositPosted)',
  roles: ['finance'],
  response: DepositAnswer,
});

export const deductDepositRoute = commandRoute('deductDeposit', {
  path: '/partners/:id/deposit-deductions',
  pathFields: { id: 'partnerId' },
  tag,
  summary: 'Deduct from the deposit; what it cannot cover becomes debt (DepositDeducted)',
  roles: ['finance'],
  response: DeductionAnswer,
});

export const changeTierRoute = commandRoute('changeTier', {
  path: '/partners/:id/tier',
  pathFields: { id: 'partnerId' },
  tag,
  summary: "Change a partner's tier by hand (TierChanged)",
  roles: ['manager'],
  response: TierChangeAnswer,
});

export const evaluateTiersRoute = commandRoute('evaluateTiers', {
  path: '/tier-evaluations',
  tag,
  summary: 'Evaluate every partner for a quarter (TierCertified for every partner evaluated; TierChanged before it for each whose tier moves)',
  roles: ['manager'],
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
  response: PartnerAnswerSchema,
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
  response: BalanceAnswer,
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
  response: TiersAnswer,
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
