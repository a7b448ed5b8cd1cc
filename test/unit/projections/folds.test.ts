import { describe, expect, it } from 'vitest';
import { cutLog, positionAsOf } from '../../../projections/cut.js';
import { evolvePipeline, initialPipeline } from '../../../projections/oracles/pipeline-oracle.js';
import { evolveStatements, initialStatements, payoutKey } from '../../../projections/oracles/statements-oracle.js';
import { evolveTiers, initialTiers, tierList } from '../../../projections/oracles/tiers-oracle.js';
import { pipelineReport } from '../../../projections/pipeline.js';
import { statementOf } from '../../../projections/statements.js';
import { LogBuilder } from './envelopes.js';

const quarterOfUtc8 = (iso: string): string => {
  const d = new Date(Date.parse(iso) + 8 * 3_600_000);
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
};

describe('tiers projection', () => {
  it('starts at the signing tier and keeps every change with its reason and figures', () => {
    const b = new LogBuilder();
    b.add({
      type: 'PartnerSigned',
      data: { partnerId: 'P-1', name: 'One', kind: 'relationship', tier: 'standard', parentPartnerId: null, territory: null },
    });
    b.add(
      {
        type: 'TierChanged',
        data: { partnerId: 'P-1', from: 'standard', to: 'gold', reason: '11 signed', source: 'evaluation', quarter: '2026-Q1', figures: { signedCustomers: 11 } },
      },
      { occurredAt: '2026-03-31T16:00:00.000Z' },
    );
    const state = b.log.reduce(evolveTiers, initialTiers());
    expect(tierList(state)).toEqual([{ partnerId: 'P-1', tier: 'gold', since: '2026-03-31T16:00:00.000Z' }]);
    expect(state.get('P-1')?.history.map((h) => [h.from, h.tier, h.source])).toEqual([
      [null, 'standard', 'signing'],
      ['standard', 'gold', 'evaluation'],
    ]);
    expect(state.get('P-1')?.history[1]?.figures).toEqual({ signedCustomers: 11 });
  });
});

describe('pipeline projection', () => {
  const b = new LogBuilder();
  const register = (dealId: string, key: string, partnerId: string | null, ports: number, at: string) =>
    b.add(
      {
        type: 'DealRegistered',
        data: {
          dealId,
          customerKey: key,
          customer: { name: key, taxId: null },
          match: { by: 'name', input: key, normalised: key },
          channel: partnerId === null ? 'direct' : 'partner',
          partnerId,
          expectedPorts: ports,
          expectedRevenueFen: ports * 100_00,
        },
      },
      { occurredAt: at },
    );
  register('D-1', 'acme', 'P-1', 10, '2026-01-05T00:00:00.000Z');
  register('D-2', 'bolt', 'P-1', 20, '2026-01-05T00:00:00.000Z');
  register('D-3', 'core', null, 5, '2026-01-06T00:00:00.000Z');
  b.add({ type: 'DealStageAdvanced', data: { dealId: 'D-1', customerKey: 'acme', from: null, stage: 'solution' } }, { occurredAt: '2026-01-20T00:00:00.000Z' });
  b.add({ type: 'DealLost', data: { dealId: 'D-3', customerKey: 'core', reason: null } });

  it('groups deals by partner and stage with expected ports and revenue; key deals from solution up', () => {
    const state = b.log.reduce(evolvePipeline, initialPipeline());
    const report = pipelineReport(state.values(), '2026-02-10T00:00:00.000Z', 28);
    const p1 = report.partners.find((p) => p.partnerId === 'P-1');
    expect(p1?.byStage.find((s) => s.stage === 'solution')).toEqual({ stage: 'solution', deals: 1, expectedPorts: 10, expectedRevenueFen: 100_000 });
    expect(p1?.keyDeals.map((d) => d.dealId)).toEqual(['D-1']);
    expect(report.partners.find((p) => p.partnerId === 'direct')?.deals[0]?.stage).toBe('lost');
  });

  it('flags open claims without progress for the idle window, measured at the given instant', () => {
    const state = b.log.reduce(evolvePipeline, initialPipeline());
    const early = pipelineReport(state.values(), '2026-02-01T23:59:59.999Z', 28);
    expect(early.partners.flatMap((p) => p.staleClaims.map((d) => d.dealId))).toEqual([]);
    const late = pipelineReport(state.values(), '2026-02-02T00:00:00.000Z', 28);
    expect(late.partners.flatMap((p) => p.staleClaims.map((d) => d.dealId))).toEqual(['D-2']);
    const later = pipelineReport(state.values(), '2026-02-17T00:00:00.000Z', 28);
    expect(later.partners.flatMap((p) => p.staleClaims.map((d) => [d.dealId, d.idleDays]))).toEqual([
      ['D-1', 28],
      ['D-2', 43],
    ]);
  });
});

