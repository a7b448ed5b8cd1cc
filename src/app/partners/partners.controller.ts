// HTTP → partners commands and queries. Nothing here decides anything: it checks who may ask
// (partner isolation), builds the command or query, and sends it through the bus.
import { Controller, Inject } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { requireOwnPartner } from '../auth/scope.js';
import { Caller, type CallContext } from '../http/request-context.js';
import { Input, Route, type RouteInput } from '../http/route.js';
import { GetBalance, GetPartner, GetTiers } from './partners.queries.js';
import { getBalanceRoute, getPartnerRoute, getTiersRoute } from './partners.routes.js';

@Controller()
export class PartnersController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Route(getPartnerRoute)
  getPartner(@Input() input: RouteInput<typeof getPartnerRoute>, @Caller() call: CallContext) {
    requireOwnPartner(call.principal, input.params.id);
    return this.queries.execute(new GetPartner({ partnerId: input.params.id }, input.query, call));
  }

  @Route(getBalanceRoute)
  getBalance(@Input() input: RouteInput<typeof getBalanceRoute>, @Caller() call: CallContext) {
    requireOwnPartner(call.principal, input.params.id);
    return this.queries.execute(new GetBalance({ partnerId: input.params.id }, input.query, call));
  }

  @Route(getTiersRoute)
  getTiers(@Input() input: RouteInput<typeof getTiersRoute>, @Caller() call: CallContext) {
    return this.queries.execute(new GetTiers({}, input.query, call));
  }
}
