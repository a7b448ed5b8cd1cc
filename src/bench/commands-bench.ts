// `ledger bench commands`: durable commands through the real command path, as the API runs
// them (Ledger.execute: decide + append + the read models caught up before the answer), one at
// a time and with 64 in flight. Each client owns a partner and alternates a deposit on its
// partner's stream (a stream that grows) with a deal on a new customer (which reads the
// partner's stream), like the HTTP bench's command mix.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Ledger, openLedger } from '../ledger/ledger.js';
import { streamStateCacheOf } from '../ledger/stream-state-cache.js';
import { cpuNow, type CpuPerUnit, cpuPerUnitSince } from './cpu.js';
import { type DiskLimits, measureDiskLimits } from './store-bench.js';

/** Issue 17: 64 in flight ≥ 12,000/s (toward 20,000); one at a time bounded by one fsync'd commit each. */
export const COMMAND_TARGETS = { sequentialPerSec: 2_500, concurrentPerSec: 12_000 } as const;
export const COMMAND_CLIENTS = 64;

export interface CommandsBenchOptions {
  quick: boolean;
  /** Commands in the sequential run (default 5,000; quick 1,000). */
  sequential?: number;
  /** Commands in the concurrent run (default 40,000; quick 6,400). */
  concurrent?: number;
  clients?: number;
  tmpRoot?: string;
  log?: (line: string) => void;
}

export interface CommandRun {
  commands: number;
  clients: number;
  seconds: number;
  perSec: number;
  latencyMs: { p50: number; p99: number };
  /**
   * CPU per command during the run: the main thread's (the event loop: deciding, the store's
   * checks and hashing, the read model) and the whole process's (with the store's writer thread).
   */
  cpuPerCommand: CpuPerUnit;
}

export interface CommandsBenchReport {
  suite: 'commands';
  loadAverage: { start: number; end: number };
  /** Raw SQLite on the same disk, measured in this run just before the commands. */
  limits: DiskLimits;
  sequential: CommandRun;
  concurrent: CommandRun;
  /** Remembered stream states used vs streams read whole (see src/ledger/stream-state-cache.ts). */
  streamCache: { hits: number; misses: number; invalidations: number };
  targets: typeof COMMAND_TARGETS;
}

export async function runCommandsBench(options: CommandsBenchOptions): Promise<CommandsBenchReport> {
  const sequential = options.sequential ?? (options.quick ? 1_000 : 5_000);
  const concurrent = options.concurrent ?? (options.quick ? 6_400 : 40_000);
  const clients = options.clients ?? COMMAND_CLIENTS;
  for (const [name, n] of [['sequential', sequential], ['concurrent', concurrent], ['clients', clients]] as const) {
    if (!Number.isSafeInteger(n) || n < 1 || n > 10_000_000) throw new RangeError(`bench commands: ${name} must be 1..10,000,000, got ${n}`);
  }
  const log = options.log ?? (() => undefined);
  const dir = mkdtempSync(path.join(options.tmpRoot ?? os.tmpdir(), 'ledger-bench-commands-'));
  const start = loadAverage();
  const limits = measureDiskLimits(dir, options.quick ? 300 : 1_000, options.quick ? 20_000 : 100_000);
  log(`bench commands: raw SQLite ${limits.fsyncCommitsPerSec}/s fsync'd one-row commits, ${limits.oneTransactionInsertsPerSec}/s inserts in one transaction`);
  const ledger = await openLedger({ dataDir: dir, follow: true });
  try {
    for (let c = 0; c < clients; c++) {
      await ledger.execute('signPartner', { partnerId: benchPartner(c), name: `Bench Partner ${c}`, kind: 'development', tier: 'standard' }, ctx('manager'));
    }
    const seq = await run(ledger, 1, sequential, 'seq');
    log(`bench commands: ${seq.commands} sequential in ${seq.seconds} s (${seq.perSec}/s; ${seq.cpuPerCommand.mainThreadUs} µs main-thread CPU per command)`);
    const conc = await run(ledger, clients, concurrent, 'conc');
    log(`bench commands: ${conc.commands} with ${clients} in flight in ${conc.seconds} s (${conc.perSec}/s; ${conc.cpuPerCommand.mainThreadUs} µs main-thread CPU per command)`);
    const stats = streamStateCacheOf(ledger.store).stats;
    return { suite: 'commands', loadAverage: { start, end: loadAverage() }, limits, sequential: seq, concurrent: conc, streamCache: { ...stats }, targets: COMMAND_TARGETS };
  } finally {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const benchPartner = (c: number): string => `PB-${c}`;

let commandSeq = 0;
function ctx(role: 'manager' | 'finance') {
  commandSeq++;
  return { actor: { role, id: `bench-${role}` }, correlationId: null, commandId: `00000000-0000-4000-8000-${commandSeq.toString(16).padStart(12, '0')}` };
}

/** `total` commands spread over `clients` clients, each running its share one after another. */
async function run(ledger: Ledger, clients: number, total: number, tag: string): Promise<CommandRun> {
  const latencies: number[] = [];
  const client = async (c: number, count: number): Promise<void> => {
    const partnerId = benchPartner(c);
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      if (i % 2 === 0) await ledger.execute('postDeposit', { partnerId, amount: 100 }, ctx('finance'));
      else {
        const dealId = `D-${tag}-${c}-${i}`;
        await ledger.execute('registerDeal', { dealId, partnerId, customer: { name: `Bench Customer ${tag} ${c} ${i}` } }, ctx('manager'));
      }
      latencies.push(performance.now() - t);
    }
  };
  const share = (c: number): number => Math.floor(total / clients) + (c < total % clients ? 1 : 0);
  const cpu = cpuNow();
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, (_, c) => client(c, share(c))));
  const seconds = (performance.now() - started) / 1_000;
  const cpuPerCommand = cpuPerUnitSince(cpu, total);
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => round3(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return { commands: total, clients, seconds: round3(seconds), perSec: Math.round(total / seconds), latencyMs: { p50: at(0.5), p99: at(0.99) }, cpuPerCommand };
}

function loadAverage(): number {
  return Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
}

const round3 = (x: number): number => Math.round(x * 1_000) / 1_000;
