// The partners capability's queries and their handlers (QueryBus → src/ledger/queries.ts).
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Ledger } from '../../ledger/ledger.js';
import type { BalanceView } from '../../../projections/balances.js';
import type { PartnerAnswer, TierAnswer } from '../../ledger/queries.js';
import { LEDGER } from '../core/ledger.token.js';
import { ApiQuery } from '../core/cqrs-base.js';
import { notFound } from '../http/problem.js';

export class GetPartner extends ApiQuery<{ partnerId: string }, PartnerAnswer> {}
export class GetBalance extends ApiQuery<{ partnerId: string }, BalanceView> {}
export class GetTiers extends ApiQuery<Record<string, never>, TierAnswer[]> {}

@QueryHandler(GetPartner)
export class GetPartnerHandler implements IQueryHandler<GetPartner> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}
  async execute(q: GetPartner): Promise<PartnerAnswer> {
    const answer = await this.ledger.readSide.queries.partner(q.input.partnerId, q.time);
    if (!answer) throw notFound(`no partner ${q.input.partnerId}${q.time.asOf ? ` as of ${q.time.asOf}` : ''}`);
    return answer;
  }
}

@QueryHandler(GetBalance)
export class GetBalanceHandler implements IQueryHandler<GetBalance> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}
  async execute(q: GetBalance): Promise<BalanceView> {
    const answer = await this.ledger.readSide.queries.balance(q.input.partnerId, q.time);
    if (!answer) throw notFound(`no partner ${q.input.partnerId}${q.time.asOf ? ` as of ${q.time.asOf}` : ''}`);
    return answer;
  }
}

@QueryHandler(GetTiers)
export class GetTiersHandler implements IQueryHandler<GetTiers> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}
  execute(q: GetTiers): Promise<TierAnswer[]> {
    return this.ledger.readSide.queries.tiers(q.time);
  }
}

export const partnersQueryHandlers = [GetPartnerHandler, GetBalanceHandler, GetTiersHandler];
