// `ledger bench end-to-end`: the demo programme (src/demo) generated through the real command
// functions into an empty data directory: every command decided, appended (group commit) and
// its read models caught up. A small calibration run gives the events one customer makes; the
// measured run is then sized to the requested number of events. The demo generator is loaded
// at run time, so the suite reports "not available" on a build without it.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { exportLog } from '../cli/commands/export.js';
import { importExportFile } from '../cli/commands/import.js';
import { defaultPolicy, type Policy } from '../domain/policy.js';
import { sqliteFileFor } from '../store/open-store.js';
import { openSqliteEventStore } from '../store/sqlite/sqlite-event-store.js';
import { cpuNow, type CpuPerUnit, cpuPerUnitSince } from './cpu.js';
import { type DiskLimits, measureDiskLimits } from './store-bench.js';

/** Issue 17: the demo and any bulk load at ≥ 50,000 events/s, a million events in under 20 s. */
export const END_TO_END_TARGETS = { secondsPerMillionEvents: 20 } as const;

export interface EndToEndBenchOptions {
  quick: boolean;
  /** Events the measured run should reach (approximately: whole customers). */
  events: number;
  tmpRoot?: string;
  log?: (line: string) => void;
}

export interface EndToEndBenchReport {
  suite: 'end-to-end';
  partners: number;
  customers: number;
  quarters: number;
  events: number;
  commands: number;
  seconds: number;
  eventsPerSec: number;
  commandsPerSec: number;
  /** seconds × 1,000,000 / events: the time a 1M-event log takes at this rate. */
  secondsPerMillionEvents: number;
  peakRssMb: number;
  /**
   * The generated log exported (NDJSON) and loaded by `ledger import` into an empty directory
   * (schemas, chain and the write-side rules checked; durable at the end).
   */
  import: ImportFigures;
  /** Raw SQLite on the same disk, measured in this run. */
  limits: DiskLimits;
  loadAverage: { start: number; end: number };
  targets: typeof END_TO_END_TARGETS;
}

export interface ImportFigures {
  events: number;
  seconds: number;
  eventsPerSec: number;
  cpuPerEvent: CpuPerUnit;
  targets: typeof IMPORT_TARGETS;
}

/** Issue 17: bulk paths toward 50,000 events/s. */
export const IMPORT_TARGETS = { eventsPerSec: 50_000 } as const;

/** What this suite uses of src/demo/generate.ts. */
interface DemoModule {
  openDemoDataDir(dataDir: string, policy: Policy): Promise<{ close(): Promise<void> }>;
  generateDemo(options: { seed: number; partners: number; customers: number; quarters: number; lastQuarter: string }, sink: unknown): Promise<{ events: number; commands: number }>;
}

const PARTNERS = 80;
const QUARTERS = 8;
const LAST_QUARTER = '2026-Q3';
const CALIBRATION_CUSTOMERS = 50;
const MAX_CUSTOMERS = 1_000_000;

export async function runEndToEndBench(options: EndToEndBenchOptions): Promise<EndToEndBenchReport> {
  if (!Number.isSafeInteger(options.events) || options.events < 1_000) throw new RangeError(`bench end-to-end: events must be ≥ 1000, got ${options.events}`);
  const log = options.log ?? (() => undefined);
  const loadStart = loadAverage();
  const demo = await loadDemo();
  const small = await generate(demo, CALIBRATION_CUSTOMERS, options.tmpRoot);
  const large = await generate(demo, CALIBRATION_CUSTOMERS * 4, options.tmpRoot);
  const size = demoSizeFor(options.events, { customers: CALIBRATION_CUSTOMERS, events: small.events }, { customers: CALIBRATION_CUSTOMERS * 4, events: large.events });
  const customers = Math.min(MAX_CUSTOMERS, size.customers);
  log(`bench end-to-end: ${size.perCustomer.toFixed(1)} events per customer beyond ${Math.round(size.fixedEvents)} for the partners; generating ${customers} customers`);
  const run = await generate(demo, customers, options.tmpRoot, true);
  log(`bench end-to-end: ${run.events} events (${run.commands} commands) in ${run.seconds.toFixed(1)} s`);
  const imported = run.import!;
  log(`bench end-to-end: import of those ${imported.events} events in ${imported.seconds} s (${imported.eventsPerSec}/s; ${imported.cpuPerEvent.mainThreadUs} µs main-thread CPU per event)`);
  const limitsDir = mkdtempSync(path.join(options.tmpRoot ?? os.tmpdir(), 'ledger-bench-e2e-limits-'));
  let limits: DiskLimits;
  try {
    limits = measureDiskLimits(limitsDir, options.quick ? 300 : 1_000, options.quick ? 20_000 : 100_000);
  } finally {
    rmSync(limitsDir, { recursive: true, force: true });
  }
  return {
    suite: 'end-to-end',
    partners: PARTNERS,
    customers,
    quarters: QUARTERS,
    events: run.events,
    commands: run.commands,
    seconds: round3(run.seconds),
    eventsPerSec: Math.round(run.events / run.seconds),
    commandsPerSec: Math.round(run.commands / run.seconds),
    secondsPerMillionEvents: round3((run.seconds * 1_000_000) / Math.max(1, run.events)),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    import: imported,
    limits,
    loadAverage: { start: loadStart, end: loadAverage() },
    targets: END_TO_END_TARGETS,
  };
}

