// /health through @nestjs/terminus: one indicator for the log, one for the read model; the
// answer adds API.md's flat fields (status, store, position) and the projection lag.
import { Controller, Inject } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { z } from 'zod';
import type { Ledger } from '../../ledger/ledger.js';
import { LEDGER } from '../core/ledger.token.js';
import { Route } from '../http/route.js';
import { type HealthAnswer, healthRoute } from './health.routes.js';

@Controller()
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(LEDGER) private readonly ledger: Ledger,
  ) {}

  @Route(healthRoute)
  async check(): Promise<z.infer<typeof HealthAnswer>> {
    const lag = await this.ledger.projectionLag();
    const result = await this.health.check([
      () => this.indicators.check('store').up({ kind: this.ledger.store.kind, position: lag.position.toString() }),
      () => this.indicators.check('readModel').up({ position: lag.readModelPosition, lag: lag.lag }),
    ]);
    return {
      status: result.status === 'ok' ? 'ok' : 'error',
      store: this.ledger.store.kind,
      position: Number(lag.position),
      readModelPosition: lag.readModelPosition,
      projectionLag: lag.lag,
      details: result.details,
    };
  }
}
