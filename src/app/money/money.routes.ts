// Money: cash received and refunded, quarterly payouts, statements.
import { z } from 'zod';
import { EntityId, Quarter } from '../../ledger/commands/fields.js';
import { TimeQuery } from '../http/api-schemas.js';
import { commandRoute } from '../http/command-route.js';
import { defineRoute } from '../http/route.js';
import { PaymentAnswer, PayoutAnswer, RefundAnswer, StatementAnswer } from '../http/answers.js';

const tag = 'money';

export const receivePaymentRoute = commandRoute('receivePayment', {
  path: '/payments',
  tag,
  summary: 'Cash received from a customer (PaymentReceived, and CommissionAccrued for the owning partner)',
  description: "occurredAt is when the cash reached the bank (a statement's value date).",
  roles: ['finance'],
  response: PaymentAnswer,
});

export const issueRefundRoute = commandRoute('issueRefund', {
  path: '/refunds',
  tag,
  summary: 'Cash returned to a customer, all or part of one payment (RefundIssued, CommissionClawedBack)',
  roles: ['finance'],
  response: RefundAnswer,
});

export const payOutRoute = commandRoute('payOut', {
  path: '/payouts',
  tag,
  summary: 'Pay the quarter: CommissionPaidOut per partner with a payable balance; DepositDeducted where clawbacks exceed earnings',
  description: 'Paying the same quarter twice writes nothing.',
  roles: ['finance'],
  response: PayoutAnswer,
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
  response: StatementAnswer,
});

export const moneyRoutes = [receivePaymentRoute, issueRefundRoute, payOutRoute, getStatementRoute];
