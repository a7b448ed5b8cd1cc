// HTTP → partners commands and queries. Nothing here decides anything: it checks who may ask
// (partner isolation), builds the command or query, and sends it through the bus.
import { Controller, Inject } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { requireOwnPartner } from '../auth/scope.js';
import { Caller, type CallContext } from '../http/request-context.js';
import { Input, Route, type RouteInput } from '../http/route.js';
import { ChangeTier, DeductDeposit, EvaluateTiers, PostDeposit, SignPartner } from './partners.commands.js';
import { GetBalance, GetPartner, GetTiers } from './partners.queries.js';
import {
  changeTierRoute,
  deductDepositRoute,
  evaluateTiersRoute,
  getBalanceRoute,
  getPartnerRoute,
  getTiersRoute,
  postDepositRoute,
  signPartnerRoute,
} from './partners.routes.js';

@Controller()
export class PartnersController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
  ) {}

  @Route(signPartnerRoute)
  sign(@Input() { body }: RouteInput<typeof signPartnerRoute>, @Caller() call: CallContext) {
    const input = { ...body, parentPartnerId: body.parentPartnerId ?? null, territory: body.territory ?? null };
    return this.commands.execute(new SignPartner.Command(input, call));
  }

  @Route(postDepositRoute)
  deposit(@Input() { params, body }: RouteInput<typeof postDepositRoute>, @Caller() call: CallContext) {
    return this.commands.execute(new PostDeposit.Command({ partnerId: params.id, amountFen: body.amount, occurredAt: body.occurredAt }, call));
  }

  @Route(deductDepositRoute)
  deduct(@Input() { params, body }: RouteInput<typeof deductDepositRoute>, @Caller() call: CallContext) {
    const input = { partnerId: params.id, amountFen: body.amount, reason: body.reason, reference: body.reference ?? null, occurredAt: body.occurredAt };
    return this.commands.execute(new DeductDeposit.Command(input, call));
  }

  @Route(changeTierRoute)
  changeTier(@Input() { params, body }: RouteInput<typeof changeTierRoute>, @Caller() call: CallContext) {
    return this.commands.execute(new ChangeTier.Command({ partnerId: params.id, ...body }, call));
  }

  @Route(evaluateTiersRoute)
  evaluate(@Input() { body }: RouteInput<typeof evaluateTiersRoute>, @Caller() call: CallContext) {
    return this.commands.execute(new EvaluateTiers.Command(body, call));
  }

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
