// The check-then-write property (issue 16): for any sequence of commands, hostile amounts and
// dates included, every command is either refused (invalid input, or a business rule) and
// writes nothing, or accepted; nothing answers with any other error (a 500); the live read
// model never stops; and whatever was accepted rebuilds from an empty read model without error
// into exactly the live read model. No poison event can enter the log.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DomainRuleError } from '../../../src/domain/errors.js';
import type { CommandCtx } from '../../../src/ledger/command-handling.js';
import type { CommandName, RawInputOf } from '../../../src/ledger/commands/index.js';
import { openLedger } from '../../../src/ledger/ledger.js';
import { openReadSide } from '../../../src/ledger/read-side.js';
import { tempDir } from '../../support/store-fixtures.js';
import { dumpReadModel } from '../projections/read-model-dump.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const START_MS = Date.parse('2026-07-01T02:00:00.000Z');

const partnerId = fc.constantFrom('P1', 'P2', 'P3', 'direct');
const dealId = fc.constantFrom('D1', 'D2', 'D3', 'D4', 'D5');
const paymentId = fc.constantFrom('PAY1', 'PAY2', 'PAY3', 'PAY4');
/** Ordinary amounts, and the hostile ones: zero, negative, fractions, the caps and past them. */
const amount = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 50_000_000 }) },
  { weight: 3, arbitrary: fc.constantFrom(0, -5, 1.5, 100_000_000_000, 100_000_000_001, 4_000_000_000_000_000, 9_000_000_000_000_000, MAX_SAFE, MAX_SAFE, 2 ** 53, 1e300) },
);
/** Mostly none (the ledger's clock); sometimes a real back-filled instant; sometimes an impossible or out-of-range one. */
const occurredAt = fc.oneof(
  { weight: 5, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: START_MS }).map((ms) => new Date(ms).toISOString()) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '1999-12-31T15:59:59Z',
      '1026-03-01T00:00:00Z',
      '2026-02-30T00:00:00Z',
      '2026-06-31T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T00:00:00',
      '0000-01-01T00:00:00Z',
      '2027-01-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
      'yesterday',
    ),
  },
);
const quarter = fc.constantFrom('2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3', '2026-Q5');
const role = fc.constantFrom('manager', 'finance', 'partner') as fc.Arbitrary<'manager' | 'finance' | 'partner'>;

interface Step {
  name: CommandName;
  raw: Record<string, unknown>;
  role: 'manager' | 'finance' | 'partner';
  asPartner: string;
  advanceMs: number;
}

/** A policy document: the default with other gold and silver port rates. */
function documentWith(gold: readonly number[], silver: readonly number[]): Record<string, unknown> {
  const doc = JSON.parse(readFileSync(new URL('../../../src/domain/default-policy.json', import.meta.url), 'utf8'));
  delete doc.version;
  delete doc.effectiveFrom;
  doc.commission.ratesBps.port.gold = [...gold];
  doc.commission.ratesBps.port.silver = [...silver];
  return doc;
}
const policyDocument = fc
  .record({ gold: fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 })), silver: fc.constantFrom([3000, 1000], [5000, 0]) })
  .map(({ gold, silver }) => documentWith(gold, silver));

const step = (name: CommandName, raw: fc.Arbitrary<Record<string, unknown>>, weight = 2) => ({
  weight,
  arbitrary: fc.record({ name: fc.constant(name), raw, role, asPartner: fc.constantFrom('P1', 'P2'), advanceMs: fc.integer({ min: 0, max: 20 * 86_400_000 }) }) as fc.Arbitrary<Step>,
});
const withTime = <T extends Record<string, fc.Arbitrary<unknown>>>(shape: T) => fc.record({ ...shape, occurredAt }, { requiredKeys: Object.keys(shape) as Array<keyof T & string> });

