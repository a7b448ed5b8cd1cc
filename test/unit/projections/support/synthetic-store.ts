// The setup the projection tests over a real SQLite log share: cleanups run after each test, a
// temporary directory, and a store holding a synthetic log (src/bench/synthetic-log.ts) under the
// test rules' commission rates and UTC+8 quarters, recorded one second apart.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { appendSyntheticLog, type SyntheticOptions } from '../../../../src/bench/synthetic-log.js';
import type { EventStore } from '../../../../src/store/event-store.js';
import { openSqliteEventStore } from '../../../../src/store/sqlite/sqlite-event-store.js';
import { quarterOfUtc8 } from '../random-log.js';

export type Cleanups = Array<() => Promise<void> | void>;

/** A list of cleanups the calling test file runs, last pushed first, after each of its tests. */
export function cleanupsAfterEach(): Cleanups {
  const cleanups: Cleanups = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return cleanups;
}

/** A fresh temporary directory, removed by `cleanups`. */
export function newTempDir(cleanups: Cleanups, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The last instant of a quarter ('2025-Q3') in UTC+8. */
export const quarterEndOfUtc8 = (q: string): string => new Date(Date.UTC(Number(q.slice(0, 4)), Number(q.slice(6)) * 3, 1) - 8 * 3_600_000 - 1).toISOString();

/** The synthetic log's options under the test rules: `events` events over `partners` partners and `spanDays` days from 2025-01-01. */
export function syntheticLogOptions(events: number, partners = 5, spanDays = 400): SyntheticOptions {
  return {
    events,
    partners,
    spanDays,
    startIso: '2025-01-01T00:00:00.000Z',
    commissionFen: (cash, rate) => Math.floor((cash * rate) / 10_000),
    rateBps: (tier, line) => (line === 'conference' ? 1000 : tier === 'gold' ? 4000 : tier === 'silver' ? 3000 : 2000),
    quarterOf: quarterOfUtc8,
    quarterEndOf: quarterEndOfUtc8,
  };
}

/** A SQLite event store at `dir`/events.db whose clock steps one second from 2026-03-01. */
export function openSteppingStore(dir: string): EventStore {
  let ms = Date.parse('2026-03-01T00:00:00.000Z');
  return openSqliteEventStore({ file: path.join(dir, 'events.db'), clock: () => new Date((ms += 1_000)).toISOString() });
}

/** A stepping store at `dir` holding a synthetic log of `events` events over five partners and 400 days; closed by `cleanups`. */
export async function storeWithSyntheticLog(cleanups: Cleanups, dir: string, events: number): Promise<EventStore> {
  const store = openSteppingStore(dir);
  cleanups.push(() => store.close());
  await appendSyntheticLog(store, syntheticLogOptions(events));
  return store;
}
