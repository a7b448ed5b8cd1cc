// The deals capability's query: a customer's ownership (QueryBus → src/ledger/queries.ts).
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Ledger } from '../../ledger/ledger.js';
import type { OwnershipView } from '../../../projections/ownership.js';
import { ApiQuery } from '../core/cqrs-base.js';
import { resolveCustomerKey } from '../core/customer-keys.js';
import { LEDGER } from '../core/ledger.token.js';
import { forbidden, notFound } from '../http/problem.js';

export class GetOwnership extends ApiQuery<{ key: string }, OwnershipView> {}

@QueryHandler(GetOwnership)
export class GetOwnershipHandler implements IQueryHandler<GetOwnership> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}

  async execute(q: GetOwnership): Promise<OwnershipView> {
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
    const view = await this.ledger.readSide.queries.ownership(key, q.time);
    if (isPartner && !view?.claims.some((c) => c.partnerId === principal.partnerId)) throw refuse();
    if (!view) throw notFound(`no claim on customer ${key}${q.time.asOf ? ` as of ${q.time.asOf}` : ''}`);
    return view;
  }
}

export const dealsQueryHandlers = [GetOwnershipHandler];
