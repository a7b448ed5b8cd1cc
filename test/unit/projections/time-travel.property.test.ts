// For random logs and random instants, the read model's accelerated answers equal a naive fold
// of the log cut at that instant, for transaction time (asOf), valid time (validAt) and both.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../src/domain/events.js';
import { zeroAccountTotals } from '../../../src/domain/accounts.js';
import { evolveBalances, initialBalances } from '../../../projections/oracles/balances-oracle.js';
import { cutLog, type LogCut, positionAsOf } from '../../../projections/cut.js';
import { evolvePipeline, initialPipeline } from '../../../projections/oracles/pipeline-oracle.js';
import { evolveStatements, initialStatements, payoutKey } from '../../../projections/oracles/statements-oracle.js';
import { evolveTiers, initialTiers } from '../../../projections/oracles/tiers-oracle.js';
import { applyDealFact, type DealView } from '../../../projections/pipeline.js';
import { openReadModelDb, ReadModelWriter } from '../../../projections/read-model.js';
import * as read from '../../../projections/readers.js';
import { statementOf } from '../../../projections/statements.js';
import { customerStateAt, foldCustomer, ownershipOf } from '../../../src/domain/customer.js';
import { factOf } from '../../../src/domain/fact.js';
import { customerOwnershipFold } from '../../../projections/domain-bridge.js';
import { claimEventTypes } from '../../../projections/ownership.js';
import { buildLog, customerKeys, partnerIds, randomLogSteps } from './random-log.js';
import { testRules } from './test-rules.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-tt-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let fileSeq = 0;

/** Writes the log into a fresh read model in random batches, with one batch applied twice. */
function readModelOf(log: readonly EventEnvelope[], cuts: readonly number[]) {
  const db = openReadModelDb(path.join(dir, `rm-${++fileSeq}.db`));
  const writer = new ReadModelWriter(db, testRules);
  let from = 0;
  for (const to of [...cuts, log.length]) {
    const batch = log.slice(from, Math.max(from, to));
    writer.applyBatch(batch);
    writer.applyBatch(batch); // idempotence: a batch at or below the checkpoint changes nothing
    from = Math.max(from, to);
  }
  return { db, writer };
}

const instantIn = (log: readonly EventEnvelope[]) =>
  fc.integer({ min: -2, max: log.length + 1 }).chain((i) =>
    fc.integer({ min: -3_600_000, max: 3_600_000 }).map((jitterMs) => {
      const e = log[Math.min(Math.max(i, 0), log.length - 1)]!;
      const base = i % 2 === 0 ? e.recordedAt : e.occurredAt;
      return new Date(Date.parse(base) + jitterMs).toISOString();
    }),
  );

const scenario = randomLogSteps.chain((steps) => {
  const log = buildLog(steps);
  if (log.length === 0) return fc.constant(null);
  return fc.record({
    log: fc.constant(log),
    batchCuts: fc.array(fc.integer({ min: 0, max: log.length }), { maxLength: 4 }).map((xs) => xs.sort((a, b) => a - b)),
    queries: fc.array(fc.record({ asOf: fc.option(instantIn(log), { nil: null }), validAt: fc.option(instantIn(log), { nil: null }) }), {
      minLength: 1,
      maxLength: 6,
    }),
  });
});

function naive(log: readonly EventEnvelope[], cut: LogCut) {
  const events = cutLog(log, cut);
  return {
    balances: events.reduce((s, e) => evolveBalances(s, e, testRules.deltasOf), initialBalances()),
    tiers: events.reduce(evolveTiers, initialTiers()),
    pipeline: events.reduce(evolvePipeline, initialPipeline()),
    statements: events.reduce((s, e) => evolveStatements(s, e, testRules.quarterOf), initialStatements()),
  };
}

