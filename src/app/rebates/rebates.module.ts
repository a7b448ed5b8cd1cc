import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { RebatesController } from './rebates.controller.js';
import { rebatesCommandHandlers } from './rebates.commands.js';
import { rebatesQueryHandlers } from './rebates.queries.js';

@Module({ imports: [CqrsModule], controllers: [RebatesController], providers: [...rebatesCommandHandlers, ...rebatesQueryHandlers] })
export class RebatesModule {}
