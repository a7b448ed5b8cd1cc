// HTTP → rebate commands and queries. Nothing here decides anything.
import { Controller, Inject } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { requireOwnPartner } from '../auth/scope.js';
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
  commitment(@Input() { params, body }: RouteInput<typeof setCommitmentRoute>, @Caller() call: CallContext) {
    return this.commands.execute(new SetCommitment.Command({ partnerId: params.id, year: body.year, amountFen: body.amount, occurredAt: body.occurredAt }, call));
  }

  @Route(recordPurchaseRoute)
  purchase(@Input() { body }: RouteInput<typeof recordPurchaseRoute>, @Caller() call: CallContext) {
    const { amount, ...rest } = body;
    return this.commands.execute(new RecordPurchase.Command({ ...rest, amountFen: amount }, call));
  }

  @Route(lockToDistributorRoute)
  lock(@Input() { params, body }: RouteInput<typeof lockToDistributorRoute>, @Caller() call: CallContext) {
    return this.commands.execute(new LockToDistributor.Command({ partnerId: params.id, distributorId: body.distributorId, occurredAt: body.occurredAt }, call));
  }

  @Route(evaluateRebatesRoute)
  evaluate(@Input() { body }: RouteInput<typeof evaluateRebatesRoute>, @Caller() call: CallContext) {
    return this.commands.execute(new EvaluateRebates.Command(body, call));
  }

  @Route(payRebateRoute)
  pay(@Input() { params, body }: RouteInput<typeof payRebateRoute>, @Caller() call: CallContext) {
    const input = { partnerId: params.id, rebatePaymentId: body.rebatePaymentId, amountFen: body.amount, payer: body.payer ?? null, occurredAt: body.occurredAt };
    return this.commands.execute(new PayRebate.Command(input, call));
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
