// Traffic commands against a real SQLite store: 100 concurrent bills on one reseller's stream
// decide one after another (the stream mutex), so every bill is recorded, the credit is
// suspended exactly once (when the limit is reached) and no bill fails on retries.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainRuleError } from '../../../src/domain/errors.js';
import { partnerStream } from '../../../src/domain/events.js';
import { defaultPolicy } from '../../../src/domain/policy.js';
import type { CommandCtx, CommandDeps } from '../../../src/ledger/command-handling.js';
import { runCommand } from '../../../src/ledger/commands/index.js';
import type { EventStore } from '../../../src/store/event-store.js';
import { openSqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import { tempDir } from '../../support/store-fixtures.js';
import { ScanLookups } from './scan-lookups.js';

const MIN = 10_000_000;
let store: EventStore;
let cleanup: () => void;
let deps: CommandDeps;
const clock = () => '2026-07-01T02:00:00.000Z';
const as = (role: 'manager' | 'finance'): CommandCtx => ({ actor: { role, id: `${role}-1` }, commandId: randomUUID(), correlationId: null });

beforeEach(async () => {
  const t = tempDir('ledger-traffic-');
  cleanup = t.cleanup;
  store = openSqliteEventStore({ file: `${t.dir}/events.db`, clock });
  deps = { store, policy: defaultPolicy, lookups: new ScanLookups(store), clock };
  await runCommand('signPartner', deps, { partnerId: 'W1', name: 'Reseller', kind: 'wholesale-voice', tier: 'standard' }, as('manager'));
  await runCommand('postDeposit', deps, { partnerId: 'W1', amount: MIN }, as('finance'));
});

afterEach(async () => {
  await store.close();
  cleanup();
});

describe('traffic commands', () => {
  // Issue #22 item 2: bills over the limit used to be refused (rule traffic-credit-limit) with the
  // accepted ones summing to at most the deposit; now every bill is a recorded fact and the limit
  // suspends the credit once.
  it('100 concurrent bills over the limit: every one is recorded, the credit is suspended once, the later bills flagged', async () => {
    const amounts = Array.from({ length: 100 }, (_, i) => 120_000 + i * 1_000); // sum 16,950,000
    const results = await Promise.allSettled(amounts.map((amount, i) => runCommand('billTraffic', deps, { partnerId: 'W1', billId: `B-${i}`, amount, period: '2026-06' }, as('finance'))));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const stream = await store.readStream(partnerStream('W1'));
    const stored = stream.filter((e) => e.type === 'TrafficBilled').map((e) => e.data as { amountFen: number; outstandingFen: number; whileSuspended?: boolean });
    expect(stored).toHaveLength(100);
    expect(stored.reduce((sum, d) => sum + d.amountFen, 0)).toBe(16_950_000);
    expect(stream.filter((e) => e.type === 'CreditSuspended')).toHaveLength(1);
    expect(stream.filter((e) => e.type === 'CreditResumed')).toHaveLength(0);
    // In stream order: the bills before the one that reached the limit are not flagged, every one after it is.
    const first = stored.findIndex((d) => d.outstandingFen >= MIN);
    stored.forEach((d, i) => expect(d.whileSuspended, `bill ${i}`).toBe(i > first));
    const suspension = stream.findIndex((e) => e.type === 'CreditSuspended');
    expect(stream[suspension - 1]!.type).toBe('TrafficBilled'); // in the same append as the bill that caused it
  });

  it('a repeated bill or settlement (same id, same figures) writes nothing and answers recorded: false', async () => {
    const first = await runCommand('billTraffic', deps, { partnerId: 'W1', billId: 'B1', amount: 500, period: '2026-06' }, as('finance'));
    const again = await runCommand('billTraffic', deps, { partnerId: 'W1', billId: 'B1', amount: 500, period: '2026-06' }, as('finance'));
    expect([first.answer.recorded, again.answer.recorded, again.position]).toEqual([true, false, null]);
    await runCommand('settleTraffic', deps, { partnerId: 'W1', settlementId: 'S1', amount: 200 }, as('finance'));
    const s = await runCommand('settleTraffic', deps, { partnerId: 'W1', settlementId: 'S1', amount: 200 }, as('finance'));
    expect(s.answer).toMatchObject({ recorded: false, trafficOutstandingFen: 300, creditAvailableFen: MIN - 300 });
  });

  it('a bill id used by another reseller is a conflict', async () => {
    await runCommand('signPartner', deps, { partnerId: 'W2', name: 'Reseller 2', kind: 'wholesale-voice', tier: 'standard' }, as('manager'));
    await runCommand('postDeposit', deps, { partnerId: 'W2', amount: MIN }, as('finance'));
    await runCommand('billTraffic', deps, { partnerId: 'W1', billId: 'SHARED', amount: 500, period: '2026-06' }, as('finance'));
    const e = await runCommand('billTraffic', deps, { partnerId: 'W2', billId: 'SHARED', amount: 500, period: '2026-06' }, as('finance')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DomainRuleError);
    expect((e as DomainRuleError).rule).toBe('bill-id-taken');
    expect((e as DomainRuleError).kind).toBe('conflict');
  });
});
