import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ArrearsController } from './arrears.controller.js';
import { arrearsCommandHandlers } from './arrears.commands.js';

@Module({ imports: [CqrsModule], controllers: [ArrearsController], providers: [...arrearsCommandHandlers] })
export class ArrearsModule {}
