import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { PartnersController } from './partners.controller.js';
import { partnersCommandHandlers } from './partners.commands.js';
import { partnersQueryHandlers } from './partners.queries.js';

@Module({ imports: [CqrsModule], controllers: [PartnersController], providers: [...partnersCommandHandlers, ...partnersQueryHandlers] })
export class PartnersModule {}