describe('statements projection', () => {
  it('traces every line to its cash event and marks lines learned after their quarter was paid', () => {
    const b = new LogBuilder();
    const pay = (paymentId: string, amountFen: number, commissionFen: number, at: string) => {
      const cash = b.add(
        {
          type: 'PaymentReceived',
          data: { paymentId, customerKey: 'acme', dealId: 'D-1', line: 'port', amountFen, ownerDealId: 'D-1', ownerPartnerId: 'P-1', noCommissionReason: null },
        },
        { occurredAt: at },
      );
      const line = b.add(
        {
          type: 'CommissionAccrued',
          data: { paymentId, customerKey: 'acme', dealId: 'D-1', partnerId: 'P-1', line: 'port', cashFen: amountFen, tier: 'gold', commissionYear: 1, rateBps: 4000, commissionFen },
        },
        { occurredAt: at },
      );
      return { cash, line };
    };
    const first = pay('PAY-1', 1_000_00, 400_00, '2026-02-10T00:00:00.000Z');
    b.add({
      type: 'CommissionPaidOut',
      data: { partnerId: 'P-1', quarter: '2026-Q1', quarterEnd: '2026-03-31T16:00:00.000Z', throughPosition: '2', lines: [{ eventId: first.line.eventId, commissionFen: 400_00 }], netFen: 400_00, debtRecoveredFen: 0, paidFen: 400_00 },
    }, { recordedAt: '2026-04-02T00:00:00.000Z' });
    const backFilled = pay('PAY-2', 500_00, 200_00, '2026-03-20T00:00:00.000Z');
    const refund = b.add({ type: 'RefundIssued', data: { refundId: 'R-1', paymentId: 'PAY-1', customerKey: 'acme', amountFen: 100_00, reason: 'left early' } }, { occurredAt: '2026-04-10T00:00:00.000Z' });
    b.add({ type: 'CommissionClawedBack', data: { refundId: 'R-1', paymentId: 'PAY-1', customerKey: 'acme', partnerId: 'P-1', line: 'port', refundedCashFen: 100_00, rateBps: 4000, commissionFen: 40_00 } }, { occurredAt: '2026-04-10T00:00:00.000Z' });

    const state = b.log.reduce((s, e) => evolveStatements(s, e, quarterOfUtc8), initialStatements());
    const q1 = statementOf(state.lines.values(), state.payouts.get(payoutKey('P-1', '2026-Q1')) ?? null, 'P-1', '2026-Q1');
    expect(q1.lines.map((l) => [l.paymentId, l.sourceEventId, l.settledBy?.quarter ?? null, l.priorPeriodAdjustment])).toEqual([
      ['PAY-1', first.cash.eventId, '2026-Q1', false],
      ['PAY-2', backFilled.cash.eventId, null, true],
    ]);
    expect(q1.payout?.paidFen).toBe(400_00);
    const q2 = statementOf(state.lines.values(), null, 'P-1', '2026-Q2');
    expect(q2.lines.map((l) => [l.kind, l.refundId, l.sourceEventId, l.commissionFen])).toEqual([['clawback', 'R-1', refund.eventId, -40_00]]);
    expect([q2.accruedFen, q2.clawedBackFen, q2.netFen]).toEqual([0, 40_00, -40_00]);
  });
});

describe('log cuts', () => {
  it('cuts by recording position for asOf and by occurredAt for validAt', () => {
    const b = new LogBuilder();
    const p = { name: 'n', kind: 'relationship' as const, tier: 'standard', parentPartnerId: null, territory: null };
    b.add({ type: 'PartnerSigned', data: { partnerId: 'P-1', ...p } }, { recordedAt: '2026-01-01T00:00:00.000Z' });
    b.add({ type: 'PartnerSigned', data: { partnerId: 'P-2', ...p } }, { recordedAt: '2026-01-03T00:00:00.000Z', occurredAt: '2025-12-01T00:00:00.000Z' });
    expect(positionAsOf(b.log, '2026-01-02T00:00:00.000Z')).toBe(1);
    expect(cutLog(b.log, { position: 2, validAt: '2025-12-31T00:00:00.000Z', asOf: null }).map((e) => e.position)).toEqual([2n]);
  });
});
