// Wholesale-voice credit: traffic billed against the reseller's deposit, and its settlements.
// The balance answer (GET /partners/:id/balance) carries creditLimit, trafficOutstanding,
// creditAvailable and creditStatus.
import { commandRoute } from '../http/command-route.js';

const tag = 'credit';

export const billTrafficRoute = commandRoute('billTraffic', {
  path: '/partners/:id/traffic',
  pathFields: { id: 'partnerId' },
  tag,
  summary: "Bill a wholesale-voice reseller's traffic against its deposit (TrafficBilled; CreditSuspended when outstanding traffic reaches the deposit)",
  description:
    'A bill is a fact and is always recorded, also over the credit limit: when outstanding traffic reaches the deposit the reseller\'s credit is suspended (CreditSuspended with the limit and the outstanding traffic; service stops). ' +
    'A bill recorded while suspended is flagged (whileSuspended). Only wholesale-voice partners are billed; the first bill needs the policy minimum deposit. The same billId with the same amount and period writes nothing.',
  roles: ['finance'],
});

export const settleTrafficRoute = commandRoute('settleTraffic', {
  path: '/partners/:id/traffic-settlements',
  pathFields: { id: 'partnerId' },
  tag,
  summary: 'Record a payment of billed traffic by the reseller (TrafficSettled; CreditResumed when it brings outstanding traffic back under the deposit)',
  description: 'Refused (422, rule traffic-settlement-exceeds-outstanding) when larger than the outstanding traffic. A deposit top-up (POST /partners/:id/deposits) resumes a suspended credit too.',
  roles: ['finance'],
});

export const creditRoutes = [billTrafficRoute, settleTrafficRoute];
