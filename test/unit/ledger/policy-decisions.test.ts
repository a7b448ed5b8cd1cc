// Commands decide under the policy version in force at their fact's business time (issue #20,
// src/domain/policy-history.ts): a tier evaluation and a payout under the version in force at the
// quarter's end, each event naming it; real commands over a real SQLite log.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { factOf } from '../../../src/domain/fact.js';
import { defaultPolicy } from '../../../src/domain/policy.js';
import { partnerDeltasOf } from '../../../src/domain/postings.js';
import { runCommand } from '../../../src/ledger/commands/index.js';
import { policyBookOf } from '../../../src/ledger/policy-book.js';
import { openSqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import { tempDir } from '../../support/store-fixtures.js';
import { ScanLookups } from './scan-lookups.js';

const NOW = '2025-03-01T00:00:00.000Z';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** An empty ledger over a real SQLite log in a fresh directory (both gone after the test), under the default policy; `ctx` a command's context for a role. */
function ledgerAt(dirPrefix: string) {
  const dir = tempDir(dirPrefix);
  const store = openSqliteEventStore({ file: path.join(dir.dir, 'events.db'), clock: () => NOW });
  cleanups.push(async () => {
    await store.close();
    dir.cleanup();
  });
  const deps = { store, policy: defaultPolicy, policies: policyBookOf(defaultPolicy), lookups: new ScanLookups(store), clock: () => NOW };
  const ctx = (role: 'manager' | 'finance') => ({ actor: { role, id: `${role}-1` }, commandId: randomUUID(), correlationId: null });
  return { store, deps, ctx };
}

/** A ledger where one silver-threshold-of-1 version is adopted effective from `effectiveFrom`, and one standard partner signs a customer on 10 August 2024. */
async function programme(effectiveFrom: string) {
  const { store, deps, ctx } = ledgerAt('ledger-policy-decisions-');
  await runCommand('signPartner', deps, { partnerId: 'P-1', name: 'Standard One', kind: 'relationship', tier: 'standard', occurredAt: '2024-01-02T02:00:00.000Z' }, ctx('manager'));
  await runCommand('registerDeal', deps, { dealId: 'D-1', partnerId: 'P-1', customer: { name: 'Evaluated Co' }, occurredAt: '2024-07-01T02:00:00.000Z' }, ctx('manager'));
  await runCommand('advanceStage', deps, { dealId: 'D-1', stage: 'signed', occurredAt: '2024-08-10T02:00:00.000Z' }, ctx('manager'));
  const doc = structuredClone(defaultPolicy) as any;
  doc.tierEvaluation.thresholds = [
    { tier: 'gold', atLeast: 10 },
    { tier: 'silver', atLeast: 1 },
  ];
  delete doc.version;
  delete doc.effectiveFrom;
  await runCommand('adoptPolicy', deps, { version: 'one-is-silver', effectiveFrom, document: doc, reason: 'one signing makes silver' }, ctx('manager'));
  const evaluate = (quarter: string) => runCommand('evaluateTiers', deps, { quarter }, ctx('manager'));
  const eventsOf = async (type: string) => {
    const out = [];
    for await (const e of store.readAll()) if (e.type === type) out.push(e);
    return out;
  };
  return { deps, ctx, evaluate, eventsOf };
}

describe('a quarter is decided under the version in force at its end', () => {
  it('a version in force from 1 July decides Q3: one signing makes silver, and the events name it', async () => {
    const p = await programme('2024-07-01');
    const q3 = await p.evaluate('2024-Q3');
    expect(q3.answer.changes).toEqual([expect.objectContaining({ partnerId: 'P-1', from: 'standard', to: 'silver' })]);
    const [changed] = await p.eventsOf('TierChanged');
    expect(changed?.policyVersion).toBe('one-is-silver');
  });

  it('the same version in force only from 1 October leaves Q3 to the default: no move, the default named', async () => {
    const p = await programme('2024-10-01');
    const q3 = await p.evaluate('2024-Q3');
    expect(q3.answer.changes).toEqual([]);
    const [certified] = await p.eventsOf('TierCertified');
    expect(certified?.policyVersion).toBe(defaultPolicy.version);
  });
});

describe('an adoption runs alone: no decision slips in between its reading of the lines and its append', () => {
  it('payments sent together with a back-dated adoption all end at the new rate (decided under it, or adjusted)', async () => {
    const { store, deps, ctx } = ledgerAt('ledger-policy-gate-');
    await runCommand('signPartner', deps, { partnerId: 'P-1', name: 'Gold One', kind: 'relationship', tier: 'gold', occurredAt: '2024-01-02T02:00:00.000Z' }, ctx('manager'));
    const deals = ['D-1', 'D-2', 'D-3', 'D-4'];
    for (const dealId of deals) {
      await runCommand('registerDeal', deps, { dealId, partnerId: 'P-1', customer: { name: `Gate ${dealId}` }, occurredAt: '2024-02-01T02:00:00.000Z' }, ctx('manager'));
      await runCommand('advanceStage', deps, { dealId, stage: 'signed', occurredAt: '2024-03-01T02:00:00.000Z' }, ctx('manager'));
    }
    const doc = structuredClone(defaultPolicy) as any;
    doc.commission.ratesBps.port.gold = [4500, 1000];
    delete doc.version;
    delete doc.effectiveFrom;
    const payments = Array.from({ length: 24 }, (_, i) => ({ paymentId: `PAY-${i}`, dealId: deals[i % deals.length]!, amount: 100_001 + i * 7 }));
    const sent = payments.map((p, i) => runCommand('receivePayment', deps, { ...p, line: 'port', occurredAt: `2024-08-${String(1 + (i % 28)).padStart(2, '0')}T02:00:00.000Z` }, ctx('finance')));
    sent.splice(12, 0, runCommand('adoptPolicy', deps, { version: '2024.2', effectiveFrom: '2024-07-01', document: doc, reason: 'raised' }, ctx('manager')) as never);
    await Promise.all(sent);
    let accrued = 0;
    for await (const e of store.readAll()) for (const d of partnerDeltasOf(factOf(e))) accrued += d.deltas.accrued;
    expect(accrued).toBe(payments.reduce((s, p) => s + Math.round((p.amount * 4500) / 10_000), 0));
  });

  it('the gate: an exclusive run waits for the shared runs in flight, and shared runs wait for it', async () => {
    const book = policyBookOf(defaultPolicy);
    const order: string[] = [];
    let releaseShared!: () => void;
    const shared = book.gate(false, async () => {
      order.push('shared starts');
      await new Promise<void>((r) => (releaseShared = r));
      order.push('shared ends');
    });
    const exclusive = book.gate(true, async () => {
      order.push('exclusive runs');
    });
    const later = book.gate(false, async () => {
      order.push('later shared runs');
    });
    await Promise.resolve();
    releaseShared();
    await Promise.all([shared, exclusive, later]);
    expect(order).toEqual(['shared starts', 'shared ends', 'exclusive runs', 'later shared runs']);
  });
});
