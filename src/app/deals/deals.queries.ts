// The deals capability's queries: a customer's ownership (QueryBus → src/ledger/queries.ts); for a
// partner's token, the customer as the partner-visibility rule shows it (src/ledger/partner-queries.ts
// → src/domain/partner-view.ts): its own claims, of the others only whether another claim owns it,
// since when, and from when its claim could be transferred.
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { PartnerOwnershipView } from '../../domain/partner-view.js';
import type { Ledger } from '../../ledger/ledger.js';
import { partnerQueriesOf } from '../../ledger/partner-queries.js';
import type { OwnershipView } from '../../../projections/ownership.js';
import { ApiQuery } from '../core/cqrs-base.js';
import { resolveCustomerKey } from '../core/customer-keys.js';
import { LEDGER } from '../core/ledger.token.js';
import { forbidden, notFound } from '../http/problem.js';

export class GetOwnership extends ApiQuery<{ key: string }, OwnershipView | PartnerOwnershipView> {}
/** A partner's own view of a customer it claims (for its command answers); null without a claim. */
export class GetPartnerOwnership extends ApiQuery<{ customerKey: string; partnerId: string }, PartnerOwnershipView | null> {}

@QueryHandler(GetOwnership)
export class GetOwnershipHandler implements IQueryHandler<GetOwnership> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}

  async execute(q: GetOwnership): Promise<OwnershipView | PartnerOwnershipView> {
    const principal = q.call.principal;
    const isPartner = principal.role === 'partner';
    const refuse = () => forbidden(`a partner sees a customer's ownership only where it has a claim on it`);
    let key: string;
    try {
      key = resolveCustomerKey(this.ledger, q.input.key);
    } catch (error) {
      if (isPartner) throw refuse();
      throw error;
    }
    if (isPartner) {
      const own = principal.partnerId === null ? null : partnerQueriesOf(this.ledger).ownership(key, principal.partnerId, q.time);
      if (!own) throw refuse();
      return own;
    }
    const view = await this.ledger.readSide.queries.ownership(key, q.time);
    if (!view) throw notFound(`no claim on customer ${key}${q.time.asOf ? ` as of ${q.time.asOf}` : ''}`);
    return view;
  }
}

@QueryHandler(GetPartnerOwnership)
export class GetPartnerOwnershipHandler implements IQueryHandler<GetPartnerOwnership> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}

  async execute(q: GetPartnerOwnership): Promise<PartnerOwnershipView | null> {
    return partnerQueriesOf(this.ledger).ownership(q.input.customerKey, q.input.partnerId, q.time);
  }
}

export const dealsQueryHandlers = [GetOwnershipHandler, GetPartnerOwnershipHandler];
