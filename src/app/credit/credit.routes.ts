// Wholesale-voice credit: traffic billed against the reseller's deposit, and its settlements.
// The balance answer (GET /partners/:id/balance) carries creditLimit, trafficOutstanding and
// creditAvailable.
import { z } from 'zod';
import { BillingPeriod } from '../../domain/events.js';
import { AmountFen, EntityId, IdParams, OccurredAt } from '../http/api-schemas.js';
import { defineRoute } from '../http/route.js';

const occurredAt = OccurredAt().optional();
const tag = 'credit';

export const billTrafficRoute = defineRoute({
  id: 'billTraffic',
  method: 'POST',
  path: '/partners/:id/traffic',
  tag,
  summary: "Bill a wholesale-voice reseller's traffic against its deposit (TrafficBilled)",
  description:
    'Refused (422, rule traffic-credit-limit, naming creditLimitFen, outstandingFen and shortfallFen) when unpaid traffic would exceed the deposit; nothing is written. ' +
    'Only wholesale-voice partners are billed; the first bill needs the policy minimum deposit. The same billId with the same amount and period writes nothing.',
  roles: ['finance'],
  params: IdParams,
  body: z.strictObject({ billId: EntityId, amount: AmountFen, period: BillingPeriod.meta({ example: '2026-07' }), occurredAt }),
  successStatus: 201,
});

export const settleTrafficRoute = defineRoute({
  id: 'settleTraffic',
  method: 'POST',
  path: '/partners/:id/traffic-settlements',
  tag,
  summary: 'Record a payment of billed traffic by the reseller (TrafficSettled)',
  description: 'Refused (422, rule traffic-settlement-exceeds-outstanding) when larger than the outstanding traffic.',
  roles: ['finance'],
  params: IdParams,
  body: z.strictObject({ settlementId: EntityId, amount: AmountFen, occurredAt }),
  successStatus: 201,
});

export const creditRoutes = [billTrafficRoute, settleTrafficRoute];
