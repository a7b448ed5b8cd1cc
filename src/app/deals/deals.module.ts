import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ContractsController } from './contracts.controller.js';
import { contractsCommandHandlers } from './contracts.commands.js';
import { DealsController } from './deals.controller.js';
import { dealsCommandHandlers } from './deals.commands.js';
import { dealsQueryHandlers } from './deals.queries.js';
import { TransfersController } from './transfers.controller.js';
import { transfersCommandHandlers } from './transfers.commands.js';

@Module({
  imports: [CqrsModule],
  controllers: [DealsController, ContractsController, TransfersController],
  providers: [...dealsCommandHandlers, ...contractsCommandHandlers, ...transfersCommandHandlers, ...dealsQueryHandlers],
})
export class DealsModule {}
