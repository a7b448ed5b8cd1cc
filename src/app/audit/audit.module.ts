import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuditController } from './audit.controller.js';
import { auditQueryHandlers } from './audit.queries.js';

@Module({ imports: [CqrsModule], controllers: [AuditController], providers: [...auditQueryHandlers] })
export class AuditModule {}
