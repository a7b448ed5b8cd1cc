import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CreditController } from './credit.controller.js';
import { creditCommandHandlers } from './credit.commands.js';

@Module({ imports: [CqrsModule], controllers: [CreditController], providers: [...creditCommandHandlers] })
export class CreditModule {}