async function loadDemo(): Promise<DemoModule> {
  const specifier = '../demo/generate.js'; // resolved at run time: the suite is optional
  try {
    return (await import(specifier)) as DemoModule;
  } catch (error) {
    throw new Error(`the demo generator (src/demo/generate.ts) is not available in this build: ${String(error)}`);
  }
}

/**
 * The customers a demo needs to reach `events`: the partners' own events (signings, deposits,
 * payouts, traffic, rebates) do not grow with the customers, so two calibration runs give a
 * fixed part and a part per customer.
 */
export function demoSizeFor(
  events: number,
  small: { customers: number; events: number },
  large: { customers: number; events: number },
): { customers: number; perCustomer: number; fixedEvents: number } {
  if (!(large.customers > small.customers && large.events > small.events)) throw new RangeError('demo calibration: the larger run must have more customers and more events');
  const perCustomer = (large.events - small.events) / (large.customers - small.customers);
  const fixedEvents = Math.max(0, small.events - perCustomer * small.customers);
  return { customers: Math.max(1, Math.round((events - fixedEvents) / perCustomer)), perCustomer, fixedEvents };
}

async function generate(
  demo: DemoModule,
  customers: number,
  tmpRoot: string | undefined,
  measureImport = false,
): Promise<{ events: number; commands: number; seconds: number; import?: ImportFigures }> {
  const dir = mkdtempSync(path.join(tmpRoot ?? os.tmpdir(), 'ledger-bench-e2e-'));
  try {
    const started = performance.now();
    const sink = await demo.openDemoDataDir(dir, defaultPolicy);
    let summary: { events: number; commands: number };
    try {
      summary = await demo.generateDemo({ seed: 7, partners: PARTNERS, customers, quarters: QUARTERS, lastQuarter: LAST_QUARTER }, sink);
    } finally {
      await sink.close();
    }
    const seconds = (performance.now() - started) / 1_000;
    return { events: summary.events, commands: summary.commands, seconds, ...(measureImport ? { import: await exportAndImport(dir) } : {}) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Exports the log in `dataDir` and times `ledger import` (one pass, importExportFile) on it into an empty directory. */
async function exportAndImport(dataDir: string): Promise<ImportFigures> {
  const file = path.join(dataDir, 'export.ndjson');
  const source = openSqliteEventStore({ file: sqliteFileFor(dataDir), readOnly: true });
  const out = createWriteStream(file);
  try {
    await exportLog(source, out);
  } finally {
    out.end();
    await once(out, 'finish');
    await source.close();
  }
  const target = path.join(dataDir, 'imported');
  const cpu = cpuNow();
  const started = performance.now();
  const imported = await importExportFile(file, target, defaultPolicy);
  const ended = performance.now();
  return {
    events: imported.events,
    seconds: round3((ended - started) / 1_000),
    eventsPerSec: Math.round((imported.events * 1_000) / Math.max(1e-6, ended - started)),
    cpuPerEvent: cpuPerUnitSince(cpu, imported.events),
    targets: IMPORT_TARGETS,
  };
}

function loadAverage(): number {
  return Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
}

const round3 = (x: number): number => Math.round(x * 1_000) / 1_000;
