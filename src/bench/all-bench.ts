// `ledger bench` with no suite: every suite in one run (store, projections, commands, http,
// peers, end-to-end), one JSON report and one table. Each figure stands beside its target and beside
// the physical limit the store suite measured in the same run on the same disk: raw SQLite with
// one row per fsync'd commit, with 64 rows per fsync'd commit, in one transaction, and a raw read.
import os from 'node:os';
import { statfsSync } from 'node:fs';
import { benchHttp, type HttpBenchResult } from './http-bench.js';
import { type CommandsBenchReport, COMMAND_TARGETS, runCommandsBench } from './commands-bench.js';
import { type EndToEndBenchReport, END_TO_END_TARGETS, IMPORT_TARGETS, runEndToEndBench } from './end-to-end-bench.js';
import { type PeersBenchReport, runPeersBench } from './peers-bench.js';
import { PROJECTION_TARGETS, type ProjectionsBenchReport, runProjectionsBench } from './projections-bench.js';
import { runStoreBench, STORE_TARGETS, type StoreBenchReport } from './store-bench.js';

export const HTTP_TARGETS = { requestsPerSec: 3_000, p99Ms: 20 } as const;
/**
 * Issue 17: main-thread CPU per command with 64 in flight; commands over HTTP (the peers suite's
 * client, the built server in a child process) one connection and 64, each at least twice the
 * peer behind Fastify in the same run.
 */
export const BATCH_TARGETS = {
  mainThreadUsPerCommand: 80,
  httpSequentialPerSec: 1_400,
  httpConcurrentPerSec: 8_000,
  httpConcurrentP99Ms: 25,
  timesThePeer: 2,
} as const;

export interface AllBenchOptions {
  quick: boolean;
  /** Length of the longest log (default 1,000,000; quick 100,000). */
  events?: number;
  /** Suites to leave out (by name). */
  skip?: readonly string[];
  log?: (line: string) => void;
}

/** One line of the table: a figure, its target, and the limit it is compared with. */
export interface BenchRow {
  suite: string;
  figure: string;
  value: number;
  unit: string;
  /** 'min': the value must reach the target; 'max': it must stay at or below it. */
  target: { value: number; kind: 'min' | 'max' } | null;
  meetsTarget: boolean | null;
  limit: { name: string; value: number } | null;
  /** value / limit (both in the same unit). */
  ratioToLimit: number | null;
}

export interface AllBenchReport {
  command: string;
  startedAt: string;
  seconds: number;
  machine: Machine;
  limits: StoreBenchReport['limits'] | null;
  rows: BenchRow[];
  suites: {
    store?: StoreBenchReport | { error: string };
    projections?: ProjectionsBenchReport | { error: string };
    commands?: CommandsBenchReport | { error: string };
    http?: HttpBenchResult | { error: string };
    peers?: PeersBenchReport | { error: string };
    endToEnd?: EndToEndBenchReport | { error: string };
  };
}

interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  /** The temporary directory's file system type (statfs magic number, hex), where every suite writes. */
  tmpFileSystem: string;
  loadAverage: { start: number[]; end: number[] };
}

export const SUITE_NAMES = ['store', 'projections', 'commands', 'http', 'peers', 'end-to-end'] as const;

export async function runAllBenches(options: AllBenchOptions): Promise<AllBenchReport> {
  const log = options.log ?? (() => undefined);
  const skip = new Set(options.skip ?? []);
  const largest = options.events ?? (options.quick ? 100_000 : 1_000_000);
  const started = Date.now();
  const loadStart = os.loadavg().map(round2);
  const suites: AllBenchReport['suites'] = {};
  const attempt = async <T>(name: string, run: () => Promise<T>): Promise<T | { error: string } | undefined> => {
    if (skip.has(name)) return undefined;
    log(`bench: ${name}…`);
    const t = Date.now();
    try {
      const result = await run();
      log(`bench: ${name} done in ${((Date.now() - t) / 1_000).toFixed(1)} s`);
      return result;
    } catch (error) {
      log(`bench: ${name} failed: ${String(error)}`);
      return { error: error instanceof Error ? error.message : String(error) };
    }
  };
  suites.store = await attempt('store', () => runStoreBench({ quick: options.quick, events: options.quick ? 20_000 : 100_000 }));
  suites.projections = await attempt('projections', () =>
    runProjectionsBench({ quick: options.quick, sizes: [Math.max(1_000, Math.round(largest / 10)), largest], log }),
  );
  suites.commands = await attempt('commands', () => runCommandsBench({ quick: options.quick, log }));
  suites.http = await attempt('http', () => benchHttp({ durationMs: options.quick ? 2_000 : 10_000 }));
  suites.peers = await attempt('peers', () => runPeersBench({ quick: options.quick, log }));
  suites.endToEnd = await attempt('end-to-end', () => runEndToEndBench({ quick: options.quick, events: options.quick ? 5_000 : largest, log }));
  for (const key of Object.keys(suites) as Array<keyof typeof suites>) if (suites[key] === undefined) delete suites[key];
  const store = ok(suites.store);
  const limits = store?.limits ?? null;
  return {
    command: `ledger bench${options.quick ? ' --quick' : ''}${options.events === undefined ? '' : ` --events ${options.events}`}`,
    startedAt: new Date(started).toISOString(),
    seconds: Math.round((Date.now() - started) / 100) / 10,
    machine: machine(loadStart),
    limits,
    rows: rowsOf(suites, limits),
    suites,
  };
}

