// HTTP → the pipeline report. A partner's token is limited to its own partner id.
import { Controller, Inject } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { partnerScopeOf, requireOwnPartner } from '../auth/scope.js';
import { Caller, type CallContext } from '../http/request-context.js';
import { Input, Route, type RouteInput } from '../http/route.js';
import { GetPipeline, GetWeekly } from './reports.queries.js';
import { pipelineRoute, weeklyRoute } from './reports.routes.js';

@Controller()
export class ReportsController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Route(pipelineRoute)
  pipeline(@Input() input: RouteInput<typeof pipelineRoute>, @Caller() call: CallContext) {
    const { partnerId, ...time } = input.query;
    if (partnerId !== undefined) requireOwnPartner(call.principal, partnerId);
    return this.queries.execute(new GetPipeline({ partnerId: partnerId ?? partnerScopeOf(call.principal) }, time, call));
  }

  @Route(weeklyRoute)
  weekly(@Input() input: RouteInput<typeof weeklyRoute>, @Caller() call: CallContext) {
    const { partnerId, week, ...time } = input.query;
    if (partnerId !== undefined) requireOwnPartner(call.principal, partnerId);
    return this.queries.execute(new GetWeekly({ week, partnerId: partnerId ?? partnerScopeOf(call.principal) }, time, call));
  }
}
