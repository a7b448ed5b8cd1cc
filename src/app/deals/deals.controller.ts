// HTTP → deals commands and the ownership query. A partner registers only for itself, advances
// only its own deals, and never back-dates (occurredAt).
import { Controller, Inject } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { DomainRuleError } from '../../domain/errors.js';
import type { Ledger } from '../../ledger/ledger.js';
import { refuseOccurredAtFromPartner, requireOwnPartner } from '../auth/scope.js';
import { customerKeyForCommand } from '../core/customer-keys.js';
import { LEDGER } from '../core/ledger.token.js';
import { forbidden, notFound } from '../http/problem.js';
import { Caller, type CallContext } from '../http/request-context.js';
import { Input, Route, type RouteInput } from '../http/route.js';
import { AdvanceStage, RegisterDeal, RuleOwnership, TransferDeal } from './deals.commands.js';
import { GetOwnership } from './deals.queries.js';
import { advanceStageRoute, getOwnershipRoute, registerDealRoute, ruleOwnershipRoute, transferDealRoute } from './deals.routes.js';

/** The partner id in a registration that means the vendor's own direct sales team. */
export const DIRECT_SALES = 'direct';

@Controller()
export class DealsController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(LEDGER) private readonly ledger: Ledger,
  ) {}

  @Route(registerDealRoute)
  register(@Input() { body }: RouteInput<typeof registerDealRoute>, @Caller() call: CallContext) {
    refuseOccurredAtFromPartner(call.principal, body);
    if (call.principal.role === 'partner' && body.partnerId === DIRECT_SALES) throw forbidden('a partner may not register for the direct sales team');
    requireOwnPartner(call.principal, body.partnerId);
    const input = {
      dealId: body.dealId,
      partnerId: body.partnerId === DIRECT_SALES ? null : body.partnerId,
      customer: { name: body.customer.name, taxId: body.customer.taxId ?? null },
      expectedPorts: body.expectedPorts ?? null,
      expectedRevenueFen: body.expectedRevenue ?? null,
      occurredAt: body.occurredAt,
    };
    const registered = this.commands.execute(new RegisterDeal.Command(input, call));
    return call.principal.role === 'partner' ? registered.catch(hideTakenDealsOwner) : registered;
  }

  @Route(advanceStageRoute)
  async stage(@Input() { params, body }: RouteInput<typeof advanceStageRoute>, @Caller() call: CallContext) {
    refuseOccurredAtFromPartner(call.principal, body);
    if (call.principal.role === 'partner') await this.requireOwnDeal(params.id, call);
    return this.commands.execute(new AdvanceStage.Command({ dealId: params.id, stage: body.stage, reason: body.reason ?? null, occurredAt: body.occurredAt }, call));
  }

  @Route(transferDealRoute)
  transfer(@Input() { params, body }: RouteInput<typeof transferDealRoute>, @Caller() call: CallContext) {
    return this.commands.execute(new TransferDeal.Command({ fromDealId: params.id, ...body }, call));
  }

  @Route(ruleOwnershipRoute)
  ruling(@Input() { params, body }: RouteInput<typeof ruleOwnershipRoute>, @Caller() call: CallContext) {
    const customerKey = customerKeyForCommand(this.ledger, params.key);
    return this.commands.execute(new RuleOwnership.Command({ customerKey, ...body }, call));
  }

  @Route(getOwnershipRoute)
  ownership(@Input() input: RouteInput<typeof getOwnershipRoute>, @Caller() call: CallContext) {
    return this.queries.execute(new GetOwnership({ key: input.params.key }, input.query, call));
  }

  /** A partner acts only on deals it registered: the deal's partner, from the read model at the log's head; 404 otherwise. */
  private async requireOwnDeal(dealId: string, call: CallContext): Promise<void> {
    const { lookups, queries } = this.ledger.readSide;
    await lookups.catchUp();
    const customerKey = lookups.customerKeyOfDeal(dealId);
    const claim = customerKey === null ? undefined : (await queries.ownership(customerKey))?.claims.find((c) => c.dealId === dealId);
    // Another partner's deal answers exactly as an unknown one: a 403 would reveal that it exists.
    if (!claim || claim.partnerId !== call.principal.partnerId) throw unknownDealForPartner(dealId);
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

/** The one answer a partner gets for a deal it may not see, whether or not the deal exists. */
export function unknownDealForPartner(dealId: string) {
  return notFound(`no deal ${dealId}`);
}
