import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { MoneyController } from './money.controller.js';
import { moneyCommandHandlers } from './money.commands.js';
import { moneyQueryHandlers } from './money.queries.js';
import { StatementFileController } from './statement-file.js';

@Module({ imports: [CqrsModule], controllers: [MoneyController, StatementFileController], providers: [...moneyCommandHandlers, ...moneyQueryHandlers] })
export class MoneyModule {}
