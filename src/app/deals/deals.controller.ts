// HTTP → deals commands and the ownership query.
import { Controller, Inject } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { Caller, type CallContext } from '../http/request-context.js';
import { Input, Route, type RouteInput } from '../http/route.js';
import { GetOwnership } from './deals.queries.js';
import { getOwnershipRoute } from './deals.routes.js';

@Controller()
export class DealsController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Route(getOwnershipRoute)
  ownership(@Input() input: RouteInput<typeof getOwnershipRoute>, @Caller() call: CallContext) {
    return this.queries.execute(new GetOwnership({ key: input.params.key }, input.query, call));
  }
}
