// The certificates query and its handler (QueryBus → src/ledger/queries.ts).
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { CertificateRow } from '../../../projections/readers.js';
import type { Ledger } from '../../ledger/ledger.js';
import { ApiQuery } from '../core/cqrs-base.js';
import { LEDGER } from '../core/ledger.token.js';
import { notFound } from '../http/problem.js';

export class GetCertificates extends ApiQuery<{ partnerId: string }, CertificateRow[]> {}

@QueryHandler(GetCertificates)
export class GetCertificatesHandler implements IQueryHandler<GetCertificates> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}
  async execute(q: GetCertificates): Promise<CertificateRow[]> {
    const answer = await this.ledger.readSide.queries.certificates(q.input.partnerId, q.time);
    if (!answer) throw notFound(`no partner ${q.input.partnerId}${q.time.asOf ? ` as of ${q.time.asOf}` : ''}`);
    return answer;
  }
}

export const certificatesQueryHandlers = [GetCertificatesHandler];