function ok<T extends object>(result: T | { error: string } | undefined): T | null {
  return result === undefined || 'error' in result ? null : (result as T);
}

function rowsOf(suites: AllBenchReport['suites'], limits: StoreBenchReport['limits'] | null): BenchRow[] {
  const rows: BenchRow[] = [];
  const fsync = limits && { name: 'raw SQLite, 1 row per fsync-ed commit', value: limits.fsyncCommitsPerSec };
  const batched = limits && { name: 'raw SQLite, 64 rows per fsync-ed commit', value: limits.batchedCommitRowsPerSec };
  const oneTx = limits && { name: 'raw SQLite inserts, one transaction', value: limits.oneTransactionInsertsPerSec };
  const rawRead = limits && { name: 'raw SQLite read of every row', value: limits.rawReadRowsPerSec };
  const row = (suite: string, figure: string, value: number, unit: string, target: BenchRow['target'], limit: BenchRow['limit']): void => {
    const meetsTarget = target === null ? null : target.kind === 'min' ? value >= target.value : value <= target.value;
    const ratioToLimit = limit && limit.value > 0 ? Math.round((value / limit.value) * 1_000) / 1_000 : null;
    rows.push({ suite, figure, value, unit, target, meetsTarget, limit, ratioToLimit });
  };
  const min = (value: number) => ({ value, kind: 'min' as const });
  const max = (value: number) => ({ value, kind: 'max' as const });
  const store = ok(suites.store);
  if (store) {
    row('store', 'sequential appends', store.sequentialAppends.perSec, '/s', min(STORE_TARGETS.sequentialPerSec), fsync);
    row('store', 'concurrent appends (64 in flight)', store.concurrentAppends.perSec, '/s', min(STORE_TARGETS.concurrentPerSec), batched);
    row('store', 'readAll', store.readAll.perSec, 'events/s', min(STORE_TARGETS.readAllPerSec), rawRead);
  }
  const commands = ok(suites.commands);
  if (commands) {
    row('commands', 'durable commands, sequential', commands.sequential.perSec, '/s', min(COMMAND_TARGETS.sequentialPerSec), fsync);
    row('commands', 'durable commands, 64 concurrent', commands.concurrent.perSec, '/s', min(COMMAND_TARGETS.concurrentPerSec), batched);
    row('commands', 'command latency p99, 64 concurrent', commands.concurrent.latencyMs.p99, 'ms', null, null);
    const mainUs = commands.concurrent.cpuPerCommand.mainThreadUs;
    if (mainUs !== null) row('commands', 'main-thread CPU per command, 64 concurrent', mainUs, 'µs', max(BATCH_TARGETS.mainThreadUsPerCommand), null);
  }
  const projections = ok(suites.projections);
  if (projections) {
    const large = projections.sizes[projections.sizes.length - 1];
    if (large) {
      row('projections', `full replay of every projection (${large.events} events)`, large.replay.eventsPerSec, 'events/s', min(PROJECTION_TARGETS.replayPerSec), oneTx);
      row('projections', `store readAll during replay (${large.events} events)`, large.storeReadAllPerSec, 'events/s', null, rawRead);
      row('projections', `as-of / valid-at p99 at ${large.events} events (worst kind)`, projections.verdict.worstP99MsAtLargest, 'ms', max(PROJECTION_TARGETS.asOfP99Ms), null);
    }
    row('projections', 'as-of p99 growth, largest ÷ smallest log', projections.verdict.worstP99Growth, '×', max(PROJECTION_TARGETS.p99GrowthMax), null);
    row('projections', `replay process of its own (${projections.replayProcess.events} events)`, projections.replayProcess.eventsPerSec, 'events/s', min(PROJECTION_TARGETS.replayPerSec), oneTx);
    row('projections', 'peak RSS of that replay process', projections.peakRssMb, 'MB', max(PROJECTION_TARGETS.peakRssMb), null);
    row('projections', 'peak RSS of the bench (log generated in it)', projections.benchProcessPeakRssMb, 'MB', null, null);
  }
  const http = ok(suites.http);
  if (http) {
    row('http', `mixed load (${Math.round(http.readShare * 100)}% reads, ${http.connections} connections)`, http.requestsPerSecond, 'req/s', min(HTTP_TARGETS.requestsPerSec), null);
    row('http', 'latency p99', http.latencyMs.p99, 'ms', max(HTTP_TARGETS.p99Ms), null);
  }
  const peers = ok(suites.peers);
  if (peers) {
    const { ledger, peer, ratio } = peers.http;
    const peerRate = (run: 'sequential' | 'concurrent') => ('error' in peer ? null : { name: 'Emmett peer behind Fastify', value: peer[run].perSec });
    row('peers', 'HTTP commands, one connection', ledger.sequential.perSec, '/s', min(BATCH_TARGETS.httpSequentialPerSec), peerRate('sequential'));
    row('peers', 'HTTP commands, 64 connections', ledger.concurrent.perSec, '/s', min(BATCH_TARGETS.httpConcurrentPerSec), peerRate('concurrent'));
    row('peers', 'HTTP commands p99, 64 connections', ledger.concurrent.latencyMs.p99, 'ms', max(BATCH_TARGETS.httpConcurrentP99Ms), null);
    if (ratio) {
      row('peers', 'HTTP, one connection: ledger ÷ peer', ratio.sequential, '×', min(BATCH_TARGETS.timesThePeer), null);
      row('peers', 'HTTP, 64 connections: ledger ÷ peer', ratio.concurrent, '×', min(BATCH_TARGETS.timesThePeer), null);
    }
    const inProcess = peers.inProcess.ratio;
    if (inProcess) {
      row('peers', 'in-process, one at a time: ledger ÷ peer', inProcess.sequential, '×', null, null);
      row('peers', 'in-process, 64 in flight: ledger ÷ peer', inProcess.concurrent, '×', null, null);
    }
  }
  const e2e = ok(suites.endToEnd);
  if (e2e) {
    row('end-to-end', `demo log through the commands (${e2e.events} events)`, e2e.eventsPerSec, 'events/s', null, batched);
    row('end-to-end', 'demo log: seconds for 1,000,000 events', e2e.secondsPerMillionEvents, 's', max(END_TO_END_TARGETS.secondsPerMillionEvents), null);
    row('end-to-end', `ledger import of that log (${e2e.import.events} events, rules checked)`, e2e.import.eventsPerSec, 'events/s', min(IMPORT_TARGETS.eventsPerSec), oneTx);
  }
  return rows;
}

