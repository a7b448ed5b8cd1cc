// `ledger bench projections`: the full replay rate of every projection together, and as-of /
// valid-at query latency (median, p99) for a balance, an ownership and the tier list, at two
// history lengths (100,000 and 1,000,000 events; --quick: 10,000 and 100,000), plus peak RSS.
// The log is synthetic but valid, appended through the store in concurrent batches.
// At the larger length it also rebuilds the balances projection beside its live tables
// (projections/rebuild-beside.ts, as `ledger replay --projection balances` or a version bump does)
// while one client alternates reads and commands, and reports their p99 during the rebuild
// against the same load without one.
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EventStore } from '../store/event-store.js';
import { openSqliteEventStore } from '../store/sqlite/sqlite-event-store.js';
import { type SyntheticAppend, type SyntheticOptions, syntheticLog } from './synthetic-log.js';
import { ProjectionRunner } from '../../projections/runner.js';
import type { ProjectionRules } from '../../projections/rules.js';
import type { OwnershipFold } from '../../projections/ownership.js';
import { LedgerQueries } from '../ledger/queries.js';
import { benchDomain } from './bench-domain.js';
import type { ReplayChildResult } from './replay-child.js';

export interface ProjectionsBenchOptions {
  quick: boolean;
  /** The two history lengths (default 100k and 1M; quick 10k and 100k). */
  sizes?: [number, number];
  /**
   * Queries per kind and size (default 10,000; quick 2,000): a p99 of 2,000 samples is their
   * 20th slowest, which one GC pause or a busy neighbour moves by half.
   */
  queries?: number;
  tmpRoot?: string;
  /** Progress lines on stderr. */
  log?: (line: string) => void;
  /** The replay writes on a worker thread (RunnerOptions.bulkWorker; default off). */
  bulkWorker?: boolean;
}

/** Issue 18: replay ≥ 150,000 events/s (toward 300,000), as-of and valid-at p99 ≤ 1 ms at 1M and ≤ 1.5× the 100k figure, RSS ≤ 500 MB. */
export const PROJECTION_TARGETS = { replayPerSec: 150_000, asOfP99Ms: 1, p99GrowthMax: 1.5, peakRssMb: 500 } as const;

interface Latency {
  medianMs: number;
  p99Ms: number;
  count: number;
}

/** Reads and commands answered while the balances projection is rebuilt beside its live tables. */
interface RebuildBesideReport {
  projection: 'balances';
  events: number;
  /** The rebuild's duration under the load, and its rate. */
  seconds: number;
  eventsPerSec: number;
  /** Events per shadow transaction (the default: what a request may wait for). */
  batchSize: number;
  /** One client, one request at a time: a read (balance, ownership, tier list in turn, random asOf/validAt), then a command. */
  load: string;
  /** The same load without a rebuild (as many of each as during it). */
  without: { reads: Latency; commands: Latency };
  during: { reads: Latency; commands: Latency };
}

interface SizeReport {
  events: number;
  /** End to end: reading the log through the store and writing every read model. */
  replay: { seconds: number; eventsPerSec: number };
  /** The store's readAll alone over the same log, for comparison (the replay's upper bound). */
  storeReadAllPerSec: number;
  balance: Latency;
  ownership: Latency;
  tiers: Latency;
}

export interface ProjectionsBenchReport {
  suite: 'projections';
  machine: { cpus: number; node: string; platform: string; loadAverage: number[] };
  queriesPerKind: number;
  sizes: SizeReport[];
  /** The replay's own peak RSS: `ledger replay`'s work in a process of its own, on the largest log. */
  peakRssMb: number;
  /** That replay process: events, seconds, events/s. */
  replayProcess: { events: number; seconds: number; eventsPerSec: number };
  /** This bench process (which also generated the log and ran the queries). */
  benchProcessPeakRssMb: number;
  /** At the larger length: reads' and commands' latency during a rebuild beside of the balances projection. */
  rebuildBeside: RebuildBesideReport;
  targets: typeof PROJECTION_TARGETS;
  verdict: {
    replayPerSec: number;
    replayMeetsTarget: boolean;
    worstP99MsAtLargest: number;
    p99MeetsTarget: boolean;
    worstP99Growth: number;
    growthMeetsTarget: boolean;
    peakRssMeetsTarget: boolean;
  };
}

