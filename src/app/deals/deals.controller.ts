// HTTP → deals commands and the ownership query. Who may act on what (a partner registers only
// for itself, advances only its own deals, never back-dates) is the domain's own-partner rule.
import { Controller, Inject } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { DomainRuleError } from '../../domain/errors.js';
import { commandOf } from '../core/ledger-command.js';
import { Caller, type CallContext } from '../http/request-context.js';
import { Input, Route, type RouteInput } from '../http/route.js';
import { AdvanceStage, RegisterDeal, RuleOwnership, TransferDeal } from './deals.commands.js';
import { GetOwnership } from './deals.queries.js';
import { advanceStageRoute, getOwnershipRoute, registerDealRoute, ruleOwnershipRoute, transferDealRoute } from './deals.routes.js';

@Controller()
export class DealsController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
  ) {}

  @Route(registerDealRoute)
  register(@Input() input: RouteInput<typeof registerDealRoute>, @Caller() call: CallContext) {
    const registered = this.commands.execute(commandOf(RegisterDeal, registerDealRoute, input, call));
    return call.principal.role === 'partner' ? registered.catch(hideTakenDealsOwner) : registered;
  }

  @Route(advanceStageRoute)
  stage(@Input() input: RouteInput<typeof advanceStageRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(AdvanceStage, advanceStageRoute, input, call));
  }

  @Route(transferDealRoute)
  transfer(@Input() input: RouteInput<typeof transferDealRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(TransferDeal, transferDealRoute, input, call));
  }

  @Route(ruleOwnershipRoute)
  ruling(@Input() input: RouteInput<typeof ruleOwnershipRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(RuleOwnership, ruleOwnershipRoute, input, call));
  }

  @Route(getOwnershipRoute)
  ownership(@Input() input: RouteInput<typeof getOwnershipRoute>, @Caller() call: CallContext) {
    return this.queries.execute(new GetOwnership({ key: input.params.key }, input.query, call));
  }
}

/**
 * A deal id is unique across the ledger, so a partner must learn that an id is taken; the stored
 * detail (its customer's stream, the position) is not the partner's to see.
 */
function hideTakenDealsOwner(error: unknown): never {
  if (error instanceof DomainRuleError && error.rule === 'deal-id-taken') {
    const dealId = String(error.figures.id ?? '');
    throw new DomainRuleError('deal-id-taken', `deal id ${dealId} is already taken: choose another`, { id: dealId }, 'conflict');
  }
  throw error;
}
