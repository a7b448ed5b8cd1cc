// /health through @nestjs/terminus: one indicator for the log, one for the read model; the
// answer adds API.md's flat fields (status, store, position), the projection lag, and whether
// commands are refused (forensics mode, a broken chain): then `degraded`, still HTTP 200.
import { Controller, Inject } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { z } from 'zod';
import type { Ledger } from '../../ledger/ledger.js';
import { LEDGER } from '../core/ledger.token.js';
import { LedgerIntegrity } from '../integrity/command-gate.js';
import { Route } from '../http/route.js';
import { type HealthAnswer, healthRoute } from './health.routes.js';

@Controller()
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(LEDGER) private readonly ledger: Ledger,
    @Inject(LedgerIntegrity) private readonly integrity: LedgerIntegrity,
  ) {}

  @Route(healthRoute)
  async check(): Promise<z.infer<typeof HealthAnswer>> {
    const lag = await this.ledger.projectionLag();
    const refusal = this.integrity.refusal();
    const result = await this.health.check([
      () => this.indicators.check('store').up({ kind: this.ledger.store.kind, position: Number(lag.position) }),
      () => this.indicators.check('readModel').up({ position: lag.readModelPosition, lag: lag.lag }),
    ]);
    return {
      status: statusOf(result.status === 'ok', refusal),
      commands: refusal === null ? 'accepted' : 'refused',
      ...(refusal === null ? {} : { reason: refusal }),
      store: this.ledger.store.kind,
      position: Number(lag.position),
      readModelPosition: lag.readModelPosition,
      projectionLag: lag.lag,
      rebuilding: this.ledger.readSide.runner.rebuildsBeside().map(({ events: _events, ...p }) => p),
      details: { ...result.details, commands: refusal === null ? { status: 'up' } : { status: 'down', reason: refusal } },
    };
  }
}

/** ok: everything up and commands accepted; degraded: up, but commands refused. */
export function statusOf(indicatorsUp: boolean, refusal: string | null): z.infer<typeof HealthAnswer>['status'] {
  if (!indicatorsUp) return 'error';
  return refusal === null ? 'ok' : 'degraded';
}
