// The report page (served at /) and the report routes it needs beyond API.md.
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ReportController } from './report.controller.js';
import { webReportQueryHandlers } from './report.queries.js';
import { WebController } from './web.controller.js';

@Module({ imports: [CqrsModule], controllers: [WebController, ReportController], providers: [...webReportQueryHandlers] })
export class WebModule {}
