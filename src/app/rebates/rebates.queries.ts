// The rebate capability's queries (QueryBus → src/ledger/rebate-queries.ts).
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Ledger } from '../../ledger/ledger.js';
import { type AwardAnswer, RebateQueries, type RebatesAnswer } from '../../ledger/rebate-queries.js';
import { ApiQuery } from '../core/cqrs-base.js';
import { LEDGER } from '../core/ledger.token.js';
import { notFound } from '../http/problem.js';

export class GetRebates extends ApiQuery<{ partnerId: string; year: number }, RebatesAnswer> {}
export class GetAwards extends ApiQuery<{ year: number }, AwardAnswer> {}

const rebateQueriesOf = (ledger: Ledger): RebateQueries => new RebateQueries(ledger.readSide.queries, ledger.readSide.runner, ledger.policy);

@QueryHandler(GetRebates)
export class GetRebatesHandler implements IQueryHandler<GetRebates> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}
  async execute(q: GetRebates): Promise<RebatesAnswer> {
    const answer = rebateQueriesOf(this.ledger).rebates(q.input.partnerId, q.input.year, q.time);
    if (!answer) throw notFound(`no partner ${q.input.partnerId}${q.time.asOf ? ` as of ${q.time.asOf}` : ''}`);
    return answer;
  }
}

@QueryHandler(GetAwards)
export class GetAwardsHandler implements IQueryHandler<GetAwards> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}
  async execute(q: GetAwards): Promise<AwardAnswer> {
    return rebateQueriesOf(this.ledger).awards(q.input.year, q.time);
  }
}

export const rebatesQueryHandlers = [GetRebatesHandler, GetAwardsHandler];
