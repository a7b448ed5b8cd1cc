import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CertificatesController } from './certificates.controller.js';
import { certificatesQueryHandlers } from './certificates.queries.js';

@Module({ imports: [CqrsModule], controllers: [CertificatesController], providers: [...certificatesQueryHandlers] })
export class CertificatesModule {}
