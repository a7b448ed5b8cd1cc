// Money: cash received and refunded, quarterly payouts, statements.
import { z } from 'zod';
import { RevenueLine } from '../../domain/events.js';
import { AmountFen, EntityId, OccurredAt, Quarter, ReasonText, TimeQuery } from '../http/api-schemas.js';
import { defineRoute } from '../http/route.js';

const occurredAt = OccurredAt().optional();
const tag = 'money';

export const receivePaymentRoute = defineRoute({
  id: 'receivePayment',
  method: 'POST',
  path: '/payments',
  tag,
  summary: "Cash received from a customer (PaymentReceived, and CommissionAccrued for the owning partner)",
  description: 'occurredAt is when the cash reached the bank (a statement\'s value date).',
  roles: ['finance'],
  body: z.strictObject({ paymentId: EntityId, dealId: EntityId, line: RevenueLine, amount: AmountFen, occurredAt }),
  successStatus: 201,
});

export const issueRefundRoute = defineRoute({
  id: 'issueRefund',
  method: 'POST',
  path: '/refunds',
  tag,
  summary: 'Cash returned to a customer, all or part of one payment (RefundIssued, CommissionClawedBack)',
  roles: ['finance'],
  body: z.strictObject({ refundId: EntityId, paymentId: EntityId, amount: AmountFen, reason: ReasonText, occurredAt }),
  successStatus: 201,
});

export const payOutRoute = defineRoute({
  id: 'payOut',
  method: 'POST',
  path: '/payouts',
  tag,
  summary: 'Pay the quarter: CommissionPaidOut per partner with a payable balance; DepositDeducted where clawbacks exceed earnings',
  description: 'Paying the same quarter twice writes nothing.',
  roles: ['finance'],
  body: z.strictObject({ quarter: Quarter, occurredAt }),
  successStatus: 201,
});

export const getStatementRoute = defineRoute({
  id: 'getStatement',
  method: 'GET',
  path: '/statements/:partnerId/:quarter',
  tag,
  summary: 'Every commission line of a quarter, each traceable to its payment or refund (partner tokens: their own)',
  roles: ['finance', 'auditor', 'partner'],
  params: z.strictObject({ partnerId: EntityId, quarter: Quarter }),
  query: TimeQuery,
  successStatus: 200,
});

export const moneyRoutes = [receivePaymentRoute, issueRefundRoute, payOutRoute, getStatementRoute];
