// HTTP → the report page's queries. The guard has checked the token and the role; a partner's
// token is limited to its own partner by the handlers.
import { Controller, Inject } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { Caller, type CallContext } from '../http/request-context.js';
import { Input, Route, type RouteInput } from '../http/route.js';
import {
  GetBalancesReport,
  GetCommissionByQuarter,
  GetConflictsReport,
  GetTiersReport,
  GetTimelineReport,
} from './report.queries.js';
import {
  balancesReportRoute,
  commissionByQuarterRoute,
  conflictsReportRoute,
  sessionRoute,
  tiersReportRoute,
  timelineRoute,
} from './report.routes.js';

@Controller()
export class ReportController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Route(sessionRoute)
  session(@Input() _input: RouteInput<typeof sessionRoute>, @Caller() call: CallContext) {
    return { role: call.principal.role, partnerId: call.principal.partnerId };
  }

  @Route(timelineRoute)
  timeline(@Input() input: RouteInput<typeof timelineRoute>, @Caller() call: CallContext) {
    return this.queries.execute(new GetTimelineReport({}, input.query, call));
  }

  @Route(tiersReportRoute)
  tiers(@Input() input: RouteInput<typeof tiersReportRoute>, @Caller() call: CallContext) {
    return this.queries.execute(new GetTiersReport({}, input.query, call));
  }

  @Route(balancesReportRoute)
  balances(@Input() input: RouteInput<typeof balancesReportRoute>, @Caller() call: CallContext) {
    return this.queries.execute(new GetBalancesReport({}, input.query, call));
  }

  @Route(commissionByQuarterRoute)
  commissionByQuarter(@Input() input: RouteInput<typeof commissionByQuarterRoute>, @Caller() call: CallContext) {
    return this.queries.execute(new GetCommissionByQuarter({}, input.query, call));
  }

  @Route(conflictsReportRoute)
  conflicts(@Input() input: RouteInput<typeof conflictsReportRoute>, @Caller() call: CallContext) {
    return this.queries.execute(new GetConflictsReport({}, input.query, call));
  }
}