function machine(loadStart: number[]): Machine {
  const cpus = os.cpus();
  let tmpFileSystem = 'unknown';
  try {
    tmpFileSystem = `0x${statfsSync(os.tmpdir()).type.toString(16)}`;
  } catch {
    // statfs is not available everywhere
  }
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch} ${os.release()}`,
    tmpFileSystem,
    loadAverage: { start: loadStart, end: os.loadavg().map(round2) },
  };
}

/** The report as a fixed-width table (Markdown-compatible). */
export function benchTable(report: AllBenchReport): string {
  const header = ['suite', 'figure', 'measured', 'target', 'met', 'physical limit or peer (same run, same disk)', 'ratio'];
  const lines = report.rows.map((r) => [
    r.suite,
    r.figure,
    `${formatNumber(r.value)} ${r.unit}`,
    r.target === null ? '—' : `${r.target.kind === 'min' ? '≥' : '≤'} ${formatNumber(r.target.value)} ${r.unit}`,
    r.meetsTarget === null ? '—' : r.meetsTarget ? 'yes' : 'NO',
    r.limit === null ? '—' : `${formatNumber(r.limit.value)} /s (${r.limit.name})`,
    r.ratioToLimit === null ? '—' : r.ratioToLimit.toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const m = report.machine;
  return [
    fmt(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...lines.map(fmt),
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}; load average ${m.loadAverage.start.join(' ')} → ${m.loadAverage.end.join(' ')}.`,
    `Command: ${report.command} (${report.seconds} s).`,
  ].join('\n');
}

function formatNumber(x: number): string {
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  return x.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

export const ALL_TARGETS = { store: STORE_TARGETS, commands: COMMAND_TARGETS, batches: BATCH_TARGETS, projections: PROJECTION_TARGETS, http: HTTP_TARGETS, endToEnd: END_TO_END_TARGETS } as const;
