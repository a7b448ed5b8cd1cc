// HTTP → rebate commands and queries. Nothing here decides anything.
import { Controller, Inject } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { requireOwnPartner } from '../auth/scope.js';
import { commandOf } from '../core/ledger-command.js';
import { Caller, type CallContext } from '../http/request-context.js';
import { Input, Route, type RouteInput } from '../http/route.js';
import { EvaluateRebates, LockToDistributor, PayRebate, RecordPurchase, SetCommitment } from './rebates.commands.js';
import { GetAwards, GetRebates } from './rebates.queries.js';
import {
  evaluateRebatesRoute,
  getAwardsRoute,
  getRebatesRoute,
  lockToDistributorRoute,
  payRebateRoute,
  recordPurchaseRoute,
  setCommitmentRoute,
} from './rebates.routes.js';

@Controller()
export class RebatesController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
  ) {}

  @Route(setCommitmentRoute)
  commitment(@Input() input: RouteInput<typeof setCommitmentRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(SetCommitment, setCommitmentRoute, input, call));
  }

  @Route(recordPurchaseRoute)
  purchase(@Input() input: RouteInput<typeof recordPurchaseRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(RecordPurchase, recordPurchaseRoute, input, call));
  }

  @Route(lockToDistributorRoute)
  lock(@Input() input: RouteInput<typeof lockToDistributorRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(LockToDistributor, lockToDistributorRoute, input, call));
  }

  @Route(evaluateRebatesRoute)
  evaluate(@Input() input: RouteInput<typeof evaluateRebatesRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(EvaluateRebates, evaluateRebatesRoute, input, call));
  }

  @Route(payRebateRoute)
  pay(@Input() input: RouteInput<typeof payRebateRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(PayRebate, payRebateRoute, input, call));
  }

  @Route(getRebatesRoute)
  rebates(@Input() input: RouteInput<typeof getRebatesRoute>, @Caller() call: CallContext) {
    requireOwnPartner(call.principal, input.params.id);
    const { year, ...time } = input.query;
    return this.queries.execute(new GetRebates({ partnerId: input.params.id, year }, time, call));
  }

  @Route(getAwardsRoute)
  awards(@Input() input: RouteInput<typeof getAwardsRoute>, @Caller() call: CallContext) {
    return this.queries.execute(new GetAwards({ year: input.params.year }, input.query, call));
  }
}
