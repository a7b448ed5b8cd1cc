// HTTP → money commands and the statement query.
import { Controller, Inject } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { requireOwnPartner } from '../auth/scope.js';
import { commandOf } from '../core/ledger-command.js';
import { Caller, type CallContext } from '../http/request-context.js';
import { Input, Route, type RouteInput } from '../http/route.js';
import { IssueRefund, PayOut, ReceivePayment } from './money.commands.js';
import { GetStatement } from './money.queries.js';
import { getStatementRoute, issueRefundRoute, payOutRoute, receivePaymentRoute } from './money.routes.js';

@Controller()
export class MoneyController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
  ) {}

  @Route(receivePaymentRoute)
  payment(@Input() input: RouteInput<typeof receivePaymentRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(ReceivePayment, receivePaymentRoute, input, call));
  }

  @Route(issueRefundRoute)
  refund(@Input() input: RouteInput<typeof issueRefundRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(IssueRefund, issueRefundRoute, input, call));
  }

  @Route(payOutRoute)
  payout(@Input() input: RouteInput<typeof payOutRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(PayOut, payOutRoute, input, call));
  }

  @Route(getStatementRoute)
  statement(@Input() input: RouteInput<typeof getStatementRoute>, @Caller() call: CallContext) {
    requireOwnPartner(call.principal, input.params.partnerId);
    return this.queries.execute(new GetStatement({ partnerId: input.params.partnerId, quarter: input.params.quarter }, input.query, call));
  }
}
