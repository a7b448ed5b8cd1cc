// Wholesale-voice credit: traffic billed against the reseller's deposit, and its settlements.
// The balance answer (GET /partners/:id/balance) carries creditLimit, trafficOutstanding and
// creditAvailable.
import { commandRoute } from '../http/command-route.js';

const tag = 'credit';

export const billTrafficRoute = commandRoute('billTraffic', {
  path: '/partners/:id/traffic',
  pathFields: { id: 'partnerId' },
  tag,
  summary: "Bill a wholesale-voice reseller's traffic against its deposit (TrafficBilled)",
  description:
    'Refused (422, rule traffic-credit-limit, naming creditLimitFen, outstandingFen and shortfallFen) when unpaid traffic would exceed the deposit; nothing is written. ' +
    'Only wholesale-voice partners are billed; the first bill needs the policy minimum deposit. The same billId with the same amount and period writes nothing.',
  roles: ['finance'],
});

export const settleTrafficRoute = commandRoute('settleTraffic', {
  path: '/partners/:id/traffic-settlements',
  pathFields: { id: 'partnerId' },
  tag,
  summary: 'Record a payment of billed traffic by the reseller (TrafficSettled)',
  description: 'Refused (422, rule traffic-settlement-exceeds-outstanding) when larger than the outstanding traffic.',
  roles: ['finance'],
});

export const creditRoutes = [billTrafficRoute, settleTrafficRoute];
