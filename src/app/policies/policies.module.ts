import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { policiesCommandHandlers } from './policies.commands.js';
import { PoliciesController } from './policies.controller.js';
import { policiesQueryHandlers } from './policies.queries.js';

@Module({ imports: [CqrsModule], controllers: [PoliciesController], providers: [...policiesCommandHandlers, ...policiesQueryHandlers] })
export class PoliciesModule {}
