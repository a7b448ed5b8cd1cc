import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ReportsController } from './reports.controller.js';
import { reportsQueryHandlers } from './reports.queries.js';

@Module({ imports: [CqrsModule], controllers: [ReportsController], providers: [...reportsQueryHandlers] })
export class ReportsModule {}