export async function runProjectionsBench(options: ProjectionsBenchOptions): Promise<ProjectionsBenchReport> {
  const sizes = options.sizes ?? (options.quick ? [10_000, 100_000] : [100_000, 1_000_000]);
  if (!(sizes[0] >= 1_000 && sizes[1] > sizes[0])) throw new RangeError(`bench projections: sizes must grow from ≥ 1000, got ${sizes.join(', ')}`);
  const dir = mkdtempSync(path.join(options.tmpRoot ?? os.tmpdir(), 'ledger-bench-projections-'));
  try {
    return await benchIn(dir, sizes, options);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchIn(dir: string, sizes: [number, number], options: ProjectionsBenchOptions): Promise<ProjectionsBenchReport> {
  const log = options.log ?? (() => undefined);
  const queries = options.queries ?? (options.quick ? 2_000 : 10_000);
  const domain = benchDomain();
  let clockMs = Date.parse('2026-01-01T00:00:00.000Z');
  // recordedAt spreads over the run like a real ledger's: one millisecond per append.
  const store = openSqliteEventStore({ file: path.join(dir, 'events.db'), clock: () => new Date(clockMs++).toISOString() });
  const reports: SizeReport[] = [];
  let rebuildBeside: RebuildBesideReport;
  try {
    const appends = syntheticLog({ ...domain.synthetic, events: sizes[1], partners: 100 });
    let written = 0;
    for (const [i, size] of sizes.entries()) {
      written += await appendUntil(store, appends, size - written);
      log(`bench projections: ${written} events in the log`);
      reports.push(await measure(store, path.join(dir, `read-models-${i}.db`), written, queries, domain.rules, domain.ownership, log, options.bulkWorker));
    }
    rebuildBeside = await measureRebuildBeside(store, path.join(dir, `read-models-${sizes.length - 1}.db`), domain.rules, domain.ownership, log);
  } finally {
    await store.close();
  }
  const benchProcessPeakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const replayed = await replayInChild(path.join(dir, 'events.db'), path.join(dir, 'read-models-child.db'));
  log(`bench projections: a replay process rebuilt ${replayed.events} events in ${replayed.seconds.toFixed(2)} s, peak RSS ${replayed.peakRssMb} MB`);
  const peakRssMb = replayed.peakRssMb;
  const [small, large] = reports as [SizeReport, SizeReport];
  const kinds = ['balance', 'ownership', 'tiers'] as const;
  const worstP99MsAtLargest = Math.max(...kinds.map((k) => large[k].p99Ms));
  const worstP99Growth = Math.max(...kinds.map((k) => large[k].p99Ms / Math.max(small[k].p99Ms, 0.001)));
  const replayPerSec = Math.min(...reports.map((r) => r.replay.eventsPerSec));
  return {
    suite: 'projections',
    machine: { cpus: os.cpus().length, node: process.version, platform: `${process.platform}-${process.arch}`, loadAverage: os.loadavg().map(round3) },
    queriesPerKind: queries,
    sizes: reports,
    peakRssMb,
    replayProcess: { events: replayed.events, seconds: round3(replayed.seconds), eventsPerSec: Math.round(replayed.events / replayed.seconds) },
    benchProcessPeakRssMb,
    rebuildBeside,
    targets: PROJECTION_TARGETS,
    verdict: {
      replayPerSec,
      replayMeetsTarget: replayPerSec >= PROJECTION_TARGETS.replayPerSec,
      worstP99MsAtLargest: round3(worstP99MsAtLargest),
      p99MeetsTarget: worstP99MsAtLargest <= PROJECTION_TARGETS.asOfP99Ms,
      worstP99Growth: round3(worstP99Growth),
      growthMeetsTarget: worstP99Growth <= PROJECTION_TARGETS.p99GrowthMax,
      peakRssMeetsTarget: peakRssMb <= PROJECTION_TARGETS.peakRssMb,
    },
  };
}

/** Appends the next `count` events (at least) of the synthetic log: groups of distinct streams in flight together. */
async function appendUntil(store: EventStore, appends: Iterator<SyntheticAppend>, count: number): Promise<number> {
  let written = 0;
  let group: SyntheticAppend[] = [];
  let streams = new Set<string>();
  const flush = async (): Promise<void> => {
    await Promise.all(group.map((a) => store.append(a.stream, a.events, 'any')));
    group = [];
    streams = new Set();
  };
  while (written < count) {
    const next = appends.next();
    if (next.done) break;
    if (streams.has(next.value.stream) || group.length >= 64) await flush();
    group.push(next.value);
    streams.add(next.value.stream);
    written += next.value.events.length;
  }
  await flush();
  return written;
}

async function measure(
  store: EventStore,
  file: string,
  events: number,
  queries: number,
  rules: ProjectionRules,
  ownership: OwnershipFold<unknown>,
  log: (line: string) => void,
  bulkWorker: boolean | undefined,
): Promise<SizeReport> {
  const readStarted = performance.now();
  let read = 0;
  for await (const _ of store.readAll({ batchSize: 10_000 })) read++;
  const storeReadAllPerSec = Math.round(read / ((performance.now() - readStarted) / 1_000));
  // The ledger's own batch size (the runner's default), so the figures are those of `ledger replay`.
  const runner = ProjectionRunner.open(store, file, rules, bulkWorker === undefined ? {} : { bulkWorker });
  try {
    const started = performance.now();
    const result = await runner.rebuild();
    const seconds = (performance.now() - started) / 1_000;
    const eventsPerSec = Math.round(result.events / seconds);
    log(`bench projections: replayed ${result.events} events in ${seconds.toFixed(2)} s (${eventsPerSec}/s)`);
    const q = new LedgerQueries({ store, runner, rules, ownership, nowIso: () => '2026-06-01T00:00:00.000Z' });
    const sample = sampler(runner, events);
    const balance = await latency(queries, () => q.balance(sample.partner(), sample.when()));
    const owner = await latency(queries, () => q.ownership(sample.customer(), sample.when()));
    const tiers = await latency(queries, () => q.tiers(sample.when()));
    return { events: result.events, replay: { seconds: round3(seconds), eventsPerSec }, storeReadAllPerSec, balance, ownership: owner, tiers };
  } finally {
    await runner.close();
  }
}

/**
 * The balances projection rebuilt beside its live tables (runner.rebuildProjection, the path of
 * a version bump and of `ledger replay --projection balances`) on a runner following the log,
 * while one client alternates a read and a command (a deposit appended, then the read model
 * caught up to it: what a command's answer waits for). The same load first without a rebuild.
 */
async function measureRebuildBeside(
  store: EventStore,
  file: string,
  rules: ProjectionRules,
  ownership: OwnershipFold<unknown>,
  log: (line: string) => void,
): Promise<RebuildBesideReport> {
  const runner = ProjectionRunner.open(store, file, rules);
  try {
    await runner.start();
    const q = new LedgerQueries({ store, runner, rules, ownership, nowIso: () => '2026-06-01T00:00:00.000Z' });
    const sample = sampler(runner, Number(await store.headPosition()));
    let turn = 0;
    const read = (): Promise<unknown> => {
      const k = turn++ % 3;
      return k === 0 ? q.balance(sample.partner(), sample.when()) : k === 1 ? q.ownership(sample.customer(), sample.when()) : q.tiers(sample.when());
    };
    const command = async (): Promise<void> => {
      const partnerId = sample.partner();
      const event = { eventId: randomUUID(), type: 'DepositPosted', data: { partnerId, amountFen: 1_000 }, occurredAt: '2026-05-01T00:00:00.000Z', actor: { role: 'finance', id: 'bench' } };
      const { position } = await store.append(`partner-${partnerId}`, [event as never], 'any');
      await runner.catchUp(position);
    };
    const readSamples: number[] = [];
    const commandSamples: number[] = [];
    const timed = async (into: number[], work: () => Promise<unknown>): Promise<void> => {
      const t = performance.now();
      await work();
      into.push(performance.now() - t);
    };
    // during: as many turns as the rebuild lasts
    let done = false;
    const batchSize = 1_000;
    const started = performance.now();
    const rebuild = runner.rebuildProjection('balances', { batchSize }).finally(() => {
      done = true;
    });
    while (!done) {
      await timed(readSamples, read);
      await timed(commandSamples, command);
    }
    await rebuild;
    const seconds = (performance.now() - started) / 1_000;
    const events = Number(await store.headPosition());
    const during = { reads: summary(readSamples), commands: summary(commandSamples) };
    log(`bench projections: balances rebuilt beside the live tables in ${seconds.toFixed(2)} s under load; p99 read ${during.reads.p99Ms} ms, command ${during.commands.p99Ms} ms`);
    const turns = Math.max(readSamples.length, 200);
    readSamples.length = 0;
    commandSamples.length = 0;
    for (let i = 0; i < turns; i++) {
      await timed(readSamples, read);
      await timed(commandSamples, command);
    }
    const without = { reads: summary(readSamples), commands: summary(commandSamples) };
    return {
      projection: 'balances',
      events,
      seconds: round3(seconds),
      eventsPerSec: Math.round(events / seconds),
      batchSize,
      load: 'one client: a read (balance, ownership, tier list in turn), then a command (a deposit appended and the read model caught up to it), repeated',
      without,
      during,
    };
  } finally {
    await runner.close();
  }
}

function summary(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { medianMs: round3(at(0.5)), p99Ms: round3(at(0.99)), count: sorted.length };
}

/** Random questions: a partner, a customer, an asOf instant within the log and, half the time, a validAt too. */
function sampler(runner: ProjectionRunner, events: number) {
  let seed = events;
  const rnd = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const db = runner.db;
  const span = db.prepare('SELECT min(recorded_at) AS first, max(recorded_at) AS last FROM clock').get() as { first: string; last: string };
  const occurred = db.prepare('SELECT min(occurred_at) AS first, max(occurred_at) AS last FROM claim_events').get() as { first: string; last: string };
  const partners = (db.prepare('SELECT partner_id FROM partners').all() as Array<{ partner_id: string }>).map((r) => r.partner_id);
  const customerCount = (db.prepare('SELECT count(*) AS n FROM customers').get() as { n: number }).n;
  const between = (a: string, b: string): string => new Date(Date.parse(a) + Math.floor(rnd() * (Date.parse(b) - Date.parse(a)))).toISOString();
  return {
    partner: () => partners[Math.floor(rnd() * partners.length)] ?? 'P-0001',
    customer: () => `bench-customer-${1 + Math.floor(rnd() * customerCount)}`,
    when: () => ({ asOf: between(span.first, span.last), validAt: rnd() < 0.5 ? between(occurred.first, occurred.last) : undefined }),
  };
}

const execFileAsync = promisify(execFile);

/** Runs replay-child.js (the compiled sibling of this module) on the log; its one JSON line back. */
async function replayInChild(eventsFile: string, readModelFile: string): Promise<ReplayChildResult> {
  const child = fileURLToPath(new URL('./replay-child.js', import.meta.url));
  const { stdout } = await execFileAsync(process.execPath, [child, eventsFile, readModelFile], { maxBuffer: 1 << 20 });
  const answer = JSON.parse(stdout.trim()) as ReplayChildResult;
  if (!Number.isSafeInteger(answer.events) || !(answer.seconds > 0) || !Number.isSafeInteger(answer.peakRssMb)) {
    throw new Error(`the replay process answered ${stdout.trim()}`);
  }
  return answer;
}

async function latency(count: number, query: () => Promise<unknown>): Promise<Latency> {
  for (let i = 0; i < Math.min(100, count); i++) await query(); // warm the page cache and statement caches
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await query();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  return { medianMs: round3(at(0.5)), p99Ms: round3(at(0.99)), count };
}

const round3 = (x: number): number => Math.round(x * 1_000) / 1_000;

export type { SyntheticOptions };
