// The application: one module per capability, the guard, the partner-answers interceptor and the
// problem filter around all of them (the idempotency interceptor sits on each command route:
// http/route.ts), and the opened Ledger, tokens and idempotency store given in from the server
// bootstrap (src/app/server.ts).
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { Ledger } from '../ledger/ledger.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthGuard } from './auth/auth.guard.js';
import { PartnerAnswersInterceptor } from './auth/partner-answers.js';
import { ArrearsModule } from './arrears/arrears.module.js';
import { CertificatesModule } from './certificates/certificates.module.js';
import { CreditModule } from './credit/credit.module.js';
import { RebatesModule } from './rebates/rebates.module.js';
import { TokenRegistry } from './auth/tokens.js';
import { LEDGER } from './core/ledger.token.js';
import { DealsModule } from './deals/deals.module.js';
import { HealthModule } from './health/health.module.js';
import { IdempotencyStore } from './idempotency/idempotency-store.js';
import { LedgerIntegrity } from './integrity/command-gate.js';
import { allRoutes } from './openapi/all-routes.js';
import { buildOpenApiDocument } from './openapi/openapi.js';
import { OPENAPI_DOCUMENT, OpenApiController } from './openapi/openapi.controller.js';
import { MoneyModule } from './money/money.module.js';
import { PartnersModule } from './partners/partners.module.js';
import { PoliciesModule } from './policies/policies.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { WebModule } from './web/web.module.js';

export interface AppDeps {
  ledger: Ledger;
  tokens: TokenRegistry;
  idempotency: IdempotencyStore;
  version: string;
  /** Whether commands are refused (forensics, a broken chain); a writable ledger when absent. */
  integrity?: LedgerIntegrity;
}

@Global()
@Module({})
class CoreModule {
  static forRoot(deps: AppDeps): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: LEDGER, useValue: deps.ledger },
        { provide: TokenRegistry, useValue: deps.tokens },
        { provide: IdempotencyStore, useValue: deps.idempotency },
        { provide: LedgerIntegrity, useValue: deps.integrity ?? new LedgerIntegrity(false) },
        {
          provide: OPENAPI_DOCUMENT,
          useValue: buildOpenApiDocument(allRoutes, {
            title: 'Channel ledger',
            version: deps.version,
            description:
              'Event-sourced channel ledger: partners, deals, conflicts and commissions. Money is integer fen; every read takes asOf and validAt; errors are application/problem+json.',
          }),
        },
        { provide: APP_GUARD, useClass: AuthGuard },
        // No log position in any answer to a partner's token (auth/partner-answers.ts).
        { provide: APP_INTERCEPTOR, useClass: PartnerAnswersInterceptor },
      ],
      exports: [LEDGER, TokenRegistry, IdempotencyStore, OPENAPI_DOCUMENT, LedgerIntegrity],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(deps: AppDeps): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(deps),
        CqrsModule.forRoot(),
        PartnersModule,
        DealsModule,
        MoneyModule,
        ReportsModule,
        AuditModule,
        HealthModule,
        WebModule,
        CreditModule,
        RebatesModule,
        CertificatesModule,
        ArrearsModule,
        PoliciesModule,
      ],
      controllers: [OpenApiController],
    };
  }
}
