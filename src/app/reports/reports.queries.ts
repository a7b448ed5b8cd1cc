// The weekly pipeline (QueryBus → src/ledger/queries.ts); a partner's token sees only itself.
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Ledger } from '../../ledger/ledger.js';
import type { PipelineReport } from '../../../projections/pipeline.js';
import { requireIsoWeek, weekWindow, type WeeklyReport } from '../../domain/weekly-report.js';
import { ApiQuery } from '../core/cqrs-base.js';
import { LEDGER } from '../core/ledger.token.js';

export class GetPipeline extends ApiQuery<{ partnerId?: string | undefined }, PipelineReport> {}

@QueryHandler(GetPipeline)
export class GetPipelineHandler implements IQueryHandler<GetPipeline> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}

  execute(q: GetPipeline): Promise<PipelineReport> {
    return this.ledger.readSide.queries.pipeline({ ...q.time, partnerId: q.input.partnerId });
  }
}

export class GetWeekly extends ApiQuery<{ week: string; partnerId?: string | undefined }, WeeklyReport & { position: number }> {}

@QueryHandler(GetWeekly)
export class GetWeeklyHandler implements IQueryHandler<GetWeekly> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}

  execute(q: GetWeekly): Promise<WeeklyReport & { position: number }> {
    const window = weekWindow(requireIsoWeek(q.input.week), this.ledger.policy);
    return this.ledger.readSide.queries.weekly(window, { asOf: q.time.asOf, partnerId: q.input.partnerId });
  }
}

export const reportsQueryHandlers = [GetPipelineHandler, GetWeeklyHandler];
