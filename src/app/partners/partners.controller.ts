// HTTP → partners commands and queries. Nothing here decides anything: it checks who may ask
// (partner isolation), builds the command or query, and sends it through the bus.
import { Controller, Inject } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { requireOwnPartner } from '../auth/scope.js';
import { commandOf } from '../core/ledger-command.js';
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
  sign(@Input() input: RouteInput<typeof signPartnerRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(SignPartner, signPartnerRoute, input, call));
  }

  @Route(postDepositRoute)
  deposit(@Input() input: RouteInput<typeof postDepositRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(PostDeposit, postDepositRoute, input, call));
  }

  @Route(deductDepositRoute)
  deduct(@Input() input: RouteInput<typeof deductDepositRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(DeductDeposit, deductDepositRoute, input, call));
  }

  @Route(changeTierRoute)
  changeTier(@Input() input: RouteInput<typeof changeTierRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(ChangeTier, changeTierRoute, input, call));
  }

  @Route(evaluateTiersRoute)
  evaluate(@Input() input: RouteInput<typeof evaluateTiersRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(EvaluateTiers, evaluateTiersRoute, input, call));
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
