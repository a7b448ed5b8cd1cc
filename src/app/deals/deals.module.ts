import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DealsController } from './deals.controller.js';
import { dealsCommandHandlers } from './deals.commands.js';
import { dealsQueryHandlers } from './deals.queries.js';

@Module({ imports: [CqrsModule], controllers: [DealsController], providers: [...dealsCommandHandlers, ...dealsQueryHandlers] })
export class DealsModule {}
