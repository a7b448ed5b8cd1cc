import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DealsController } from './deals.controller.js';
import { dealsQueryHandlers } from './deals.queries.js';

@Module({ imports: [CqrsModule], controllers: [DealsController], providers: [...dealsQueryHandlers] })
export class DealsModule {}
