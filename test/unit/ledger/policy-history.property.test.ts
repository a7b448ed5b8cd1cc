// The policy-history property (issue #20): for any history of policy versions adopted between
// the facts (back-dated or not, effective from any date, superseding each other), replaying the
// log gives the same balances as deciding each fact under the version in force at its business
// time by the final history: the facts as recorded plus the adjustments each adoption wrote equal
// the oracle's figures, per partner, for accrued and clawed back; and a final payout settles
// everything (the adjustments included), leaving nothing payable.
// The commands run for real (src/ledger/commands/) on a real SQLite log in a temporary directory.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commissionYearOf } from '../../../src/domain/customer-decide.js';
import { factOf } from '../../../src/domain/fact.js';
import { applyRateBps } from '../../../src/domain/money.js';
import { lineRateBps } from '../../../src/domain/policy-adoption.js';
import { policyInForceAt } from '../../../src/domain/policy-history.js';
import { defaultPolicy } from '../../../src/domain/policy.js';
import { type AccountTotals, partnerDeltasOf, zeroAccountTotals } from '../../../src/domain/postings.js';
import { runCommand } from '../../../src/ledger/commands/index.js';
import { policyBookOf } from '../../../src/ledger/policy-book.js';
import type { EventStore } from '../../../src/store/event-store.js';
import { openSqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import { tempDir } from '../../support/store-fixtures.js';
import { ScanLookups } from './scan-lookups.js';

const SIGNED_AT = '2024-01-10T02:00:00.000Z';
const NOW = '2025-12-30T00:00:00.000Z';
const DAY_MS = 86_400_000;
const dayOf = (n: number) => new Date(Date.parse('2024-01-15T02:00:00.000Z') + n * DAY_MS).toISOString();
const dateOf = (n: number) => new Date(Date.parse('2024-01-01T00:00:00.000Z') + n * DAY_MS).toISOString().slice(0, 10);
const DEALS = { D1: { partnerId: 'P1', tier: 'gold' }, D2: { partnerId: 'P2', tier: 'silver' } } as const;

type Step =
  | { kind: 'payment'; deal: 'D1' | 'D2'; day: number; amountFen: number }
  | { kind: 'refund'; of: number; afterDays: number; shareBps: number }
  | { kind: 'adopt'; effectiveDay: number; goldBps: [number, number]; silverBps: [number, number] };

const rate = fc.integer({ min: 0, max: 10_000 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('payment' as const), deal: fc.constantFrom('D1' as const, 'D2' as const), day: fc.integer({ min: 0, max: 530 }), amountFen: fc.integer({ min: 1, max: 50_000_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refund' as const), of: fc.nat(), afterDays: fc.integer({ min: 0, max: 60 }), shareBps: fc.integer({ min: 1, max: 10_000 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('adopt' as const), effectiveDay: fc.integer({ min: 0, max: 560 }), goldBps: fc.tuple(rate, rate), silverBps: fc.tuple(rate, rate) }) },
);

interface Paid {
  paymentId: string;
  deal: 'D1' | 'D2';
  cashAt: string;
  amountFen: number;
  refunds: number[];
  refundedFen: number;
}

/** Accrued and clawed back per partner: each fact decided under the final history's version at its cash date. */
function oracle(payments: readonly Paid[], policyAt: (instant: string) => typeof defaultPolicy): Map<string, { accrued: number; clawedBack: number }> {
  const out = new Map<string, { accrued: number; clawedBack: number }>();
  for (const p of payments) {
    const { partnerId, tier } = DEALS[p.deal];
    const year = commissionYearOf(SIGNED_AT, p.cashAt, defaultPolicy.commission.windowYears);
    if (year > defaultPolicy.commission.windowYears) continue; // no line, under any version here (window kept)
    const r = lineRateBps(policyAt(p.cashAt), 'port', tier, year);
    const totals = out.get(partnerId) ?? { accrued: 0, clawedBack: 0 };
    totals.accrued += applyRateBps(p.amountFen, r);
    let before = 0;
    for (const refund of p.refunds) {
      totals.clawedBack += applyRateBps(before + refund, r) - applyRateBps(before, r);
      before += refund;
    }
    out.set(partnerId, totals);
  }
  return out;
}

/** The log replayed: every event's postings summed per partner. */
async function totalsByPartner(store: EventStore): Promise<Map<string, AccountTotals>> {
  const totals = new Map<string, AccountTotals>();
  for await (const e of store.readAll()) {
    for (const d of partnerDeltasOf(factOf(e))) {
      const t = totals.get(d.partnerId) ?? zeroAccountTotals();
      for (const k of Object.keys(t) as Array<keyof AccountTotals>) t[k] += d.deltas[k];
      totals.set(d.partnerId, t);
    }
  }
  return totals;
}

async function runProgramme(steps: readonly Step[]) {
  const dir = tempDir('ledger-policy-history-');
  const store = openSqliteEventStore({ file: path.join(dir.dir, 'events.db'), clock: () => NOW });
  const policies = policyBookOf(defaultPolicy);
  const deps = { store, policy: defaultPolicy, policies, lookups: new ScanLookups(store), clock: () => NOW };
  const ctx = (role: 'manager' | 'finance') => ({ actor: { role, id: `${role}-1` }, commandId: randomUUID(), correlationId: null });
  try {
    for (const [partnerId, tier] of [['P1', 'gold'], ['P2', 'silver']] as const) {
      await runCommand('signPartner', deps, { partnerId, name: `Partner ${partnerId}`, kind: 'relationship', tier, occurredAt: '2024-01-02T02:00:00.000Z' }, ctx('manager'));
    }
    for (const [dealId, { partnerId }] of Object.entries(DEALS)) {
      await runCommand('registerDeal', deps, { dealId, partnerId, customer: { name: `Customer of ${dealId}` }, occurredAt: '2024-01-05T02:00:00.000Z' }, ctx('manager'));
      await runCommand('advanceStage', deps, { dealId, stage: 'signed', occurredAt: SIGNED_AT }, ctx('manager'));
    }
    const payments: Paid[] = [];
    let versions = 0;
    for (const s of steps) {
      if (s.kind === 'payment') {
        const paymentId = `PAY-${payments.length + 1}`;
        await runCommand('receivePayment', deps, { paymentId, dealId: s.deal, line: 'port', amount: s.amountFen, occurredAt: dayOf(s.day) }, ctx('finance'));
        payments.push({ paymentId, deal: s.deal, cashAt: dayOf(s.day), amountFen: s.amountFen, refunds: [], refundedFen: 0 });
      } else if (s.kind === 'refund') {
        const p = payments.length > 0 ? payments[s.of % payments.length]! : undefined;
        const amountFen = p ? Math.floor(((p.amountFen - p.refundedFen) * s.shareBps) / 10_000) : 0;
        if (!p || amountFen < 1) continue;
        const at = new Date(Math.min(Date.parse(p.cashAt) + s.afterDays * DAY_MS, Date.parse(NOW))).toISOString();
        await runCommand('issueRefund', deps, { refundId: `REF-${p.paymentId}-${p.refunds.length + 1}`, paymentId: p.paymentId, amount: amountFen, reason: 'left early', occurredAt: at }, ctx('finance'));
        p.refunds.push(amountFen);
        p.refundedFen += amountFen;
      } else {
        const document = structuredClone(defaultPolicy) as any;
        document.commission.ratesBps.port.gold = s.goldBps;
        document.commission.ratesBps.port.silver = s.silverBps;
        delete document.version;
        delete document.effectiveFrom;
        versions += 1;
        await runCommand('adoptPolicy', deps, { version: `v${versions}`, effectiveFrom: dateOf(s.effectiveDay), document, reason: 'the programme changes' }, ctx('manager'));
      }
    }
    const replayed = await totalsByPartner(store);
    const expected = oracle(payments, (instant) => policyInForceAt(policies.history(), instant));
    // A final payout after everything settles every line and adjustment.
    await runCommand('payOut', deps, { quarter: '2025-Q4' }, ctx('finance'));
    const afterPayout = await totalsByPartner(store);
    return { replayed, expected, afterPayout, versions: versions };
  } finally {
    await store.close();
    dir.cleanup();
  }
}

describe('policy history: replay equals deciding each fact under the version in force at its business time', () => {
  it('for any history of versions between the facts, the log replayed gives the oracle balances, and a payout settles them all', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
        const { replayed, expected, afterPayout } = await runProgramme(steps);
        for (const partnerId of ['P1', 'P2']) {
          const got = replayed.get(partnerId) ?? zeroAccountTotals();
          const want = expected.get(partnerId) ?? { accrued: 0, clawedBack: 0 };
          expect({ partnerId, accrued: got.accrued, clawedBack: got.clawedBack }).toEqual({ partnerId, ...want });
          const paid = afterPayout.get(partnerId) ?? zeroAccountTotals();
          expect(paid.paidOut, `${partnerId}: the payout settles the lines and adjustments`).toBe(want.accrued - want.clawedBack);
        }
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
