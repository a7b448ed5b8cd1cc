// The money capability's query: a partner's statement for a quarter.
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Ledger } from '../../ledger/ledger.js';
import type { Statement } from '../../../projections/statements.js';
import { ApiQuery } from '../core/cqrs-base.js';
import { LEDGER } from '../core/ledger.token.js';
import { notFound } from '../http/problem.js';

export class GetStatement extends ApiQuery<{ partnerId: string; quarter: string }, Statement> {}

@QueryHandler(GetStatement)
export class GetStatementHandler implements IQueryHandler<GetStatement> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}

  async execute(q: GetStatement): Promise<Statement> {
    const statement = await this.ledger.readSide.queries.statement(q.input.partnerId, q.input.quarter, q.time);
    if (!statement) throw notFound(`no partner ${q.input.partnerId}${q.time.asOf ? ` as of ${q.time.asOf}` : ''}`);
    return statement;
  }
}

export const moneyQueryHandlers = [GetStatementHandler];
