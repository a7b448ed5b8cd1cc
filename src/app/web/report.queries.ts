// The report page's queries and their handlers (QueryBus → src/ledger/report-queries.ts). A
// partner's token is scoped to its own partner here, whatever the page asks; its timeline and
// conflicts are its own (src/ledger/partner-queries.ts): its own events counted, no log position,
// and each contested customer as the partner-visibility rule (src/domain/partner-view.ts) shows it.
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Ledger } from '../../ledger/ledger.js';
import { type PartnerConflictsReport, partnerQueriesOf, type PartnerTimeline } from '../../ledger/partner-queries.js';
import type {
  BalancesReport,
  CommissionByQuarterReport,
  ConflictsReport,
  ReportScope,
  TiersReport,
  TimelineReport,
} from '../../ledger/report-queries.js';
import { partnerScopeOf } from '../auth/scope.js';
import { ApiQuery } from '../core/cqrs-base.js';
import { LEDGER } from '../core/ledger.token.js';

type NoInput = Record<string, never>;

export class GetTimelineReport extends ApiQuery<NoInput, TimelineReport | PartnerTimeline> {}
export class GetTiersReport extends ApiQuery<NoInput, TiersReport> {}
export class GetBalancesReport extends ApiQuery<NoInput, BalancesReport> {}
export class GetCommissionByQuarter extends ApiQuery<NoInput, CommissionByQuarterReport> {}
export class GetConflictsReport extends ApiQuery<NoInput, ConflictsReport | PartnerConflictsReport> {}

const scopeOf = (q: ApiQuery<NoInput, unknown>): ReportScope => ({ onlyPartnerId: partnerScopeOf(q.call.principal) });

@QueryHandler(GetTimelineReport)
export class GetTimelineReportHandler implements IQueryHandler<GetTimelineReport> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}
  execute(q: GetTimelineReport): Promise<TimelineReport | PartnerTimeline> {
    const partnerId = partnerScopeOf(q.call.principal);
    if (partnerId !== undefined) return partnerQueriesOf(this.ledger).timeline(partnerId, q.time);
    return this.ledger.reports.timeline(q.time);
  }
}

@QueryHandler(GetTiersReport)
export class GetTiersReportHandler implements IQueryHandler<GetTiersReport> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}
  execute(q: GetTiersReport): Promise<TiersReport> {
    return this.ledger.reports.tiers(q.time, scopeOf(q));
  }
}

@QueryHandler(GetBalancesReport)
export class GetBalancesReportHandler implements IQueryHandler<GetBalancesReport> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}
  execute(q: GetBalancesReport): Promise<BalancesReport> {
    return this.ledger.reports.balances(q.time, scopeOf(q));
  }
}

@QueryHandler(GetCommissionByQuarter)
export class GetCommissionByQuarterHandler implements IQueryHandler<GetCommissionByQuarter> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}
  execute(q: GetCommissionByQuarter): Promise<CommissionByQuarterReport> {
    return this.ledger.reports.commissionByQuarter(q.time, scopeOf(q));
  }
}

@QueryHandler(GetConflictsReport)
export class GetConflictsReportHandler implements IQueryHandler<GetConflictsReport> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}
  execute(q: GetConflictsReport): Promise<ConflictsReport | PartnerConflictsReport> {
    const partnerId = partnerScopeOf(q.call.principal);
    if (partnerId !== undefined) return partnerQueriesOf(this.ledger).conflicts(partnerId, q.time);
    return this.ledger.reports.conflicts(q.time, scopeOf(q));
  }
}

export const webReportQueryHandlers = [
  GetTimelineReportHandler,
  GetTiersReportHandler,
  GetBalancesReportHandler,
  GetCommissionByQuarterHandler,
  GetConflictsReportHandler,
];