const steps = fc.array(
  fc.oneof(
    step('signPartner', withTime({ partnerId: fc.constantFrom('P1', 'P2', 'P3'), name: fc.constantFrom('Alpha 通信', 'Beta\u0000Co', 'Gamma\u202eLtd'), kind: fc.constantFrom('relationship', 'wholesale-voice'), tier: fc.constantFrom('gold', 'silver', 'platinum') }), 3),
    step('postDeposit', withTime({ partnerId, amount }), 3),
    step('deductDeposit', withTime({ partnerId, amount, reason: fc.constant('fee') })),
    step('changeTier', withTime({ partnerId, tier: fc.constantFrom('gold', 'standard'), reason: fc.constant('review') }), 1),
    step('registerDeal', withTime({ dealId, partnerId, customer: fc.record({ name: fc.constantFrom('Acme Trading', 'ACME trading Co., Ltd.', 'Zeta') }), expectedRevenue: fc.option(amount, { nil: undefined }) }), 3),
    step('advanceStage', withTime({ dealId, stage: fc.constantFrom('meeting', 'solution', 'signed', 'lost') }), 3),
    step('transferDeal', withTime({ dealId, toDealId: dealId, reason: fc.constant('idle') }), 1),
    step('receivePayment', withTime({ paymentId, dealId, line: fc.constantFrom('port', 'conference'), amount }), 4),
    step('issueRefund', withTime({ refundId: fc.constantFrom('R1', 'R2', 'R3'), paymentId, amount, reason: fc.constant('left early') }), 2),
    step('payOut', withTime({ quarter }), 2),
    step('evaluateTiers', withTime({ quarter }), 1),
    step('billTraffic', withTime({ partnerId, billId: fc.constantFrom('B1', 'B2', 'B3'), amount, period: fc.constant('2026-06') }), 1),
    // Policy versions (issue #20): back-dated or not, a name reused with another document (409), the adjustments they write.
    step('adoptPolicy', withTime({ version: fc.constantFrom('v2', 'v3'), effectiveFrom: fc.constantFrom('2026-01-01', '2026-03-01', '2026-06-01', '2026-09-01'), document: policyDocument, reason: fc.constant('the programme changes') }), 1),
  ),
  { minLength: 1, maxLength: 30 },
);

/** A programme to start from, so that random steps meet signed partners, deposits and owned, signed customers. */
const setup: Step[] = (
  [
    ['signPartner', { partnerId: 'P1', name: 'Alpha 通信', kind: 'relationship', tier: 'gold', occurredAt: '2026-01-05T02:00:00Z' }],
    ['signPartner', { partnerId: 'P2', name: 'Beta Voice', kind: 'wholesale-voice', tier: 'silver', occurredAt: '2026-01-05T03:00:00Z' }],
    ['postDeposit', { partnerId: 'P2', amount: 10_000_000, occurredAt: '2026-01-06T02:00:00Z' }],
    ['registerDeal', { dealId: 'D1', partnerId: 'P1', customer: { name: 'Acme Trading' }, occurredAt: '2026-01-10T02:00:00Z' }],
    ['registerDeal', { dealId: 'D2', partnerId: 'P2', customer: { name: 'Zeta' }, occurredAt: '2026-01-11T02:00:00Z' }],
    ['advanceStage', { dealId: 'D1', stage: 'signed', occurredAt: '2026-02-01T02:00:00Z' }],
    ['advanceStage', { dealId: 'D2', stage: 'signed', occurredAt: '2026-02-02T02:00:00Z' }],
  ] as Array<[CommandName, Record<string, unknown>]>
).map(([name, raw]) => ({ name, raw, role: name === 'postDeposit' ? 'finance' : 'manager', asPartner: 'P1', advanceMs: 0 }));

function ctxOf(s: Step): CommandCtx {
  return { actor: s.role === 'partner' ? { role: 'partner', id: s.asPartner } : { role: s.role, id: `${s.role}-1` }, commandId: randomUUID(), correlationId: null };
}

/** A policy that lets any safe amount through, so the running-total checks carry the load. */
function uncappedPolicyFile(dir: string): string {
  const policy = JSON.parse(readFileSync(new URL('../../../src/domain/default-policy.json', import.meta.url), 'utf8'));
  policy.version = 'uncapped.1';
  policy.limits = { ...policy.limits, maxAmountFen: MAX_SAFE };
  const file = path.join(dir, 'policy.json');
  writeFileSync(file, JSON.stringify(policy));
  return file;
}

async function runSequence(sequence: Step[], uncapped: boolean): Promise<{ accepted: number; refused: number; adjustments: number }> {
  const t = tempDir('ledger-property-');
  let nowMs = START_MS;
  const policyFile = uncapped ? uncappedPolicyFile(t.dir) : null;
  const ledger = await openLedger({ dataDir: path.join(t.dir, 'live'), policyFile, nowIso: () => new Date(nowMs).toISOString() });
  let accepted = 0;
  let refused = 0;
  try {
    for (const s of [...setup, ...sequence]) {
      nowMs += s.advanceMs;
      const before = await ledger.store.headPosition();
      try {
        const input = ledger.parseInput(s.name, s.raw as RawInputOf<typeof s.name>);
        await ledger.execute(s.name, input, ctxOf(s));
        accepted++;
      } catch (error) {
        if (!(error instanceof z.ZodError || error instanceof DomainRuleError)) throw error;
        expect(await ledger.store.headPosition(), `${s.name} was refused but wrote`).toBe(before);
        refused++;
      }
      expect(ledger.readModelFailure()).toBeNull();
    }
    const live = dumpReadModel(ledger.readSide.runner.db);
    const rebuiltDir = path.join(t.dir, 'rebuilt');
    mkdirSync(rebuiltDir);
    const rebuilt = await openReadSide({ store: ledger.store, dataDir: rebuiltDir, policy: ledger.policy });
    try {
      expect(dumpReadModel(rebuilt.runner.db)).toEqual(live);
    } finally {
      await rebuilt.close();
    }
    let adjustments = 0;
    for await (const e of ledger.store.readAll()) if (e.type === 'CommissionAdjusted') adjustments++;
    return { accepted, refused, adjustments };
  } finally {
    await ledger.close();
    t.cleanup();
  }
}