describe('time travel: accelerated answers equal a naive fold of the cut log', () => {
  it('for balances, tiers, ownership, pipeline and statements, on both clocks', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        if (s === null) return;
        const { db } = readModelOf(s.log, s.batchCuts);
        try {
          for (const q of s.queries) {
            const cut = read.resolveCut(db, { asOf: q.asOf ?? undefined, validAt: q.validAt ?? undefined }, s.log.length);
            expect(cut.position).toBe(q.asOf === null ? s.log.length : positionAsOf(s.log, q.asOf));
            const expected = naive(s.log, cut);
            for (const partnerId of partnerIds) {
              expect(read.balanceTotalsAt(db, partnerId, cut)).toEqual(expected.balances.get(partnerId) ?? zeroAccountTotals());
              const tier = expected.tiers.get(partnerId);
              expect(read.tierAt(db, partnerId, cut)?.tier ?? null).toBe(tier?.tier ?? null);
              expect(read.tierHistoryAt(db, partnerId, cut)).toEqual(tier?.history ?? []);
              const quarters = new Set([...expected.statements.lines.values()].flatMap((l) => [l.cashQuarter, l.settledBy?.quarter ?? l.cashQuarter]));
              for (const quarter of quarters) {
                const want = statementOf(expected.statements.lines.values(), expected.statements.payouts.get(payoutKey(partnerId, quarter)) ?? null, partnerId, quarter);
                const got = statementOf(read.statementLinesAt(db, partnerId, quarter, cut), read.payoutAt(db, partnerId, quarter, cut), partnerId, quarter);
                expect({ ...got, payout: got.payout }).toEqual(want);
              }
            }
            for (const key of customerKeys) {
              const rows = read.claimEventsAt(db, key, cut);
              let state = customerOwnershipFold.initial(key);
              for (const r of rows) state = customerOwnershipFold.evolve(state, { ...r, type: r.type as EventEnvelope['type'], data: r.data as EventEnvelope['data'], position: BigInt(r.position) });
              const known = s.log.filter((e) => Number(e.position) <= cut.position && claimEventTypes.has(e.type) && (e.data as { customerKey?: string }).customerKey === key);
              const whole = foldCustomer(key, known.map((e) => factOf(e)));
              const reference = ownershipOf(cut.validAt === null ? whole : customerStateAt(whole, cut.validAt));
              const got = customerOwnershipFold.view(state, key);
              expect([got.ownerDealId, got.ownerPartnerId, got.rule, got.explanation, got.claims.map((c) => [c.dealId, c.stage, c.status])]).toEqual([
                reference.ownerDealId,
                reference.ownerPartnerId,
                reference.rule,
                reference.ruleDetail,
                reference.claims.map((c) => [c.dealId, c.stage, c.status]),
              ]);
            }
            const signed = new Set(cutLog(s.log, cut).filter((e) => e.type === 'PartnerSigned').map((e) => (e.data as { partnerId: string }).partnerId));
            expect(read.tiersAt(db, cut)).toEqual(
              [...expected.tiers.values()].filter((t) => signed.has(t.partnerId)).map((t) => ({ partnerId: t.partnerId, tier: t.tier, since: t.since })).sort((a, b) => (a.partnerId < b.partnerId ? -1 : 1)),
            );
            const deals = new Map<string, DealView>();
            for (const fact of read.dealFactsAt(db, cut)) applyDealFact(deals, fact);
            expect(deals).toEqual(expected.pipeline);
            // The weekly report's sales: each deal's earliest payment inside the cut.
            const firstPaid = new Map<string, string>();
            for (const e of cutLog(s.log, cut)) {
              if (e.type !== 'PaymentReceived') continue;
              const dealId = (e.data as { dealId: string }).dealId;
              const known = firstPaid.get(dealId);
              if (known === undefined || e.occurredAt < known) firstPaid.set(dealId, e.occurredAt);
            }
            expect(read.firstPaymentsAt(db, cut)).toEqual(firstPaid);
          }
          // A payment's customer (the first payment of that id: random logs reuse ids).
          const payers = new Map<string, string>();
          for (const e of s.log) {
            const d = e.data as { paymentId: string; customerKey: string };
            if (e.type === 'PaymentReceived' && !payers.has(d.paymentId)) payers.set(d.paymentId, d.customerKey);
          }
          for (const [paymentId, customerKey] of payers) expect(read.customerKeyOfPayment(db, paymentId)).toBe(customerKey);
        } finally {
          db.close();
        }
      }),
      { numRuns: 100 },
    );
  });
});
