// The command side's remembered stream states and its per-stream serialisation, against real
// SQLite files: two store objects on one file stand for two processes.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainRuleError } from '../../../src/domain/errors.js';
import { partnerStream } from '../../../src/domain/events.js';
import { defaultPolicy } from '../../../src/domain/policy.js';
import type { CommandCtx, CommandDeps } from '../../../src/ledger/command-handling.js';
import { runCommand } from '../../../src/ledger/commands/index.js';
import { StreamStateCache, streamStateCacheOf } from '../../../src/ledger/stream-state-cache.js';
import type { EventStore } from '../../../src/store/event-store.js';
import { openSqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import { tempDir } from '../../support/store-fixtures.js';
import { ScanLookups } from './scan-lookups.js';

const clock = () => '2026-07-01T02:00:00.000Z';
const manager = (): CommandCtx => ({ actor: { role: 'manager', id: 'manager-1' }, commandId: randomUUID(), correlationId: null });
const finance = (): CommandCtx => ({ actor: { role: 'finance', id: 'finance-1' }, commandId: randomUUID(), correlationId: null });

let stores: EventStore[];
let cleanup: () => void;
let dir: string;

function open(): { store: EventStore; deps: CommandDeps } {
  const store = openSqliteEventStore({ file: `${dir}/events.db`, clock });
  stores.push(store);
  return { store, deps: { store, policy: defaultPolicy, lookups: new ScanLookups(store), clock } };
}

async function refusal(p: Promise<unknown>): Promise<DomainRuleError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainRuleError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

beforeEach(() => {
  const t = tempDir('ledger-cache-');
  dir = t.dir;
  cleanup = t.cleanup;
  stores = [];
});

afterEach(async () => {
  for (const s of stores) await s.close();
  cleanup();
});

describe('remembered stream states', () => {
  it('notices another process appended to a remembered stream, reads it again and decides on what is stored', async () => {
    const a = open();
    const b = open();
    await runCommand('signPartner', a.deps, { partnerId: 'P1', name: 'Partner One', kind: 'relationship', tier: 'silver' }, manager());
    await runCommand('postDeposit', a.deps, { partnerId: 'P1', amount: 100 }, finance());
    const cacheA = streamStateCacheOf(a.store);
    expect(cacheA.get(partnerStream('P1'), Object)).toBeUndefined(); // keyed by the fold too
    const before = { ...cacheA.stats };

    await runCommand('changeTier', b.deps, { partnerId: 'P1', tier: 'gold', reason: 'other process' }, manager());
    // A remembers silver: its decision is refused by the revision check, re-made on gold, and refused.
    expect((await refusal(runCommand('changeTier', a.deps, { partnerId: 'P1', tier: 'gold', reason: 'again' }, manager()))).rule).toBe('tier-unchanged');
    expect(cacheA.stats.invalidations).toBeGreaterThan(before.invalidations);

    await runCommand('postDeposit', b.deps, { partnerId: 'P1', amount: 50 }, finance());
    const deposit = await runCommand('postDeposit', a.deps, { partnerId: 'P1', amount: 10 }, finance());
    expect(deposit.answer.depositFen).toBe(160);

    // A remembers gold; B goes back to silver. A's refusal made on the remembered state is checked against the store first.
    await runCommand('changeTier', b.deps, { partnerId: 'P1', tier: 'silver', reason: 'back' }, manager());
    const changed = await runCommand('changeTier', a.deps, { partnerId: 'P1', tier: 'gold', reason: 'up again' }, manager());
    expect(changed.answer).toMatchObject({ from: 'silver', tier: 'gold' });

    const tiers = (await a.store.readStream(partnerStream('P1'))).filter((e) => e.type === 'TierChanged').map((e) => (e.data as { to: string }).to);
    expect(tiers).toEqual(['gold', 'silver', 'gold']);
  });

  it('forgets the least recently used stream beyond its bound', () => {
    const cache = new StreamStateCache(2);
    const fold = {};
    cache.set('s1', fold, 0n, 'one');
    cache.set('s2', fold, 0n, 'two');
    expect(cache.get('s1', fold)?.state).toBe('one');
    cache.set('s3', fold, 4n, 'three');
    expect(cache.get('s2', fold)).toBeUndefined();
    expect(cache.get('s1', fold)?.state).toBe('one');
    cache.set('s3', fold, 2n, 'older'); // a late read never replaces a newer state
    expect(cache.get('s3', fold)).toEqual({ revision: 4n, state: 'three' });
    expect(cache.size).toBe(2);
  });
});

describe('commands on one stream in one process', () => {
  it('runs 100 concurrent commands on one stream one after another, in arrival order, none lost', async () => {
    const a = open();
    await runCommand('signPartner', a.deps, { partnerId: 'P1', name: 'Partner One', kind: 'relationship', tier: 'silver' }, manager());
    const cache = streamStateCacheOf(a.store);
    const invalidationsBefore = cache.stats.invalidations;
    const amounts = Array.from({ length: 100 }, (_, i) => i + 1);
    const answers = await Promise.all(amounts.map((amount) => runCommand('postDeposit', a.deps, { partnerId: 'P1', amount }, finance())));
    let total = 0;
    answers.forEach((answer, i) => {
      total += amounts[i]!;
      expect(answer.answer.depositFen).toBe(total);
    });
    const stored = (await a.store.readStream(partnerStream('P1'))).filter((e) => e.type === 'DepositPosted').map((e) => (e.data as { amountFen: number }).amountFen);
    expect(stored).toEqual(amounts);
    expect(cache.stats.invalidations).toBe(invalidationsBefore); // no revision conflict, no retry spent
  });
});
