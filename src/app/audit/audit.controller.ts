// HTTP → the auditor's queries.
import { Controller, Inject } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { Caller, type CallContext } from '../http/request-context.js';
import { Input, Route, type RouteInput } from '../http/route.js';
import { AuditCustomer, ReadEvents, VerifyChain } from './audit.queries.js';
import { auditCustomerRoute, eventsRoute, verifyRoute } from './audit.routes.js';

export const DEFAULT_EVENTS_PAGE = 100;

@Controller()
export class AuditController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Route(auditCustomerRoute)
  customer(@Input() input: RouteInput<typeof auditCustomerRoute>, @Caller() call: CallContext) {
    return this.queries.execute(new AuditCustomer({ key: input.params.key }, input.query, call));
  }

  @Route(verifyRoute)
  verify(@Input() _input: RouteInput<typeof verifyRoute>, @Caller() call: CallContext) {
    return this.queries.execute(new VerifyChain({}, {}, call));
  }

  @Route(eventsRoute)
  events(@Input() input: RouteInput<typeof eventsRoute>, @Caller() call: CallContext) {
    const from = input.query.from ?? 1;
    const limit = input.query.limit ?? DEFAULT_EVENTS_PAGE;
    return this.queries.execute(new ReadEvents({ from, limit }, {}, call));
  }
}
