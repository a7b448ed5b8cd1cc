// HTTP → deals commands and the ownership query. Who may act on what (a partner registers only
// for itself, advances only its own deals, never back-dates) is the domain's own-partner rule.
// What a partner is answered of the customer's ownership is the partner-visibility rule
// (src/domain/partner-view.ts): the answer's ownership is rebuilt from its own view of the customer.
import { Controller, Inject } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { DomainRuleError } from '../../domain/errors.js';
import type { PartnerOwnershipView } from '../../domain/partner-view.js';
import { commandOf } from '../core/ledger-command.js';
import { Caller, type CallContext } from '../http/request-context.js';
import { Input, Route, type RouteInput } from '../http/route.js';
import { AdvanceStage, RegisterDeal, ReviseForecast, RuleOwnership, TransferDeal } from './deals.commands.js';
import { GetOwnership, GetPartnerOwnership } from './deals.queries.js';
import { advanceStageRoute, getOwnershipRoute, registerDealRoute, reviseForecastRoute, ruleOwnershipRoute, transferDealRoute } from './deals.routes.js';

@Controller()
export class DealsController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
  ) {}

  @Route(registerDealRoute)
  register(@Input() input: RouteInput<typeof registerDealRoute>, @Caller() call: CallContext) {
    const registered = this.commands.execute(commandOf(RegisterDeal, registerDealRoute, input, call));
    if (call.principal.role !== 'partner') return registered;
    return registered.then((answer) => this.partnersAnswer(answer, call), hideTakenDealsOwner);
  }

  @Route(advanceStageRoute)
  stage(@Input() input: RouteInput<typeof advanceStageRoute>, @Caller() call: CallContext) {
    const advanced = this.commands.execute(commandOf(AdvanceStage, advanceStageRoute, input, call));
    if (call.principal.role !== 'partner') return advanced;
    return advanced.then((answer) => this.partnersAnswer(answer, call));
  }

  @Route(reviseForecastRoute)
  forecast(@Input() input: RouteInput<typeof reviseForecastRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(ReviseForecast, reviseForecastRoute, input, call));
  }

  /** A partner's command answer: the ownership as its own view of the customer has it. */
  private async partnersAnswer(answer: Record<string, unknown>, call: CallContext): Promise<Record<string, unknown>> {
    const partnerId = call.principal.partnerId;
    const { customerKey, dealId } = answer;
    if (partnerId === null || typeof customerKey !== 'string' || typeof dealId !== 'string') return answer;
    const view: PartnerOwnershipView | null = await this.queries.execute(new GetPartnerOwnership({ customerKey, partnerId }, {}, call));
    return ownershipForPartner(answer, dealId, partnerId, view);
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
 * The command answer's `ownership` (and `rule`) for a partner, from its view of the customer: the
 * owning deal and partner only when they are its own, plus whether another claim owns it, since
 * when and from when its claim could be transferred. Without a view (a read model that could not
 * apply the command) only what the answer says of its own claim is kept.
 */
export function ownershipForPartner(answer: Record<string, unknown>, dealId: string, partnerId: string, view: PartnerOwnershipView | null): Record<string, unknown> {
  const stated = answer.ownership as Record<string, unknown> | undefined;
  if (stated === undefined) return answer;
  const ownsIt = view ? view.owner === 'self' : stated.status === 'owner';
  const ownership: Record<string, unknown> = {
    ownerDealId: view ? view.ownerDealId : ownsIt ? dealId : null,
    ownerPartnerId: ownsIt ? partnerId : null,
    status: view?.claims.find((c) => c.dealId === dealId)?.status ?? stated.status,
    ...('rule' in stated ? { rule: view?.rule ?? null } : {}),
    owner: view?.owner ?? (ownsIt ? 'self' : null),
    ownerSince: view?.ownerSince ?? null,
    transferableFrom: view?.transferableFrom ?? null,
  };
  return { ...answer, ownership, ...('rule' in answer ? { rule: view?.rule ?? null } : {}) };
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
