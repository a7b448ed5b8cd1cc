// HTTP → money commands and the statement query.
import { Controller, Inject } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { requireOwnPartner } from '../auth/scope.js';
import { Caller, type CallContext } from '../http/request-context.js';
import { Input, Route, type RouteInput } from '../http/route.js';
import { GetStatement } from './money.queries.js';
import { getStatementRoute } from './money.routes.js';

@Controller()
export class MoneyController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Route(getStatementRoute)
  statement(@Input() input: RouteInput<typeof getStatementRoute>, @Caller() call: CallContext) {
    requireOwnPartner(call.principal, input.params.partnerId);
    return this.queries.execute(new GetStatement({ partnerId: input.params.partnerId, quarter: input.params.quarter }, input.query, call));
  }
}
