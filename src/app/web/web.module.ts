// The report page and the report routes it needs beyond API.md.
import { Module } from '@nestjs/common';
import { WebController } from './web.controller.js';

@Module({ controllers: [WebController] })
export class WebModule {}