describe('check, then write', () => {
  it('accepts or refuses every command (nothing else), never stops the read model, and what it accepted rebuilds into the live read model', async () => {
    let accepted = 0;
    let refused = 0;
    let adjustments = 0;
    await fc.assert(
      fc.asyncProperty(steps, fc.boolean(), async (sequence, uncapped) => {
        const counts = await runSequence(sequence, uncapped);
        accepted += counts.accepted;
        refused += counts.refused;
        adjustments += counts.adjustments;
      }),
      {
        numRuns: 100,
        // The reproduction of the issue, always tried: sums that would leave the exact range on one
        // stream (deposits) and across streams (a partner's commission over its customers).
        examples: [
          [
            [
              { name: 'postDeposit', raw: { partnerId: 'P2', amount: MAX_SAFE }, role: 'finance', asPartner: 'P1', advanceMs: 0 },
              { name: 'postDeposit', raw: { partnerId: 'P1', amount: MAX_SAFE }, role: 'finance', asPartner: 'P1', advanceMs: 0 },
              { name: 'postDeposit', raw: { partnerId: 'P1', amount: MAX_SAFE }, role: 'finance', asPartner: 'P1', advanceMs: 0 },
              { name: 'receivePayment', raw: { paymentId: 'PAY1', dealId: 'D1', line: 'port', amount: 9_000_000_000_000_000 }, role: 'finance', asPartner: 'P1', advanceMs: 0 },
              { name: 'registerDeal', raw: { dealId: 'D3', partnerId: 'P1', customer: { name: 'Third Co' } }, role: 'manager', asPartner: 'P1', advanceMs: 0 },
              { name: 'advanceStage', raw: { dealId: 'D3', stage: 'signed' }, role: 'manager', asPartner: 'P1', advanceMs: 0 },
              { name: 'receivePayment', raw: { paymentId: 'PAY2', dealId: 'D3', line: 'port', amount: 9_000_000_000_000_000 }, role: 'finance', asPartner: 'P1', advanceMs: 0 },
              { name: 'receivePayment', raw: { paymentId: 'PAY3', dealId: 'D3', line: 'port', amount: 9_000_000_000_000_000 }, role: 'finance', asPartner: 'P1', advanceMs: 0 },
            ],
            true,
          ],
          // A back-dated policy version after cash and a refund, then the payout that settles its adjustments.
          [
            [
              { name: 'receivePayment', raw: { paymentId: 'PAY1', dealId: 'D1', line: 'port', amount: 1_000_000, occurredAt: '2026-03-10T02:00:00Z' }, role: 'finance', asPartner: 'P1', advanceMs: 0 },
              { name: 'issueRefund', raw: { refundId: 'R1', paymentId: 'PAY1', amount: 300_001, reason: 'left early', occurredAt: '2026-03-20T02:00:00Z' }, role: 'finance', asPartner: 'P1', advanceMs: 0 },
              { name: 'payOut', raw: { quarter: '2026-Q1', occurredAt: '2026-04-05T02:00:00Z' }, role: 'finance', asPartner: 'P1', advanceMs: 0 },
              { name: 'adoptPolicy', raw: { version: 'v2', effectiveFrom: '2026-01-01', document: documentWith([4500, 1000], [3000, 1000]), reason: 'raised' }, role: 'manager', asPartner: 'P1', advanceMs: 0 },
              { name: 'payOut', raw: { quarter: '2026-Q2' }, role: 'finance', asPartner: 'P1', advanceMs: 0 },
            ],
            false,
          ],
        ],
      },
    );
    // The generator must exercise both sides, or the property says nothing.
    expect(accepted).toBeGreaterThan(40 * setup.length + 40);
    expect(refused).toBeGreaterThan(40);
    expect(adjustments, 'back-dated policy versions must adjust some lines').toBeGreaterThan(0);
  }, 240_000);
});
